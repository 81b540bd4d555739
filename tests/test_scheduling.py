"""The scheduling simulation (issue 14): nodes as NFD and GPU feature discovery leave them, a
workload per profile and team queue, Kueue's admission and the scheduler's placement. Passes on
every example and on specs with time-slicing, MIG single and mixed, extra taints and cohorts
that borrow and lend; each way of breaking a flavor or a queue fails with its reason."""

from __future__ import annotations

import copy

import pytest

from generator.build import build_units
from generator.capacity import scheduling
from generator.spec.loader import load_specs
from generator.validate import crossobject

from conftest import EXAMPLES, PROJECT, load_spec_text

HEAD = """\
metadata:
  name: sim
cluster:
  provider: aws
  apiServer: https://api.sim.example.com:6443
  openshiftVersion: "4.19"
  region: us-east-1
  infrastructureId: sim-x1y2z
  machineSets:
    image: ami-0123456789abcdef0
    subnet: "{infrastructureId}-private-{zone}"
    securityGroups: ["{infrastructureId}-node"]
    instanceProfile: "{infrastructureId}-worker-profile"
distribution:
  name: rhoai
  version: "VERSION"
"""

# Four teams in two cohorts; time-sliced L4s with an extra taint, H100s cut by NVIDIA's
# all-balanced layout under MIG mixed (three slice sizes).
MIXED = (
    HEAD
    + """\
gpuNodePools:
  - name: l4
    instanceType: g6.12xlarge
    accelerator: {product: NVIDIA-L4, count: 4}
    replicas: {min: 1, max: 4}
    zones: [us-east-1a]
    timeSlicingReplicas: 4
    taints:
      - {key: nvidia.com/gpu, value: "true", effect: NoSchedule}
      - {key: dedicated, value: inference, effect: NoExecute}
  - name: h100
    instanceType: p5.48xlarge
    accelerator: {product: NVIDIA-H100-80GB-HBM3, count: 8}
    replicas: {min: 0, max: 2}
    zones: [us-east-1a, us-east-1b]
    migProfile: all-balanced
nvidia:
  migStrategy: mixed
quotas:
  cohorts: [research, product]
  teams:
    - name: vision
      namespaces: [vision]
      cohort: research
      quotas:
        - flavor: default-flavor
          resources: {cpu: {nominal: 16}, memory: {nominal: 64Gi}}
        - flavor: h100
          resources:
            cpu: {nominal: 64}
            memory: {nominal: 512Gi}
            mig: {1g.10gb: {nominal: 8, lendingLimit: 4}, 2g.20gb: {nominal: 4}, 3g.40gb: {nominal: 4, lendingLimit: LEND}}
    - name: speech
      namespaces: [speech, speech-dev]
      cohort: research
      quotas:
        - flavor: default-flavor
          resources: {cpu: {nominal: 8}, memory: {nominal: 32Gi}}
        - flavor: h100
          resources:
            cpu: {nominal: 32}
            memory: {nominal: 256Gi}
            mig: {1g.10gb: {nominal: 8}, 2g.20gb: {nominal: 2, borrowingLimit: 2}, 3g.40gb: {nominal: 0, borrowingLimit: 2}}
    - name: search
      namespaces: [search]
      cohort: product
      quotas:
        - flavor: default-flavor
          resources: {cpu: {nominal: 8}, memory: {nominal: 32Gi}}
        - flavor: l4
          resources:
            cpu: {nominal: 24}
            memory: {nominal: 96Gi}
            nvidia.com/gpu: {nominal: 8, lendingLimit: 4}
    - name: ads
      namespaces: [ads]
      cohort: product
      quotas:
        - flavor: l4
          resources:
            cpu: {nominal: 24}
            memory: {nominal: 96Gi}
            nvidia.com/gpu: {nominal: 4, borrowingLimit: 4}
"""
)

SINGLE = (
    HEAD
    + """\
gpuNodePools:
  - name: a100
    instanceType: p4d.24xlarge
    accelerator: {product: NVIDIA-A100-SXM4-40GB, count: 8}
    replicas: {min: 0, max: 2}
    zones: [us-east-1a]
    migProfile: all-1g.5gb
nvidia:
  migStrategy: single
quotas:
  teams:
    - name: nlp
      namespaces: [nlp]
      quotas:
        - flavor: a100
          resources:
            cpu: {nominal: 32}
            memory: {nominal: 256Gi}
            nvidia.com/gpu: {nominal: 28}
"""
)


def load(text: str, version: str = "2.25", lend: str = "4"):
    return load_spec_text(text.replace("VERSION", version).replace("LEND", lend), "clusters/sim.yaml").spec


def objects(spec) -> list[dict]:
    return [o for objs in build_units(spec).values() for o in objs]


def outcomes(spec, objs=None) -> dict[tuple, scheduling.Outcome]:
    """(team or None, profile name, namespace) -> outcome."""
    found = scheduling.simulate(spec, objects(spec) if objs is None else objs)
    return {(o.workload.team, o.workload.profile.split()[-1], o.workload.namespace): o for o in found}


def failing(spec, objs) -> list[str]:
    return [f"{o.describe()}: {o.reason}" for o in scheduling.failures(scheduling.simulate(spec, objs))]


def only(objs: list[dict], kind: str, name: str) -> dict:
    [o] = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name]
    return o


# --------------------------------------------------------------------------- nodes


def test_nodes_look_as_gpu_feature_discovery_leaves_them():
    spec = load(MIXED)
    nodes = {n.name: n for n in scheduling.nodes(spec, objects(spec))}
    l4 = nodes["sim-x1y2z-gpu-l4-us-east-1a"]
    # time-slicing: the product label gets -SHARED, each GPU is advertised 4 times
    assert l4.labels["nvidia.com/gpu.product"] == "NVIDIA-L4-SHARED"
    assert l4.labels["nvidia.com/gpu.sharing-strategy"] == "time-slicing"
    assert l4.allocatable == {"nvidia.com/gpu": 16}
    assert {"key": "dedicated", "value": "inference", "effect": "NoExecute"} in l4.taints
    h100 = nodes["sim-x1y2z-gpu-h100-us-east-1a"]
    # mixed: no whole GPUs, one resource per slice size; the GPU product label stays
    assert h100.allocatable == {"nvidia.com/mig-1g.10gb": 16, "nvidia.com/mig-2g.20gb": 8, "nvidia.com/mig-3g.40gb": 8}
    assert h100.labels["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-HBM3"
    assert h100.labels["nvidia.com/mig-3g.40gb.product"] == "NVIDIA-H100-80GB-HBM3-MIG-3g.40gb"
    assert nodes["worker"].allocatable == {} and nodes["worker"].taints == []

    single = load(SINGLE)
    [a100] = [n for n in scheduling.nodes(single, objects(single)) if n.pool]
    # single: the slices are nvidia.com/gpu, and the product label names the slice
    assert a100.labels["nvidia.com/gpu.product"] == "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb"
    assert a100.allocatable == {"nvidia.com/gpu": 7 * 8}


def test_bare_metal_pools_are_nodes_too():
    text = SINGLE.replace("  provider: aws\n", "  provider: baremetal\n")
    for key in ("region", "infrastructureId", "machineSets", "image", "subnet", "securityGroups", "instanceProfile"):
        text = "\n".join(line for line in text.splitlines() if not line.strip().startswith(key + ":")) + "\n"
    text = text.replace("    instanceType: p4d.24xlarge\n", "").replace("    zones: [us-east-1a]\n", "")
    spec = load(text)
    [a100] = [n for n in scheduling.nodes(spec, objects(spec)) if n.pool]
    assert a100.source == "spec gpuNodePools a100" and a100.allocatable == {"nvidia.com/gpu": 56}
    assert scheduling.failures(scheduling.simulate(spec, objects(spec))) == []


# --------------------------------------------------------------------------- what runs


@pytest.mark.parametrize("cluster", EXAMPLES)
def test_every_example_runs_what_it_offers(cluster):
    [loaded] = load_specs(PROJECT, [cluster])
    objs = objects(loaded.spec)
    found = scheduling.simulate(loaded.spec, objs)
    assert scheduling.failures(found) == []
    profiles = [o for o in objs if o["kind"] in ("HardwareProfile", "AcceleratorProfile")]
    # every profile was tried, and something was expected to run wherever there are profiles
    assert {o.workload.profile_obj for o in found} == {
        f"{p['kind']}.{p['apiVersion'].split('/')[0]} {p['metadata']['namespace']}/{p['metadata']['name']}"
        for p in profiles
    }
    assert bool(profiles) == any(o.expected and o.runs for o in found)


@pytest.mark.parametrize("version", ["2.25", "3.4"])
def test_mixed_mig_time_slicing_taints_and_cohorts_all_run(version):
    spec = load(MIXED, version)
    found = outcomes(spec)
    assert scheduling.failures(list(found.values())) == []
    # every slice size of the mixed pool has its profile, and the teams holding it run on h100
    for slice_ in ("1g-10gb", "2g-20gb", "3g-40gb"):
        for team, ns in (("vision", "vision"), ("speech", "speech"), ("speech", "speech-dev")):
            o = found[(team, f"h100-{slice_}", ns)]
            assert o.expected and o.runs and o.flavor == "h100" and all("h100" in n for n in o.nodes), o
    # speech holds no 3g.40gb of its own: it runs on what vision lends (lendingLimit 4)
    assert scheduling.Cluster(spec, objects(spec)).admit(found[("speech", "h100-3g-40gb", "speech")].workload).borrows
    # time-sliced L4s behind two taints, both tolerated through the flavor
    for team, ns in (("search", "search"), ("ads", "ads")):
        o = found[(team, "l4", ns)]
        assert o.expected and o.runs and o.nodes == ("sim-x1y2z-gpu-l4-us-east-1a",)
    # CPU work: the default flavor for teams that have it, the GPU flavor's CPU for ads
    assert found[("vision", "cpu", "vision")].nodes == ("worker",)
    assert found[("ads", "cpu", "ads")].flavor == "l4"
    # a team without quota on a pool is not expected to run there
    assert not found[("search", "h100-1g-10gb", "search")].expected


def test_mig_single_runs_on_the_slices():
    spec = load(SINGLE)
    o = outcomes(spec)[("nlp", "a100", "nlp")]
    assert o.runs and o.flavor == "a100"
    assert scheduling.failures(scheduling.simulate(spec, objects(spec))) == []


# --------------------------------------------------------------------------- breaking it


def test_a_flavor_selecting_the_label_gfd_rewrites_fails_with_the_reason():
    spec = load(MIXED)
    objs = copy.deepcopy(objects(spec))
    # the old way: select a pool by its product label, which time-slicing rewrites to -SHARED
    only(objs, "ResourceFlavor", "l4")["spec"]["nodeLabels"] = {"nvidia.com/gpu.product": "NVIDIA-L4"}
    errs = failing(spec, objs)
    assert errs and all("l4" in e for e in errs)
    assert any(
        "team search (search/default) through HardwareProfile l4" in e
        and "nvidia.com/gpu.product=NVIDIA-L4 (node: NVIDIA-L4-SHARED)" in e
        for e in errs
    ), errs


def test_a_queue_not_covering_a_slice_fails_with_the_reason():
    spec = load(MIXED)
    objs = copy.deepcopy(objects(spec))
    cq = only(objs, "ClusterQueue", "vision")
    group = cq["spec"]["resourceGroups"][0]
    group["coveredResources"].remove("nvidia.com/mig-2g.20gb")
    for f in group["flavors"]:
        f["resources"] = [r for r in f["resources"] if r["name"] != "nvidia.com/mig-2g.20gb"]
    errs = failing(spec, objs)
    # 2.25 offers both an AcceleratorProfile and a HardwareProfile per slice
    assert [e.split(":")[0] for e in errs] == [
        f"team vision (vision/default) through {kind} h100-2g-20gb"
        for kind in ("AcceleratorProfile", "HardwareProfile")
    ]
    assert all("resource nvidia.com/mig-2g.20gb unavailable in ClusterQueue vision" in e for e in errs)


def test_a_flavor_without_the_pool_tolerations_fails_with_the_reason():
    spec = load(MIXED)
    objs = copy.deepcopy(objects(spec))
    flavor = only(objs, "ResourceFlavor", "l4")
    flavor["spec"]["tolerations"] = [t for t in flavor["spec"]["tolerations"] if t["key"] != "dedicated"]
    errs = failing(spec, objs)
    assert errs and all("untolerated taint dedicated=inference:NoExecute" in e for e in errs), errs


def test_nothing_to_borrow_fails_with_the_reason():
    # vision lends none of its 3g.40gb slices: speech, holding none, can run none
    spec = load(MIXED, lend="0")
    errs = failing(spec, objects(spec))
    assert errs and all("team speech" in e and "h100-3g-40gb" in e for e in errs), errs
    assert "nvidia.com/mig-3g.40gb 1 is more than flavor h100 gives: nominal 0, nothing to borrow" in errs[0]


def test_a_namespace_without_the_kueue_label_fails_on_releases_that_read_it():
    spec = load(MIXED, "3.4")
    objs = copy.deepcopy(objects(spec))
    del only(objs, "Namespace", "ads")["metadata"]["labels"]["kueue.openshift.io/managed"]
    errs = failing(spec, objs)
    assert errs and all("namespace ads lacks" in e for e in errs), errs


def test_a_profile_for_a_resource_no_pool_advertises_cannot_be_placed():
    spec = load(MIXED)
    objs = copy.deepcopy(objects(spec))
    # a Node profile asking the mixed pool for whole GPUs, which it no longer advertises
    profile = copy.deepcopy(only(objs, "HardwareProfile", "h100-1g-10gb"))
    profile["metadata"]["name"] = "h100-whole"
    profile["spec"]["identifiers"][-1]["identifier"] = "nvidia.com/gpu"
    tolerations = only(objs, "ResourceFlavor", "h100")["spec"]["tolerations"]
    profile["spec"]["scheduling"] = {
        "type": "Node",
        "node": {"nodeSelector": {"rhoai-gitops.io/gpu-pool": "h100"}, "tolerations": tolerations},
    }
    objs.append(profile)
    [err] = failing(spec, objs)
    assert err.startswith("a workload in any-project through HardwareProfile h100-whole: no node of pool h100 takes it")
    # both zones' nodes, each short of nvidia.com/gpu
    assert err.count("insufficient nvidia.com/gpu 1 (node has 0)") == 2


def test_validate_reports_what_cannot_run():
    spec = load(MIXED)
    objs = copy.deepcopy(objects(spec))
    only(objs, "ResourceFlavor", "h100")["spec"]["nodeLabels"]["rhoai-gitops.io/gpu-pool"] = "h200"
    found = [f for f in crossobject.check(spec, objs) if f.message.startswith("[scheduling]")]
    assert found and {f.object.split(".")[0] for f in found} == {"HardwareProfile", "AcceleratorProfile"}
    assert any(
        "team vision (vision/default) through HardwareProfile h100-1g-10gb cannot run" in f.message for f in found
    )
