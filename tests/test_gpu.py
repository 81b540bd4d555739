"""GPU node pools, NVIDIA stack and hardware profiles (issue 4): every object validates against
the real upstream CRDs, the pieces agree with each other (labels, taints, time-slicing entries,
MIG), providers and versions pick the right shapes, and the overlays build with kustomize."""

from __future__ import annotations

import copy

import pytest
import yaml

from generator.build import build_units
from generator.components import gpu_nodes, gpu_operator, nfd, profiles
from generator.core.errors import SpecErrors
from generator.core.resources import COMPONENT_LABEL, group_of, ident
from generator.facts import matrix, releases
from generator.spec.loader import load_specs

from conftest import assert_valid, kustomize_objects, load_spec_text, render_to_disk, validator_for

MINE = ("gpu-nodes", "nfd", "gpu-operator", "hardware-profiles", "kueue-quotas")

TEMPLATE = """\
metadata:
  name: gpu-cloud
cluster:
  provider: PROVIDER
  apiServer: https://api.gpu-cloud.example.com:6443
  openshiftVersion: "4.17"
  region: REGION
  infrastructureId: cloud-a1b2c
  machineSets:
MACHINESETS
distribution:
  name: rhoai
  version: "VERSION"
gpuNodePools:
  - name: big
    instanceType: INSTANCE
    accelerator: {product: NVIDIA-A100-SXM4-80GB, count: 8}
    replicas: {min: 0, max: 2}
    zones: [ZONE_A, ZONE_B]
    migProfile: all-1g.10gb
    labels: {cost-center: research}
    taints:
      - {key: nvidia.com/gpu, value: "true", effect: NoSchedule}
      - {key: dedicated, effect: NoExecute}
  - name: small
    instanceType: INSTANCE
    accelerator: {product: NVIDIA-L4, count: 1}
    replicas: {min: 1, max: 3}
    zones: [ZONE_A]
    timeSlicingReplicas: 3
nvidia:
  migStrategy: single
  gpuOperatorChannel: CHANNEL
  driver:
    useOpenKernelModules: true
    rdma: true
"""

PROVIDERS = {
    "aws": {
        "region": "us-east-2",
        "zones": ("us-east-2a", "us-east-2b"),
        "instance": "p4de.24xlarge",
        "machinesets": """\
    image: ami-0fedcba9876543210
    subnet: "{infrastructureId}-subnet-private-{zone}"
    securityGroups: ["{infrastructureId}-node"]
    instanceProfile: "{infrastructureId}-worker-profile"
""",
    },
    "gcp": {
        "region": "us-central1",
        "zones": ("us-central1-a", "us-central1-b"),
        "instance": "a2-ultragpu-8g",
        "machinesets": """\
    image: projects/rhcos-cloud/global/images/rhcos-418
    subnet: "{infrastructureId}-worker-subnet"
    network: "{infrastructureId}-network"
    projectId: ml-project
    serviceAccount: "{infrastructureId}-w@ml-project.iam.gserviceaccount.com"
""",
    },
    "azure": {
        "region": "eastus",
        "zones": ('"1"', '"2"'),
        "instance": "Standard_ND96amsr_A100_v4",
        "machinesets": """\
    image: /resourceGroups/{infrastructureId}-rg/providers/Microsoft.Compute/galleries/gallery/images/gen2/versions/latest
    subnet: "{infrastructureId}-worker-subnet"
    network: "{infrastructureId}-vnet"
    resourceGroup: "{infrastructureId}-rg"
""",
    },
}


def spec_text(provider: str = "aws", version: str = "2.23", channel: str = "v25.3") -> str:
    p = PROVIDERS[provider]
    return (
        TEMPLATE.replace("PROVIDER", provider)
        .replace("REGION", p["region"])
        .replace("MACHINESETS\n", p["machinesets"])
        .replace("VERSION", version)
        .replace("INSTANCE", p["instance"])
        .replace("ZONE_A", p["zones"][0])
        .replace("ZONE_B", p["zones"][1])
        .replace("CHANNEL", channel)
    )


def load(text: str):
    return load_spec_text(text, "clusters/gpu-cloud.yaml").spec


def mine(units) -> list[dict]:
    return [o for name in MINE for o in units.get(name, [])]


def by_kind(objs, kind):
    return [o for o in objs if o["kind"] == kind]


def crd_objects(objs):
    """Objects of custom resource kinds (core kinds have no CRD to validate against)."""
    return [o for o in objs if group_of(o)]


# --------------------------------------------------------------------------- CRDs


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_every_object_validates_against_upstream_crds(provider):
    spec = load(spec_text(provider))
    objs = mine(build_units(spec))
    kinds = {o["kind"] for o in crd_objects(objs)}
    assert {
        "MachineSet",
        "MachineAutoscaler",
        "ClusterAutoscaler",
        "NodeFeatureDiscovery",
        "ClusterPolicy",
        "AcceleratorProfile",
        "HardwareProfile",
        "Subscription",
        "OperatorGroup",
    } <= kinds
    assert_valid(validator_for(spec), crd_objects(objs))


def test_examples_validate_against_upstream_crds(repo):
    for loaded in load_specs(repo):
        assert_valid(validator_for(loaded.spec), crd_objects(mine(build_units(loaded.spec))))


def test_validation_is_strict(crd_validator):
    """The CRD check above would catch a field the upstream API does not have."""
    cp = copy.deepcopy(by_kind(gpu_operator.build(load(spec_text())), "ClusterPolicy")[0])
    cp["spec"]["dcgmExporter"]["serviceMonitor"]["enable"] = True
    assert any("enable" in str(p) for p in crd_validator.problems(cp))


# --------------------------------------------------------------------------- machine sets


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_machine_sets_carry_pool_labels_taints_and_provider_settings(provider):
    spec = load(spec_text(provider))
    p = PROVIDERS[provider]
    sets = by_kind(gpu_nodes.build(spec), "MachineSet")
    assert len(sets) == 3  # big: two zones, small: one
    big = [s for s in sets if s["metadata"]["labels"][gpu_nodes.POOL_LABEL] == "big"]
    for ms in big:
        tmpl = ms["spec"]["template"]["spec"]
        labels = tmpl["metadata"]["labels"]
        assert labels["rhoai-gitops.io/gpu-pool"] == "big"
        # GPU feature discovery owns (and rewrites) the product label: never ours to set
        assert "nvidia.com/gpu.product" not in labels
        assert labels["node-role.kubernetes.io/gpu"] == ""
        assert labels["cost-center"] == "research"
        assert labels["nvidia.com/mig.config"] == "all-1g.10gb"
        assert labels["cluster-api/accelerator"] == "big"
        assert tmpl["taints"] == [
            {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"},
            {"key": "dedicated", "effect": "NoExecute"},
        ]
        sel = ms["spec"]["selector"]["matchLabels"]
        assert sel.items() <= ms["spec"]["template"]["metadata"]["labels"].items()
        value = tmpl["providerSpec"]["value"]
        text = repr(value)
        assert p["instance"] in text and "{infrastructureId}" not in text and "{zone}" not in text
        assert "cloud-a1b2c" in text
    zones = sorted(s["metadata"]["name"] for s in big)
    assert zones == sorted(gpu_nodes.machine_set_name(spec, spec.gpu_node_pools[0], z.strip('"')) for z in p["zones"])
    small = next(s for s in sets if s["metadata"]["labels"][gpu_nodes.POOL_LABEL] == "small")
    assert small["spec"]["template"]["spec"]["taints"] == [
        {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}
    ]


def test_aws_provider_spec_substitutes_zone_and_infrastructure_id():
    spec = load(spec_text("aws"))
    ms = next(s for s in by_kind(gpu_nodes.build(spec), "MachineSet") if s["metadata"]["name"].endswith("us-east-2b"))
    value = ms["spec"]["template"]["spec"]["providerSpec"]["value"]
    assert value["subnet"]["filters"][0]["values"] == ["cloud-a1b2c-subnet-private-us-east-2b"]
    assert value["placement"] == {"availabilityZone": "us-east-2b", "region": "us-east-2"}
    assert value["ami"] == {"id": "ami-0fedcba9876543210"}
    assert value["iamInstanceProfile"] == {"id": "cloud-a1b2c-worker-profile"}


@pytest.mark.parametrize(
    "provider,missing", [("aws", "instanceProfile"), ("gcp", "projectId"), ("azure", "resourceGroup")]
)
def test_missing_provider_setting_is_a_positioned_error(provider, missing):
    text = (
        "\n".join(line for line in spec_text(provider).splitlines() if not line.strip().startswith(missing + ":"))
        + "\n"
    )
    with pytest.raises(SpecErrors) as exc:
        load(text)
    msgs = [str(e) for e in exc.value.errors]
    assert any(
        f"cluster.machineSets.{missing}: required on {provider}" in m
        and "gpuNodePools[0] (clusters/gpu-cloud.yaml:" in m
        for m in msgs
    ), msgs


def test_bare_metal_gets_no_machine_sets_but_the_nvidia_stack(repo):
    (edge,) = load_specs(repo, ["edge-baremetal"])
    units = build_units(edge.spec)
    assert units["gpu-nodes"] == []
    assert by_kind(units["nfd"], "NodeFeatureDiscovery") and by_kind(units["gpu-operator"], "ClusterPolicy")
    # Disconnected: each operator comes from the mirror of its own catalog (NFD is Red Hat's,
    # the GPU operator a certified one).
    sources = {
        s["spec"]["name"]: s["spec"]["source"] for s in by_kind(units["nfd"] + units["gpu-operator"], "Subscription")
    }
    assert sources == {"nfd": "redhat-operators-mirror", "gpu-operator-certified": "certified-operators-mirror"}


def test_no_pools_no_gpu_objects(repo):
    (sandbox,) = load_specs(repo, ["odh-sandbox"])
    units = build_units(sandbox.spec)
    assert all(units[name] == [] for name in MINE)


# --------------------------------------------------------------------------- NVIDIA stack


def test_cluster_policy_settings_follow_the_spec():
    spec = load(spec_text())
    objs = gpu_operator.build(spec)
    cp = by_kind(objs, "ClusterPolicy")[0]["spec"]
    assert cp["mig"] == {"strategy": "single"} and cp["migManager"]["enabled"] is True
    assert cp["dcgmExporter"] == {"enabled": True, "serviceMonitor": {"enabled": True}}
    assert cp["driver"]["kernelModuleType"] == "open" and "useOpenKernelModules" not in cp["driver"]
    assert cp["driver"]["rdma"] == {"enabled": True}
    # Operands tolerate every pool's taints once.
    assert cp["daemonsets"]["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
        {"key": "dedicated", "operator": "Exists", "effect": "NoExecute"},
    ]
    sub = by_kind(objs, "Subscription")[0]
    assert sub["spec"]["channel"] == "v25.3" and sub["metadata"]["namespace"] == matrix.operator("gpu").namespace


def test_older_channel_uses_the_deprecated_open_kernel_field():
    cp = by_kind(gpu_operator.build(load(spec_text(channel="v24.9"))), "ClusterPolicy")[0]["spec"]
    assert cp["driver"]["useOpenKernelModules"] is True and "kernelModuleType" not in cp["driver"]


def test_unknown_gpu_operator_channel_is_an_error():
    with pytest.raises(SpecErrors) as exc:
        load(spec_text(channel="v99.1"))
    assert any("nvidia.gpuOperatorChannel: unknown channel 'v99.1'" in str(e) for e in exc.value.errors)


def test_time_slicing_entry_per_pool_matches_machine_set_label():
    spec = load(spec_text())
    objs = gpu_operator.build(spec)
    cm = by_kind(objs, "ConfigMap")[0]
    cp = by_kind(objs, "ClusterPolicy")[0]["spec"]
    assert cp["devicePlugin"]["config"] == {"name": cm["metadata"]["name"], "default": gpu_operator.DEFAULT_ENTRY}
    assert set(cm["data"]) == {gpu_operator.DEFAULT_ENTRY, "small"}
    entry = yaml.safe_load(cm["data"]["small"])
    assert entry["sharing"]["timeSlicing"]["resources"] == [{"name": "nvidia.com/gpu", "replicas": 3}]
    assert entry["flags"]["migStrategy"] == "single"
    assert "sharing" not in yaml.safe_load(cm["data"][gpu_operator.DEFAULT_ENTRY])
    for ms in by_kind(gpu_nodes.build(spec), "MachineSet"):
        labels = ms["spec"]["template"]["spec"]["metadata"]["labels"]
        pool = ms["metadata"]["labels"][gpu_nodes.POOL_LABEL]
        assert labels.get("nvidia.com/device-plugin.config") == ("small" if pool == "small" else None)


def test_no_time_slicing_no_config_map():
    spec = load(spec_text().replace("    timeSlicingReplicas: 3\n", ""))
    objs = gpu_operator.build(spec)
    assert not by_kind(objs, "ConfigMap")
    assert "config" not in by_kind(objs, "ClusterPolicy")[0]["spec"]["devicePlugin"]


def test_nfd_worker_tolerates_gpu_taints_and_image_follows_openshift():
    spec = load(spec_text())
    inst = by_kind(nfd.build(spec), "NodeFeatureDiscovery")[0]["spec"]["operand"]
    assert inst["image"].endswith(":v4.17")
    assert inst["workerTolerations"] == gpu_nodes.all_tolerations(spec)
    assert {"key": "dedicated", "operator": "Exists", "effect": "NoExecute"} in inst["workerTolerations"]


# --------------------------------------------------------------------------- profiles


def test_releases_pick_profile_kinds_from_what_they_serve():
    old = profiles.build(load(spec_text(version="2.22")))
    new = profiles.build(load(spec_text(version="2.23")))
    assert {o["kind"] for o in old} == {"AcceleratorProfile"}
    assert {o["kind"] for o in new} == {"AcceleratorProfile", "HardwareProfile"}
    # the HardwareProfile CRD first ships in the RHOAI 2.23 and ODH 2.32 operator bundles
    assert (
        next(v for v in releases.supported("rhoai") if releases.release("rhoai", v).serves("HardwareProfile")) == "2.23"
    )
    assert next(v for v in releases.supported("odh") if releases.release("odh", v).serves("HardwareProfile")) == "2.32"


def test_profiles_tolerate_pool_taints_and_node_scheduling_without_quotas():
    spec = load(spec_text())
    objs = profiles.build(spec)
    for pool in spec.gpu_node_pools:
        ap = next(o for o in objs if o["kind"] == "AcceleratorProfile" and o["metadata"]["name"] == pool.name)
        assert ap["spec"]["identifier"] == "nvidia.com/gpu" and ap["spec"]["enabled"] is True
        assert ap["spec"]["tolerations"] == gpu_nodes.tolerations(pool)
        assert ap["metadata"]["namespace"] == spec.namespaces["applications"]
        hp = next(o for o in objs if o["kind"] == "HardwareProfile" and o["metadata"]["name"] == pool.name)
        sched = hp["spec"]["scheduling"]
        assert sched["type"] == "Node"
        assert sched["node"]["nodeSelector"] == gpu_nodes.node_labels(pool)
        assert sched["node"]["tolerations"] == gpu_nodes.tolerations(pool)
    gpu_ids = {
        o["metadata"]["name"]: i
        for o in objs
        if o["kind"] == "HardwareProfile"
        for i in o["spec"]["identifiers"]
        if i["resourceType"] == "Accelerator"
    }
    assert (
        gpu_ids["big"]["maxCount"] == 8 * matrix.mig_layout("all-1g.10gb", "NVIDIA-A100-SXM4-80GB")["1g.10gb"] == 8 * 7
    )
    assert gpu_ids["small"]["maxCount"] == 1 * 3


# --------------------------------------------------------------------------- kustomize


def test_prod_aws_overlays_build_to_the_rendered_objects(repo):
    (prod,) = render_to_disk(repo, ["prod-aws"])
    units = build_units(prod.spec)
    expected_kinds = {
        "gpu-nodes": {"MachineSet", "MachineAutoscaler", "ClusterAutoscaler"},
        "nfd": {"Namespace", "OperatorGroup", "Subscription", "NodeFeatureDiscovery"},
        "gpu-operator": {"Namespace", "OperatorGroup", "Subscription", "ConfigMap", "ClusterPolicy"},
        "hardware-profiles": {"AcceleratorProfile"},  # 2.22: no HardwareProfile yet
        "kueue-quotas": {"ResourceFlavor", "ClusterQueue", "LocalQueue", "Namespace", "WorkloadPriorityClass"},
    }
    for name, kinds in expected_kinds.items():
        built = kustomize_objects(repo / "overlays" / "prod-aws" / name)
        assert {o["kind"] for o in built} == kinds, name
        assert {ident(o): o for o in built} == {ident(o): o for o in units[name]}, name
        assert all(o["metadata"]["labels"][COMPONENT_LABEL] == name for o in built)
    aggregate = (repo / "overlays" / "prod-aws" / "kustomization.yaml").read_text()
    assert all(f"- {name}\n" in aggregate for name in MINE)


def test_edge_overlays_build(repo):
    render_to_disk(repo, ["edge-baremetal"])
    for name in ("nfd", "gpu-operator", "hardware-profiles"):
        assert kustomize_objects(repo / "overlays" / "edge-baremetal" / name)
    assert not (repo / "overlays" / "edge-baremetal" / "gpu-nodes").exists()


def test_a_new_gpu_pool_names_every_missing_setting_at_once(repo):
    """Adding a pool to a cluster without machine settings: one run names all of them, and
    with an empty machineSets the next run names every key the provider needs."""
    spec = repo / "clusters" / "odh-sandbox.yaml"
    spec.write_text(
        spec.read_text()
        + (
            "gpuNodePools:\n  - name: a100\n    accelerator: {product: NVIDIA-A100-SXM4-80GB, count: 8}\n"
            "    instanceType: p4d.24xlarge\n    replicas: {min: 0, max: 2}\n"
        )
    )
    with pytest.raises(SpecErrors) as exc:
        load_specs(repo, ["odh-sandbox"])
    paths = sorted(e.path for e in exc.value.errors)
    assert paths == ["cluster.infrastructureId", "cluster.machineSets", "cluster.region", "gpuNodePools[0].zones"]
    [ms] = [e for e in exc.value.errors if e.path == "cluster.machineSets"]
    assert "image, subnet, securityGroups, instanceProfile" in ms.message
    text = spec.read_text().replace(
        "  provider: aws\n", "  provider: aws\n  region: us-east-1\n  infrastructureId: sb-x1\n  machineSets: {}\n"
    )
    spec.write_text(
        text.replace("    replicas: {min: 0, max: 2}\n", "    replicas: {min: 0, max: 2}\n    zones: [us-east-1a]\n")
    )
    with pytest.raises(SpecErrors) as exc:
        load_specs(repo, ["odh-sandbox"])
    assert sorted(e.path for e in exc.value.errors) == [
        f"cluster.machineSets.{k}" for k in sorted(("image", "subnet", "securityGroups", "instanceProfile"))
    ]
