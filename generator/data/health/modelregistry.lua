-- ModelRegistry (modelregistry.opendatahub.io v1alpha1, v1beta1): conditions Available,
-- Progressing, Degraded (each with observedGeneration) and, per proxy, its own availability. A
-- registry whose configuration the operator refuses (reason ConfigurationError) never becomes
-- available: Degraded; one still rolling out its deployment is Progressing.
local hs = {}
local s = obj.status
if s == nil or s.conditions == nil or #s.conditions == 0 then
  hs.status = "Progressing"
  hs.message = "Waiting for the model registry operator to report conditions"
  return hs
end
local conds = {}
for _, c in ipairs(s.conditions) do
  conds[c.type] = c
end
local function said(c)
  return c.type .. ": " .. (c.message or c.reason or c.status)
end
local available = conds["Available"]
if conds["Degraded"] ~= nil and conds["Degraded"].status == "True" then
  hs.status = "Degraded"
  hs.message = said(conds["Degraded"])
elseif available ~= nil and available.status == "False" and available.reason == "ConfigurationError" then
  hs.status = "Degraded"
  hs.message = said(available)
elseif available ~= nil and available.status == "True" then
  if available.observedGeneration ~= nil and obj.metadata.generation ~= nil and available.observedGeneration < obj.metadata.generation then
    hs.status = "Progressing"
    hs.message = "The operator has not reconciled generation " .. obj.metadata.generation .. " yet"
  else
    hs.status = "Healthy"
    hs.message = said(available)
  end
else
  hs.status = "Progressing"
  hs.message = available ~= nil and said(available) or "No Available condition yet"
end
return hs
