-- DataScienceCluster and DSCInitialization (opendatahub-operator, RHOAI and ODH, every release).
-- Two generations of status exist: up to RHOAI 2.19 / ODH 2.21 the phase is Progressing, Ready
-- or Error and condition ReconcileComplete says how the last reconcile ended (reason
-- ReconcileCompletedWithComponentErrors while the phase still says Ready); from then on (and in
-- every 3.x release) the DataScienceCluster's phase is Ready or "Not Ready" and condition Ready
-- says which components are not ready yet, with status.observedGeneration.
local hs = {}
local s = obj.status
if s == nil or s.phase == nil or s.phase == "" then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report a phase"
  return hs
end
if s.observedGeneration ~= nil and obj.metadata.generation ~= nil and s.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "The operator has not reconciled generation " .. obj.metadata.generation .. " yet"
  return hs
end
local conds = {}
if s.conditions ~= nil then
  for _, c in ipairs(s.conditions) do
    conds[c.type] = c
  end
end
local function said(c)
  if c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return c.reason or c.type
end
if s.phase == "Error" then
  hs.status = "Degraded"
  hs.message = s.errorMessage or (conds["ReconcileComplete"] and said(conds["ReconcileComplete"])) or "phase Error"
  return hs
end
local complete = conds["ReconcileComplete"]
if complete ~= nil and complete.reason == "ReconcileCompletedWithComponentErrors" then
  hs.status = "Degraded"
  hs.message = said(complete)
  return hs
end
local provisioned = conds["ProvisioningSucceeded"]
if provisioned ~= nil and provisioned.status == "False" then
  hs.status = "Degraded"
  hs.message = said(provisioned)
  return hs
end
local degraded = conds["Degraded"]
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = said(degraded)
  return hs
end
local ready = conds["Ready"]
if ready ~= nil and ready.status ~= "True" then
  hs.status = "Progressing"
  hs.message = said(ready)
  return hs
end
if s.phase == "Ready" and (complete == nil or complete.status == "True") then
  hs.status = "Healthy"
  hs.message = (ready and said(ready)) or (complete and said(complete)) or "Ready"
  return hs
end
hs.status = "Progressing"
hs.message = "phase " .. s.phase
return hs
