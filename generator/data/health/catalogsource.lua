-- OLM CatalogSource (operators.coreos.com/v1alpha1): status.connectionState.lastObservedState is
-- the gRPC state of the catalog's registry pod: READY, or CONNECTING / IDLE on the way there, or
-- TRANSIENT_FAILURE (image pull failure, crash) where Subscriptions to it stay unresolved.
local hs = {}
local state = nil
if obj.status ~= nil and obj.status.connectionState ~= nil then
  state = obj.status.connectionState.lastObservedState
end
if state == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for OLM to connect to the catalog"
elseif state == "READY" then
  hs.status = "Healthy"
  hs.message = "Catalog is serving"
elseif state == "TRANSIENT_FAILURE" then
  hs.status = "Degraded"
  hs.message = "Catalog is not serving: " .. (obj.status.message or state)
else
  hs.status = "Progressing"
  hs.message = "Catalog connection " .. state
end
return hs
