"""The typed platform spec: one document per cluster (`clusters/<name>.yaml`).

Field names are camelCase in YAML (Kubernetes style) and snake_case in Python. Every model is
strict and forbids unknown keys, so a typo is an error, never a silently ignored setting.
Defaults make a minimal spec a few lines. Cross-field rules live in `rules.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import ComputedFieldInfo, FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

from generator.core import quantity
from generator.facts import matrix, releases

DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
# A non-negative Kubernetes quantity (k8s.io/apimachinery resource.Quantity's grammar, exponents
# of at most two digits: quantity.MAX_EXPONENT): every quantity a spec sets is a size or an
# amount of a resource.
QUANTITY = r"^\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]{1,2})?$"
# Label keys and values as the API server validates them (a qualified name with an optional
# DNS-subdomain prefix; a value of at most 63 characters, possibly empty).
LABEL_KEY = (
    r"^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
LABEL_VALUE = r"^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$"
INT32_MAX = 2**31 - 1

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
    "max": "maximum",
    "lmeval": "LM-Eval",
    "mariadb": "MariaDB",
    "mcplifecycleoperator": "MCP lifecycle operator",
    "mig": "MIG",
    "min": "minimum",
    "mlflowoperator": "MLflow operator",
    "modelmeshserving": "ModelMesh serving",
    "modelregistry": "Model registry",
    "nim": "NIM",
    "nvidia": "NVIDIA",
    "ogx": "OGX",
    "openshift": "OpenShift",
    "pvc": "PVC",
    "ray": "Ray",
    "rdma": "RDMA",
    "ref": "reference",
    "repo": "repository",
    "sparkoperator": "Spark operator",
    "tls": "TLS",
    "trainingoperator": "Training operator",
    "trustyai": "TrustyAI",
    "url": "URL",
}

ServingPlatform = Literal["single", "multi"]  # the dashboard's single- and multi-model serving


def _title(words: list[str]) -> str:
    spelled = [_TITLE_WORDS.get(w.lower(), w.lower()) for w in words if w]
    text = " ".join(spelled)
    return text[:1].upper() + text[1:]


def field_title(name: str, info: FieldInfo | ComputedFieldInfo) -> str:
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
        # A field's docstring is its description in the exported JSON Schema (what editors show).
        use_attribute_docstrings=True,
    )

    @field_validator("*", mode="after")
    @classmethod
    def _int32(cls, value: object) -> object:
        # Every count in the spec lands in an int32 field of some object.
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT32_MAX:
            raise ValueError(f"{value} is more than the API server accepts (at most {INT32_MAX})")
        return value


def _quantity(value: object) -> object:
    # YAML gives `cpu: 4` as int and `memory: 8Gi` as str; Kubernetes accepts both, so do we,
    # but always hand the builders a string.
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        # A whole number written `2.0` or `1e100` is the integer JSON Schema sees in it.
        value = int(value)
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _check_quantity(value: str) -> str:
    if value.startswith("-") and re.fullmatch(QUANTITY, value[1:]):
        raise ValueError(f"{value!r} is negative: a size or an amount of a resource is 0 or more")
    # fullmatch: `$` alone would let "4\n" through, which Kubernetes (and the schema) refuse.
    if not re.fullmatch(QUANTITY, value) or quantity.parse(value) is None:
        raise ValueError(f"{value!r} is not a Kubernetes quantity (e.g. 500m, 4, 16Gi)")
    return value


# The schema shows what a spec may write (a number, or a quantity string), not the string the
# builders get.
Quantity = Annotated[
    str,
    # A number's text must fit the grammar too: a fraction beyond the two-digit exponent is no
    # quantity (whole numbers, 0 among them, are integers).
    BeforeValidator(
        _quantity,
        json_schema_input_type=Annotated[str, Field(pattern=QUANTITY)]
        | Annotated[int, Field(ge=0)]
        | Annotated[float, Field(ge=1e-99, lt=1e100)],
    ),
    AfterValidator(_check_quantity),
]
Name = Annotated[str, Field(pattern=DNS1123_LABEL, max_length=63)]
LabelKey = Annotated[str, Field(pattern=LABEL_KEY, max_length=317)]
LabelValue = Annotated[str, Field(pattern=LABEL_VALUE, max_length=63)]
Labels = dict[LabelKey, LabelValue]
# Which states a component or service takes differs per release (its CRD's enum): the spec
# accepts all three and the release's own schema decides (the release fit, components/platform.py).
ManagementState = Literal["Managed", "Removed", "Unmanaged"]


# --------------------------------------------------------------------------- metadata / cluster


class Metadata(Model):
    name: Name = Field(description="Cluster name: a DNS-1123 label, also the overlay folder name.")
    labels: Labels = Field(default_factory=dict, description="Free labels (env, region, ...).")


class Proxy(Model):
    """The HTTP(S) proxy the cluster reaches the outside through."""

    http_proxy: str | None = Field(
        None, pattern=r"^http://", description="Proxy for plain-HTTP requests (http://host:port); no credentials."
    )
    https_proxy: str | None = Field(
        None,
        pattern=r"^https?://",
        description="Proxy for HTTPS requests (http:// or https://host:port); no credentials.",
    )
    no_proxy: list[str] = Field(
        default_factory=list,
        description="Destinations reached directly: domains (.svc, .cluster.local), hosts, IPs and CIDRs.",
    )
    cluster_wide: bool = Field(
        False,
        description="The bundle owns the cluster Proxy object (config.openshift.io/v1 Proxy `cluster`): nodes, "
        "builds and every OLM operator take it (OLM injects it into each operator), and the trusted CA bundle "
        "becomes its trustedCA. False (default): the cluster Proxy stays the installer's and the proxy reaches the "
        "bundle's operators through their Subscriptions (spec.config.env HTTP_PROXY, HTTPS_PROXY, NO_PROXY).",
    )


# host[:port][/namespace...]: where `oc-mirror ... docker://<this>` pushes; a path is kept.
MIRROR_REGISTRY = (
    r"^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
    r"(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*$"
)

# Every pattern a spec field has, said in words: messages state the rule, never the regex (a test
# checks each pattern of the exported schema is here).
PATTERN_WORDS = {
    DNS1123_LABEL: "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$": "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
    QUANTITY: "a Kubernetes quantity: a non-negative number with an optional unit, such as 500m, 16, 64Gi or 1.5Ti",
    LABEL_KEY: "a label key: an optional DNS prefix and '/', then letters, digits, '-', '_' and '.', starting and "
    "ending with a letter or digit, at most 63 characters after the prefix",
    LABEL_VALUE: "a label value: empty, or letters, digits, '-', '_' and '.', starting and ending with a letter or "
    "digit, at most 63 characters",
    MIRROR_REGISTRY: "a registry host with an optional :port and path, such as mirror.example.com:8443/ocp "
    "(no scheme, no trailing '/')",
    r"^4\.[0-9]+$": 'an OpenShift version, major.minor in quotes, such as "4.18"',
    r"^[0-9]+\.[0-9]+(\.[0-9]+)?$": 'a release in quotes, such as "2.22", or a patch release, such as "2.22.2"',
    r"^([!-~]+ +){4}[!-~]+$": 'a cron schedule: five fields separated by spaces, such as "*/5 * * * *"',
    r"^[A-Za-z0-9_]+$": "letters, digits and '_' only",
    r"^[^/%:\s][^/%]*$": "no '/' or '%', and not starting with ':' or a space",
    r"^[0-9]+(s|m|h)$": "a whole number and a unit: s, m or h, such as 60s",
    r"^[0-9]+(h|d|w|y)$": "a whole number and a unit: h, d, w or y, such as 15d",
    r"^[0-9]+(ms|s|m|h)$": "a whole number and a unit: ms, s, m or h, such as 72h",
    r"^[0-9]+(ms|s|m|h|d|w|y)$": "a whole number and a unit: ms, s, m, h, d, w or y, such as 7d",
    r"^(0(\.[0-9]+)?|1(\.0+)?)$": 'a ratio from 0 to 1 in quotes, such as "0.1"',
    r"^http://": "a URL starting with http://",
    r"^https://": "a URL starting with https://",
    r"^https?://": "a URL starting with http:// or https://",
}


class Disconnected(Model):
    """The cluster pulls operators and images from a mirror registry that oc-mirror fills
    (`rhoai-gitops mirror` writes its ImageSetConfiguration)."""

    mirror_registry: str = Field(
        pattern=MIRROR_REGISTRY,
        description="Where oc-mirror pushes (its docker:// destination): host[:port], optionally with a path "
        "(mirror.example.com:8443/ocp). Every registry the bundle's operators and images pull from is redirected "
        "here (ImageDigestMirrorSet, ImageTagMirrorSet), and each source catalog is served from its mirrored index.",
    )
    disable_default_sources: bool = Field(
        True,
        description="Disable OperatorHub's default catalogs (OperatorHub `cluster` disableAllDefaultSources), which a "
        "disconnected cluster cannot reach; the mirror's CatalogSources replace them.",
    )
    never_contact_source: bool = Field(
        False,
        description="Mirror sets with mirrorSourcePolicy NeverContactSource: a pull the mirror cannot serve fails "
        "instead of trying the source registry (default: the source is tried after the mirror).",
    )


class MachineSetSettings(Model):
    """Provider details a GPU MachineSet needs; required when a pool gets machine sets."""

    # Optional here, required by the spec rules per provider: every missing setting is then
    # reported in one run, not one per run.
    image: str | None = Field(None, description="AMI id (aws), image name (gcp) or image resource id (azure).")
    subnet: str | None = Field(None, description="Subnet name; `{infrastructureId}` and `{zone}` are substituted.")
    security_groups: list[str] = Field(default_factory=list)
    """AWS security group names (matched by their Name tag) of the GPU machines;
    `{infrastructureId}` and `{zone}` are substituted. Renders into each MachineSet's
    providerSpec securityGroups. Default: none."""
    instance_profile: str | None = None
    """AWS IAM instance profile of the GPU machines (usually `{infrastructureId}-worker-profile`);
    `{infrastructureId}` and `{zone}` are substituted. Required for MachineSets on aws."""
    resource_group: str | None = Field(None, description="Azure resource group.")
    network: str | None = Field(None, description="GCP network / Azure vnet.")
    project_id: str | None = Field(None, description="GCP project id.")
    service_account: str | None = Field(None, description="GCP service account email.")
    root_volume_gib: int = Field(200, ge=50)
    """Root disk size of each GPU machine in GiB (EBS gp3 on aws, pd-ssd on gcp, Premium_LRS on
    azure). At least 50. Default: 200."""
    nodes_outside_pools: int = Field(
        6,
        ge=0,
        description="Most control-plane and worker nodes outside the GPU pools; the ClusterAutoscaler's "
        "maxNodesTotal counts every node, so it is this plus each pool's replicas.max.",
    )


class Cluster(Model):
    platform: Literal["ocp", "osd", "rosa"] = "ocp"
    """How the cluster is run: ocp (self-managed OpenShift), osd (OpenShift Dedicated) or rosa (Red
    Hat OpenShift Service on AWS). Recorded for reference; nothing rendered depends on it today.
    Default: ocp."""
    openshift_version: str = Field("4.16", pattern=r"^4\.[0-9]+$")
    """The cluster's OpenShift version, major.minor (quote it: `"4.16"`). Picks the OLM catalog the
    operator's channel and bundles are checked against and the NFD operand image. Default: 4.16."""
    provider: Literal["aws", "gcp", "azure", "baremetal"] = "aws"
    """Infrastructure provider. On aws, gcp and azure GPU pools get MachineSets, MachineAutoscalers
    and a ClusterAutoscaler; on baremetal the nodes are labelled and tainted by hand. Default:
    aws."""
    api_server: str | None = Field(None, pattern=r"^https://", description="API server URL; the Argo CD destination.")
    base_domain: str | None = None
    """The cluster's base domain (apps are at *.apps.<baseDomain>): the host of the dashboard probe.
    Default: none (no dashboard probe)."""
    region: str | None = None
    """Cloud region of the GPU MachineSets (AWS/GCP region, Azure location; Azure MachineSet names
    are <region><zone>). Required for MachineSets."""
    infrastructure_id: str | None = Field(None, description="Cluster infrastructure name (MachineSet prefix).")
    machine_sets: MachineSetSettings | None = None
    """Provider details of the GPU pools' MachineSets; required when pools get MachineSets (provider
    aws, gcp or azure). Default: none."""
    proxy: Proxy | None = Field(None, description="The cluster's egress proxy, if it has one.")
    disconnected: Disconnected | None = Field(
        None, description="The cluster pulls from a mirror registry (a disconnected or restricted-network cluster)."
    )


# --------------------------------------------------------------------------- distribution


class Approver(Model):
    enabled: bool = Field(
        True,
        description="Under Manual approval: a CronJob approves the InstallPlan of the pinned CSV (startingCSV, or the "
        "release's planned bundle) and nothing else, so changing the pin in git is the approval. Off: people approve.",
    )
    schedule: str = Field(
        "*/5 * * * *", pattern=r"^([!-~]+ +){4}[!-~]+$", description="CronJob schedule (five fields) of the approver."
    )


class Distribution(Model):
    name: Literal["rhoai", "odh"] = "rhoai"
    """The platform: rhoai (Red Hat OpenShift AI, package rhods-operator) or odh (Open Data Hub,
    package opendatahub-operator). Decides the namespaces, admin group, channels and releases.
    Default: rhoai."""
    version: str | None = Field(
        None,
        pattern=r"^[0-9]+\.[0-9]+(\.[0-9]+)?$",
        description='The release, "2.22", or a patch release, "2.22.2" (installed as the Subscription\'s '
        "startingCSV); quote it: unquoted, 2.20 is the number 2.2. Default: the distribution's default release "
        "(data/matrix.yaml defaultVersion).",
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
    approver: Approver = Field(default_factory=Approver, description="Who approves Manual InstallPlans.")


# --------------------------------------------------------------------------- components


class Component(Model):
    management_state: ManagementState = "Managed"
    """Managed: the operator deploys the component; Removed: it removes it; Unmanaged: it leaves it
    alone (Kueue: run by the Red Hat build of Kueue operator). Renders into the
    DataScienceCluster's spec.components.<name>.managementState where the release has the
    component. Default: Managed."""


class RemovedByDefault(Model):
    management_state: ManagementState = "Removed"
    """Managed: the operator deploys the component; Removed: it removes it; Unmanaged: it leaves it
    alone. Renders into the DataScienceCluster's spec.components.<name>.managementState where the
    release has the component. Default: Removed."""


class Culling(Model):
    enabled: bool = True
    """Stop idle workbenches (notebook-controller-culler-config ENABLE_CULLING). Default: true."""
    idle_minutes: int = Field(240, ge=1)
    """Minutes without activity before a workbench is stopped (CULL_IDLE_TIME). Default: 240."""
    check_period_minutes: int = Field(1, ge=1)
    """How often, in minutes, the culler checks for idle workbenches (IDLENESS_CHECK_PERIOD).
    Default: 1."""


class Workbenches(Component):
    namespace: Name | None = Field(None, description="Notebook namespace; default by distribution.")
    culling: Culling = Field(default_factory=Culling)
    """Idle workbench culling: the notebook-controller-culler-config ConfigMap in the applications
    namespace. Default: on, after 240 idle minutes."""
    pvc_size: Quantity = "20Gi"
    """Size of each new workbench's storage volume (OdhDashboardConfig notebookController.pvcSize):
    a quantity such as 20Gi. Default: 20Gi."""
    storage_class: str | None = None
    """StorageClass of workbench volumes (OdhDashboardConfig notebookController.storageClassName).
    Default: the cluster's default StorageClass."""


class ServingCertificate(Model):
    type: Literal["SelfSigned", "Provided", "OpenshiftDefaultIngress"] = "OpenshiftDefaultIngress"
    """Certificate of KServe's ingress gateway (DataScienceCluster
    kserve.serving.ingressGateway.certificate.type): OpenshiftDefaultIngress uses the router's,
    SelfSigned has the operator make one, Provided uses secretName. Default:
    OpenshiftDefaultIngress."""
    secret_name: str | None = None
    """TLS Secret of the ingress gateway (in the mesh's control plane namespace) for the Provided
    and SelfSigned types. Default: the operator's (knative-serving-cert)."""


class KServeServing(Model):
    management_state: ManagementState = "Managed"
    """Managed: the operator creates KnativeServing for Serverless KServe, and the bundle installs
    OpenShift Serverless; Removed or Unmanaged: neither. DataScienceCluster
    kserve.serving.managementState. Default: Managed."""
    name: str = "knative-serving"
    """Name of the KnativeServing the operator creates (DataScienceCluster kserve.serving.name).
    Default: knative-serving."""
    certificate: ServingCertificate = Field(default_factory=ServingCertificate)
    """The ingress gateway's certificate. Default: OpenshiftDefaultIngress."""


class Nim(Model):
    management_state: ManagementState = Field(description="NVIDIA NIM model serving (RHOAI 2.17+, ODH 2.22+).")


class KServe(Component):
    deployment_mode: Literal["Serverless", "RawDeployment"] | None = Field(
        None,
        description="Default: Serverless where the release has it (2.x), else RawDeployment (3.x serves only that).",
    )
    serving: KServeServing = Field(default_factory=KServeServing)
    """Knative Serving for Serverless deployments (2.x only). Default: Managed, named
    knative-serving, with the default ingress certificate."""
    nim: Nim | None = Field(None, description="Default: the operator's (Managed).")
    raw_deployment_service_config: Literal["Headless", "Headed"] | None = Field(
        None,
        description="Services of RawDeployment predictors (RHOAI 2.19+, ODH 2.27+). Default: the operator's (Headless).",
    )


class ArgoWorkflowsControllers(Model):
    management_state: ManagementState = Field(
        description="Removed when the cluster runs its own Argo Workflows (RHOAI 2.23+, ODH 2.31+)."
    )


class Pipelines(Component):
    argo_workflows_controllers: ArgoWorkflowsControllers | None = None
    """The Argo Workflows controllers the pipelines run on (DataScienceCluster
    datasciencepipelines.argoWorkflowsControllers). Default: the operator's (Managed)."""


class LMEval(Model):
    permit_code_execution: Literal["allow", "deny"] | None = Field(None, description="Default: the operator's (deny).")
    permit_online: Literal["allow", "deny"] | None = Field(None, description="Default: the operator's (deny).")


class TrustyAIEval(Model):
    lmeval: LMEval = Field(default_factory=LMEval)
    """LM-Eval jobs: whether they may run code from the evaluated model's repository and download
    from the internet."""


class TrustyAI(Component):
    eval: TrustyAIEval | None = Field(None, description="LM-Eval job permissions (RHOAI 2.25+, ODH 2.35+).")


class ModelRegistry(RemovedByDefault):
    registries_namespace: Name | None = None
    """Namespace model registries are created in (DataScienceCluster
    modelregistry.registriesNamespace); the bundle creates it. Default by distribution:
    rhoai-model-registries (RHOAI), odh-model-registries (ODH)."""


class FeatureStore(Model):
    name: Name
    """Name of the FeatureStore object."""
    namespace: Name
    """Namespace of the FeatureStore; the bundle creates it, labelled as a dashboard project (unless
    a Kueue team owns it)."""
    project: str = Field(pattern=r"^[A-Za-z0-9_]+$", description="Feast project name.")


class FeastOperator(RemovedByDefault):
    feature_stores: list[FeatureStore] = Field(default_factory=list)
    """Feast FeatureStore objects to create (only while the component is Managed). Default: none."""


class Kueue(Model):
    management_state: ManagementState | None = Field(
        None,
        description="Default: Managed where the release runs Kueue as a component (2.x), else Unmanaged (the Red Hat "
        "build of Kueue operator, which the bundle then installs).",
    )


class Components(Model):
    dashboard: Component = Field(default_factory=Component)
    """The OpenShift AI dashboard; also renders the OdhDashboardConfig (sizes, pages, workbench
    settings). Default: Managed."""
    workbenches: Workbenches = Field(default_factory=Workbenches)
    """Jupyter and other workbenches (notebook controller), with culling and storage settings.
    Default: Managed."""
    datasciencepipelines: Pipelines = Field(default_factory=Pipelines)
    """Data science pipelines (Kubeflow Pipelines on Argo Workflows). Default: Managed."""
    kserve: KServe = Field(default_factory=KServe)
    """KServe single-model serving: deployment mode, Knative Serving, NIM. Default: Managed."""
    modelmeshserving: Component = Field(default_factory=Component)
    """ModelMesh multi-model serving (2.x; 3.x has none). Default: Managed."""
    trustyai: TrustyAI = Field(default_factory=TrustyAI)
    """TrustyAI model monitoring and LM-Eval. Default: Managed."""
    ray: Component = Field(default_factory=Component)
    """KubeRay: Ray clusters for distributed workloads. Default: Managed."""
    codeflare: Component = Field(default_factory=Component)
    """CodeFlare (2.x; gone in 3.x). Default: Managed."""
    kueue: Kueue = Field(default_factory=Kueue)
    """Kueue job queueing: quotas (the quotas section) need it running. Default: Managed where the
    release runs it as a component (2.x), else Unmanaged."""
    trainingoperator: RemovedByDefault = Field(default_factory=RemovedByDefault)
    """Kubeflow Training Operator (PyTorchJob and other training jobs). Default: Removed."""
    modelregistry: ModelRegistry = Field(default_factory=ModelRegistry)
    """Model registry, and the namespace registries go into. Default: Removed."""
    feastoperator: FeastOperator = Field(default_factory=FeastOperator)
    """Feast feature store operator, and the FeatureStores to create. Default: Removed."""
    llamastackoperator: RemovedByDefault = Field(default_factory=RemovedByDefault)
    """Llama Stack operator. Default: Removed."""
    trainer: RemovedByDefault = Field(default_factory=RemovedByDefault, description="Kubeflow Trainer v2 (3.2+).")
    mlflowoperator: RemovedByDefault = Field(default_factory=RemovedByDefault, description="MLflow (3.2+).")
    sparkoperator: RemovedByDefault = Field(default_factory=RemovedByDefault, description="Spark operator (3.4+).")
    aigateway: RemovedByDefault = Field(default_factory=RemovedByDefault, description="AI gateway (ODH 3.5+).")
    mcplifecycleoperator: RemovedByDefault = Field(
        default_factory=RemovedByDefault, description="MCP servers' lifecycle (ODH 3.5+)."
    )
    ogx: RemovedByDefault = Field(
        default_factory=RemovedByDefault, description="OGX, LlamaStack's successor (ODH 3.5+)."
    )


class ControlPlane(Model):
    name: str = "data-science-smcp"
    """Name of the ServiceMeshControlPlane the operator creates (DSCInitialization
    serviceMesh.controlPlane.name). Default: data-science-smcp."""
    namespace: Name = "istio-system"
    """Namespace of the mesh's control plane (DSCInitialization serviceMesh.controlPlane.namespace).
    Default: istio-system."""
    metrics_collection: Literal["Istio", "None"] = "Istio"
    """Istio: the mesh's own Prometheus collects its metrics; None: none (DSCInitialization
    serviceMesh.controlPlane.metricsCollection). Default: Istio."""


class MeshAuth(Model):
    namespace: Name | None = Field(None, description="Namespace of the mesh's authorization provider (Authorino).")
    audiences: list[str] | None = Field(
        None, description="Token audiences; default: the operator's (https://kubernetes.default.svc)."
    )


class ServiceMesh(Model):
    management_state: ManagementState = "Managed"
    """Managed: the operator sets up OpenShift Service Mesh (KServe Serverless needs it) and the
    bundle installs the Service Mesh operator; Removed/Unmanaged: neither. DSCInitialization
    serviceMesh.managementState; 3.x has no mesh and ignores the section. Default: Managed."""
    control_plane: ControlPlane = Field(default_factory=ControlPlane)
    """The ServiceMeshControlPlane the operator creates. Default: data-science-smcp in istio-system,
    Istio metrics."""
    auth: MeshAuth | None = None
    """The mesh's authorization provider (DSCInitialization serviceMesh.auth). Default: the
    operator's."""


class TrustedCABundle(Model):
    management_state: Literal["Managed", "Removed", "Unmanaged"] = "Managed"
    """Managed: the operator puts the cluster's trusted CAs (and customCABundle) into an
    odh-trusted-ca-bundle ConfigMap in every data science namespace; Removed/Unmanaged: it does
    not (DSCInitialization trustedCABundle.managementState). Default: Managed."""
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
    """CPU cores: a number (2, 0.5) or a quantity string (500m)."""
    memory: Quantity
    """Memory: a quantity such as 8Gi (or a number of bytes)."""


class Size(Model):
    name: str = Field(min_length=1)
    """Name shown in the dashboard's size menu."""
    requests: Resources
    """Resources the container requests (what the scheduler reserves)."""
    limits: Resources
    """Resources the container may use at most."""


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
    """GPU vendor; only NVIDIA GPUs are supported. Default: nvidia."""
    product: str = Field(min_length=1, description="e.g. A100-SXM4-40GB, L4 (nvidia.com/gpu.product).")
    count: int = Field(ge=1, description="GPUs per node.")
    memory_gib: int | None = Field(None, ge=1, alias="memoryGiB")
    """Memory of one GPU in GiB, for reference (e.g. 40 for an A100-SXM4-40GB); nothing rendered
    depends on it today. Default: none."""


class Replicas(Model):
    """Nodes of the whole pool, over all its zones (each zone's MachineSet gets a share)."""

    min: int = Field(0, ge=0)
    """Fewest nodes the autoscaler keeps (split over the zones, the first zones get the remainder).
    Default: 0."""
    max: int = Field(ge=0)
    """Most nodes the autoscaler may create; also what quotas on the pool are checked against."""


class Taint(Model):
    key: str
    """Taint key, e.g. nvidia.com/gpu."""
    value: str | None = None
    """Taint value; unset: the taint has none and tolerations use operator Exists. Default: none."""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"
    """NoSchedule, PreferNoSchedule or NoExecute. Default: NoSchedule."""


def default_taints() -> list[Taint]:
    return [Taint(key="nvidia.com/gpu", value="true", effect="NoSchedule")]


class GpuNodePool(Model):
    """A pool's nodes get its `labels` and `rhoai-gitops.io/gpu-pool: <name>`, which is what
    Kueue flavors and hardware profiles select them by."""

    name: Name
    """Pool name: a DNS-1123 label; names the MachineSets (<infrastructureId>-gpu-<name>-<zone>),
    the Kueue ResourceFlavor and the hardware profiles, and labels the nodes
    rhoai-gitops.io/gpu-pool=<name>."""
    instance_type: str | None = Field(None, description="Cloud instance type; required with machine sets.")
    accelerator: Accelerator
    """The GPUs of each node of the pool."""
    replicas: Replicas
    """Node count bounds of the whole pool, for the MachineAutoscalers and ClusterAutoscaler."""
    zones: list[str] = Field(default_factory=list)
    """Availability zones the pool's MachineSets go to, one MachineSet per zone (Azure: 1, 2, 3).
    Required for MachineSets. Default: none."""
    labels: Labels = Field(default_factory=dict)
    """Extra node labels of the pool, which Kueue flavors and hardware profiles also select on (not
    nvidia.com/ or feature.node.kubernetes.io/ ones, which GPU feature discovery and NFD own).
    Default: none."""
    taints: list[Taint] = Field(default_factory=default_taints)
    """Taints of the pool's nodes; flavors, hardware profiles and the GPU operator's operands
    tolerate them. Default: nvidia.com/gpu=true:NoSchedule."""
    time_slicing_replicas: int | None = Field(
        None,
        ge=2,
        description="Time-slicing: each GPU is advertised as this many nvidia.com/gpu (the device plugin config entry named after the pool). Default: none (whole GPUs).",
    )
    mig_profile: str | None = Field(
        None,
        description="MIG layout of the pool's GPUs, one of NVIDIA's default config (nvidia.com/mig.config node label, e.g. all-1g.10gb); turns on the MIG manager. Default: none (MIG off).",
    )


class Driver(Model):
    version: str | None = None
    """NVIDIA driver version (ClusterPolicy driver.version). Default: the GPU operator's."""
    repository: str | None = None
    """Registry path of the driver image (ClusterPolicy driver.repository), e.g. a mirror. Default:
    the GPU operator's."""
    use_open_kernel_modules: bool = False
    """Build the open GPU kernel modules (ClusterPolicy driver.kernelModuleType: open, or
    useOpenKernelModules on older channels). Default: false."""
    rdma: bool = False
    """Enable GPUDirect RDMA (ClusterPolicy driver.rdma.enabled). Default: false."""


class Nvidia(Model):
    gpu_operator_channel: str | None = Field(None, description="Default: the matrix's channel.")
    driver: Driver = Field(default_factory=Driver)
    """The GPU driver the operator builds on each GPU node (ClusterPolicy spec.driver). Default: the
    operator's."""
    mig_strategy: Literal["none", "single", "mixed"] = "none"
    """How MIG slices are exposed (ClusterPolicy mig.strategy and the device plugin's migStrategy):
    none, single (as nvidia.com/gpu) or mixed (as nvidia.com/mig-<slice>). Default: none."""
    dcgm_exporter: bool = True
    """Run DCGM and its exporter with a ServiceMonitor (ClusterPolicy dcgm, dcgmExporter): the GPU
    metrics the GPU alerts read. Default: true."""


# --------------------------------------------------------------------------- quotas


class ResourceQuota(Model):
    nominal: Quantity
    """The team's guaranteed quota of the resource on the flavor (ClusterQueue nominalQuota): a
    number or a quantity (64, 256Gi)."""
    borrowing_limit: Quantity | None = None
    """Most the team may borrow from its cohort above nominal (ClusterQueue borrowingLimit).
    Default: no limit."""
    lending_limit: Quantity | None = None
    """Most of the nominal quota the team lends to its cohort (ClusterQueue lendingLimit). Default:
    all of it."""


class FlavorResources(Model):
    cpu: ResourceQuota | None = None
    """CPU quota on the flavor. Default: 0."""
    memory: ResourceQuota | None = None
    """Memory quota on the flavor. Default: 0."""
    gpu: ResourceQuota | None = Field(None, alias="nvidia.com/gpu", title="NVIDIA GPUs (nvidia.com/gpu)")
    """Quota of whole GPUs (or time slices, or MIG slices under the single strategy) on the flavor.
    Default: 0."""
    mig: dict[str, ResourceQuota] = Field(
        default_factory=dict,
        description="MIG slices of a pool under the mixed strategy, by slice (1g.10gb: {nominal: 14}): quota on "
        "nvidia.com/mig-<slice>.",
    )


class FlavorQuota(Model):
    flavor: Name = Field(description="A GPU pool name, or the default CPU flavor's name.")
    resources: FlavorResources
    """The team's quotas on the flavor, by resource; a resource left out is 0."""


class Preemption(Model):
    reclaim_within_cohort: Literal["Never", "LowerPriority", "Any"] = "Any"
    """Whether the team may preempt other teams' workloads in its cohort to reclaim its nominal
    quota: Never, LowerPriority or Any (ClusterQueue preemption.reclaimWithinCohort). Default:
    Any."""
    within_cluster_queue: Literal["Never", "LowerPriority", "LowerOrNewerEqualPriority"] = "LowerPriority"
    """Whether a pending workload may preempt the team's own: Never, LowerPriority or
    LowerOrNewerEqualPriority (ClusterQueue preemption.withinClusterQueue). Default:
    LowerPriority."""


class TeamGroup(Model):
    """An OpenShift group of a team: bound in the team's namespaces with its role."""

    name: str = Field(
        min_length=1,
        max_length=253,
        pattern=r"^[^/%:\s][^/%]*$",
        description="OpenShift group name (as an identity provider's group sync or `oc adm groups` names it).",
    )
    role: Literal["admin", "edit", "view"] = Field(
        "edit", description="Cluster role the group gets in every namespace of the team (admin, edit or view)."
    )
    members: list[str] | None = Field(
        None,
        description="Users of the group: the bundle then creates the OpenShift Group (user.openshift.io/v1), for clusters "
        "without an identity provider's group sync. Omitted: the group is managed elsewhere and only bound here.",
    )


class Team(Model):
    name: Name
    """Team name: names its ClusterQueue and labels its namespaces rhoai-gitops.io/team."""
    namespaces: list[Name] = Field(min_length=1)
    """The team's namespaces: each is created (a dashboard project, labelled for Kueue where the
    release wants it) with a LocalQueue named default into the team's ClusterQueue."""
    cohort: Name | None = None
    """Cohort the team's ClusterQueue joins, to borrow and lend unused quota with the other teams in
    it (ClusterQueue cohort). Default: none."""
    queueing_strategy: Literal["BestEffortFIFO", "StrictFIFO"] = "BestEffortFIFO"
    """BestEffortFIFO lets a later workload that fits go first; StrictFIFO keeps the order
    (ClusterQueue queueingStrategy). Default: BestEffortFIFO."""
    preemption: Preemption = Field(default_factory=Preemption)
    """When the team's workloads may preempt others (ClusterQueue preemption). Default: reclaim
    within cohort Any, within the queue LowerPriority."""
    quotas: list[FlavorQuota] = Field(min_length=1)
    """The team's quotas per flavor: the default CPU flavor and GPU pools."""
    groups: list[TeamGroup] = Field(
        default_factory=list,
        description="Who works in the team's namespaces: each group bound with its role, allowed to see the team's "
        "LocalQueue and ClusterQueue and to use the HardwareProfiles of the pools the team has quota on.",
    )


class PriorityClass(Model):
    name: Name
    """Name of the WorkloadPriorityClass, which workloads name in kueue.x-k8s.io/priority-class."""
    value: int
    """Priority: higher goes first and may preempt lower."""
    description: str = ""
    """Free text shown with the priority class. Default: none."""


class Quotas(Model):
    default_flavor: Name = "default-flavor"
    """Name of the ResourceFlavor for CPU and memory off the GPU pools (no node labels). Default:
    default-flavor."""
    allow_overcommit: bool = False
    """Let the teams' nominal quotas on a pool add up to more than the pool can hold at its max.
    Default: false."""
    cohorts: list[Name] = Field(default_factory=list)
    """The cohorts teams may join; when listed, a team's cohort must be one of them. Default: any
    name."""
    priority_classes: list[PriorityClass] = Field(default_factory=list)
    """Kueue WorkloadPriorityClasses to create. Default: none."""
    teams: list[Team] = Field(default_factory=list)
    """Teams: a ClusterQueue each, with its namespaces and their LocalQueues. Default: none."""


# --------------------------------------------------------------------------- monitoring


class SecretRef(Model):
    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    """Name of the Secret, in monitoring.alertingNamespace, created outside this repository."""
    key: str = Field(min_length=1)
    """Key of the Secret that holds the value."""


Severity = Literal["critical", "warning", "info"]


def _critical_only() -> list[Severity]:
    return ["critical"]


class Receiver(Model):
    name: Name
    """Name of the receiver and its AlertmanagerConfig."""
    type: Literal["pagerduty", "slack", "webhook"]
    """Where alerts go: pagerduty (routing key), slack (webhook URL) or webhook (URL)."""
    secret_ref: SecretRef = Field(description="Secret holding the routing key / webhook URL; never the value itself.")
    channel: str | None = Field(
        None,
        description="Slack channel the alerts are posted to (Slack receivers only). Default: the channel of the Slack webhook.",
    )
    severities: list[Severity] = Field(default_factory=_critical_only)
    """Alert severities routed to this receiver. Default: [critical]."""


class Thresholds(Model):
    kueue_pending_workloads: int = Field(10, ge=1)
    """Pending workloads in a ClusterQueue above which the Kueue alert fires. Default: 10."""
    kueue_pending_minutes: int = Field(15, ge=1)
    """How long, in minutes, workloads stay pending above the threshold before alerting. Default:
    15."""
    gpu_utilization_percent: int = Field(95, ge=1, le=100)
    """Average GPU utilization (DCGM) of a GPU model at or above which the saturation alert fires.
    Default: 95."""
    gpu_saturation_minutes: int = Field(30, ge=1)
    """How long, in minutes, GPUs stay saturated before alerting. Default: 30."""
    model_server_error_ratio: float = Field(0.05, gt=0, lt=1)
    """Share of 5xx answers of a Serverless model server above which the alert fires (between 0 and
    1). Default: 0.05."""
    quota_usage_ratio: float = Field(1.0, gt=0, le=1)
    """Share of a ClusterQueue's nominal quota at or above which the quota alert fires (up to 1).
    Default: 1.0."""
    quota_minutes: int = Field(
        15, ge=1, description="How long a ClusterQueue's usage stays at quotaUsageRatio before alerting."
    )


class Probes(Model):
    dashboard: bool | None = Field(
        None, description="Probe the dashboard route; default: when cluster.baseDomain is set (its host needs it)."
    )
    model_endpoints: list[str] = Field(default_factory=list)
    """URLs of model endpoints to probe (a Probe with job rhoai-gitops-model-endpoints and its
    alert). Default: none."""
    prober_url: str = "blackbox-exporter.openshift-monitoring.svc:9115"
    """Address (host:port) of the blackbox exporter that runs the probes (Probe spec.prober.url).
    Default: blackbox-exporter.openshift-monitoring.svc:9115."""
    interval: str = Field("60s", pattern=r"^[0-9]+(s|m|h)$")
    """How often the probes run (30s, 1m). Default: 60s."""


class Storage(Model):
    size: Quantity = "100Gi"
    """Size of the platform Prometheus's volume (cluster-monitoring-config
    prometheusK8s.volumeClaimTemplate). Default: 100Gi."""
    storage_class: str | None = None
    """StorageClass of the platform Prometheus's volume. Default: the cluster's default."""


class UserWorkload(Model):
    enabled: bool = True
    """Turn on user workload monitoring (cluster-monitoring-config enableUserWorkload), which model
    server and pipeline metrics need. Default: true."""
    retention: str | None = Field(None, pattern=r"^[0-9]+(h|d|w|y)$")
    """How long the user workload Prometheus keeps data (user-workload-monitoring-config), e.g. 7d.
    Default: OpenShift's (24h)."""


# The platform's own observability stack (DSCInitialization spec.monitoring.metrics / traces /
# alerting, RHOAI 2.23+, ODH 2.32+): unset fields take the operator's defaults.


class MetricsStorage(Model):
    size: Quantity | None = None
    """Volume size of the platform's metrics store (DSCInitialization
    monitoring.metrics.storage.size). Default: the operator's."""
    retention: str | None = Field(None, pattern=r"^[0-9]+(ms|s|m|h|d|w|y)$")
    """How long the platform's metrics store keeps data, e.g. 90d
    (monitoring.metrics.storage.retention). Default: the operator's."""


class MetricsResources(Model):
    cpu_limit: Quantity | None = None
    """CPU limit of the metrics store (monitoring.metrics.resources.cpulimit). Default: the
    operator's."""
    cpu_request: Quantity | None = None
    """CPU request of the metrics store (monitoring.metrics.resources.cpurequest). Default: the
    operator's."""
    memory_limit: Quantity | None = None
    """Memory limit of the metrics store (monitoring.metrics.resources.memorylimit). Default: the
    operator's."""
    memory_request: Quantity | None = None
    """Memory request of the metrics store (monitoring.metrics.resources.memoryrequest). Default:
    the operator's."""


class PlatformMetrics(Model):
    storage: MetricsStorage | None = None
    """Storage of the platform's metrics (DSCInitialization monitoring.metrics.storage). Default:
    the operator's."""
    resources: MetricsResources | None = None
    """Resources of the platform's metrics store (monitoring.metrics.resources). Default: the
    operator's."""
    replicas: int | None = Field(None, ge=0)
    """Replicas of the platform's metrics store (monitoring.metrics.replicas). Default: the
    operator's."""


class TracesStorage(Model):
    backend: Literal["pv", "s3", "gcs"] = "pv"
    """Where traces are stored: pv (a volume), s3 or gcs (monitoring.traces.storage.backend).
    Default: pv."""
    secret: str | None = Field(None, description="Name of the Secret with the object store's credentials (s3, gcs).")
    size: Quantity | None = Field(None, description="Volume size (pv only).")
    retention: str | None = Field(None, pattern=r"^[0-9]+(ms|s|m|h)$")
    """How long traces are kept, e.g. 48h (monitoring.traces.storage.retention). Default: the
    operator's."""


class TracesTLS(Model):
    enabled: bool | None = None
    """Serve the traces endpoint over TLS (monitoring.traces.tls.enabled). Default: the operator's."""
    certificate_secret: str | None = None
    """Secret with the TLS certificate (monitoring.traces.tls.certificateSecret). Default: the
    operator's."""
    ca_config_map: str | None = None
    """ConfigMap with the CA bundle (monitoring.traces.tls.caConfigMap). Default: the operator's."""


class PlatformTraces(Model):
    sample_ratio: str | None = Field(None, pattern=r"^(0(\.[0-9]+)?|1(\.0+)?)$")
    """Share of requests traced, a quoted decimal between 0 and 1 such as "0.1"
    (monitoring.traces.sampleRatio). Default: the operator's."""
    storage: TracesStorage = Field(default_factory=TracesStorage)
    """Where traces are stored (monitoring.traces.storage). Default: a volume (pv)."""
    tls: TracesTLS | None = None
    """TLS of the traces endpoint (monitoring.traces.tls). Default: the operator's."""


class Monitoring(Model):
    enabled: bool = True
    """Monitoring and alerting: the DSCInitialization's monitoring Managed,
    cluster-monitoring-config, scrape configs, probes, alerts and receivers. false: monitoring
    Removed and none of these rendered. Default: true."""
    namespace: Name | None = Field(None, description="DSCI monitoring namespace; default by distribution.")
    retention: str = Field("15d", pattern=r"^[0-9]+(h|d|w|y)$")
    """How long the platform Prometheus keeps data (cluster-monitoring-config
    prometheusK8s.retention), e.g. 15d. Default: 15d."""
    storage: Storage | None = None
    """A persistent volume for the platform Prometheus. Default: none (emptyDir: data is lost on
    restart)."""
    user_workload: UserWorkload = Field(default_factory=UserWorkload)
    """User workload monitoring. Default: enabled, OpenShift's retention."""
    thresholds: Thresholds = Field(default_factory=Thresholds)
    """Alert thresholds. Default: the values shown on each field."""
    receivers: list[Receiver] = Field(default_factory=list)
    """Where alerts go: an AlertmanagerConfig each in monitoring.alertingNamespace (and user
    AlertmanagerConfigs enabled). Default: none."""
    probes: Probes = Field(default_factory=Probes)
    """Blackbox probes of the dashboard and model endpoints. Default: the dashboard when
    cluster.baseDomain is set."""
    metrics: PlatformMetrics | None = Field(
        None, description="DSCInitialization spec.monitoring.metrics (RHOAI 2.23+, ODH 2.32+)."
    )
    traces: PlatformTraces | None = Field(
        None, description="DSCInitialization spec.monitoring.traces (RHOAI 2.23+, ODH 2.32+)."
    )
    alerting: bool = Field(
        False,
        description="DSCInitialization spec.monitoring.alerting: the platform's own alerts (RHOAI 2.25+, ODH 2.35+); needs metrics.storage.",
    )
    collector_replicas: int | None = Field(
        None, ge=1, description="DSCInitialization spec.monitoring.collectorReplicas (RHOAI 2.25+, ODH 2.35+)."
    )
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


# --------------------------------------------------------------------------- team workloads

# Keys that would carry a credential's value (compared without case, `-`, `_` and `.`): refused
# in the workload sections with what to write instead, never echoed back.
CREDENTIAL_KEYS = frozenset(
    {
        "password",
        "passwd",
        "accesskey",
        "accesskeyid",
        "secretkey",
        "secretaccesskey",
        "awsaccesskeyid",
        "awssecretaccesskey",
        "token",
        "apikey",
        "data",
        "stringdata",
        "dockerconfigjson",
        "credentials",
        "value",
        "values",
    }
)
SECRET_NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
# An image pinned by digest: what a disconnected cluster's mirror can cover and what never moves.
PINNED_IMAGE = r"^[^\s@]+@sha256:[0-9a-f]{64}$"
PATTERN_WORDS[PINNED_IMAGE] = "an image pinned by digest: name@sha256: and 64 lower-case hex digits"
IMAGE_TAG = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"  # an image tag, as the registry API takes it
PATTERN_WORDS[IMAGE_TAG] = "letters, digits, '_', '.' and '-', not starting with '.' or '-', at most 128 characters"
GO_DURATION = r"^([0-9]+(ms|s|m|h))+$"
PATTERN_WORDS[GO_DURATION] = "a duration: whole numbers with units ms, s, m or h, such as 1h or 1h30m"
MODEL_URI = r"^(s3|gs|https?|hf|pvc|oci)://.+"
PATTERN_WORDS[MODEL_URI] = "a model URI: s3://, gs://, http(s)://, hf://, pvc:// or oci:// and a path"
ReleaseLine = Literal["2.x", "3.x"]


class NoInlineCredentials(Model):
    """A workload section where a credential's value could be written by mistake."""

    @model_validator(mode="before")
    @classmethod
    def _no_inline_credentials(cls, data: object) -> object:
        if isinstance(data, dict):
            found = [k for k in data if isinstance(k, str) and re.sub(r"[-_.]", "", k.lower()) in CREDENTIAL_KEYS]
            if found:
                raise ValidationError.from_exception_data(
                    cls.__name__,
                    [
                        InitErrorDetails(
                            type=PydanticCustomError(
                                "inline_credentials",
                                "is an inline credential: specs live in git and the bundle on every cluster. Name a Secret "
                                "instead (credentialsSecret / passwordSecret: {name, key}), or let the External Secrets "
                                "Operator make it (connections: externalSecret: {store, remoteKey})",
                            ),
                            loc=(k,),
                            input={},
                        )
                        for k in found
                    ],
                )
        return data


class SecretKeyRef(Model):
    name: str = Field(pattern=SECRET_NAME, max_length=253)
    """An existing Secret in the object's namespace."""
    key: str = Field(min_length=1)
    """The key of that Secret holding the value."""


class SecretStoreRef(Model):
    name: str = Field(min_length=1)
    """The SecretStore / ClusterSecretStore of the External Secrets Operator to read from."""
    kind: Literal["SecretStore", "ClusterSecretStore"] = "ClusterSecretStore"
    """SecretStore (in the connection's namespace) or ClusterSecretStore. Default: ClusterSecretStore."""


class ConnectionExternalSecret(Model):
    store: SecretStoreRef
    """Where the credentials are kept (a store the External Secrets Operator serves)."""
    remote_key: str = Field(min_length=1)
    """The store's key whose properties become the Secret's keys (AWS_ACCESS_KEY_ID, ...)."""
    refresh_interval: str = Field("1h", pattern=GO_DURATION)
    """How often the operator reads the store again (ExternalSecret refreshInterval)."""


class Connection(NoInlineCredentials):
    name: Name
    """The connection's Secret name (what pipeline servers and models name)."""
    namespace: Name
    """A namespace of a team (quotas.teams[].namespaces)."""
    type: str = Field(min_length=1)
    """The release's connection type: s3, uri-v1 or oci-v1 (releases before connection types:
    s3 only, the dashboard's data connection)."""
    display_name: str | None = None
    """Shown in the dashboard. Default: the name."""
    description: str | None = None
    """Shown in the dashboard under the name."""
    external_secret: ConnectionExternalSecret | None = None
    """The Secret is made by the External Secrets Operator from this store (its labels and
    annotations from the bundle). Exactly one of externalSecret and existingSecret."""
    existing_secret: bool = False
    """The team manages the Secret itself; the bundle only references it by name."""
    endpoint: str | None = None
    """S3 endpoint URL (AWS_S3_ENDPOINT), e.g. https://s3.eu-west-1.amazonaws.com."""
    bucket: str | None = None
    """S3 bucket (AWS_S3_BUCKET)."""
    region: str | None = None
    """S3 region (AWS_DEFAULT_REGION)."""
    uri: str | None = None
    """The model's URI (uri-v1: URI); no credentials in it."""
    registry: str | None = None
    """OCI registry host (oci-v1: OCI_HOST)."""
    access_type: list[Literal["Push", "Pull"]] | None = None
    """OCI access type (oci-v1: ACCESS_TYPE)."""
    serving: bool = True
    """Label it for model serving (opendatahub.io/managed): the model controller syncs it into
    the serving storage config."""


class S3CredentialsRef(Model):
    name: str = Field(pattern=SECRET_NAME, max_length=253)
    """An existing Secret in the pipeline server's namespace."""
    access_key_id_key: str = "AWS_ACCESS_KEY_ID"
    """The key of that Secret holding the access key id."""
    secret_access_key_key: str = "AWS_SECRET_ACCESS_KEY"
    """The key of that Secret holding the secret access key."""


class PipelineObjectStorage(NoInlineCredentials):
    connection: Name | None = None
    """An s3 connection of workloads.connections in the same namespace (its endpoint, bucket,
    region and Secret). Else give endpoint, bucket and credentialsSecret."""
    endpoint: str | None = None
    """The S3 endpoint URL (scheme and host, optional port)."""
    bucket: str | None = None
    """The bucket (overrides the connection's)."""
    region: str | None = None
    """The bucket's region (overrides the connection's)."""
    base_path: str | None = None
    """Prefix inside the bucket."""
    credentials_secret: S3CredentialsRef | None = None
    """An existing Secret with the S3 credentials (without a connection)."""


class MariaDB(Model):
    pvc_size: Quantity = "10Gi"
    """The operator's MariaDB's volume."""


class ExternalDatabase(NoInlineCredentials):
    host: str = Field(min_length=1)
    """The database server's host name."""
    port: int = Field(3306, ge=1, le=65535)
    """Its port. Default: 3306."""
    username: str = Field(min_length=1)
    """The user the pipeline server connects as."""
    database: str = Field(min_length=1)
    """The database (schema) the pipeline server uses."""
    password_secret: SecretKeyRef
    """The Secret (in the pipeline server's namespace) and key holding the password."""


class PipelineDatabase(NoInlineCredentials):
    mariadb: MariaDB | None = Field(None, alias="mariaDB")
    """The operator deploys a MariaDB for the pipeline server (the default)."""
    external: ExternalDatabase | None = None
    """An existing MySQL-compatible database."""


class PipelineServer(Model):
    namespace: Name
    """A namespace of a team (quotas.teams[].namespaces); one pipeline server per namespace
    (the dashboard uses the first)."""
    name: Name = "dspa"
    """The DataSciencePipelinesApplication's name. Default: dspa."""
    object_storage: PipelineObjectStorage
    """Where pipeline artifacts are stored: an S3 bucket."""
    database: PipelineDatabase = Field(default_factory=PipelineDatabase)
    """Where pipeline runs are recorded. Default: the operator's MariaDB."""
    pipeline_store: Literal["database", "kubernetes"] | None = None
    """Where pipeline definitions are kept (spec.apiServer.pipelineStore; RHOAI 2.25+ / ODH 2.35+
    as the release's CRD says). Default: the operator's (database)."""
    sample_pipeline: bool | None = None
    """Install the sample pipeline (spec.apiServer.enableSamplePipeline)."""


class RegistryDatabase(NoInlineCredentials):
    type: Literal["mysql", "postgres"]
    """mysql or postgres."""
    host: str | None = None
    """The database server's host name."""
    port: int | None = Field(None, ge=1, le=65535)
    """Default: 3306 (mysql), 5432 (postgres)."""
    database: str | None = None
    """The database the registry uses."""
    username: str | None = None
    """The user the registry connects as."""
    password_secret: SecretKeyRef | None = None
    """The Secret (in the registries namespace) and key holding the password."""
    generate: bool = False
    """The operator deploys its own PostgreSQL (postgres.generateDeployment; releases whose CRD
    has it). host, database, username and passwordSecret are then not written."""


class ModelRegistryInstance(Model):
    name: Name
    """The ModelRegistry's name (in the registries namespace)."""
    database: RegistryDatabase
    """Where the registry keeps its metadata."""
    teams: list[Name] = Field(default_factory=list)
    """Teams (quotas.teams[].name) whose groups may use the registry."""


class NameVersion(Model):
    name: str = Field(min_length=1)
    """Shown name."""
    version: str = Field(min_length=1)
    """Shown version."""


class WorkbenchImageTag(Model):
    name: str = Field(pattern=IMAGE_TAG)
    """The ImageStream tag (shown as the image's version)."""
    image: str = Field(pattern=PINNED_IMAGE)
    """The image, pinned by digest (registry/repository@sha256:...)."""
    software: list[NameVersion] = Field(default_factory=list)
    """Shown in the dashboard (opendatahub.io/notebook-software)."""
    python_packages: list[NameVersion] = Field(default_factory=list)
    """Shown in the dashboard (opendatahub.io/notebook-python-dependencies)."""
    recommended: bool = False
    """The dashboard preselects this tag (opendatahub.io/workbench-image-recommended)."""


class WorkbenchImage(Model):
    name: Name
    """The ImageStream's name (in the applications namespace)."""
    display_name: str = Field(min_length=1)
    """Shown in the dashboard (opendatahub.io/notebook-image-name)."""
    description: str = ""
    """Shown in the dashboard (opendatahub.io/notebook-image-desc)."""
    order: int | None = Field(None, ge=0)
    """Position in the dashboard's list (opendatahub.io/notebook-image-order)."""
    release_lines: list[ReleaseLine] = Field(min_length=1)
    """The release lines the image runs on (2.x, 3.x): an image built for one line does not
    run on the other's workbench controller."""
    recommended_accelerators: list[str] = Field(default_factory=list)
    """Accelerator identifiers (nvidia.com/gpu) the dashboard recommends the image for."""
    tags: list[WorkbenchImageTag] = Field(min_length=1)
    """The image's versions: ImageStream tags."""


class ModelFormat(Model):
    name: str = Field(min_length=1)
    """A model format the runtime serves (onnx, pytorch, vLLM, ...)."""
    version: str | None = None
    """The format's version, where it has one."""
    auto_select: bool = True
    """Choose this runtime for models of the format automatically."""


class CustomServingRuntime(Model):
    name: Name
    """The Template's and the ServingRuntime's name."""
    display_name: str = Field(min_length=1)
    """Shown in the dashboard (openshift.io/display-name)."""
    release_lines: list[ReleaseLine] = Field(min_length=1)
    """The release lines the runtime's image runs on."""
    platforms: list[ServingPlatform] = Field(default_factory=lambda: list[ServingPlatform](["single"]), min_length=1)
    """Where the dashboard offers it (opendatahub.io/modelServingSupport)."""
    api_protocol: Literal["REST", "gRPC"] = "REST"
    """The protocol the dashboard says the runtime serves (opendatahub.io/apiProtocol)."""
    model_types: list[Literal["predictive", "generative"]] = Field(default_factory=list)
    """opendatahub.io/model-type (releases whose dashboard reads it)."""
    image: str = Field(pattern=PINNED_IMAGE)
    """The server's image, pinned by digest."""
    formats: list[ModelFormat] = Field(min_length=1)
    """supportedModelFormats."""
    port: int = Field(8080, ge=1, le=65535)
    """The container port the server listens on."""
    args: list[str] = Field(default_factory=list)
    """The server container's arguments."""
    recommended_accelerators: list[str] = Field(default_factory=list)
    """Accelerator identifiers (nvidia.com/gpu) the dashboard recommends the runtime for."""


class RuntimeTemplates(Model):
    order: list[str] = Field(default_factory=list)
    """The dashboard's templateOrder: template names (out-of-the-box by the release's names,
    or custom runtimes'). Default: the dashboard's order, left to admins."""
    disabled: list[str] = Field(default_factory=list)
    """The dashboard's templateDisablement: templates it does not offer."""


class ModelLocation(Model):
    """Where the model's files are: a connection of the team's namespace and a path in it, or a URI
    (s3://, https://, hf://, pvc://) or an OCI model image (oci://). Never credentials: those stay
    in the connection's Secret."""

    connection: Name | None = Field(
        None,
        description="A connection (workloads.connections) in the model's namespace: the Secret KServe reads the storage from.",
    )
    path: str | None = Field(
        None, min_length=1, description="Path of the model inside the connection's bucket (S3 connections)."
    )
    uri: str | None = Field(
        None,
        pattern=MODEL_URI,
        description="The model's URI (storageUri), without credentials; oci:// for a model image (modelcar).",
    )


class ModelResources(Model):
    cpu: Quantity | None = None
    """CPU per replica. Default: the runtime's."""
    memory: Quantity | None = None
    """Memory per replica. Default: the runtime's."""


class ModelDeployment(Model):
    """One model served by KServe in a team's namespace: an InferenceService (an
    LLMInferenceService with kind: LLMInferenceService) and the ServingRuntime it runs on."""

    name: Name = Field(description="The InferenceService's name (also its ServingRuntime's).")
    namespace: Name = Field(description="A team's namespace (quotas.teams[].namespaces).")
    display_name: str | None = Field(None, description="Name the dashboard shows. Default: the name.")
    kind: Literal["InferenceService", "LLMInferenceService"] = "InferenceService"
    """InferenceService (every release) or LLMInferenceService (llm-d; releases that serve it).
    Default: InferenceService."""
    location: ModelLocation = Field(description="Where the model is: a connection (and path) or a URI.")
    runtime: str | None = Field(
        None,
        min_length=1,
        description="Serving runtime: an out-of-the-box template of the release by its name in that release "
        "(vllm-cuda-template) or a catalogue runtime (workloads.servingRuntimes). Required for an InferenceService.",
    )
    runtime_image: str | None = Field(
        None,
        pattern=PINNED_IMAGE,
        description="The runtime's image, pinned by digest, for an out-of-the-box template whose image the operator "
        "fills in at install (the template names a parameter, not an image): the image `oc get template -n "
        "<applications namespace> <template> -o yaml` shows on the cluster. `mirror` copies it.",
    )
    model_format: str | None = Field(
        None,
        min_length=1,
        description="Model format (spec.predictor.model.modelFormat.name). Default: the runtime's first.",
    )
    deployment_mode: Literal["Serverless", "RawDeployment", "ModelMesh"] | None = Field(
        None, description="Default: the cluster's (components.kserve.deploymentMode; 3.x: RawDeployment)."
    )
    hardware_profile: Name = Field(
        "cpu", description="A GPU pool's hardware profile (the pool's name) or cpu. Default: cpu."
    )
    gpus: int = Field(0, ge=0, description="GPUs per replica (nvidia.com/gpu). Needs a GPU pool's profile.")
    replicas: int = Field(1, ge=0, description="Replicas (min = max: a fixed size Kueue can admit). 0 stops the model.")
    requests: ModelResources = Field(
        default_factory=ModelResources, description="CPU and memory each replica requests (what Kueue admits)."
    )
    limits: ModelResources = Field(default_factory=ModelResources, description="CPU and memory each replica may use.")
    exposure: Literal["internal", "route"] = "internal"
    """internal: a cluster-local service; route: an external route. Default: internal."""
    token_auth: bool = Field(False, description="Require a bearer token (where the release offers token auth).")


class Workloads(Model):
    connections: list[Connection] = Field(default_factory=list)
    """Connections (S3, URI, OCI) in team namespaces, as the dashboard and model serving read them."""
    pipeline_servers: list[PipelineServer] = Field(default_factory=list)
    """A DataSciencePipelinesApplication per team namespace that asks for one."""
    model_registries: list[ModelRegistryInstance] = Field(default_factory=list)
    """ModelRegistry instances in the registries namespace."""
    workbench_images: list[WorkbenchImage] = Field(default_factory=list)
    """Custom workbench images (ImageStreams in the applications namespace)."""
    serving_runtimes: list[CustomServingRuntime] = Field(default_factory=list)
    """Custom serving runtimes (the dashboard's Templates in the applications namespace)."""
    runtime_templates: RuntimeTemplates = Field(default_factory=RuntimeTemplates)
    """Order and disablement of the dashboard's serving-runtime templates."""
    models: list[ModelDeployment] = Field(default_factory=list)
    """Model deployments: a ServingRuntime and an InferenceService (or LLMInferenceService) in a team's namespace."""


# --------------------------------------------------------------------------- Argo CD


class Destination(Model):
    server: str | None = Field(None, description="API server URL; default cluster.apiServer.")
    name: str | None = Field(None, description="Cluster name as registered in Argo CD.")
    in_cluster: bool = Field(False, description="Argo CD runs on this cluster (https://kubernetes.default.svc).")


class Backoff(Model):
    duration: str = "10s"
    """First wait before retrying a failed sync (Application syncPolicy.retry.backoff.duration),
    e.g. 10s. Default: 10s."""
    factor: int = Field(2, ge=1)
    """Factor each wait grows by. Default: 2."""
    max_duration: str = "5m"
    """Longest wait between retries. Default: 5m."""


class Retry(Model):
    limit: int = Field(10, ge=0)
    """How many times a failed sync is retried (syncPolicy.retry.limit). Default: 10."""
    backoff: Backoff = Field(default_factory=Backoff)
    """Waits between retries. Default: 10s, doubling, at most 5m."""


class SyncPolicy(Model):
    automated: bool = True
    """Sync automatically when git changes (Application syncPolicy.automated). Default: true."""
    self_heal: bool = True
    """Revert changes made on the cluster outside git (automated.selfHeal). Default: true."""
    prune: bool = False
    """Delete objects removed from git (automated.prune). Default: false."""
    retry: Retry = Field(default_factory=Retry)
    """Retries of failed syncs. Default: 10 retries, 10s doubling to 5m."""


class Fleet(Model):
    enabled: bool = False
    """Add the cluster to the fleet ApplicationSet in fleet/argocd/ (one ApplicationSet makes every
    fleet cluster's root Application). Default: false."""
    generator: Literal["git", "list"] = "git"
    """git: the ApplicationSet reads clusters/*.yaml from the repository; list: it lists the
    clusters (each may track its own targetRevision). Default: git."""


class Bootstrap(Model):
    enabled: bool = Field(
        False,
        description="Render overlays/<cluster>/bootstrap, applied once by a cluster admin (`oc apply -k`): the OpenShift "
        "GitOps operator, the ArgoCD instance with the platform's health checks, and the application controller's "
        "least-privilege ClusterRole. Needs destination.inCluster (the controller's ServiceAccount is bound on the cluster it runs on).",
    )
    channel: str | None = Field(
        None, description="OpenShift GitOps operator channel. Default: the matrix's (operators.gitops)."
    )


class ArgoCD(Model):
    repo_url: str | None = Field(
        None,
        alias="repoURL",
        description="This repository's URL, as Argo CD clones it. Required: set it once for every cluster in "
        "clusters/_defaults.yaml (a fork changes that one line).",
    )
    target_revision: str = "main"
    """Branch, tag or commit Argo CD syncs from (Application spec.source.targetRevision); also where
    runbook links point. Default: main."""
    namespace: Name = "openshift-gitops"
    """Namespace of the Argo CD instance: its Applications and AppProject go there. Default:
    openshift-gitops."""
    project: Name | None = Field(None, description="AppProject; default rhoai-<cluster>.")
    destination: Destination = Field(default_factory=Destination)
    """Where Argo CD deploys this cluster's bundle: one of server, name or inCluster. Default:
    cluster.apiServer."""
    sync_policy: SyncPolicy = Field(default_factory=SyncPolicy)
    """Sync policy of the cluster's Applications. Default: automated with self-heal, no prune, 10
    retries."""
    fleet: Fleet = Field(default_factory=Fleet)
    """Fleet mode: the cluster's root Application made by a shared ApplicationSet. Default: off."""
    bootstrap: Bootstrap = Field(
        default_factory=Bootstrap, description="OpenShift GitOps itself, set up for this bundle."
    )


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
    """The cluster's name and labels."""
    cluster: Cluster = Field(default_factory=Cluster)
    """The OpenShift cluster: version, provider, API server, machine settings."""
    distribution: Distribution = Field(default_factory=Distribution)
    """Which platform (RHOAI or ODH), release, channel and install approval: the operator's OLM
    Subscription."""
    components: Components = Field(default_factory=Components)
    """The data science components, each's managementState and settings: the DataScienceCluster
    default-dsc."""
    service_mesh: ServiceMesh = Field(default_factory=ServiceMesh)
    """OpenShift Service Mesh for KServe Serverless (DSCInitialization spec.serviceMesh; 2.x only)."""
    trusted_ca_bundle: TrustedCABundle = Field(default_factory=TrustedCABundle, alias="trustedCABundle")
    """Trusted CA certificates injected into data science namespaces (DSCInitialization
    spec.trustedCABundle)."""
    auth: Auth = Field(default_factory=Auth)
    """Who administers and who may use the platform."""
    notebook_sizes: list[Size] = Field(default_factory=default_sizes)
    """Container sizes offered for workbenches (OdhDashboardConfig spec.notebookSizes). Default:
    Small, Medium, Large and X Large as documented for OpenShift AI."""
    model_server_sizes: list[Size] = Field(default_factory=default_sizes)
    """Container sizes offered for model servers (OdhDashboardConfig spec.modelServerSizes).
    Default: Small, Medium, Large and X Large."""
    gpu_node_pools: list[GpuNodePool] = Field(default_factory=list)
    """GPU node pools: MachineSets where the provider has the Machine API, Kueue flavors, hardware
    profiles and the GPU operator's config. Default: none (no GPU operator either)."""
    nvidia: Nvidia = Field(default_factory=Nvidia)
    """The NVIDIA GPU operator and its ClusterPolicy (rendered when there are GPU pools)."""
    quotas: Quotas | None = None
    """Kueue quotas: ResourceFlavors, a ClusterQueue per team, LocalQueues and priority classes.
    Default: none."""
    monitoring: Monitoring = Field(default_factory=Monitoring)
    """Monitoring and alerting of the platform: OpenShift monitoring config, scrape configs, probes,
    alerts, receivers, and the platform's own metrics and traces."""
    argocd: ArgoCD = Field(default_factory=ArgoCD)
    """How Argo CD syncs this cluster: repository, revision, destination, sync policy, fleet mode."""
    workloads: Workloads = Field(default_factory=Workloads)
    """What each team works with and runs: connections, pipeline servers, model registries,
    workbench images, serving runtimes and model deployments."""

    # ------------------------------------------------------------------ derived facts
    # Facts the distribution decides (via the matrix); builders ask these, never the raw fields.

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def version(self) -> str:
        """The release, major.minor (a patch release's version without its patch)."""
        written = self.distribution.version or matrix.distribution(self.distribution.name).default_version
        return ".".join(written.split(".")[:2])

    @property
    def pinned_patch(self) -> str | None:
        """The patch release the spec names (2.22.2), if it names one."""
        written = self.distribution.version or ""
        return written if written.count(".") == 2 else None

    @property
    def release(self) -> releases.Release:
        """The spec's release's facts."""
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
        if self.auth.admin_groups is not None:
            return list(self.auth.admin_groups)
        return list(matrix.distribution(self.distribution.name).admin_groups)

    @property
    def namespaces(self) -> dict[str, str]:
        """operator / applications / workbenches / monitoring / modelRegistries namespaces."""
        found = matrix.distribution(self.distribution.name).namespaces.by_role()
        if self.components.workbenches.namespace:
            found["workbenches"] = self.components.workbenches.namespace
        if self.monitoring.namespace:
            found["monitoring"] = self.monitoring.namespace
        if self.components.modelregistry.registries_namespace:
            found["modelRegistries"] = self.components.modelregistry.registries_namespace
        return found

    # -- per release: a default, or a component, the release decides

    def _known_release(self) -> bool:
        return self.version in releases.supported(self.distribution.name)

    def has_component(self, component: str) -> bool:
        """The release's DataScienceCluster has the component (under some name)."""
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
        if self.component_state(component) == "Unmanaged" and component in matrix.matrix().operators:
            return matrix.operator(component).namespace
        return self.namespaces[key]

    @property
    def kserve_mode(self) -> str:
        if self.components.kserve.deployment_mode:
            return self.components.kserve.deployment_mode
        if self._known_release() and not self.release.has(
            "DataScienceCluster", "spec.components.kserve.defaultDeploymentMode"
        ):
            return "RawDeployment"
        return "Serverless"

    @property
    def serverless(self) -> bool:
        """KServe serves through OpenShift Serverless (Knative): 2.x only."""
        has_mode = not self._known_release() or self.release.has(
            "DataScienceCluster", "spec.components.kserve.defaultDeploymentMode"
        )
        return has_mode and self.managed("kserve") and self.kserve_mode == "Serverless"

    @property
    def mesh(self) -> str:
        """The service mesh's managementState, Removed where the release's DSCInitialization has
        no mesh (3.x)."""
        if self._known_release() and not self.release.has("DSCInitialization", "spec.serviceMesh"):
            return "Removed"
        return self.service_mesh.management_state
