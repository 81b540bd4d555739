-- NVIDIA ClusterPolicy (nvidia.com/v1): status.state is ready, notReady or ignored (a second
-- ClusterPolicy the operator does not act on), with conditions Ready and Error.
local hs = {}
local s = obj.status
if s == nil or s.state == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the GPU operator to report a state"
  return hs
end
if s.conditions ~= nil then
  for _, c in ipairs(s.conditions) do
    if c.type == "Error" and c.status == "True" then
      hs.status = "Degraded"
      hs.message = (c.reason or "Error") .. ": " .. (c.message or "")
      return hs
    end
  end
end
if s.state == "ready" then
  hs.status = "Healthy"
  hs.message = "All GPU operator components are ready"
elseif s.state == "ignored" then
  hs.status = "Degraded"
  hs.message = "Ignored: another ClusterPolicy is the one the GPU operator acts on"
else
  hs.status = "Progressing"
  hs.message = "state " .. s.state
end
return hs
