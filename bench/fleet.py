"""Fleet benchmark: render / check / validate for synthetic fleets of 1, 10, 100, 1,000 clusters.

A script, not a test: `make bench` (or `python bench/fleet.py --sizes 1 10 100 1000`). It builds
each fleet from the production example in a temporary repo (varied names, GPU pools, teams),
runs the real CLI as a user would (one process per measurement, so start-up counts), and
reports the median with min/max of several runs, peak memory (max RSS of the process), and the
render time of one cluster as a ratio to `kustomize build` of the same overlays.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from generator.core import yamlio  # noqa: E402

TEMPLATE = PROJECT / "clusters" / "prod-aws.yaml"
INSTANCE_TYPES = [
    ("p4d.24xlarge", "NVIDIA-A100-SXM4-40GB", 8, 40),
    ("g6.12xlarge", "NVIDIA-L4", 4, 24),
    ("p5.48xlarge", "NVIDIA-H100-80GB-HBM3", 8, 80),
    ("g5.12xlarge", "NVIDIA-A10G", 4, 24),
]


def synthetic_spec(i: int) -> dict:
    """The production example, varied per cluster: name, region, pools (1-3), teams (2-5)."""
    spec = yamlio.loads(TEMPLATE.read_text())
    name = f"fleet-{i:04d}"
    spec["metadata"]["name"] = name
    spec["metadata"]["labels"]["region"] = f"region-{i % 7}"
    spec["cluster"]["apiServer"] = f"https://api.{name}.example.com:6443"
    spec["cluster"]["baseDomain"] = f"{name}.example.com"
    spec["cluster"]["infrastructureId"] = f"{name}-x{i:04d}"
    pools = []
    for p in range(1 + i % 3):
        itype, product, count, mem = INSTANCE_TYPES[(i + p) % len(INSTANCE_TYPES)]
        pools.append(
            {
                "name": f"pool{p}",
                "instanceType": itype,
                "accelerator": {"product": product, "count": count, "memoryGiB": mem},
                "replicas": {"min": 0, "max": 4 + p},
                "zones": ["us-east-1a", "us-east-1b"][: 1 + p % 2],
            }
        )
    spec["gpuNodePools"] = pools
    teams = []
    # The example's own teams come first: its workloads (connections, models, ...) live in them.
    names = [t["name"] for t in spec["quotas"]["teams"]]
    for t in range(2 + i % 4):
        pool = pools[t % len(pools)]
        team = names[t] if t < len(names) else f"team{t}"
        teams.append(
            {
                "name": team,
                "namespaces": [f"team-{team}" if t < len(names) else f"team{t}-{name}"],
                "cohort": "ml-research",
                "quotas": [
                    {"flavor": "default-flavor", "resources": {"cpu": {"nominal": 16}, "memory": {"nominal": "64Gi"}}},
                    {
                        "flavor": pool["name"],
                        "resources": {
                            "cpu": {"nominal": 32},
                            "memory": {"nominal": "256Gi"},
                            "nvidia.com/gpu": {"nominal": 1},
                        },
                    },
                ],
            }
        )
    spec["quotas"]["teams"] = teams
    spec["components"]["feastoperator"]["featureStores"] = []
    return spec


def make_fleet(root: Path, size: int) -> Path:
    repo = root / f"fleet-{size}"
    (repo / "clusters").mkdir(parents=True)
    shutil.copytree(PROJECT / "schemas", repo / "schemas", ignore=shutil.ignore_patterns("crds"))
    shutil.copy(PROJECT / "clusters" / "_defaults.yaml", repo / "clusters")  # argocd.repoURL
    for i in range(size):
        spec = synthetic_spec(i)
        (repo / "clusters" / f"{spec['metadata']['name']}.yaml").write_text(yamlio.dumps(spec))
    return repo


MEMORY_FS = "/dev/shm"
LAST_CPU: dict[str, float] = {}  # user and system CPU seconds of the last run (with its children)


def run(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, int]:
    """(seconds, peak RSS in MiB, exit code) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    LAST_CPU.update(user=usage.ru_utime, system=usage.ru_stime)
    if proc.returncode not in (0, 1):
        err = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return elapsed, usage.ru_maxrss // 1024, proc.returncode


def cli(repo: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "generator", "--repo", str(repo), *args]


def clean(repo: Path) -> None:
    """A cold start: no bundle and no render cache."""
    for d in ("base", "overlays", "fleet"):
        shutil.rmtree(repo / d, ignore_errors=True)
    shutil.rmtree(os.environ["RHOAI_GITOPS_CACHE"], ignore_errors=True)


def measure(runs: int, setup, cmd_fn) -> dict:
    times, rss, user, system = [], [], [], []
    for _ in range(runs):
        setup()
        t, m, _ = run(cmd_fn())
        times.append(t)
        rss.append(m)
        user.append(LAST_CPU["user"])
        system.append(LAST_CPU["system"])
    # CPU seconds show what bounds a run: user is the generator's work, system mostly the
    # file system's (creating ~100 files a cluster).
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "peak_rss_mib": max(rss),
        "runs": runs,
        "cpu_user_s": round(statistics.median(user), 2),
        "cpu_system_s": round(statistics.median(system), 2),
    }


def kustomize_cmd() -> list[str]:
    return ["kustomize", "build"] if shutil.which("kustomize") else ["kubectl", "kustomize"]


def bench_size(root: Path, size: int, runs: int) -> dict:
    repo = make_fleet(root, size)
    result: dict = {"clusters": size}
    result["render_cold"] = measure(runs, lambda: clean(repo), lambda: cli(repo, "render"))
    objects = sum(1 for p in (repo / "overlays").rglob("*.yaml") if p.name != "kustomization.yaml")
    result["files"] = sum(1 for _ in (repo / "overlays").rglob("*.yaml")) + sum(
        1 for _ in (repo / "base").rglob("*.yaml")
    )
    first = repo / "clusters" / "fleet-0000.yaml"
    original = first.read_text()

    def touch_one() -> None:
        first.write_text(original.replace("nominal: 16", f"nominal: {16 + int(time.time() * 1000) % 50 + 1}", 1))

    run(cli(repo, "render"))
    result["render_one_changed"] = measure(runs, touch_one, lambda: cli(repo, "render"))
    run(cli(repo, "render"))
    result["check_unchanged"] = measure(runs, lambda: None, lambda: cli(repo, "check"))
    # Argo CD's own work per sync: kustomize build of every overlay of one cluster.
    overlay = repo / "overlays" / "fleet-0000"
    paths = sorted({p.parent for p in overlay.rglob("kustomization.yaml")} - {overlay / "argocd"})
    kt = []
    for _ in range(runs):
        start = time.perf_counter()
        for p in paths:
            subprocess.run([*kustomize_cmd(), str(p)], check=True, capture_output=True)
        kt.append(time.perf_counter() - start)
    result["kustomize_build_one_cluster_s"] = round(statistics.median(kt), 3)
    result["overlay_objects"] = objects
    return result


def _validate(repo: Path) -> list[str]:
    # The JSON report of the run measured (its stages' seconds) is kept beside the fleet.
    return cli(repo, "validate", "--output", "json", "--json", str(repo.parent / f"{repo.name}-validate.json"))


def _summary(repo: Path) -> dict:
    try:
        return json.loads((repo.parent / f"{repo.name}-validate.json").read_text()).get("summary", {})
    except (OSError, ValueError):
        return {}


def rendered_fleet(root: Path, size: int) -> Path:
    """The fleet of `size` clusters (made if absent), rendered."""
    repo = root / f"fleet-{size}"
    if not repo.exists():
        repo = make_fleet(root, size)
    run(cli(repo, "render"))
    return repo


def no_cache() -> None:
    """A cold validate: no render, verdict or compiled-validator cache."""
    shutil.rmtree(os.environ["RHOAI_GITOPS_CACHE"], ignore_errors=True)


def bench_validate(root: Path, runs: int, warm_runs: int, cold_size: int, warm_size: int) -> dict:
    """validate of `cold_size` clusters from nothing (no render, verdict or validator cache), and
    of a `warm_size` fleet with one changed spec (re-rendered) after a full validate filled the
    caches: the pre-merge gate of a merge request that changes one cluster."""
    out: dict = {}
    repo = rendered_fleet(root, cold_size)
    out["validate_cold"] = {"clusters": cold_size, **measure(runs, no_cache, lambda: _validate(repo))}
    out["validate_cold"]["summary"] = _summary(repo)
    no_cache()
    repo = rendered_fleet(root, warm_size)
    out["validate_fill"] = {"clusters": warm_size, **measure(1, lambda: None, lambda: _validate(repo))}
    out["validate_fill"]["summary"] = _summary(repo)
    first = repo / "clusters" / "fleet-0000.yaml"
    original = first.read_text()

    def change_one() -> None:
        first.write_text(original.replace("nominal: 16", f"nominal: {16 + int(time.time() * 1000) % 50 + 1}", 1))
        run(cli(repo, "render", "fleet-0000"))

    out["validate_one_changed_warm"] = {
        "clusters": warm_size,
        **measure(warm_runs, change_one, lambda: _validate(repo)),
    }
    out["validate_one_changed_warm"]["summary"] = _summary(repo)
    return out


def bench_versus_kustomize(root: Path, size: int) -> dict:
    """Cold `validate` of `size` clusters against what Argo CD does to the same bundle at least:
    `kustomize build` of every cluster's overlay (`overlays/<cluster>`), one after another. Wall
    and CPU (user + system, with children) of both; the CPU ratio is the fair one on a shared
    machine (validate runs on every core, the builds one at a time)."""
    repo = rendered_fleet(root, size)
    validate = measure(1, no_cache, lambda: _validate(repo))
    validate["summary"] = _summary(repo)
    wall = cpu = 0.0
    for overlay in sorted(p for p in (repo / "overlays").iterdir() if p.is_dir()):
        t, _, _ = run([*kustomize_cmd(), str(overlay)])
        wall, cpu = wall + t, cpu + LAST_CPU["user"] + LAST_CPU["system"]
    validate_cpu = validate["cpu_user_s"] + validate["cpu_system_s"]
    return {
        "clusters": size,
        "validate_cold": validate,
        "kustomize_build": {"command": " ".join(kustomize_cmd()), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2)},
        "ratio_wall": round(validate["median_s"] / wall, 2),
        "ratio_cpu": round(validate_cpu / cpu, 2),
    }


def render_one_cluster(root: Path, runs: int) -> dict:
    repo = make_fleet(root, 1)
    return measure(runs, lambda: clean(repo), lambda: cli(repo, "render"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[1, 10, 100, 1000],
        help="fleet sizes; none with --json of an earlier run re-measures only validate",
    )
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (1,000-cluster fleets use 1)")
    ap.add_argument("--json", type=Path, default=PROJECT / "bench" / "results.json")
    ap.add_argument("--no-validate", action="store_true")
    ap.add_argument(
        "--versus-kustomize",
        type=int,
        default=60,
        metavar="N",
        help="cold validate of N clusters against kustomize build of their overlays (default 60; 0: skip)",
    )
    ap.add_argument(
        "--validate-sizes",
        type=int,
        nargs=2,
        default=[100, 1000],
        metavar=("COLD", "WARM"),
        help="validate COLD clusters from nothing, and a WARM fleet with one changed spec (default 100 1000)",
    )
    args = ap.parse_args()

    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }
    results = {"machine": machine, "fleets": []}
    if not args.sizes and args.json.exists():
        results["fleets"] = json.loads(args.json.read_text()).get("fleets", [])
    with tempfile.TemporaryDirectory(prefix="rhoai-bench-") as tmp:
        root = Path(tmp)
        os.environ["RHOAI_GITOPS_CACHE"] = str(root / "cache")  # inherited by every CLI run
        for size in args.sizes:
            runs = 1 if size >= 1000 else args.runs
            print(f"fleet of {size} ...", file=sys.stderr, flush=True)
            results["fleets"].append(bench_size(root, size, runs))
        largest = max(args.sizes, default=0)
        if largest and Path(MEMORY_FS).is_dir() and os.access(MEMORY_FS, os.W_OK):
            # The same cold render with the fleet in memory (tmpfs): the generator's own time,
            # without the disk's cost of creating ~100 files a cluster.
            print(f"fleet of {largest} in {MEMORY_FS} ...", file=sys.stderr, flush=True)
            with tempfile.TemporaryDirectory(prefix="rhoai-bench-", dir=MEMORY_FS) as mem:
                repo = make_fleet(Path(mem), largest)
                os.environ["RHOAI_GITOPS_CACHE"] = str(Path(mem) / "cache")
                results["render_cold_in_memory"] = {
                    "clusters": largest,
                    **measure(1, lambda: clean(repo), lambda: cli(repo, "render")),
                }
                os.environ["RHOAI_GITOPS_CACHE"] = str(root / "cache")
        if args.versus_kustomize:
            print(f"validate vs kustomize build, {args.versus_kustomize} clusters ...", file=sys.stderr, flush=True)
            results["versus_kustomize"] = bench_versus_kustomize(root, args.versus_kustomize)
        if not args.no_validate:
            print("validate ...", file=sys.stderr, flush=True)
            # A cold validate of 100 clusters takes minutes: one run unless the fleet is small.
            cold_runs = 1 if args.validate_sizes[0] >= 100 else args.runs
            results["validate"] = bench_validate(root, cold_runs, args.runs, *args.validate_sizes)
    one = next((f for f in results["fleets"] if f["clusters"] == 1), None)
    if one:
        one["render_to_kustomize_ratio"] = round(
            one["render_cold"]["median_s"] / one["kustomize_build_one_cluster_s"], 2
        )
    args.json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    rows = [("clusters", "render cold", "render 1 changed", "check unchanged", "peak RSS MiB", "files")]
    for f in results["fleets"]:

        def fmt(m: dict) -> str:
            return f"{m['median_s']:.2f}s ({m['min_s']:.2f}-{m['max_s']:.2f})"

        rows.append(
            (
                str(f["clusters"]),
                fmt(f["render_cold"]),
                fmt(f["render_one_changed"]),
                fmt(f["check_unchanged"]),
                str(max(f["render_cold"]["peak_rss_mib"], f["check_unchanged"]["peak_rss_mib"])),
                str(f["files"]),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    for f in results["fleets"]:
        cold = f["render_cold"]
        if "cpu_user_s" in cold:
            print(
                f"{f['clusters']} clusters: cold render CPU user {cold['cpu_user_s']:.1f}s, system {cold['cpu_system_s']:.1f}s"
            )
    for f in results["fleets"]:
        if "render_to_kustomize_ratio" in f:
            print(
                f"1 cluster: render {f['render_cold']['median_s']:.2f}s vs kustomize build of its overlays "
                f"{f['kustomize_build_one_cluster_s']:.2f}s: ratio {f['render_to_kustomize_ratio']}"
            )
    if results.get("validate"):
        v = results["validate"]

        def fmt(m: dict) -> str:
            return f"{m['median_s']:.2f}s ({m['min_s']:.2f}-{m['max_s']:.2f}, {m['runs']} run(s)), peak RSS {m['peak_rss_mib']} MiB"

        c, f, w = v["validate_cold"], v["validate_fill"], v["validate_one_changed_warm"]
        print(f"validate {c['clusters']} clusters cold: {fmt(c)}; stages {c['summary'].get('seconds', {})}")
        print(
            f"validate {f['clusters']} clusters cold (fills the caches): {fmt(f)}; stages {f['summary'].get('seconds', {})}"
        )
        print(
            f"validate {w['clusters']} clusters, one changed spec, warm: {fmt(w)}; "
            f"{w['summary'].get('verdictsCached', '?')} verdicts cached; stages {w['summary'].get('seconds', {})}"
        )
    vk = results.get("versus_kustomize")
    if vk:
        c, k = vk["validate_cold"], vk["kustomize_build"]
        print(
            f"validate {vk['clusters']} clusters cold: {c['median_s']:.1f}s wall, CPU user {c['cpu_user_s']:.1f}s "
            f"system {c['cpu_system_s']:.1f}s; stages {c['summary'].get('seconds', {})}"
        )
        print(
            f"`{k['command']} overlays/<cluster>` x {vk['clusters']}, one after another: {k['wall_s']:.1f}s wall, "
            f"CPU {k['cpu_s']:.1f}s; ratio wall {vk['ratio_wall']}, CPU {vk['ratio_cpu']}"
        )
    print("targets (issue 17 and earlier):")
    for name, goal, measured, ok in targets(results):
        print(f"  {'met   ' if ok else 'MISSED'}  {name}: goal {goal}, measured {measured}")
    print(f"machine: {results['machine']}")


def targets(results: dict) -> list[tuple[str, str, str, bool]]:
    """Each target docs/performance.md states, with what this run measured (the sizes it ran)."""
    out = []
    fleets = {f["clusters"]: f for f in results["fleets"]}
    big = fleets.get(1000)
    if big:
        cold, changed, check = (big[k]["median_s"] for k in ("render_cold", "render_one_changed", "check_unchanged"))
        cpu = (
            f" (CPU user {big['render_cold']['cpu_user_s']:.1f} s, system {big['render_cold']['cpu_system_s']:.1f} s)"
            if "cpu_user_s" in big["render_cold"]
            else ""
        )
        out += [
            ("render 1,000 clusters, cold", "< 20 s", f"{cold:.1f} s{cpu}", cold < 20),
            ("render 1,000 clusters, one spec changed", "< 2 s", f"{changed:.2f} s", changed < 2),
            ("check 1,000 clusters, unchanged", "< 5 s", f"{check:.2f} s", check < 5),
            ("render + check 1,000 clusters, cold", "< 60 s", f"{cold + check:.1f} s", cold + check < 60),
        ]
    mem = results.get("render_cold_in_memory")
    if mem and mem["clusters"] >= 1000:
        m = mem["median_s"]
        out.append(
            (
                f"render {mem['clusters']:,} clusters, cold, fleet in memory (tmpfs)",
                "< 20 s",
                f"{m:.1f} s (CPU user {mem['cpu_user_s']:.1f} s, system {mem['cpu_system_s']:.1f} s)",
                m < 20,
            )
        )
    one = fleets.get(1)
    if one and "render_to_kustomize_ratio" in one:
        ratio = one["render_to_kustomize_ratio"]
        out.append(("render of one cluster vs kustomize build of its overlays", "ratio <= 1", f"{ratio}", ratio <= 1))
    if one and big:
        rss = lambda f: max(f["render_cold"]["peak_rss_mib"], f["check_unchanged"]["peak_rss_mib"])  # noqa: E731
        out.append(
            (
                "render/check memory, 1 vs 1,000 clusters",
                "flat",
                f"{rss(one)} vs {rss(big)} MiB",
                rss(big) < 2 * rss(one),
            )
        )
    vk = results.get("versus_kustomize")
    if vk:
        out.append(
            (
                f"cold validate <= 1.5x kustomize build, {vk['clusters']} clusters (CPU seconds)",
                "ratio <= 1.5",
                f"CPU {vk['ratio_cpu']} (wall {vk['ratio_wall']}: {vk['validate_cold']['median_s']:.1f} s "
                f"vs {vk['kustomize_build']['wall_s']:.1f} s)",
                vk["ratio_cpu"] <= 1.5,
            )
        )
    v = results.get("validate")
    if v:
        c, f, w = v["validate_cold"], v["validate_fill"], v["validate_one_changed_warm"]
        out += [
            (f"validate {c['clusters']} clusters, cold", "< 45 s", f"{c['median_s']:.1f} s", c["median_s"] < 45),
            (
                f"validate {w['clusters']} clusters, one spec changed, warm",
                "< 10 s",
                f"{w['median_s']:.2f} s",
                w["median_s"] < 10,
            ),
            (
                f"validate memory, cold, {c['clusters']} vs {f['clusters']} clusters",
                "flat",
                f"{c['peak_rss_mib']} vs {f['peak_rss_mib']} MiB",
                f["peak_rss_mib"] < 1.25 * c["peak_rss_mib"],
            ),
        ]
    return out


if __name__ == "__main__":
    sys.exit(main())
