"""GPU capacity maths (pools, time-slicing, MIG, zone split), the capacity spec rules and the
`capacity` command (issue 4)."""

from __future__ import annotations

import json

import pytest

from generator.capacity import pools as capacity
from generator.cli import main
from generator.components import gpu_nodes
from generator.core.errors import SpecErrors
from generator.facts import matrix

from conftest import load_spec_text, write_spec

# Three pools: MIG (single strategy), time-sliced, whole GPUs; two teams in one cohort.
LAB = """\
metadata:
  name: gpu-lab
cluster:
  provider: aws
  apiServer: https://api.gpu-lab.example.com:6443
  region: us-east-1
  infrastructureId: lab-x1y2z
  machineSets:
    image: ami-0123456789abcdef0
    subnet: "{infrastructureId}-private-{zone}"
    securityGroups: ["{infrastructureId}-node"]
    instanceProfile: "{infrastructureId}-worker-profile"
    nodesOutsidePools: 7
distribution:
  name: rhoai
  version: "2.23"
gpuNodePools:
  - name: h100
    instanceType: p5.48xlarge
    accelerator: {product: NVIDIA-H100-80GB-HBM3, count: 8}
    replicas: {min: 0, max: 3}
    zones: [us-east-1a, us-east-1b]
    migProfile: all-3g.40gb
  - name: l4
    instanceType: g6.12xlarge
    accelerator: {product: NVIDIA-L4, count: 4}
    replicas: {min: 1, max: 5}
    zones: [us-east-1a, us-east-1b, us-east-1c]
    timeSlicingReplicas: 4
  - name: t4
    instanceType: g4dn.xlarge
    accelerator: {product: Tesla-T4, count: 1}
    replicas: {min: 0, max: 2}
    zones: [us-east-1a]
nvidia:
  migStrategy: single
quotas:
  cohorts: [research]
  teams:
    - name: alpha
      namespaces: [alpha]
      cohort: research
      quotas:
        - flavor: h100
          resources:
            cpu: {nominal: 100}
            memory: {nominal: 1Ti}
            nvidia.com/gpu: {nominal: H100_ALPHA, lendingLimit: 10}
        - flavor: l4
          resources:
            cpu: {nominal: 50}
            memory: {nominal: 200Gi}
            nvidia.com/gpu: {nominal: 50, borrowingLimit: 6}
    - name: beta
      namespaces: [beta]
      cohort: research
      quotas:
        - flavor: h100
          resources:
            cpu: {nominal: 100}
            memory: {nominal: 1Ti}
            nvidia.com/gpu: {nominal: 18, borrowingLimit: 20}
        - flavor: l4
          resources:
            cpu: {nominal: 50}
            memory: {nominal: 200Gi}
            nvidia.com/gpu: {nominal: 30}
"""

MIG_3G_40GB = matrix.mig_layout("all-3g.40gb", "NVIDIA-H100-80GB-HBM3")["3g.40gb"]


def lab(h100_alpha: int = 30, text: str = LAB) -> str:
    return text.replace("H100_ALPHA", str(h100_alpha))


def load(text: str):
    return load_spec_text(text, "clusters/gpu-lab.yaml")


def errors(text: str) -> list[str]:
    with pytest.raises(SpecErrors) as exc:
        load(text)
    return [str(e) for e in exc.value.errors]


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first line containing `needle` at or after line `start`."""
    lines = text.splitlines()
    return next(i + 1 for i in range(start, len(lines)) if needle in lines[i])


def test_units_per_pool_count_mig_instances_and_time_slices():
    spec = load(lab()).spec
    pools = {p.name: p for p in capacity.pools(spec)}
    assert MIG_3G_40GB == 2
    assert (pools["h100"].max_gpus, pools["h100"].max_units) == (3 * 8, 3 * 8 * MIG_3G_40GB)
    assert (pools["l4"].max_gpus, pools["l4"].max_units) == (5 * 4, 5 * 4 * 4)
    assert (pools["t4"].max_gpus, pools["t4"].max_units) == (2, 2)
    assert pools["l4"].units_per_node == 16


def mixed(layout: str, alpha: str, beta: str) -> str:
    """The lab with the h100 pool under MIG mixed, cut by `layout`, and the teams' h100 GPU
    quotas replaced by the given `mig` quotas."""
    return (
        LAB.replace("migStrategy: single", "migStrategy: mixed")
        .replace("migProfile: all-3g.40gb", f"migProfile: {layout}")
        .replace("nvidia.com/gpu: {nominal: H100_ALPHA, lendingLimit: 10}", f"mig: {alpha}")
        .replace("nvidia.com/gpu: {nominal: 18, borrowingLimit: 20}", f"mig: {beta}")
    )


def test_mixed_mig_advertises_no_nvidia_gpu():
    spec = load(mixed("all-3g.40gb", "{3g.40gb: {nominal: 2}}", "{3g.40gb: {nominal: 2}}")).spec
    h100 = next(p for p in capacity.pools(spec) if p.name == "h100")
    assert h100.max_units == 0 and h100.max_gpus == 24
    assert capacity.advertised(spec, spec.gpu_node_pools[0]) == [("nvidia.com/mig-3g.40gb", 8 * MIG_3G_40GB)]


BALANCED = mixed(
    "all-balanced",
    "{1g.10gb: {nominal: 20, lendingLimit: 10}}",
    "{1g.10gb: {nominal: 8}, 3g.40gb: {nominal: 4, borrowingLimit: 2}}",
)


def test_mixed_mig_counts_each_slice_type():
    # NVIDIA's all-balanced layout cuts an 80GB H100 into 2 x 1g.10gb, 1 x 2g.20gb, 1 x 3g.40gb
    assert matrix.mig_layout("all-balanced", "NVIDIA-H100-80GB-HBM3") == {"1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1}
    assert matrix.mig_layout("all-balanced", "NVIDIA-A100-SXM4-40GB") == {"1g.5gb": 2, "2g.10gb": 1, "3g.20gb": 1}
    spec = load(BALANCED).spec
    assert capacity.advertised(spec, spec.gpu_node_pools[0]) == [
        ("nvidia.com/mig-1g.10gb", 16),
        ("nvidia.com/mig-2g.20gb", 8),
        ("nvidia.com/mig-3g.40gb", 8),
    ]
    report = capacity.report(spec)
    h100 = [(p.resource, p.max_units, p.nominal, p.headroom) for p in report.pools if p.pool == "h100"]
    assert h100 == [
        ("nvidia.com/mig-1g.10gb", 3 * 16, 28, 20),
        ("nvidia.com/mig-2g.20gb", 3 * 8, 0, 24),
        ("nvidia.com/mig-3g.40gb", 3 * 8, 4, 20),
    ]
    teams = {(t.team, t.resource): (t.nominal, t.can_borrow, t.lends) for t in report.teams if t.pool == "h100"}
    # borrowing and lending are per slice type: beta borrows alpha's lendable 1g.10gb slices,
    # and no 3g.40gb ones, which nobody else holds
    assert teams == {
        ("alpha", "nvidia.com/mig-1g.10gb"): (20, 8, 10),
        ("beta", "nvidia.com/mig-1g.10gb"): (8, 10, 8),
        ("beta", "nvidia.com/mig-3g.40gb"): (4, 0, 4),
    }


def test_mig_quota_must_name_a_slice_the_pool_advertises():
    errs = errors(BALANCED.replace("3g.40gb: {nominal: 4", "4g.40gb: {nominal: 4"))
    assert any(
        "quotas.teams[1].quotas[0].resources.mig.4g.40gb" in e and "1g.10gb, 2g.20gb, 3g.40gb" in e for e in errs
    ), errs
    # the GPU itself is no resource of a mixed pool
    errs = errors(
        mixed("all-3g.40gb", "{3g.40gb: {nominal: 2}}", "{3g.40gb: {nominal: 2}}").replace(
            "mig: {3g.40gb: {nominal: 2}}", "nvidia.com/gpu: {nominal: 2}", 1
        )
    )
    assert any(
        "quotas.teams[0].quotas[0].resources.nvidia.com/gpu: pool 'h100' advertises no nvidia.com/gpu" in e
        for e in errs
    ), errs
    errs = errors(BALANCED.replace("1g.10gb: {nominal: 20,", "1g.10gb: {nominal: 49,"))
    assert any("49 nvidia.com/mig-1g.10gb is more than pool 'h100' can ever provide: 48" in e for e in errs), errs


def test_report_nominal_borrow_lend_headroom():
    report = capacity.report(load(lab()).spec)
    pools = {p.pool: p for p in report.pools}
    assert (pools["h100"].nominal, pools["h100"].headroom) == (30 + 18, 48 - 48)
    assert (pools["l4"].nominal, pools["l4"].headroom) == (50 + 30, 80 - 80)
    assert (pools["t4"].nominal, pools["t4"].headroom) == (0, 2)
    teams = {(t.team, t.pool): t for t in report.teams}
    # alpha on h100: no borrowing limit, beta lends all of its 18.
    assert (teams["alpha", "h100"].can_borrow, teams["alpha", "h100"].lends) == (18, 10)
    # beta on h100: limit 20, but alpha lends only 10.
    assert (teams["beta", "h100"].can_borrow, teams["beta", "h100"].lends) == (10, 18)
    # alpha on l4: limit 6 caps beta's 30.
    assert (teams["alpha", "l4"].can_borrow, teams["alpha", "l4"].lends) == (6, 50)
    assert (teams["beta", "l4"].can_borrow, teams["beta", "l4"].lends) == (50, 30)


def test_team_outside_a_cohort_neither_borrows_nor_lends():
    text = (
        lab()
        .replace("      cohort: research\n", "", 1)
        .replace("nvidia.com/gpu: {nominal: 50, borrowingLimit: 6}", "nvidia.com/gpu: {nominal: 50}")
        .replace(", lendingLimit: 10", "")
    )
    teams = {(t.team, t.pool): t for t in capacity.report(load(text).spec).teams}
    assert (teams["alpha", "l4"].can_borrow, teams["alpha", "l4"].lends) == (0, 0)
    assert teams["beta", "l4"].can_borrow == 0  # alpha is no longer in the cohort


@pytest.mark.parametrize("total,zones", [(5, 3), (1, 3), (0, 2), (7, 7), (2, 1)])
def test_zone_shares_split_the_pool_total(total, zones):
    shares = capacity.zone_shares(total, zones)
    assert len(shares) == zones and sum(shares) == total
    assert max(shares) - min(shares) <= 1 and shares == sorted(shares, reverse=True)


def test_machine_autoscalers_add_up_to_the_pool():
    spec = load(lab()).spec
    objs = gpu_nodes.build(spec)
    for pool in spec.gpu_node_pools:
        names = {gpu_nodes.machine_set_name(spec, pool, z) for z in pool.zones}
        autoscalers = [o for o in objs if o["kind"] == "MachineAutoscaler" and o["metadata"]["name"] in names]
        sets = [o for o in objs if o["kind"] == "MachineSet" and o["metadata"]["name"] in names]
        assert len(autoscalers) == len(sets) == len(pool.zones)
        assert sum(a["spec"]["minReplicas"] for a in autoscalers) == pool.replicas.min
        assert sum(a["spec"]["maxReplicas"] for a in autoscalers) == pool.replicas.max
        assert all(a["spec"]["maxReplicas"] >= 1 for a in autoscalers)
        by_name = {s["metadata"]["name"]: s for s in sets}
        for a in autoscalers:
            assert by_name[a["spec"]["scaleTargetRef"]["name"]]["spec"]["replicas"] == a["spec"]["minReplicas"]
    ca = next(o for o in objs if o["kind"] == "ClusterAutoscaler")
    assert ca["spec"]["resourceLimits"]["maxNodesTotal"] == 7 + 3 + 5 + 2
    gpus = {g["type"]: g for g in ca["spec"]["resourceLimits"]["gpus"]}
    # The larger of physical and advertised GPUs, so the limit never stops a pool short.
    assert gpus["h100"]["max"] == 48 and gpus["l4"]["max"] == 80 and gpus["t4"]["max"] == 2
    assert gpus["l4"]["min"] == 1 * 4


# --------------------------------------------------------------------------- rules


def test_team_nominal_over_pool_names_both_ends():
    text = lab(h100_alpha=49)
    errs = errors(text)
    nominal_line = line_of(text, "nominal: 49")
    max_line = line_of(text, "replicas: {min: 0, max: 3}")
    mine = [e for e in errs if e.startswith(f"clusters/gpu-lab.yaml:{nominal_line}:")]
    assert len(mine) == 1, errs
    assert "quotas.teams[0].quotas[0].resources.nvidia.com/gpu.nominal" in mine[0]
    assert "49 nvidia.com/gpu is more than pool 'h100' can ever provide: 48" in mine[0]
    assert f"gpuNodePools[0].replicas.max (clusters/gpu-lab.yaml:{max_line})" in mine[0]


def test_sum_over_pool_names_pool_and_every_team():
    text = lab(h100_alpha=31)
    errs = errors(text)
    max_line = line_of(text, "replicas: {min: 0, max: 3}")
    assert len(errs) == 1, errs
    assert errs[0].startswith(f"clusters/gpu-lab.yaml:{max_line}:")
    assert "sum to 49, more than its 48" in errs[0]
    assert (
        f"alpha 31 at quotas.teams[0].quotas[0].resources.nvidia.com/gpu.nominal (clusters/gpu-lab.yaml:{line_of(text, 'nominal: 31')})"
        in errs[0]
    )
    assert (
        f"beta 18 at quotas.teams[1].quotas[0].resources.nvidia.com/gpu.nominal (clusters/gpu-lab.yaml:{line_of(text, 'nominal: 18')})"
        in errs[0]
    )


def test_overcommit_allowed_explicitly():
    text = lab(h100_alpha=31).replace("quotas:\n  cohorts:", "quotas:\n  allowOvercommit: true\n  cohorts:")
    report = capacity.report(load(text).spec)
    assert next(p for p in report.pools if p.pool == "h100").headroom == -1
    # Overcommit never lets one team's nominal exceed the pool.
    assert any("can ever provide" in e for e in errors(text.replace("nominal: 31", "nominal: 49")))


def test_time_slicing_counts_toward_capacity():
    # 80 nvidia.com/gpu fit only because each L4 is time-sliced 4 ways (20 physical GPUs).
    assert load(lab()).spec
    errs = errors(lab().replace("timeSlicingReplicas: 4", "timeSlicingReplicas: 3"))
    assert any("sum to 80, more than its 60" in e for e in errs), errs


def test_borrowing_without_cohort_and_fractional_gpus_are_errors():
    text = (
        lab()
        .replace("      cohort: research\n", "", 1)
        .replace("nominal: 50, borrowingLimit: 6", "nominal: 1.5, borrowingLimit: 6")
    )
    errs = errors(text)
    assert any(
        "quotas.teams[0].quotas[1].resources.nvidia.com/gpu.borrowingLimit: team 'alpha' is in no cohort" in e
        for e in errs
    ), errs
    assert any(
        "quotas.teams[0].quotas[1].resources.nvidia.com/gpu.nominal: '1.5' is not a whole number of GPUs" in e
        for e in errs
    ), errs


def test_gpu_quota_needs_cpu_and_memory_on_the_same_flavor():
    text = lab().replace(
        "            cpu: {nominal: 50}\n            memory: {nominal: 200Gi}\n            nvidia.com/gpu: {nominal: 30}",
        "            nvidia.com/gpu: {nominal: 30}",
    )
    errs = errors(text)
    assert any(
        "quotas.teams[1].quotas[1].resources.nvidia.com/gpu: GPU quota without cpu and memory quota" in e for e in errs
    ), errs


def test_max_below_zone_count_is_an_error():
    errs = errors(
        lab().replace(
            "replicas: {min: 0, max: 2}\n    zones: [us-east-1a]",
            "replicas: {min: 0, max: 1}\n    zones: [us-east-1a, us-east-1b]",
        )
    )
    assert any("gpuNodePools[2].replicas.max: 1 is less than the 2 zones" in e for e in errs), errs


# --------------------------------------------------------------------------- command


def test_capacity_command_json_and_text(repo, capsys):
    write_spec(repo, "gpu-lab", lab())
    assert main(["--repo", str(repo), "capacity", "gpu-lab", "--output", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (cluster,) = data["clusters"]
    assert cluster["cluster"] == "gpu-lab"
    assert [(p["pool"], p["max_units"], p["headroom"]) for p in cluster["pools"]] == [
        ("h100", 48, 0),
        ("l4", 80, 0),
        ("t4", 2, 2),
    ]
    assert main(["--repo", str(repo), "capacity", "gpu-lab"]) == 0
    text = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in text.splitlines()[1:] if line.strip()}
    assert rows["l4"][1:4] == ["nvidia.com/gpu", "1-5", "4"] and rows["l4"][-4:] == ["20", "80", "80", "0"]
    assert "MIG all-3g.40gb (single: 2 x 3g.40gb)" in text and "time-sliced x4" in text


def test_capacity_command_bad_spec_exits_2(repo, capsys):
    write_spec(repo, "gpu-lab", lab(h100_alpha=49))
    assert main(["--repo", str(repo), "capacity", "gpu-lab"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "can ever provide" in err and "Traceback" not in err
