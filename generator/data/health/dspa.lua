-- DataSciencePipelinesApplication (datasciencepipelinesapplications.opendatahub.io v1alpha1, v1):
-- the operator reports one condition per part (DatabaseAvailable, ObjectStoreAvailable,
-- APIServerReady, PersistenceAgentReady, ScheduledWorkflowReady, ...) and an overall Ready. A part
-- whose reason says it failed (FailingToDeploy, ...) is Degraded; Ready True is Healthy.
local hs = {}
local s = obj.status
if s == nil or s.conditions == nil or #s.conditions == 0 then
  hs.status = "Progressing"
  hs.message = "Waiting for the pipelines operator to report conditions"
  return hs
end
local ready = nil
for _, c in ipairs(s.conditions) do
  if c.type == "Ready" then
    ready = c
  elseif c.status == "False" and c.reason ~= nil and string.find(c.reason, "Fail") ~= nil then
    hs.status = "Degraded"
    hs.message = c.type .. ": " .. (c.message or c.reason)
    return hs
  end
end
if ready == nil then
  hs.status = "Progressing"
  hs.message = "No Ready condition yet"
elseif ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or "Ready"
else
  hs.status = "Progressing"
  hs.message = "Ready: " .. (ready.message or ready.reason or ready.status)
end
return hs
