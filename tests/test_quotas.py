"""Kueue quotas (issue 4): flavors select exactly the pool's nodes and tolerate exactly its
taints, ClusterQueues obey Kueue's own rules, LocalQueues and team namespaces, HardwareProfiles
of type Queue, spec errors with both locations, and strict validation against the real CRDs."""

from __future__ import annotations

import pytest

from generator.build import build_units
from generator.components import gpu_nodes, kueue, profiles
from generator.core.errors import SpecErrors
from generator.spec.loader import load_specs

from conftest import assert_valid, load_spec_text, validator_for

SPEC = """\
metadata:
  name: quota-lab
cluster:
  provider: aws
  apiServer: https://api.quota-lab.example.com:6443
  region: eu-west-1
  infrastructureId: qlab-9z8y7
  machineSets:
    image: ami-0aaaaaaaaaaaaaaaa
    subnet: "{infrastructureId}-private-{zone}"
    securityGroups: ["{infrastructureId}-node"]
    instanceProfile: "{infrastructureId}-worker-profile"
distribution:
  name: rhoai
  version: "2.24"
gpuNodePools:
  - name: a100
    instanceType: p4d.24xlarge
    accelerator: {product: NVIDIA-A100-SXM4-40GB, count: 8}
    replicas: {min: 0, max: 2}
    zones: [eu-west-1a, eu-west-1b]
    labels: {cost-center: training, tier: gold}
    taints:
      - {key: nvidia.com/gpu, value: "true", effect: NoSchedule}
      - {key: gpu-tier, value: gold, effect: PreferNoSchedule}
      - {key: maintenance, effect: NoExecute}
  - name: l4
    instanceType: g6.xlarge
    accelerator: {product: NVIDIA-L4, count: 1}
    replicas: {min: 0, max: 4}
    zones: [eu-west-1a]
  - name: spare
    instanceType: g6.xlarge
    accelerator: {product: NVIDIA-L4, count: 1}
    replicas: {min: 0, max: 1}
    zones: [eu-west-1a]
quotas:
  defaultFlavor: cpu-only
  cohorts: [research]
  priorityClasses:
    - {name: urgent, value: 1000, description: Deadlines}
    - {name: batch, value: 10}
  teams:
    - name: vision
      namespaces: [vision-dev, vision-prod]
      cohort: research
      queueingStrategy: StrictFIFO
      preemption: {reclaimWithinCohort: LowerPriority, withinClusterQueue: Never}
      quotas:
        - flavor: a100
          resources:
            cpu: {nominal: 96}
            memory: {nominal: 1Ti}
            nvidia.com/gpu: {nominal: 12, borrowingLimit: 4, lendingLimit: 2}
        - flavor: cpu-only
          resources:
            cpu: {nominal: 32}
            memory: {nominal: 128Gi}
    - name: speech
      namespaces: [speech]
      quotas:
        - flavor: cpu-only
          resources:
            cpu: {nominal: 8}
            memory: {nominal: 16Gi}
        - flavor: l4
          resources:
            cpu: {nominal: 16}
            memory: {nominal: 64Gi}
            nvidia.com/gpu: {nominal: 4}
"""


def load(text: str = SPEC):
    return load_spec_text(text, "clusters/quota-lab.yaml").spec


def errors(text: str) -> list[str]:
    with pytest.raises(SpecErrors) as exc:
        load(text)
    return [str(e) for e in exc.value.errors]


def line_of(text: str, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(text.splitlines()) if needle in line)


def at(text: str, needle: str, value: str) -> str:
    """`line:column` of `value` on the first line containing `needle`."""
    line = line_of(text, needle)
    return f"{line}:{text.splitlines()[line - 1].index(value) + 1}"


def kind(objs, k):
    return [o for o in objs if o["kind"] == k]


def tolerates(toleration: dict, taint: dict) -> bool:
    """Kubernetes' matching rule (v1.Toleration.ToleratesTaint)."""
    if toleration.get("effect") and toleration["effect"] != taint["effect"]:
        return False
    if toleration.get("key") != taint["key"]:
        return False
    if toleration.get("operator", "Equal") == "Exists":
        return True
    return toleration.get("value") == taint.get("value")


# --------------------------------------------------------------------------- flavors = pools


def test_flavor_node_labels_equal_the_pool_labels_exactly():
    spec = load()
    objs = kueue.build(spec)
    sets = kind(gpu_nodes.build(spec), "MachineSet")
    for pool in spec.gpu_node_pools:
        flavor = next(o for o in kind(objs, "ResourceFlavor") if o["metadata"]["name"] == pool.name)
        expected = {
            **pool.labels,
            "rhoai-gitops.io/gpu-pool": pool.name,
            "node-role.kubernetes.io/gpu": "",
        }
        assert flavor["spec"]["nodeLabels"] == expected
        pool_sets = [s for s in sets if s["metadata"]["labels"]["rhoai-gitops.io/gpu-pool"] == pool.name]
        assert len(pool_sets) == len(pool.zones)
        for ms in pool_sets:
            node_labels = ms["spec"]["template"]["spec"]["metadata"]["labels"]
            assert expected.items() <= node_labels.items()
        # No other pool's nodes carry all of these labels.
        for other in sets:
            if other["metadata"]["labels"]["rhoai-gitops.io/gpu-pool"] != pool.name:
                assert not expected.items() <= other["spec"]["template"]["spec"]["metadata"]["labels"].items()


def test_flavor_tolerations_match_the_pool_taints_exactly():
    spec = load()
    flavors = {o["metadata"]["name"]: o for o in kind(kueue.build(spec), "ResourceFlavor")}
    sets = kind(gpu_nodes.build(spec), "MachineSet")
    for pool in spec.gpu_node_pools:
        tolerations = flavors[pool.name]["spec"]["tolerations"]
        taints = [
            {"key": t.key, "effect": t.effect, **({"value": t.value} if t.value is not None else {})}
            for t in pool.taints
        ]
        # One toleration per taint, each tolerating its own taint and only that one.
        assert len(tolerations) == len(taints)
        for tol, taint in zip(tolerations, taints):
            assert [tolerates(tol, t) for t in taints] == [t is taint for t in taints]
        for ms in sets:
            if ms["metadata"]["labels"]["rhoai-gitops.io/gpu-pool"] == pool.name:
                node_taints = ms["spec"]["template"]["spec"]["taints"]
                assert sorted(sorted(t.items()) for t in node_taints) == sorted(sorted(t.items()) for t in taints)
    assert len(flavors["a100"]["spec"]["tolerations"]) == 3
    assert {"key": "maintenance", "operator": "Exists", "effect": "NoExecute"} in flavors["a100"]["spec"]["tolerations"]
    assert "spec" not in flavors["cpu-only"]


# --------------------------------------------------------------------------- queues


def test_cluster_queues_follow_the_teams():
    spec = load()
    queues = {o["metadata"]["name"]: o["spec"] for o in kind(kueue.build(spec), "ClusterQueue")}
    assert set(queues) == {"vision", "speech"}
    vision, speech = queues["vision"], queues["speech"]
    assert vision["namespaceSelector"]["matchExpressions"] == [
        {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["vision-dev", "vision-prod"]}
    ]
    assert vision["cohort"] == "research" and "cohort" not in speech
    assert vision["queueingStrategy"] == "StrictFIFO" and speech["queueingStrategy"] == "BestEffortFIFO"
    assert vision["preemption"] == {"reclaimWithinCohort": "LowerPriority", "withinClusterQueue": "Never"}
    (group,) = vision["resourceGroups"]
    assert group["coveredResources"] == ["cpu", "memory", "nvidia.com/gpu"]
    # The CPU flavor comes first even though the spec lists it second.
    assert [f["name"] for f in group["flavors"]] == ["cpu-only", "a100"]
    a100 = {r["name"]: r for r in group["flavors"][1]["resources"]}
    assert a100["nvidia.com/gpu"] == {
        "name": "nvidia.com/gpu",
        "nominalQuota": "12",
        "borrowingLimit": "4",
        "lendingLimit": "2",
    }
    cpu_only = {r["name"]: r for r in group["flavors"][0]["resources"]}
    assert cpu_only["nvidia.com/gpu"]["nominalQuota"] == "0"


def test_cluster_queues_satisfy_kueue_cel_rules():
    """Rules the CRD states in CEL, which JSON-schema validation does not run."""
    for q in kind(kueue.build(load()), "ClusterQueue"):
        for group in q["spec"]["resourceGroups"]:
            for flavor in group["flavors"]:
                # flavors must have the same number of resources as the coveredResources
                assert [r["name"] for r in flavor["resources"]] == group["coveredResources"]
                # borrowingLimit must be nil when cohort is empty
                if "cohort" not in q["spec"]:
                    assert all("borrowingLimit" not in r for r in flavor["resources"])


def test_local_queue_named_alike_in_every_team_namespace():
    objs = kueue.build(load())
    queues = kind(objs, "LocalQueue")
    assert {(q["metadata"]["namespace"], q["spec"]["clusterQueue"]) for q in queues} == {
        ("vision-dev", "vision"),
        ("vision-prod", "vision"),
        ("speech", "speech"),
    }
    assert {q["metadata"]["name"] for q in queues} == {kueue.LOCAL_QUEUE}
    namespaces = {n["metadata"]["name"]: n["metadata"]["labels"] for n in kind(objs, "Namespace")}
    assert set(namespaces) == {"vision-dev", "vision-prod", "speech"}
    for labels in namespaces.values():
        assert labels["opendatahub.io/dashboard"] == "true" and labels["kueue.openshift.io/managed"] == "true"
    classes = {o["metadata"]["name"]: o for o in kind(objs, "WorkloadPriorityClass")}
    assert classes["urgent"]["value"] == 1000 and classes["urgent"]["description"] == "Deadlines"
    assert classes["batch"]["value"] == 10 and "description" not in classes["batch"]


def test_hardware_profiles_queue_where_teams_have_gpu_quota():
    spec = load()
    hps = {o["metadata"]["name"]: o["spec"]["scheduling"] for o in kind(profiles.build(spec), "HardwareProfile")}
    assert hps["a100"] == {"type": "Queue", "kueue": {"localQueueName": kueue.LOCAL_QUEUE}}
    assert hps["l4"] == {"type": "Queue", "kueue": {"localQueueName": kueue.LOCAL_QUEUE}}
    # No team has quota on `spare`: Kueue would never admit a workload there.
    assert hps["spare"]["type"] == "Node" and "kueue" not in hps["spare"]


def test_everything_validates_against_upstream_crds(repo):
    spec = load()
    units = build_units(spec)
    objs = [o for o in units["kueue-quotas"] + units["hardware-profiles"] if o["kind"] != "Namespace"]
    assert {
        "ResourceFlavor",
        "ClusterQueue",
        "LocalQueue",
        "WorkloadPriorityClass",
        "HardwareProfile",
        "AcceleratorProfile",
    } == {o["kind"] for o in objs}
    assert_valid(validator_for(spec), objs)
    (prod,) = load_specs(repo, ["prod-aws"])
    assert_valid(
        validator_for(prod.spec), [o for o in build_units(prod.spec)["kueue-quotas"] if o["kind"] != "Namespace"]
    )


def test_no_quotas_no_queues():
    text = SPEC[: SPEC.index("quotas:\n")]
    assert kueue.build(load(text)) == []
    assert {
        s["type"] for s in (o["spec"]["scheduling"] for o in kind(profiles.build(load(text)), "HardwareProfile"))
    } == {"Node"}


# --------------------------------------------------------------------------- spec errors


def test_team_over_its_pool_names_both_lines():
    text = SPEC.replace("nvidia.com/gpu: {nominal: 4}", "nvidia.com/gpu: {nominal: 5}")
    errs = errors(text)
    assert errs == [
        f"clusters/quota-lab.yaml:{at(text, 'nominal: 5}', '5}')}: quotas.teams[1].quotas[1].resources.nvidia.com/gpu.nominal: "
        f"5 nvidia.com/gpu is more than pool 'l4' can ever provide: 4 (4 nodes x 1 GPUs, whole GPUs; "
        f"gpuNodePools[1].replicas.max (clusters/quota-lab.yaml:{line_of(text, 'replicas: {min: 0, max: 4}')}))"
    ]


def test_two_teams_over_a_pool_names_pool_and_teams():
    text = SPEC.replace(
        "        - flavor: l4\n          resources:\n            cpu: {nominal: 16}",
        "        - flavor: a100\n          resources:\n            cpu: {nominal: 16}",
    ).replace("nvidia.com/gpu: {nominal: 4}", "nvidia.com/gpu: {nominal: 5}")
    errs = errors(text)
    assert len(errs) == 1, errs
    pool_line = line_of(text, "replicas: {min: 0, max: 2}")
    assert errs[0].startswith(f"clusters/quota-lab.yaml:{pool_line}:")
    assert (
        f"vision 12 at quotas.teams[0].quotas[0].resources.nvidia.com/gpu.nominal (clusters/quota-lab.yaml:{line_of(text, 'nominal: 12')})"
        in errs[0]
    )
    assert (
        f"speech 5 at quotas.teams[1].quotas[1].resources.nvidia.com/gpu.nominal (clusters/quota-lab.yaml:{line_of(text, 'nominal: 5}')})"
        in errs[0]
    )
    allowed = text.replace("quotas:\n  defaultFlavor", "quotas:\n  allowOvercommit: true\n  defaultFlavor")
    assert kind(kueue.build(load(allowed)), "ClusterQueue")


def test_existing_quota_rules_keep_working():
    unknown = SPEC.replace("        - flavor: l4\n", "        - flavor: h100\n")
    assert any("flavor 'h100' names no GPU pool (gpuNodePools (clusters/quota-lab.yaml:" in e for e in errors(unknown))
    twice = SPEC.replace("namespaces: [speech]", "namespaces: [speech, vision-prod]")
    msgs = errors(twice)
    assert any(
        "quotas.teams[1].namespaces[1]: namespace 'vision-prod' already belongs to another team "
        f"(quotas.teams[0].namespaces[1] (clusters/quota-lab.yaml:{line_of(twice, 'vision-dev, vision-prod')}))" in e
        for e in msgs
    ), msgs
    no_kueue = SPEC + "components:\n  kueue:\n    managementState: Removed\n"
    assert any(
        "components.kueue.managementState: must be Managed or Unmanaged (run by the Red Hat build of Kueue): Kueue quotas are defined"
        in e
        for e in errors(no_kueue)
    )


def test_borrowing_limit_outside_a_cohort_is_an_error():
    text = SPEC.replace("cpu: {nominal: 8}", "cpu: {nominal: 8, borrowingLimit: 2}", 1)
    errs = errors(text)
    assert errs == [
        f"clusters/quota-lab.yaml:{at(text, 'borrowingLimit: 2}', '2}')}: quotas.teams[1].quotas[0].resources.cpu.borrowingLimit: "
        f"team 'speech' is in no cohort (quotas.teams[1].name (clusters/quota-lab.yaml:{line_of(text, '- name: speech')})): there is nobody to borrow from"
    ]
