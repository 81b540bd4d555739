"""What a model deployment of the spec (workloads.models[]) entails, as plain functions of the
spec: its team, its GPU pool, its deployment mode and the modes the cluster runs. The spec rules
and the builders both ask these (nothing here imports above the spec)."""

from __future__ import annotations

from generator.facts import workloads as workload_facts

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
    of a team's namespace. ModelMesh pods are shared by a namespace's models, Knative's revisions
    are not Deployments Kueue manages, and an LLMInferenceService's pods are the llm-d
    controller's."""
    return m.kind == "InferenceService" and mode(spec, m) == "RawDeployment" and team_of(spec, m.namespace) is not None


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


def template(spec, m):
    """The release's out-of-the-box runtime Template the model names, by the Template's name
    (what the dashboard's templateOrder uses) or by its file name in the release (vllm-cuda-
    template); None when it names none."""
    f = facts(spec)
    if f is None or not m.runtime:
        return None
    found = f.runtime_templates
    if m.runtime in found:
        return found[m.runtime]
    return next((t for t in found.values() if t.file.removesuffix(".yaml") == m.runtime), None)


def model_format(spec, m) -> str | None:
    """The format the InferenceService asks for: the spec's, else the template's first."""
    if m.model_format:
        return m.model_format
    t = template(spec, m)
    return t.formats[0] if t and t.formats else None


def gpus_used(spec) -> dict[tuple[str, str], int]:
    """(team, pool) -> GPUs the team's deployments hold on the pool (replicas x GPUs)."""
    out: dict[tuple[str, str], int] = {}
    for m in spec.workloads.models:
        team, pool = team_of(spec, m.namespace), pool_of(spec, m)
        if team and pool and m.gpus:
            out[(team.name, pool.name)] = out.get((team.name, pool.name), 0) + m.gpus * m.replicas
    return out
