-- Operands reporting OpenShift operator conditions: NodeFeatureDiscovery (nfd.openshift.io/v1:
-- Available, Progressing, Degraded, Upgradeable) and the Red Hat build of Kueue's Kueue
-- (kueue.openshift.io/v1: Available, Degraded, with observedGeneration).
local hs = {}
local s = obj.status
if s == nil or s.conditions == nil or #s.conditions == 0 then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report conditions"
  return hs
end
if s.observedGeneration ~= nil and obj.metadata.generation ~= nil and s.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "The operator has not reconciled generation " .. obj.metadata.generation .. " yet"
  return hs
end
local conds = {}
for _, c in ipairs(s.conditions) do
  conds[c.type] = c
end
local function said(c)
  return c.type .. ": " .. (c.message or c.reason or c.status)
end
if conds["Degraded"] ~= nil and conds["Degraded"].status == "True" then
  hs.status = "Degraded"
  hs.message = said(conds["Degraded"])
elseif conds["Progressing"] ~= nil and conds["Progressing"].status == "True" then
  hs.status = "Progressing"
  hs.message = said(conds["Progressing"])
elseif conds["Available"] ~= nil and conds["Available"].status == "True" then
  hs.status = "Healthy"
  hs.message = said(conds["Available"])
elseif conds["Available"] ~= nil and conds["Available"].status == "False" then
  hs.status = "Progressing"
  hs.message = said(conds["Available"])
else
  hs.status = "Progressing"
  hs.message = "No Available condition yet"
end
return hs
