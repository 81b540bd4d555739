"""GPU pools, profiles and quotas that workloads can actually use: the faults a schema cannot
see (labels another controller rewrites, resources no queue covers, Kueue's own admission
rules, profiles the dashboard hides), each pinned by a test."""

from __future__ import annotations

import pytest

from generator.build import build_units
from generator.core.errors import SpecErrors
from generator.spec.loader import load_specs

from conftest import PROJECT, load_spec_text

# Labels GPU feature discovery (k8s-device-plugin) writes and rewrites on GPU nodes: under
# time-slicing nvidia.com/gpu.product becomes <product>-SHARED, under MIG single
# <product>-MIG-<slice>.
GFD_PREFIX = "nvidia.com/"

HEAD = """\
metadata:
  name: t
cluster:
  apiServer: https://api.t.example.com:6443
  provider: baremetal
"""


def load(text: str):
    return load_spec_text(HEAD + text, "clusters/t.yaml").spec


def errors(text: str) -> list[str]:
    try:
        load(text)
    except SpecErrors as exc:
        return [str(e) for e in exc.errors]
    return []


def objects(spec, kind: str) -> list[dict]:
    return [o for objs in build_units(spec).values() for o in objs if o["kind"] == kind]


# --------------------------------------------------------------------------- pool selection


@pytest.mark.parametrize("cluster", ["prod-aws", "ai3-aws"])
def test_pools_are_selected_by_labels_the_project_owns(cluster):
    [loaded] = load_specs(PROJECT, [cluster])
    spec = loaded.spec
    selectors = [
        f["spec"]["nodeLabels"] for f in objects(spec, "ResourceFlavor") if f.get("spec", {}).get("nodeLabels")
    ]
    selectors += [
        p["spec"]["scheduling"]["node"]["nodeSelector"]
        for p in objects(spec, "HardwareProfile")
        if p["spec"]["scheduling"]["type"] == "Node"
    ]
    assert selectors or not spec.gpu_node_pools
    for selector in selectors:
        assert "rhoai-gitops.io/gpu-pool" in selector
        assert not [k for k in selector if k.startswith(GFD_PREFIX)], selector


def test_a_pool_label_that_gpu_feature_discovery_owns_is_refused():
    text = (
        "gpuNodePools:\n  - name: l4\n    accelerator: {product: NVIDIA-L4, count: 1}\n    replicas: {min: 1, max: 1}\n"
        "    labels:\n      nvidia.com/gpu.product: NVIDIA-L4\n"
    )
    [err] = errors(text)
    assert err.startswith("clusters/t.yaml:11:7: gpuNodePools[0].labels.nvidia.com/gpu.product: ")
    assert "GPU feature discovery" in err


# --------------------------------------------------------------------------- Kueue's rules in the spec


QUOTA = """\
gpuNodePools:
  - name: l4
    accelerator: {{product: NVIDIA-L4, count: 4}}
    replicas: {{min: 1, max: 4}}
quotas:
  teams:
    - name: a
      namespaces: [team-a]
{cohort}      quotas:
        - flavor: l4
          resources:
            cpu: {{nominal: 8}}
            memory: {{nominal: 32Gi}}
            nvidia.com/gpu: {gpu}
"""


def test_lending_limit_needs_a_cohort():
    [err] = errors(QUOTA.format(cohort="", gpu="{nominal: 4, lendingLimit: 2}"))
    assert err == (
        "clusters/t.yaml:19:56: quotas.teams[0].quotas[0].resources.nvidia.com/gpu.lendingLimit: team 'a' is in no "
        "cohort (quotas.teams[0].name (clusters/t.yaml:12)): there is nobody to lend to; Kueue refuses lendingLimit "
        "without a cohort"
    )


def test_lending_limit_above_nominal_is_refused():
    [err] = errors(QUOTA.format(cohort="      cohort: c\n", gpu="{nominal: 4, lendingLimit: 6}"))
    assert err == (
        "clusters/t.yaml:20:56: quotas.teams[0].quotas[0].resources.nvidia.com/gpu.lendingLimit: 6 is more than the "
        "nominal quota 4 (quotas.teams[0].quotas[0].resources.nvidia.com/gpu.nominal (clusters/t.yaml:20)); Kueue refuses it"
    )
    cpu = QUOTA.format(cohort="      cohort: c\n", gpu="{nominal: 4}").replace(
        "cpu: {nominal: 8}", "cpu: {nominal: 8, lendingLimit: 8500m}"
    )
    [err] = errors(cpu)
    assert ".resources.cpu.lendingLimit: 8500m is more than the nominal quota 8" in err
    assert errors(cpu.replace("8500m", "7500m")) == []


# --------------------------------------------------------------------------- the dashboard


def test_hardware_profiles_are_visible_and_a_cpu_profile_exists():
    text = QUOTA.format(cohort="", gpu="{nominal: 4}") + "distribution:\n  version: '2.23'\n"
    spec = load(text)
    [cfg] = objects(spec, "OdhDashboardConfig")
    assert cfg["spec"]["dashboardConfig"]["disableHardwareProfiles"] is False
    names = {p["metadata"]["name"]: p for p in objects(spec, "HardwareProfile")}
    cpu = names["cpu"]
    assert [i["resourceType"] for i in cpu["spec"]["identifiers"]] == ["CPU", "Memory"]
    assert cpu["spec"]["scheduling"] == {"type": "Queue", "kueue": {"localQueueName": "default"}}
    # without quotas it schedules onto any node, as the GPU profile does onto its pool's nodes
    pool_only = QUOTA.format(cohort="", gpu="").split("quotas:")[0] + "distribution:\n  version: '2.23'\n"
    plain = objects(load(pool_only), "HardwareProfile")
    assert [(p["metadata"]["name"], p["spec"]["scheduling"]["type"]) for p in plain] == [
        ("cpu", "Node"),
        ("l4", "Node"),
    ]
    # nothing to choose between: no profiles at all
    assert objects(load("distribution:\n  version: '2.23'\n"), "HardwareProfile") == []
    # 3.x: hardware profiles are GA and the flag is deprecated: never written
    head = HEAD.replace("provider: baremetal", "provider: baremetal\n  openshiftVersion: '4.19'")
    [ga] = objects(
        load_spec_text(head + "distribution:\n  version: '3.4'\n", "clusters/t.yaml").spec, "OdhDashboardConfig"
    )
    assert "disableHardwareProfiles" not in ga["spec"]["dashboardConfig"]
    # 2.22 has no infrastructure HardwareProfile: nothing to show, the flag is left alone
    [old] = objects(load("distribution:\n  version: '2.22'\n"), "OdhDashboardConfig")
    assert "disableHardwareProfiles" not in old["spec"]["dashboardConfig"]


def test_the_culler_config_carries_the_label_the_dashboard_reads_it_by():
    [cm] = [o for o in objects(load(""), "ConfigMap") if o["metadata"]["name"] == "notebook-controller-culler-config"]
    assert cm["metadata"]["labels"]["opendatahub.io/dashboard"] == "true"


# --------------------------------------------------------------------------- Kueue-managed namespaces


@pytest.mark.parametrize("dist,before,first", [("rhoai", "2.22", "2.23"), ("odh", "2.31", "2.32")])
def test_team_namespaces_carry_the_label_their_release_reads(dist, before, first):
    def labels(version: str) -> dict:
        head = HEAD.replace("provider: baremetal", "provider: baremetal\n  openshiftVersion: '4.19'")
        text = (
            head
            + QUOTA.format(cohort="", gpu="{nominal: 4}")
            + f"distribution:\n  name: {dist}\n  version: '{version}'\n"
        )
        spec = load_spec_text(text, "clusters/t.yaml").spec
        [ns] = [o for o in objects(spec, "Namespace") if o["metadata"]["name"] == "team-a"]
        return ns["metadata"]["labels"]

    # before the operator's Kueue integration reads a namespace label, Kueue goes by each
    # workload's queue-name label: a namespace label would claim a management that is not there
    assert "kueue.openshift.io/managed" not in labels(before)
    # from then on the operator keeps both keys on a managed namespace: render both, no drift
    assert {k: labels(first)[k] for k in ("kueue.openshift.io/managed", "kueue-managed")} == {
        "kueue.openshift.io/managed": "true",
        "kueue-managed": "true",
    }
    assert labels("3.0")["kueue.openshift.io/managed"] == "true"
    if dist == "odh":
        # ODH 3.5 no longer copies the legacy key; the Red Hat build of Kueue reads only the new one
        assert "kueue-managed" not in labels("3.5") and labels("3.5")["kueue.openshift.io/managed"] == "true"
