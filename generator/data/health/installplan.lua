-- OLM InstallPlan (operators.coreos.com/v1alpha1): status.phase is Planning, RequiresApproval,
-- Installing, Complete or Failed. One waiting for an approval nobody gave yet is Suspended.
local hs = {}
local s = obj.status
if s == nil or s.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for OLM to plan the install"
  return hs
end
local csvs = ""
if obj.spec ~= nil and obj.spec.clusterServiceVersionNames ~= nil then
  csvs = table.concat(obj.spec.clusterServiceVersionNames, ", ")
end
if s.phase == "Complete" then
  hs.status = "Healthy"
  hs.message = "Installed " .. csvs
elseif s.phase == "Failed" then
  hs.status = "Degraded"
  hs.message = s.message or ("Failed to install " .. csvs)
elseif s.phase == "RequiresApproval" and not (obj.spec ~= nil and obj.spec.approved) then
  hs.status = "Suspended"
  hs.message = "Waiting for approval of " .. csvs
else
  hs.status = "Progressing"
  hs.message = s.phase .. " " .. csvs
end
return hs
