-- KServe LLMInferenceService (serving.kserve.io v1alpha1, v1alpha2): a knative-style living
-- condition set where Ready summarises WorkloadsReady (main, worker, prefill workloads) and
-- RouterReady (gateway, HTTPRoutes, InferencePool, scheduler). PresetsCombined False means the
-- referenced LLMInferenceServiceConfig presets do not combine into a valid spec: no retry fixes
-- that, so it is Degraded; every other not-ready state is Progressing (pods pulling a model take
-- minutes). A status older than the spec is Progressing.
local hs = {}
local s = obj.status
if s == nil or s.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for KServe to report status"
  return hs
end
local by_type = {}
for _, c in ipairs(s.conditions) do
  by_type[c.type] = c
end
local presets = by_type["PresetsCombined"]
if presets ~= nil and presets.status == "False" then
  hs.status = "Degraded"
  hs.message = "PresetsCombined: " .. (presets.reason or "") .. " " .. (presets.message or "")
  return hs
end
local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and s.observedGeneration ~= nil and s.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for KServe to reconcile generation " .. generation .. " (status is of " .. s.observedGeneration .. ")"
  return hs
end
local ready = by_type["Ready"]
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = "Ready"
  if s.url ~= nil then
    hs.message = "Ready at " .. s.url
  end
  return hs
end
hs.status = "Progressing"
for _, name in ipairs({"WorkloadsReady", "RouterReady", "Ready"}) do
  local c = by_type[name]
  if c ~= nil and c.status ~= "True" then
    hs.message = name .. " " .. c.status .. ": " .. (c.reason or "") .. " " .. (c.message or "")
    return hs
  end
end
hs.message = "No Ready condition yet"
return hs
