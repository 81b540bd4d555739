-- HardwareProfile (infrastructure.opendatahub.io and the dashboard's dashboard.opendatahub.io):
-- neither CRD has a status; nothing reconciles them, the dashboard reads them. What the
-- dashboard hides is Suspended: spec.enabled false (dashboard.opendatahub.io) or annotation
-- opendatahub.io/disabled "true" (infrastructure.opendatahub.io).
local hs = {}
local disabled = false
if obj.spec ~= nil and obj.spec.enabled == false then
  disabled = true
end
if obj.metadata.annotations ~= nil and obj.metadata.annotations["opendatahub.io/disabled"] == "true" then
  disabled = true
end
if disabled then
  hs.status = "Suspended"
  hs.message = "Disabled: the dashboard does not offer it"
else
  hs.status = "Healthy"
  hs.message = "Offered by the dashboard"
end
return hs
