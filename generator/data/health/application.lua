-- Argo CD Application (argoproj.io/v1alpha1), for the root app-of-apps: Argo CD dropped its
-- built-in Application health in 1.8, so without this a child counts as Healthy the moment it
-- exists and the root's waves wait for nothing. The child's own status.health, as its controller
-- computed it; a child whose last sync failed is Degraded.
local hs = {}
local s = obj.status
if s == nil or s.health == nil or s.health.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Application to be reconciled"
  return hs
end
if s.operationState ~= nil and (s.operationState.phase == "Failed" or s.operationState.phase == "Error") then
  hs.status = "Degraded"
  hs.message = "Sync " .. s.operationState.phase .. ": " .. (s.operationState.message or "")
  return hs
end
hs.status = s.health.status
hs.message = s.health.message or ("Health " .. s.health.status)
return hs
