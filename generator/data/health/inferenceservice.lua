-- KServe InferenceService (serving.kserve.io/v1beta1), every deployment mode: Serverless (Knative
-- revisions), RawDeployment (plain Deployments, no Knative: no traffic/revision fields, often no
-- IngressReady for a cluster-local service) and ModelMesh (status.modelStatus.copies). Ready is the
-- controller's summary of the mode's own conditions, so the check reads Ready, not the per-mode ones
-- (reading Knative's revision fields is what keeps RawDeployment services Progressing for ever).
-- Stopped (KServe 0.15+, annotation serving.kserve.io/stop) is Suspended; a terminal
-- status.modelStatus.transitionStatus (BlockedByFailedLoad, InvalidSpec) is Degraded at once; a
-- status older than the spec (observedGeneration < generation) is Progressing whatever it says.
local hs = {}
local s = obj.status
if s == nil or s.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for KServe to report status"
  return hs
end
local mode = s.deploymentMode
local function with_mode(text)
  if mode ~= nil and mode ~= "" then
    return text .. " (" .. mode .. ")"
  end
  return text
end
for _, c in ipairs(s.conditions) do
  if c.type == "Stopped" and c.status == "True" then
    hs.status = "Suspended"
    hs.message = with_mode("Stopped")
    return hs
  end
end
local ms = s.modelStatus
if ms ~= nil and ms.transitionStatus ~= nil then
  local t = ms.transitionStatus
  if t == "BlockedByFailedLoad" or t == "InvalidSpec" then
    hs.status = "Degraded"
    local why = t
    if ms.lastFailureInfo ~= nil and ms.lastFailureInfo.message ~= nil then
      why = why .. ": " .. ms.lastFailureInfo.message
    end
    hs.message = with_mode(why)
    return hs
  end
end
local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and s.observedGeneration ~= nil and s.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for KServe to reconcile generation " .. generation .. " (status is of " .. s.observedGeneration .. ")"
  return hs
end
local ready = nil
for _, c in ipairs(s.conditions) do
  if c.type == "Ready" then
    ready = c
  end
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  local copies = ""
  if ms ~= nil and ms.copies ~= nil and ms.copies.totalCopies ~= nil then
    copies = ", " .. ms.copies.totalCopies .. " copies"
    if ms.copies.failedCopies ~= nil and ms.copies.failedCopies > 0 then
      copies = copies .. " (" .. ms.copies.failedCopies .. " failed)"
    end
  end
  hs.message = with_mode("Ready" .. copies)
elseif ready ~= nil and ready.status == "False" and ready.reason ~= nil and ms ~= nil and ms.transitionStatus == "UpToDate" then
  hs.status = "Degraded"
  hs.message = with_mode(ready.reason .. ": " .. (ready.message or ""))
else
  hs.status = "Progressing"
  if ready ~= nil then
    hs.message = with_mode((ready.reason or "Ready " .. ready.status) .. ": " .. (ready.message or ""))
  else
    hs.message = with_mode("No Ready condition yet")
  end
end
return hs
