"""Model deployments (`workloads.models`): per team namespace a KServe InferenceService (or an
LLMInferenceService) in the deployment mode the release and the DataScienceCluster run, with
the team's Kueue queue label where the release admits serving pods through Kueue, its GPU
requests pinned to a pool, and what that admission and placement would be (the scheduling
simulation of generator/capacity/scheduling.py, driven by these deployments instead of the profiles).

What each mode needs, from KServe and odh-model-controller as the dashboard writes it:
- every mode: annotation serving.kserve.io/deploymentMode (immutable once the controller has
  set status: changing it means a new object, see generator.upgrade), the dashboard label
  opendatahub.io/dashboard, openshift.io/display-name;
- Serverless (2.x, Knative behind the service mesh): the Istio sidecar annotations and Knative
  passthrough the odh-model-controller's route needs; internal exposure is the Knative label
  networking.knative.dev/visibility: cluster-local;
- RawDeployment: plain Deployments; route exposure is the label networking.kserve.io/visibility:
  exposed (odh-model-controller creates the Route then);
- ModelMesh (2.x where modelmeshserving is Managed): the shared model-mesh pods; replicas and
  resources belong to the ServingRuntime, not to the InferenceService.
Token auth and the hardware-profile webhook's annotations are per release and kind
(generator/data/serving.yaml: facts.serving).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from fractions import Fraction

from generator.capacity.pools import GPU
from generator.capacity.scheduling import QUEUE_LABEL, Cluster, Workload
from generator.components import gpu_nodes, kueue, kueue_operator, profiles
from generator.components.base import Component
from generator.core import quantity
from generator.core.resources import Obj, at, obj
from generator.facts import serving
from generator.spec.model_deployments import (
    Runtime,
    endpoint,
    facts,
    mode,
    model_format,
    pool_of,
    queue_eligible,
    runtime,
    team_of,
    template,
)
from generator.workloads import runtimes

TEMPLATE_NAME = "opendatahub.io/template-name"
TEMPLATE_DISPLAY_NAME = "opendatahub.io/template-display-name"
API_PROTOCOL = "opendatahub.io/apiProtocol"
MODE_ANNOTATION = "serving.kserve.io/deploymentMode"
DASHBOARD_LABEL = "opendatahub.io/dashboard"
DISPLAY_NAME = "openshift.io/display-name"
RAW_VISIBILITY = "networking.kserve.io/visibility"
KNATIVE_VISIBILITY = "networking.knative.dev/visibility"
# What the 2.x dashboard puts on a Serverless InferenceService so that its pods join the mesh and
# the Route odh-model-controller makes passes TLS through to Knative.
SERVERLESS_ANNOTATIONS = {
    "serving.knative.openshift.io/enablePassthrough": "true",
    "sidecar.istio.io/inject": "true",
    "sidecar.istio.io/rewriteAppHTTPProbers": "true",
}


@dataclass(frozen=True)
class AppliedProfile:
    """The HardwareProfile the release's webhook applies to the model on admission."""

    webhook: serving.HardwareProfileWebhook
    name: str
    namespace: str
    identifiers: list[dict]
    scheduling: dict

    @property
    def queue(self) -> str | None:
        """The LocalQueue a Queue profile labels the model with (the webhook overwrites the label)."""
        return (
            (self.scheduling.get("kueue") or {}).get("localQueueName") if self.scheduling["type"] == "Queue" else None
        )


def applied_profile(spec, m) -> AppliedProfile | None:
    """The model's hardware profile as the release's webhook applies it: where the release's
    dashboard marks models with their HardwareProfile and the bundle renders that profile."""
    hook = serving.hardware_profile_webhook(spec.distribution.name, spec.version)
    if hook is None or m.kind not in hook.kinds:
        return None
    found = profiles.profile_spec(spec, m.hardware_profile)
    if found is None:
        return None
    identifiers, scheduling = found
    return AppliedProfile(hook, m.hardware_profile, spec.namespaces["applications"], identifiers, scheduling)


def queued(spec, m) -> bool:
    """The model's pods go through the team's LocalQueue: where the Red Hat build of Kueue runs
    (it admits Deployments' pods once its Deployment integration is on, which the bundle turns on
    for these); the 2.x platform Kueue's integrations are jobs only, so there the team's quota is
    its share but the pods are not queued. A Queue hardware profile the release's webhook applies
    labels the model for its queue whatever the mode."""
    profile = applied_profile(spec, m)
    return (kueue_operator.needed(spec) and queue_eligible(spec, m)) or bool(profile and profile.queue)


def _resources(spec, m) -> dict:
    """The model's requests and limits as the API server stores them. Where the release's
    webhook applies a hardware profile, it fills every resource the profile identifies that the
    model leaves open (requests: the identifier's defaultCount; limits: the request, or its
    maxCount on older builds): the bundle writes them all, so nothing is filled in behind Argo
    CD's back and what Kueue admits is what the spec rules and the simulation count. The GPU
    count is the model's own, 0 included."""
    sides: dict[str, dict] = {"requests": {}, "limits": {}}
    for side, values in (("requests", m.requests), ("limits", m.limits)):
        sides[side] = {k: v for k, v in (("cpu", values.cpu), ("memory", values.memory)) if v is not None}
        if m.gpus:
            sides[side][GPU] = m.gpus
    profile = applied_profile(spec, m)
    for ident in profile.identifiers if profile else []:
        resource = ident["identifier"]
        default = m.gpus if ident["resourceType"] == "Accelerator" else ident["defaultCount"]
        sides["requests"].setdefault(resource, default)
        sides["limits"].setdefault(resource, sides["requests"][resource])
    return {side: values for side, values in sides.items() if values}


def per_pod(spec, m) -> dict[str, Fraction]:
    """What one replica requests (requests, else limits: Kubernetes defaults requests to limits)."""
    resources = _resources(spec, m)
    requests, limits = resources.get("requests", {}), resources.get("limits", {})
    out: dict[str, Fraction] = {}
    for name in ("cpu", "memory"):
        value = requests.get(name, limits.get(name))
        parsed = quantity.parse(str(value)) if value is not None else None
        if parsed is not None:
            out[name] = parsed
    gpus = requests.get(GPU, limits.get(GPU))
    if gpus:
        out[GPU] = Fraction(gpus)
    return out


def _token_auth(spec, m, carrier: str) -> dict[str, str]:
    """The token-auth annotation the release's controllers read on `carrier` (the model's kind
    or its ServingRuntime), with the value the model's tokenAuth asks for."""
    auth = serving.token_auth(
        spec.distribution.name, spec.version, m.kind, mode(spec, m) if m.kind == "InferenceService" else None
    )
    if auth is None or auth.object != carrier:
        return {}
    if m.token_auth:
        return {auth.annotation: auth.value}
    return {auth.annotation: auth.off} if auth.off else {}


def _profile_metadata(spec, m, labels: dict, annotations: dict) -> None:
    """The hardware profile's annotations (the webhook sets the namespace one when missing) and
    the queue label a Queue profile sets."""
    profile = applied_profile(spec, m)
    if profile is None:
        return
    annotations[profile.webhook.name_annotation] = profile.name
    annotations[profile.webhook.namespace_annotation] = profile.namespace
    if profile.queue:
        labels[QUEUE_LABEL] = profile.queue


def inference_service(spec, m) -> Obj:
    mode_ = mode(spec, m)
    labels = {DASHBOARD_LABEL: "true"}
    annotations = {
        DISPLAY_NAME: m.display_name or m.name,
        MODE_ANNOTATION: serving.stored_mode(spec.distribution.name, spec.version, mode_),
    }
    if mode_ == "Serverless":
        annotations.update(SERVERLESS_ANNOTATIONS)
        if m.exposure == "internal":
            labels[KNATIVE_VISIBILITY] = "cluster-local"
    elif mode_ == "RawDeployment" and m.exposure == "route":
        labels[RAW_VISIBILITY] = "exposed"
    annotations.update(_token_auth(spec, m, "InferenceService"))
    if queued(spec, m):
        labels[QUEUE_LABEL] = kueue.LOCAL_QUEUE
    _profile_metadata(spec, m, labels, annotations)
    fmt = model_format(spec, m)
    model: dict = {"modelFormat": {"name": fmt}} if fmt else {}
    if m.runtime:
        model["runtime"] = m.name  # the ServingRuntime rendered from the template, named like the model
    if m.location.connection:
        model["storage"] = {"key": m.location.connection, **({"path": m.location.path} if m.location.path else {})}
    else:
        model["storageUri"] = m.location.uri
    predictor: dict = {}
    if mode_ != "ModelMesh":
        predictor.update(minReplicas=m.replicas, maxReplicas=m.replicas)
        resources = _resources(spec, m)
        if resources:
            model["resources"] = resources
        pool = pool_of(spec, m)
        if pool is not None:
            # On the pool's nodes and only there: its labels and taints (a queued pod gets the
            # same from its flavor; a flavor contradicting them is skipped by Kueue).
            predictor["nodeSelector"] = gpu_nodes.node_labels(pool)
            predictor["tolerations"] = gpu_nodes.tolerations(pool)
    predictor["model"] = model
    o = obj(
        facts(spec).api_version("InferenceService"),
        "InferenceService",
        m.name,
        m.namespace,
        spec={"predictor": predictor},
    )
    o["metadata"]["labels"] = labels
    # A replaced deployment (a new name, a new mode) is pruned only once the sync's other objects,
    # its replacement among them, are applied and healthy.
    annotations["argocd.argoproj.io/sync-options"] = "PruneLast=true"
    o["metadata"]["annotations"] = annotations
    return o


def serving_runtime(spec, m, rt: Runtime) -> Obj:
    """The ServingRuntime the dashboard creates in the model's namespace from the Template the
    model names (the release's, or the catalogue's in the applications namespace): the Template's
    ServingRuntime, named like the model, with the dashboard's template annotations; for an
    out-of-the-box Template, the image the operator fills in at install."""
    f = facts(spec)
    if rt.release is not None:
        tpl = rt.release
        o = copy.deepcopy(tpl.serving_runtime)
        display = tpl.annotations.get(DISPLAY_NAME) or (o.get("metadata", {}).get("annotations") or {}).get(
            DISPLAY_NAME, tpl.name
        )
        protocol = tpl.api_protocol
    else:
        o = runtimes.serving_runtime(f, rt.catalogue)
        display, protocol = rt.catalogue.display_name, rt.catalogue.api_protocol
    o["apiVersion"] = f.api_version("ServingRuntime")
    meta = o.setdefault("metadata", {})
    meta.update(name=m.name, namespace=m.namespace)
    annotations = meta.setdefault("annotations", {})
    annotations[TEMPLATE_NAME] = rt.template_name
    annotations[TEMPLATE_DISPLAY_NAME] = display
    if protocol:
        annotations[API_PROTOCOL] = protocol
    meta.setdefault("labels", {})[DASHBOARD_LABEL] = "true"
    annotations.update(_token_auth(spec, m, "ServingRuntime"))
    params = set(rt.image_params)
    for c in at(o, "spec", "containers") or []:
        if c.get("image", "").removeprefix("$(").removesuffix(")") in params:
            c["image"] = m.runtime_image
    return o


def llm_inference_service(spec, m) -> Obj:
    """An llm-d deployment (KServe LLMInferenceService, at the release's storage version): the
    model by URI, the replicas, the managed route, gateway and scheduler, the pods' resources
    and pool placement in the template."""
    container: dict = {"name": "main"}
    resources = _resources(spec, m)
    if resources:
        container["resources"] = resources
    pod: dict = {"containers": [container]}
    pool = pool_of(spec, m)
    if pool is not None:
        pod["nodeSelector"] = gpu_nodes.node_labels(pool)
        pod["tolerations"] = gpu_nodes.tolerations(pool)
    o = obj(
        facts(spec).api_version("LLMInferenceService"),
        "LLMInferenceService",
        m.name,
        m.namespace,
        spec={
            "model": {"uri": m.location.uri, "name": m.name},
            "replicas": m.replicas,
            "router": {"route": {}, "gateway": {}, "scheduler": {}},
            "template": pod,
        },
    )
    labels = {DASHBOARD_LABEL: "true"}
    annotations = {DISPLAY_NAME: m.display_name or m.name, "argocd.argoproj.io/sync-options": "PruneLast=true"}
    annotations.update(_token_auth(spec, m, "LLMInferenceService"))
    if queued(spec, m):
        labels[QUEUE_LABEL] = kueue.LOCAL_QUEUE
    _profile_metadata(spec, m, labels, annotations)
    o["metadata"]["labels"] = labels
    o["metadata"]["annotations"] = annotations
    return o


def build(spec) -> list[Obj]:
    # What the release cannot take (no such kind, no such template) is a spec error; the
    # upgrade plan also builds a target spec without the rules, where it is left out.
    f = facts(spec)
    out = []
    for m in spec.workloads.models if f else []:
        if m.kind == "LLMInferenceService":
            if f.serves("LLMInferenceService"):
                out.append(llm_inference_service(spec, m))
            continue
        rt = runtime(spec, m)
        if rt is not None:
            out.append(serving_runtime(spec, m, rt))
        out.append(inference_service(spec, m))
    return out


def runtime_images(spec) -> list[str]:
    """The images the deployments' runtimes run (for `mirror`)."""
    return sorted({m.runtime_image for m in spec.workloads.models if m.runtime_image})


# --------------------------------------------------------------------------- admission and placement


@dataclass(frozen=True)
class Placement:
    model: str  # namespace/name
    ident: str  # the deployment's object, as findings name it
    team: str | None
    queued: bool
    flavor: str | None
    nodes: tuple[str, ...]
    reason: str  # why it cannot run ("" when it can)


def simulate(spec, objs: list[Obj]) -> list[Placement]:
    """Each deployment through Kueue's admission (all replicas at once: replicas x per-pod
    requests must fit the team's quota plus what its cohort can lend) and the scheduler's
    placement of one replica, over the cluster's rendered objects."""
    cluster = Cluster(spec, objs)
    out = []
    for m in spec.workloads.models:
        team = team_of(spec, m.namespace)
        pool = pool_of(spec, m)
        pod = per_pod(spec, m)
        node_selector = gpu_nodes.node_labels(pool) if pool else {}
        tolerations = gpu_nodes.tolerations(pool) if pool else []
        who = f"{m.namespace}/{m.name}"
        ident = f"{m.kind}.serving.kserve.io {who}"
        flavor = None
        if queued(spec, m):
            total = {r: a * m.replicas for r, a in pod.items()}
            w = Workload(
                f"model {who}",
                who,
                m.hardware_profile if pool else None,
                m.namespace,
                kueue.LOCAL_QUEUE,
                total,
                node_selector,
                tolerations,
                team.name,
            )
            admission = cluster.admit(w)
            if admission.flavor is None:
                out.append(
                    Placement(
                        who,
                        ident,
                        team.name if team else None,
                        True,
                        None,
                        (),
                        f"Kueue does not admit its {m.replicas} replica(s): {admission.reason}",
                    )
                )
                continue
            flavor = admission.flavor
        one = Workload(
            f"model {who}", who, pool.name if pool else None, m.namespace, None, pod, node_selector, tolerations
        )
        nodes_, why = cluster.place(one, flavor)
        nodes_ = [n for n in nodes_ if pool is None or n.pool == pool.name]
        reason = "" if nodes_ else f"no node takes a replica: {why}"
        out.append(
            Placement(
                who, ident, team.name if team else None, queued(spec, m), flavor, tuple(n.name for n in nodes_), reason
            )
        )
    return out


# --------------------------------------------------------------------------- across upgrades


@dataclass(frozen=True)
class ModelMove:
    model: str  # namespace/name
    kind: str
    mode_from: str
    mode_to: str
    action: str  # keep (same object, updated in place) or replace (a new object, then the old one pruned)
    steps: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "kind": self.kind,
            "from": self.mode_from,
            "to": self.mode_to,
            "action": self.action,
            "steps": list(self.steps),
        }


def moves(spec, target) -> list[ModelMove]:
    """Each deployment's move from `spec`'s release to `target`'s (the same spec at the target
    version). KServe reads serving.kserve.io/deploymentMode once: after the controller has set
    status, a changed value is refused (odh-model-controller / KServe validating webhook), so a
    deployment whose mode changes (2.x Serverless or ModelMesh to 3.x RawDeployment) is a new
    object next to the old one; the old one goes once the new one is healthy."""
    out = []
    for m in spec.workloads.models:
        before, after = mode(spec, m), mode(target, m)
        who = f"{m.namespace}/{m.name}"
        runtime = _runtime_move(spec, target, m)
        if m.kind != "InferenceService" or before == after:
            out.append(ModelMove(who, m.kind, before, after, "keep", runtime))
            continue
        new_name = f"{m.name}-{'raw' if after == 'RawDeployment' else after.lower()}"[:63].rstrip("-")
        url = endpoint(target, m.model_copy(update={"name": new_name}))
        steps = (
            f"on {spec.release}, before the upgrade: add a second entry to workloads.models, a copy of {m.name!r} named "
            f"{new_name!r} with deploymentMode: {after} ({spec.release}'s KServe runs {after} next to {before}); "
            f"sync and wait until Argo CD shows InferenceService {who.split('/')[0]}/{new_name} Healthy (condition Ready)",
            f"move the clients to {url or 'the new InferenceService'}",
            f"remove the {m.name!r} entry; Argo CD prunes InferenceService {who} last (PruneLast), after the sync's other "
            "objects are healthy"
            + (
                ""
                if spec.argocd.sync_policy.prune
                else f" — this cluster does not prune (argocd.syncPolicy.prune false): `oc delete inferenceservice {m.name} -n {m.namespace}`"
            ),
            f"then change distribution.version: {before} cannot run on {target.release}, {after} can",
        ) + runtime
        out.append(ModelMove(who, m.kind, before, after, "replace", steps))
    return out


def _runtime_move(spec, target, m) -> tuple[str, ...]:
    """A step when the model's runtime template is not in the target release (renamed or
    removed between the two: vllm-template became vllm-cuda-template in RHOAI 2.19, caikit and
    ModelMesh templates are gone in 3.x)."""
    now, then = template(spec, m), template(target, m)
    if now is None or then is not None or facts(target) is None:
        return ()
    same_runtime = [
        t.name
        for t in facts(target).runtime_templates.values()
        if t.formats == now.formats and t.multi_model == now.multi_model
    ]
    hint = f" (same formats: {', '.join(sorted(same_runtime))})" if same_runtime else ""
    return (
        f"runtime template {m.runtime!r} of {spec.release} is not in {target.release} (renamed or removed): set runtime "
        f"to one it ships{hint}",
    )


COMPONENT = Component(
    name="models",
    description="Model deployments of the teams (workloads.models): InferenceServices in team namespaces",
    build=build,
    has_base=False,
)
