-- Kueue ClusterQueue and LocalQueue (kueue.x-k8s.io v1beta1 and v1beta2): condition Active, whose
-- reason says why a queue admits nothing: Ready; Stopped (stopPolicy); Terminating; for a
-- ClusterQueue FlavorNotFound, AdmissionCheckNotFound, AdmissionCheckInactive, TopologyNotFound,
-- MultiKueue*; for a LocalQueue ClusterQueueDoesNotExist or ClusterQueueIsInactive.
local hs = {}
local active = nil
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Active" then
      active = c
    end
  end
end
if active == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for Kueue to activate the queue"
  return hs
end
local why = (active.reason or "") .. ": " .. (active.message or "")
if active.status == "True" then
  hs.status = "Healthy"
  hs.message = active.message or "Active"
elseif active.reason == "Stopped" then
  hs.status = "Suspended"
  hs.message = why
elseif active.reason == "Terminating" or active.reason == "Unknown" or active.reason == "ClusterQueueIsInactive" or active.reason == nil then
  hs.status = "Progressing"
  hs.message = why
else
  hs.status = "Degraded"
  hs.message = why
end
return hs
