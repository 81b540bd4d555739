-- OLM Subscription (operators.coreos.com/v1alpha1). Healthy once the CSV it should run is
-- installed: the one the bundle pins (annotation rhoai-gitops.io/pinned-csv, kept in step with
-- git; spec.startingCSV is read by OLM only at first install) when there is a pin, else the
-- channel's newest (state AtLatestKnown). A pending upgrade past the pin is expected under
-- Manual approval; one the pin asks for holds the wave until it is approved and installed; a
-- pin OLM's upgrade path does not lead to is Degraded.
local hs = {}
local s = obj.status
if s == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for OLM to resolve the Subscription"
  return hs
end
if s.conditions ~= nil then
  for _, c in ipairs(s.conditions) do
    if c.status == "True" and (c.type == "ResolutionFailed" or c.type == "CatalogSourcesUnhealthy" or c.type == "InstallPlanFailed") then
      hs.status = "Degraded"
      hs.message = c.type .. ": " .. (c.message or c.reason or "")
      return hs
    end
  end
end
if s.state == "UpgradeFailed" then
  hs.status = "Degraded"
  hs.message = "UpgradeFailed: " .. (s.currentCSV or "")
  return hs
end
local pinned = nil
if obj.metadata.annotations ~= nil then
  pinned = obj.metadata.annotations["rhoai-gitops.io/pinned-csv"]
end
if pinned ~= nil and pinned ~= "" then
  if s.installedCSV == pinned then
    hs.status = "Healthy"
    hs.message = "Runs the pinned " .. pinned .. " (state " .. (s.state or "unknown") .. ")"
    return hs
  end
  -- Installed, but not the pin: fine while OLM's next step is the pin (the approver approves
  -- it); otherwise OLM will never get there (it does not downgrade, and its next upgrade is
  -- another CSV the approver leaves alone), which someone has to look at.
  if s.installedCSV ~= nil and s.currentCSV ~= pinned then
    hs.status = "Degraded"
    hs.message = "Runs " .. s.installedCSV .. " and OLM's next step is " .. (s.currentCSV or "none") .. ", not the pinned " .. pinned .. ": pin a CSV on the upgrade path"
    return hs
  end
  hs.status = "Progressing"
  hs.message = "Waiting for the pinned " .. pinned .. " (installed: " .. (s.installedCSV or "none") .. ", state " .. (s.state or "unknown") .. ")"
  return hs
end
if s.installedCSV ~= nil and s.state == "AtLatestKnown" then
  hs.status = "Healthy"
  hs.message = "Runs " .. s.installedCSV
  return hs
end
hs.status = "Progressing"
hs.message = "state " .. (s.state or "unknown") .. ", installed " .. (s.installedCSV or "none")
return hs
