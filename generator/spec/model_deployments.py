"""What a model deployment of the spec (workloads.models[]) entails, as plain functions of the
spec: its team, its GPU pool, its deployment mode and the modes the cluster runs. The spec rules
and the builders both ask these (nothing here imports above the spec)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.facts import workloads as workload_facts
from generator.facts.workloads import RuntimeTemplate

MODES = ("Serverless", "RawDeployment", "ModelMesh")


def team_of(spec, namespace: str):
    """The team (quotas.teams[]) whose namespaces include `namespace`, or None."""
    for team in spec.quotas.teams if spec.quotas else []:
        if namespace in team.namespaces:
            return team
    return None


def pool_of(spec, m):
    """The GPU pool the model's hardware profile is for (None: the cpu profile)."""
    return next((p for p in spec.gpu_node_pools if p.name == m.hardware_profile), None)


def raw_only(spec) -> bool:
    """The release serves KServe in RawDeployment only (3.x: its DataScienceCluster has no
    defaultDeploymentMode, no Knative, no service mesh)."""
    return spec._known_release() and not spec.release.has(
        "DataScienceCluster", "spec.components.kserve.defaultDeploymentMode"
    )


def mode(spec, m) -> str:
    """The model's deployment mode: its own, else the cluster's (RawDeployment where the
    release runs nothing else, whatever components.kserve.deploymentMode says)."""
    if m.deployment_mode:
        return m.deployment_mode
    return "RawDeployment" if raw_only(spec) else spec.kserve_mode


def modes_run(spec) -> dict[str, str]:
    """Deployment modes the cluster runs -> why not ('' when it does), for messages."""
    out = {}
    three = raw_only(spec)
    if not spec.managed("kserve"):
        return dict.fromkeys(MODES, "components.kserve is not Managed")
    out["RawDeployment"] = ""
    out["Serverless"] = (
        "the release serves KServe in RawDeployment only (no Knative, no service mesh)"
        if three
        else ""
        if spec.serverless or (spec.mesh == "Managed" and spec.components.kserve.serving.management_state == "Managed")
        else "KServe Serverless needs components.kserve.serving Managed and the service mesh Managed"
    )
    if not spec.has_component("modelmeshserving"):
        out["ModelMesh"] = "the release has no ModelMesh serving (modelmeshserving)"
    elif not spec.managed("modelmeshserving"):
        out["ModelMesh"] = "components.modelmeshserving is not Managed"
    else:
        out["ModelMesh"] = ""
    return out


def queue_eligible(spec, m) -> bool:
    """A deployment Kueue can admit through its team's queue, where Kueue admits Deployments'
    pods (the Red Hat build of Kueue's Deployment integration): a RawDeployment InferenceService
    or an LLMInferenceService (llm-d's Deployments carry the service's queue label: the
    hardware-profile webhook puts it there for a Queue profile, and opendatahub-tests' kueue llm-d
    tests see the pods gated until admitted) of a team's namespace. ModelMesh pods are shared by
    a namespace's models, and Knative's revisions are not Deployments Kueue manages."""
    if team_of(spec, m.namespace) is None:
        return False
    return m.kind == "LLMInferenceService" or mode(spec, m) == "RawDeployment"


def health_path(spec, m) -> str:
    """The readiness path of the model server: vLLM's OpenAI server answers /health; the other
    runtimes speak KServe's v2 protocol (/v2/health/ready)."""
    return "/health" if (model_format(spec, m) or "").lower() == "vllm" else "/v2/health/ready"


def endpoint(spec, m) -> str | None:
    """Where the model answers, as its InferenceService's status.url will say: a route exposure
    on the cluster's apps domain (<name>-<namespace>.apps.<baseDomain>, the host odh-model-
    controller gives the Route), else the predictor's cluster-local Service. None for ModelMesh
    (one shared gRPC service per namespace) and LLMInferenceServices (behind a gateway)."""
    mode_ = mode(spec, m)
    if m.kind != "InferenceService" or mode_ == "ModelMesh":
        return None
    if m.exposure == "route":
        if not spec.cluster.base_domain:
            return None
        return f"https://{m.name}-{m.namespace}.apps.{spec.cluster.base_domain}"
    port = (
        ":8080"
        if mode_ == "RawDeployment" and spec.components.kserve.raw_deployment_service_config == "Headless"
        else ""
    )
    return f"http://{m.name}-predictor.{m.namespace}.svc.cluster.local{port}"


def probed_endpoints(spec) -> list[str]:
    """The readiness URLs of the deployments a blackbox prober can reach: token-auth models
    answer it 401 (the prober has no token), so they are left to the serving alerts."""
    out = []
    for m in spec.workloads.models:
        url = endpoint(spec, m)
        if url and not m.token_auth:
            out.append(url + health_path(spec, m))
    return out


def facts(spec):
    """The release's workload facts (None for a release the data does not cover)."""
    try:
        return workload_facts.workload_facts(spec.distribution.name, spec.version)
    except KeyError:
        return None


@dataclass(frozen=True)
class Runtime:
    """The runtime a model deployment names: an out-of-the-box Template of the release or a
    catalogue runtime of the spec (workloads.servingRuntimes, which the bundle renders as the
    dashboard's Templates named <name>-template)."""

    template_name: str  # the Template's metadata.name: the dashboard's opendatahub.io/template-name
    origin: str  # "release" or "catalogue"
    formats: tuple[str, ...]
    multi_model: bool
    release: RuntimeTemplate | None = None  # the release's Template (origin release)
    catalogue: Any = None  # the spec's CustomServingRuntime (origin catalogue)

    @property
    def image_params(self) -> list[str]:
        """The operator's image parameters the Template leaves unfilled (out-of-the-box only)."""
        return [i.param for i in self.release.images if i.param and not i.image] if self.release else []


def catalogue_template_name(name: str) -> str:
    """The Template a catalogue runtime renders as (workloads/runtimes.py names it so)."""
    return f"{name}-template"


def _release_runtime(t: RuntimeTemplate) -> Runtime:
    return Runtime(t.name, "release", t.formats, t.multi_model, release=t)


def _catalogue_runtime(r) -> Runtime:
    formats = tuple(f.name for f in r.formats)
    return Runtime(catalogue_template_name(r.name), "catalogue", formats, r.platforms == ["multi"], catalogue=r)


def runtimes_named(spec, name: str) -> list[Runtime]:
    """Every runtime `name` may mean: the release's Templates by their name (what the dashboard's
    templateOrder uses) or file name (vllm-cuda-template), the catalogue's by the runtime's name
    or its Template's. More than one is an ambiguous name."""
    out = []
    f = facts(spec)
    for t in f.runtime_templates.values() if f else []:
        if name in (t.name, t.file.removesuffix(".yaml")):
            out.append(_release_runtime(t))
    for r in spec.workloads.serving_runtimes:
        if name in (r.name, catalogue_template_name(r.name)):
            out.append(_catalogue_runtime(r))
    return out


def runtime(spec, m) -> Runtime | None:
    """The one runtime the model names; None when it names none or more than one (the spec
    rules say which)."""
    if not m.runtime:
        return None
    found = runtimes_named(spec, m.runtime)
    return found[0] if len(found) == 1 else None


def runtimes_offered(spec) -> tuple[list[str], list[str]]:
    """(the release's Template names, the catalogue's runtime names), for messages."""
    f = facts(spec)
    return sorted(f.runtime_templates) if f else [], [r.name for r in spec.workloads.serving_runtimes]


def template(spec, m) -> RuntimeTemplate | None:
    """The release's out-of-the-box runtime Template the model names (None for a catalogue
    runtime or no runtime)."""
    found = runtime(spec, m)
    return found.release if found else None


def model_format(spec, m) -> str | None:
    """The format the InferenceService asks for: the spec's, else the runtime's first."""
    if m.model_format:
        return m.model_format
    t = runtime(spec, m)
    return t.formats[0] if t and t.formats else None


def gpus_used(spec) -> dict[tuple[str, str], int]:
    """(team, pool) -> GPUs the team's deployments hold on the pool (replicas x GPUs)."""
    out: dict[tuple[str, str], int] = {}
    for m in spec.workloads.models:
        team, pool = team_of(spec, m.namespace), pool_of(spec, m)
        if team and pool and m.gpus:
            out[(team.name, pool.name)] = out.get((team.name, pool.name), 0) + m.gpus * m.replicas
    return out
