"""The typed platform spec: one document per cluster (`clusters/<name>.yaml`).

Field names are camelCase in YAML (Kubernetes style) and snake_case in Python. Every model is
strict and forbids unknown keys, so a typo is an error, never a silently ignored setting.
Defaults make a minimal spec a few lines. Cross-field rules live in `rules.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
QUANTITY = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

# Titles the JSON Schema shows in editors ("GPU node pools", not "Gpunodepools"): names are
# split into words, and a word written otherwise in prose (an acronym, a product, a squashed
# DataScienceCluster component key) is spelled here.
_TITLE_WORDS = {
    "aigateway": "AI gateway",
    "api": "API",
    "argocd": "Argo CD",
    "ca": "CA",
    "codeflare": "CodeFlare",
    "cpu": "CPU",
    "csv": "CSV",
    "datasciencepipelines": "Data science pipelines",
    "dcgm": "DCGM",
    "feastoperator": "Feast operator",
    "gcp": "GCP",
    "gib": "(GiB)",
    "gpu": "GPU",
    "http": "HTTP",
    "https": "HTTPS",
    "id": "ID",
    "kserve": "KServe",
    "kueue": "Kueue",
    "llamastackoperator": "Llama Stack operator",
    "lmeval": "LM-Eval",
    "mcplifecycleoperator": "MCP lifecycle operator",
    "mig": "MIG",
    "mlflowoperator": "MLflow operator",
    "modelmeshserving": "ModelMesh serving",
    "modelregistry": "Model registry",
    "nim": "NIM",
    "nvidia": "NVIDIA",
    "ogx": "OGX",
    "pvc": "PVC",
    "ray": "Ray",
    "rdma": "RDMA",
    "repo": "repository",
    "sparkoperator": "Spark operator",
    "tls": "TLS",
    "trainingoperator": "Training operator",
    "trustyai": "TrustyAI",
    "url": "URL",
}


def _title(words: list[str]) -> str:
    spelled = [_TITLE_WORDS.get(w.lower(), w.lower()) for w in words if w]
    text = " ".join(spelled)
    return text[:1].upper() + text[1:]


def field_title(name: str, info: FieldInfo) -> str:
    """A field's title from its Python name (snake_case keeps acronyms apart: repo_url,
    custom_ca_bundle); a key that is no identifier (nvidia.com/gpu) is titled as written."""
    if info.alias and not re.fullmatch(r"[A-Za-z0-9]+", info.alias):
        return info.alias
    return _title(name.split("_"))


def model_title(model: type) -> str:
    """A model's title from its class name: GpuNodePool -> GPU node pool, LMEval -> LM-Eval."""
    name = model.__name__
    return _title(re.findall(r"KServe|TrustyAI|LMEval|ArgoCD|[A-Z]+(?=[A-Z][a-z]|$)|[A-Z]?[a-z0-9]+|[A-Z]+", name))


class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        alias_generator=to_camel,
        populate_by_name=False,
        frozen=True,
        validate_default=False,
        field_title_generator=field_title,
        model_title_generator=model_title,
    )


def _quantity(value: object) -> object:
    # YAML gives `cpu: 4` as int and `memory: 8Gi` as str; Kubernetes accepts both, so do we,
    # but always hand the builders a string.
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _check_quantity(value: str) -> str:
    # fullmatch: `$` alone would let "4\n" through, which Kubernetes (and the schema) refuse.
    if not re.fullmatch(QUANTITY, value):
        raise ValueError(f"{value!r} is not a Kubernetes quantity (e.g. 500m, 4, 16Gi)")
    return value


# The schema shows what a spec may write (a number, or a quantity string), not the string the
# builders get.
Quantity = Annotated[
    str,
    BeforeValidator(_quantity, json_schema_input_type=Annotated[str, Field(pattern=QUANTITY)] | int | float),
    AfterValidator(_check_quantity),
]
Name = Annotated[str, Field(pattern=DNS1123_LABEL, max_length=63)]
# Which states a component or service takes differs per release (its CRD's enum): the spec
# accepts all three and the release's own schema decides (spec rule `release_fit`).
ManagementState = Literal["Managed", "Removed", "Unmanaged"]


# --------------------------------------------------------------------------- metadata / cluster


class Metadata(Model):
    name: Name = Field(description="Cluster name: a DNS-1123 label, also the overlay folder name.")
    labels: dict[str, str] = Field(default_factory=dict, description="Free labels (env, region, ...).")


class Proxy(Model):
    http_proxy: str | None = None
    https_proxy: str | None = None
    no_proxy: list[str] = Field(default_factory=list)


class Disconnected(Model):
    mirror_registry: str = Field(description="Registry host that mirrors the release and operator images.")
    catalog_source: str = Field(description="CatalogSource (in openshift-marketplace) serving the mirrored operators.")


class MachineSetSettings(Model):
    """Provider details a GPU MachineSet needs; required when a pool gets machine sets."""

    image: str = Field(description="AMI id (aws), image name (gcp) or image resource id (azure).")
    subnet: str | None = Field(
        None, description="Subnet name; `{infrastructureId}` and `{zone}` are substituted."
    )
    security_groups: list[str] = Field(default_factory=list)
    instance_profile: str | None = None
    resource_group: str | None = Field(None, description="Azure resource group.")
    network: str | None = Field(None, description="GCP network / Azure vnet.")
    project_id: str | None = Field(None, description="GCP project id.")
    service_account: str | None = Field(None, description="GCP service account email.")
    root_volume_gib: int = Field(200, ge=50)
    nodes_outside_pools: int = Field(
        6,
        ge=0,
        description="Most control-plane and worker nodes outside the GPU pools; the ClusterAutoscaler's "
        "maxNodesTotal counts every node, so it is this plus each pool's replicas.max.",
    )


class Cluster(Model):
    platform: Literal["ocp", "osd", "rosa"] = "ocp"
    openshift_version: str = Field("4.16", pattern=r"^4\.[0-9]+$")
    provider: Literal["aws", "gcp", "azure", "baremetal"] = "aws"
    api_server: str | None = Field(
        None, pattern=r"^https://", description="API server URL; the Argo CD destination."
    )
    base_domain: str | None = None
    region: str | None = None
    infrastructure_id: str | None = Field(None, description="Cluster infrastructure name (MachineSet prefix).")
    machine_sets: MachineSetSettings | None = None
    proxy: Proxy | None = None
    disconnected: Disconnected | None = None


# --------------------------------------------------------------------------- distribution


class Distribution(Model):
    name: Literal["rhoai", "odh"] = "rhoai"
    version: str | None = Field(
        None,
        pattern=r"^[0-9]+\.[0-9]+(\.[0-9]+)?$",
        description="The release, 2.22, or a patch release, 2.22.2 (installed as the Subscription's "
        "startingCSV). Default: the matrix's default for the distribution.",
    )
    channel: str | None = Field(
        None,
        description="Operator channel; it must ship the release in the cluster's OLM catalog. Default: "
        "stable-X.Y / eus-X.Y where the release has one, else the first channel that ships it.",
    )
    starting_csv: str | None = Field(
        None, alias="startingCSV", description="A bundle of the release in the channel, e.g. rhods-operator.2.22.2."
    )
    install_plan_approval: Literal["Automatic", "Manual"] | None = Field(
        None,
        description="Default: Automatic where the channel's head is of the release; Manual where the "
        "channel carries newer releases (only Manual approval holds the release there).",
    )


# --------------------------------------------------------------------------- components


class Component(Model):
    management_state: ManagementState = "Managed"


class RemovedByDefault(Model):
    management_state: ManagementState = "Removed"


class Culling(Model):
    enabled: bool = True
    idle_minutes: int = Field(240, ge=1)
    check_period_minutes: int = Field(1, ge=1)


class Workbenches(Component):
    namespace: Name | None = Field(None, description="Notebook namespace; default by distribution.")
    culling: Culling = Field(default_factory=Culling)
    pvc_size: Quantity = "20Gi"
    storage_class: str | None = None


class ServingCertificate(Model):
    type: Literal["SelfSigned", "Provided", "OpenshiftDefaultIngress"] = "OpenshiftDefaultIngress"
    secret_name: str | None = None


class KServeServing(Model):
    management_state: ManagementState = "Managed"
    name: str = "knative-serving"
    certificate: ServingCertificate = Field(default_factory=ServingCertificate)


class Nim(Model):
    management_state: ManagementState = Field(description="NVIDIA NIM model serving (RHOAI 2.17+, ODH 2.22+).")


class KServe(Component):
    deployment_mode: Literal["Serverless", "RawDeployment"] | None = Field(
        None, description="Default: Serverless where the release has it (2.x), else RawDeployment (3.x serves only that)."
    )
    serving: KServeServing = Field(default_factory=KServeServing)
    nim: Nim | None = Field(None, description="Default: the operator's (Managed).")
    raw_deployment_service_config: Literal["Headless", "Headed"] | None = Field(
        None, description="Services of RawDeployment predictors (RHOAI 2.19+, ODH 2.27+). Default: the operator's (Headless)."
    )


class ArgoWorkflowsControllers(Model):
    management_state: ManagementState = Field(
        description="Removed when the cluster runs its own Argo Workflows (RHOAI 2.23+, ODH 2.31+)."
    )


class Pipelines(Component):
    argo_workflows_controllers: ArgoWorkflowsControllers | None = None


class LMEval(Model):
    permit_code_execution: Literal["allow", "deny"] | None = Field(None, description="Default: the operator's (deny).")
    permit_online: Literal["allow", "deny"] | None = Field(None, description="Default: the operator's (deny).")


class TrustyAIEval(Model):
    lmeval: LMEval = Field(default_factory=LMEval)


class TrustyAI(Component):
    eval: TrustyAIEval | None = Field(None, description="LM-Eval job permissions (RHOAI 2.25+, ODH 2.35+).")


class ModelRegistry(RemovedByDefault):
    registries_namespace: Name | None = None


class FeatureStore(Model):
    name: Name
    namespace: Name
    project: str = Field(pattern=r"^[A-Za-z0-9_]+$", description="Feast project name.")


class FeastOperator(RemovedByDefault):
    feature_stores: list[FeatureStore] = Field(default_factory=list)


class Kueue(Model):
    management_state: ManagementState | None = Field(
        None,
        description="Default: Managed where the release runs Kueue as a component (2.x), else Unmanaged (the Red Hat "
        "build of Kueue operator, which the bundle then installs).",
    )


class Components(Model):
    dashboard: Component = Field(default_factory=Component)
    workbenches: Workbenches = Field(default_factory=Workbenches)
    datasciencepipelines: Pipelines = Field(default_factory=Pipelines)
    kserve: KServe = Field(default_factory=KServe)
    modelmeshserving: Component = Field(default_factory=Component)
    trustyai: TrustyAI = Field(default_factory=TrustyAI)
    ray: Component = Field(default_factory=Component)
    codeflare: Component = Field(default_factory=Component)
    kueue: Kueue = Field(default_factory=Kueue)
    trainingoperator: RemovedByDefault = Field(default_factory=RemovedByDefault)
    modelregistry: ModelRegistry = Field(default_factory=ModelRegistry)
    feastoperator: FeastOperator = Field(default_factory=FeastOperator)
    llamastackoperator: RemovedByDefault = Field(default_factory=RemovedByDefault)
    trainer: RemovedByDefault = Field(default_factory=RemovedByDefault, description="Kubeflow Trainer v2 (3.2+).")
    mlflowoperator: RemovedByDefault = Field(default_factory=RemovedByDefault, description="MLflow (3.2+).")
    sparkoperator: RemovedByDefault = Field(default_factory=RemovedByDefault, description="Spark operator (3.4+).")
    aigateway: RemovedByDefault = Field(default_factory=RemovedByDefault, description="AI gateway (ODH 3.5+).")
    mcplifecycleoperator: RemovedByDefault = Field(default_factory=RemovedByDefault, description="MCP servers' lifecycle (ODH 3.5+).")
    ogx: RemovedByDefault = Field(default_factory=RemovedByDefault, description="OGX, LlamaStack's successor (ODH 3.5+).")


class ControlPlane(Model):
    name: str = "data-science-smcp"
    namespace: Name = "istio-system"
    metrics_collection: Literal["Istio", "None"] = "Istio"


class MeshAuth(Model):
    namespace: Name | None = Field(None, description="Namespace of the mesh's authorization provider (Authorino).")
    audiences: list[str] | None = Field(None, description="Token audiences; default: the operator's (https://kubernetes.default.svc).")


class ServiceMesh(Model):
    management_state: ManagementState = "Managed"
    control_plane: ControlPlane = Field(default_factory=ControlPlane)
    auth: MeshAuth | None = None


class TrustedCABundle(Model):
    management_state: Literal["Managed", "Removed", "Unmanaged"] = "Managed"
    custom_ca_bundle: str = Field("", alias="customCABundle", description="PEM bundle (public certificates only).")


class Auth(Model):
    admin_groups: list[str] | None = Field(
        None,
        description="OpenShift groups that administer the platform; default: the operator's own "
        "(rhods-admins for RHOAI, odh-admins for ODH). Written to the Auth object where the release "
        "has one, else to the dashboard's groupsConfig.",
    )
    allowed_groups: list[str] = Field(
        default_factory=lambda: ["system:authenticated"], description="OpenShift groups that may use the platform."
    )


class Resources(Model):
    cpu: Quantity
    memory: Quantity


class Size(Model):
    name: str = Field(min_length=1)
    requests: Resources
    limits: Resources


def _size(name: str, memory: str, req_cpu: str, lim_cpu: str) -> Size:
    return Size(
        name=name,
        requests=Resources(cpu=req_cpu, memory=memory),
        limits=Resources(cpu=lim_cpu, memory=memory),
    )


def default_sizes() -> list[Size]:
    """The documented OpenShift AI sizes."""
    return [
        _size("Small", "8Gi", "1", "2"),
        _size("Medium", "24Gi", "3", "6"),
        _size("Large", "56Gi", "7", "14"),
        _size("X Large", "120Gi", "15", "30"),
    ]


# --------------------------------------------------------------------------- GPUs


class Accelerator(Model):
    vendor: Literal["nvidia"] = "nvidia"
    product: str = Field(min_length=1, description="e.g. A100-SXM4-40GB, L4 (nvidia.com/gpu.product).")
    count: int = Field(ge=1, description="GPUs per node.")
    memory_gib: int | None = Field(None, ge=1, alias="memoryGiB")


class Replicas(Model):
    """Nodes of the whole pool, over all its zones (each zone's MachineSet gets a share)."""

    min: int = Field(0, ge=0)
    max: int = Field(ge=0)


class Taint(Model):
    key: str
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


def default_taints() -> list[Taint]:
    return [Taint(key="nvidia.com/gpu", value="true", effect="NoSchedule")]


class GpuNodePool(Model):
    """A pool's nodes get its `labels` and `rhoai-gitops.io/gpu-pool: <name>`, which is what
    Kueue flavors and hardware profiles select them by."""

    name: Name
    instance_type: str | None = Field(None, description="Cloud instance type; required with machine sets.")
    accelerator: Accelerator
    replicas: Replicas
    zones: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    taints: list[Taint] = Field(default_factory=default_taints)
    time_slicing_replicas: int | None = Field(None, ge=2, description="Time-slicing: shares per GPU.")
    mig_profile: str | None = Field(None, description="MIG layout (nvidia.com/mig.config), e.g. all-1g.5gb.")


class Driver(Model):
    version: str | None = None
    repository: str | None = None
    use_open_kernel_modules: bool = False
    rdma: bool = False


class Nvidia(Model):
    gpu_operator_channel: str | None = Field(None, description="Default: the matrix's channel.")
    driver: Driver = Field(default_factory=Driver)
    mig_strategy: Literal["none", "single", "mixed"] = "none"
    dcgm_exporter: bool = True


# --------------------------------------------------------------------------- quotas


class ResourceQuota(Model):
    nominal: Quantity
    borrowing_limit: Quantity | None = None
    lending_limit: Quantity | None = None


class FlavorResources(Model):
    cpu: ResourceQuota | None = None
    memory: ResourceQuota | None = None
    gpu: ResourceQuota | None = Field(None, alias="nvidia.com/gpu", title="NVIDIA GPUs (nvidia.com/gpu)")
    mig: dict[str, ResourceQuota] = Field(
        default_factory=dict,
        description="MIG slices of a pool under the mixed strategy, by slice (1g.10gb: {nominal: 14}): quota on "
        "nvidia.com/mig-<slice>.",
    )


class FlavorQuota(Model):
    flavor: Name = Field(description="A GPU pool name, or the default CPU flavor's name.")
    resources: FlavorResources


class Preemption(Model):
    reclaim_within_cohort: Literal["Never", "LowerPriority", "Any"] = "Any"
    within_cluster_queue: Literal["Never", "LowerPriority", "LowerOrNewerEqualPriority"] = "LowerPriority"


class Team(Model):
    name: Name
    namespaces: list[Name] = Field(min_length=1)
    cohort: Name | None = None
    queueing_strategy: Literal["BestEffortFIFO", "StrictFIFO"] = "BestEffortFIFO"
    preemption: Preemption = Field(default_factory=Preemption)
    quotas: list[FlavorQuota] = Field(min_length=1)


class PriorityClass(Model):
    name: Name
    value: int
    description: str = ""


class Quotas(Model):
    default_flavor: Name = "default-flavor"
    allow_overcommit: bool = False
    cohorts: list[Name] = Field(default_factory=list)
    priority_classes: list[PriorityClass] = Field(default_factory=list)
    teams: list[Team] = Field(default_factory=list)


# --------------------------------------------------------------------------- monitoring


class SecretRef(Model):
    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    key: str = Field(min_length=1)


class Receiver(Model):
    name: Name
    type: Literal["pagerduty", "slack", "webhook"]
    secret_ref: SecretRef = Field(description="Secret holding the routing key / webhook URL; never the value itself.")
    channel: str | None = Field(None, description="Slack channel.")
    severities: list[Literal["critical", "warning", "info"]] = Field(default_factory=lambda: ["critical"])


class Thresholds(Model):
    kueue_pending_workloads: int = Field(10, ge=1)
    kueue_pending_minutes: int = Field(15, ge=1)
    gpu_utilization_percent: int = Field(95, ge=1, le=100)
    gpu_saturation_minutes: int = Field(30, ge=1)
    model_server_error_ratio: float = Field(0.05, gt=0, lt=1)
    quota_usage_ratio: float = Field(1.0, gt=0, le=1)
    quota_minutes: int = Field(15, ge=1, description="How long a ClusterQueue's usage stays at quotaUsageRatio before alerting.")


class Probes(Model):
    dashboard: bool | None = Field(
        None, description="Probe the dashboard route; default: when cluster.baseDomain is set (its host needs it)."
    )
    model_endpoints: list[str] = Field(default_factory=list)
    prober_url: str = "blackbox-exporter.openshift-monitoring.svc:9115"
    interval: str = Field("60s", pattern=r"^[0-9]+(s|m|h)$")


class Storage(Model):
    size: Quantity = "100Gi"
    storage_class: str | None = None


class UserWorkload(Model):
    enabled: bool = True
    retention: str | None = Field(None, pattern=r"^[0-9]+(h|d|w|y)$")


# The platform's own observability stack (DSCInitialization spec.monitoring.metrics / traces /
# alerting, RHOAI 2.23+, ODH 2.32+): unset fields take the operator's defaults.


class MetricsStorage(Model):
    size: Quantity | None = None
    retention: str | None = Field(None, pattern=r"^[0-9]+(ms|s|m|h|d|w|y)$")


class MetricsResources(Model):
    cpu_limit: Quantity | None = None
    cpu_request: Quantity | None = None
    memory_limit: Quantity | None = None
    memory_request: Quantity | None = None


class PlatformMetrics(Model):
    storage: MetricsStorage | None = None
    resources: MetricsResources | None = None
    replicas: int | None = Field(None, ge=0)


class TracesStorage(Model):
    backend: Literal["pv", "s3", "gcs"] = "pv"
    secret: str | None = Field(None, description="Name of the Secret with the object store's credentials (s3, gcs).")
    size: Quantity | None = Field(None, description="Volume size (pv only).")
    retention: str | None = Field(None, pattern=r"^[0-9]+(ms|s|m|h)$")


class TracesTLS(Model):
    enabled: bool | None = None
    certificate_secret: str | None = None
    ca_config_map: str | None = None


class PlatformTraces(Model):
    sample_ratio: str | None = Field(None, pattern=r"^(0(\.[0-9]+)?|1(\.0+)?)$")
    storage: TracesStorage = Field(default_factory=TracesStorage)
    tls: TracesTLS | None = None


class Monitoring(Model):
    enabled: bool = True
    namespace: Name | None = Field(None, description="DSCI monitoring namespace; default by distribution.")
    retention: str = Field("15d", pattern=r"^[0-9]+(h|d|w|y)$")
    storage: Storage | None = None
    user_workload: UserWorkload = Field(default_factory=UserWorkload)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    receivers: list[Receiver] = Field(default_factory=list)
    probes: Probes = Field(default_factory=Probes)
    metrics: PlatformMetrics | None = Field(None, description="DSCInitialization spec.monitoring.metrics (RHOAI 2.23+, ODH 2.32+).")
    traces: PlatformTraces | None = Field(None, description="DSCInitialization spec.monitoring.traces (RHOAI 2.23+, ODH 2.32+).")
    alerting: bool = Field(False, description="DSCInitialization spec.monitoring.alerting: the platform's own alerts (RHOAI 2.25+, ODH 2.35+); needs metrics.storage.")
    collector_replicas: int | None = Field(None, ge=1, description="DSCInitialization spec.monitoring.collectorReplicas (RHOAI 2.25+, ODH 2.35+).")
    alerting_namespace: Name = Field(
        "rhoai-gitops-alerting",
        description="Namespace of the AlertmanagerConfigs and the receivers' Secrets (not a cluster-monitoring one).",
    )
    runbook_base_url: str | None = Field(
        None,
        alias="runbookBaseURL",
        pattern=r"^https?://",
        description="Alerts' runbook_url is this plus #<alert name in lower case>. Default: docs/runbooks.md "
        "of argocd.repoURL at argocd.targetRevision, where the host's file URLs are known "
        "(GitHub, GitLab, Bitbucket); set it for any other host.",
    )


# --------------------------------------------------------------------------- Argo CD


class Destination(Model):
    server: str | None = Field(None, description="API server URL; default cluster.apiServer.")
    name: str | None = Field(None, description="Cluster name as registered in Argo CD.")
    in_cluster: bool = Field(False, description="Argo CD runs on this cluster (https://kubernetes.default.svc).")


class Backoff(Model):
    duration: str = "10s"
    factor: int = Field(2, ge=1)
    max_duration: str = "5m"


class Retry(Model):
    limit: int = Field(10, ge=0)
    backoff: Backoff = Field(default_factory=Backoff)


class SyncPolicy(Model):
    automated: bool = True
    self_heal: bool = True
    prune: bool = False
    retry: Retry = Field(default_factory=Retry)


class Fleet(Model):
    enabled: bool = False
    generator: Literal["git", "list"] = "git"


class ArgoCD(Model):
    repo_url: str | None = Field(
        None,
        alias="repoURL",
        description="This repository's URL, as Argo CD clones it. Required: set it once for every cluster in "
        "clusters/_defaults.yaml (a fork changes that one line).",
    )
    target_revision: str = "main"
    namespace: Name = "openshift-gitops"
    project: Name | None = Field(None, description="AppProject; default rhoai-<cluster>.")
    destination: Destination = Field(default_factory=Destination)
    sync_policy: SyncPolicy = Field(default_factory=SyncPolicy)
    fleet: Fleet = Field(default_factory=Fleet)


# How each git host shows a file of a repository at a revision, by host name.
_FILE_URLS = (
    ("github", "{base}/blob/{rev}/{path}"),
    ("gitlab", "{base}/-/blob/{rev}/{path}"),
    ("bitbucket.org", "{base}/src/{rev}/{path}"),
)


def repo_file_url(repo_url: str | None, revision: str, path: str) -> str | None:
    """The web URL of `path` at `revision` in the repository Argo CD clones from `repo_url`
    (https or scp-like ssh), for hosts whose URL scheme is known; None otherwise."""
    if not repo_url:
        return None
    m = re.match(r"^(?:https://(?:[^@/]*@)?|ssh://(?:[^@/]*@)?|git@)([^/:@]+)(?::\d+)?[:/](.+?)(?:\.git)?/?$", repo_url)
    if not m:
        return None
    host, repo_path = m.groups()
    for marker, template in _FILE_URLS:
        if marker in host:
            return template.format(base=f"https://{host}/{repo_path}", rev=revision, path=path)
    return None


# --------------------------------------------------------------------------- the spec


class PlatformSpec(Model):
    metadata: Metadata
    cluster: Cluster = Field(default_factory=Cluster)
    distribution: Distribution = Field(default_factory=Distribution)
    components: Components = Field(default_factory=Components)
    service_mesh: ServiceMesh = Field(default_factory=ServiceMesh)
    trusted_ca_bundle: TrustedCABundle = Field(default_factory=TrustedCABundle, alias="trustedCABundle")
    auth: Auth = Field(default_factory=Auth)
    notebook_sizes: list[Size] = Field(default_factory=default_sizes)
    model_server_sizes: list[Size] = Field(default_factory=default_sizes)
    gpu_node_pools: list[GpuNodePool] = Field(default_factory=list)
    nvidia: Nvidia = Field(default_factory=Nvidia)
    quotas: Quotas | None = None
    monitoring: Monitoring = Field(default_factory=Monitoring)
    argocd: ArgoCD = Field(default_factory=ArgoCD)

    # ------------------------------------------------------------------ derived facts
    # Facts the distribution decides (via the matrix); builders ask these, never the raw fields.

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def version(self) -> str:
        """The release, major.minor (a patch release's version without its patch)."""
        from generator import matrix

        written = self.distribution.version or matrix.distribution(self.distribution.name)["defaultVersion"]
        return ".".join(written.split(".")[:2])

    @property
    def pinned_patch(self) -> str | None:
        """The patch release the spec names (2.22.2), if it names one."""
        written = self.distribution.version or ""
        return written if written.count(".") == 2 else None

    @property
    def release(self):
        """The spec's release's facts (generator.releases.Release)."""
        from generator import releases

        return releases.release(self.distribution.name, self.version)

    @property
    def runbook_url(self) -> str | None:
        """Where alerts link their runbooks: monitoring.runbookBaseURL, else docs/runbooks.md of
        this repository (argocd.repoURL) at argocd.targetRevision; None when neither says."""
        if self.monitoring.runbook_base_url:
            return self.monitoring.runbook_base_url
        return repo_file_url(self.argocd.repo_url, self.argocd.target_revision, "docs/runbooks.md")

    @property
    def admin_groups(self) -> list[str]:
        from generator import matrix

        if self.auth.admin_groups is not None:
            return list(self.auth.admin_groups)
        return list(matrix.distribution(self.distribution.name)["adminGroups"])

    @property
    def namespaces(self) -> dict[str, str]:
        """operator / applications / workbenches / monitoring / modelRegistries namespaces."""
        from generator import matrix

        found = dict(matrix.distribution(self.distribution.name)["namespaces"])
        if self.components.workbenches.namespace:
            found["workbenches"] = self.components.workbenches.namespace
        if self.monitoring.namespace:
            found["monitoring"] = self.monitoring.namespace
        if self.components.modelregistry.registries_namespace:
            found["modelRegistries"] = self.components.modelregistry.registries_namespace
        return found

    # -- per release: a default, or a component, the release decides

    def _known_release(self) -> bool:
        from generator import releases

        return self.version in releases.supported(self.distribution.name)

    def has_component(self, component: str) -> bool:
        """The release's DataScienceCluster has the component (under some name)."""
        from generator import releases

        return not self._known_release() or releases.component_key(self.release, component) is not None

    def component_state(self, component: str) -> str:
        state = getattr(self.components, component).management_state
        if state is not None:
            return state
        # Kueue: Managed where the release still runs it as a component, else Unmanaged.
        if not self._known_release():
            return "Managed"
        path = "spec.components.kueue.managementState"
        return next(s for s in ("Managed", "Unmanaged") if self.release.takes("DataScienceCluster", path, s))

    def managed(self, component: str) -> bool:
        return self.has_component(component) and self.component_state(component) == "Managed"

    def running(self, component: str) -> bool:
        """Deployed on the cluster: Managed by the platform operator, or Unmanaged, run by another
        operator (Kueue through the Red Hat build of Kueue)."""
        return self.has_component(component) and self.component_state(component) in ("Managed", "Unmanaged")

    def component_namespace(self, component: str, key: str) -> str:
        """Where a component's controllers run: the distribution's `key` namespace, or, when an
        operator of its own runs it (Unmanaged), that operator's namespace (matrix.yaml
        operators.<component>)."""
        from generator import matrix

        if self.component_state(component) == "Unmanaged" and component in matrix.matrix()["operators"]:
            return matrix.operator(component)["namespace"]
        return self.namespaces[key]

    @property
    def kserve_mode(self) -> str:
        if self.components.kserve.deployment_mode:
            return self.components.kserve.deployment_mode
        if self._known_release() and not self.release.has("DataScienceCluster", "spec.components.kserve.defaultDeploymentMode"):
            return "RawDeployment"
        return "Serverless"

    @property
    def serverless(self) -> bool:
        """KServe serves through OpenShift Serverless (Knative): 2.x only."""
        has_mode = not self._known_release() or self.release.has("DataScienceCluster", "spec.components.kserve.defaultDeploymentMode")
        return has_mode and self.managed("kserve") and self.kserve_mode == "Serverless"

    @property
    def mesh(self) -> str:
        """The service mesh's managementState, Removed where the release's DSCInitialization has
        no mesh (3.x)."""
        if self._known_release() and not self.release.has("DSCInitialization", "spec.serviceMesh"):
            return "Removed"
        return self.service_mesh.management_state
