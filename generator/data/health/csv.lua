-- OLM ClusterServiceVersion (operators.coreos.com/v1alpha1): status.phase is Pending,
-- InstallReady, Installing, Succeeded, Failed, Unknown, Replacing or Deleting, with status.reason
-- and status.message. A CSV being replaced by its successor is on its way out, not broken.
local hs = {}
local s = obj.status
if s == nil or s.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for OLM to install the operator"
  return hs
end
local why = s.phase
if s.reason ~= nil then
  why = why .. " (" .. s.reason .. ")"
end
if s.message ~= nil and s.message ~= "" then
  why = why .. ": " .. s.message
end
hs.message = why
if s.phase == "Succeeded" then
  hs.status = "Healthy"
elseif s.phase == "Failed" or s.phase == "Unknown" then
  hs.status = "Degraded"
elseif s.phase == "Replacing" or s.phase == "Deleting" then
  hs.status = "Suspended"
else
  hs.status = "Progressing"
end
return hs
