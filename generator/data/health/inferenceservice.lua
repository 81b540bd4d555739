-- KServe InferenceService (serving.kserve.io/v1beta1): condition Ready (with PredictorReady,
-- IngressReady, ...), status.modelStatus.transitionStatus (UpToDate, InProgress, BlockedByFailedLoad,
-- InvalidSpec) and, from KServe 0.15, condition Stopped for a stopped service.
local hs = {}
local s = obj.status
if s == nil or s.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for KServe to report status"
  return hs
end
if s.modelStatus ~= nil and s.modelStatus.transitionStatus ~= nil then
  local t = s.modelStatus.transitionStatus
  if t == "BlockedByFailedLoad" or t == "InvalidSpec" then
    hs.status = "Degraded"
    local why = t
    if s.modelStatus.lastFailureInfo ~= nil and s.modelStatus.lastFailureInfo.message ~= nil then
      why = why .. ": " .. s.modelStatus.lastFailureInfo.message
    end
    hs.message = why
    return hs
  end
end
local ready = nil
for _, c in ipairs(s.conditions) do
  if c.type == "Stopped" and c.status == "True" then
    hs.status = "Suspended"
    hs.message = "Stopped"
    return hs
  end
  if c.type == "Ready" then
    ready = c
  end
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = "Ready"
elseif ready ~= nil and ready.status == "False" and ready.reason ~= nil and s.modelStatus ~= nil and s.modelStatus.transitionStatus == "UpToDate" then
  hs.status = "Degraded"
  hs.message = ready.reason .. ": " .. (ready.message or "")
else
  hs.status = "Progressing"
  if ready ~= nil then
    hs.message = (ready.reason or "Ready " .. ready.status) .. ": " .. (ready.message or "")
  else
    hs.message = "No Ready condition yet"
  end
end
return hs
