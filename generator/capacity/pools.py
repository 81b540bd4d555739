"""GPU capacity of the pools and the teams' share of it: one set of sums for the spec rules,
the MachineSet split and the `capacity` report, so the three can never disagree.

Conventions (also in docs/gpu-pools-and-quotas.md):
- a pool's `replicas.min/max` count nodes of the whole pool, over all its zones; each zone's
  MachineSet gets a share (`zone_shares`), earlier zones first;
- a "unit" is one `nvidia.com/gpu` the device plugin advertises: a time-sliced GPU is
  `timeSlicingReplicas` units, a MIG GPU under the `single` strategy is one unit per MIG
  instance, a MIG GPU under `mixed` is none (it is advertised as `nvidia.com/mig-<profile>`),
  any other GPU is one unit. Kueue quotas on `nvidia.com/gpu` count units.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from generator.facts import matrix
from generator.spec import model_deployments

GPU = "nvidia.com/gpu"
MIG_PREFIX = "nvidia.com/mig-"


def zone_shares(total: int, zones: int) -> list[int]:
    """`total` nodes over `zones` MachineSets: as even as possible, the remainder to the first."""
    if zones <= 0:
        return []
    base, extra = divmod(total, zones)
    return [base + (1 if i < extra else 0) for i in range(zones)]


def mig_slices(pool) -> dict[str, int] | None:
    """The MIG slices one of the pool's GPUs is cut into ({"1g.10gb": 7}), by NVIDIA's layout
    for its product; None without MIG or for a layout NVIDIA's config lacks for that GPU."""
    if not pool.mig_profile:
        return None
    return matrix.mig_layout(pool.mig_profile, pool.accelerator.product)


def per_gpu(spec, pool) -> dict[str, int]:
    """The extended resources one of the pool's GPUs is advertised as, with their counts: one
    nvidia.com/gpu, time-sliced replicas of it, one per MIG instance under the `single`
    strategy, or each slice size as nvidia.com/mig-<slice> under `mixed`."""
    if pool.time_slicing_replicas:
        return {GPU: pool.time_slicing_replicas}
    slices = mig_slices(pool)
    if pool.mig_profile and spec.nvidia.mig_strategy == "mixed":
        return {f"{MIG_PREFIX}{name}": n for name, n in sorted((slices or {}).items())}
    if pool.mig_profile and spec.nvidia.mig_strategy == "single":
        # single exposes a uniform layout as nvidia.com/gpu (rules refuse a mixed one)
        return {GPU: next(iter(slices.values()))} if slices and len(slices) == 1 else {}
    return {GPU: 1}


def units_per_gpu(spec, pool) -> int:
    return per_gpu(spec, pool).get(GPU, 0)


def advertised(spec, pool) -> list[tuple[str, int]]:
    """Each extended resource a pool's GPUs are requested as, and how many one node has."""
    return [(resource, n * pool.accelerator.count) for resource, n in per_gpu(spec, pool).items()]


def sharing(spec, pool) -> str:
    """How one GPU turns into units, for people."""
    if pool.time_slicing_replicas:
        return f"time-sliced x{pool.time_slicing_replicas}"
    if pool.mig_profile:
        slices = ", ".join(f"{n} x {name}" for name, n in (mig_slices(pool) or {}).items())
        return f"MIG {pool.mig_profile} ({spec.nvidia.mig_strategy}: {slices})"
    return "whole GPUs"


def gpu_count(quantity: str | None) -> int | None:
    """A GPU quota as a whole number; None when it is not one (GPUs do not come in fractions)."""
    if quantity is None or not re.fullmatch(r"\+?[0-9]+", quantity):
        return None
    return int(quantity)


@dataclass(frozen=True)
class PoolCapacity:
    name: str
    index: int  # position in spec.gpuNodePools
    gpus_per_node: int
    min_nodes: int
    max_nodes: int
    sharing: str
    per_gpu: dict[str, int]  # extended resource -> count per GPU

    @property
    def resources(self) -> list[str]:
        return list(self.per_gpu)

    def per_node(self, resource: str = GPU) -> int:
        return self.per_gpu.get(resource, 0) * self.gpus_per_node

    def max_of(self, resource: str = GPU) -> int:
        return self.max_nodes * self.per_node(resource)

    @property
    def units_per_gpu(self) -> int:
        return self.per_gpu.get(GPU, 0)

    @property
    def units_per_node(self) -> int:
        return self.per_node(GPU)

    @property
    def max_gpus(self) -> int:
        return self.max_nodes * self.gpus_per_node

    @property
    def max_units(self) -> int:
        return self.max_of(GPU)

    def explain(self) -> str:
        return f"{self.max_nodes} nodes x {self.gpus_per_node} GPUs, {self.sharing}"


def pools(spec) -> list[PoolCapacity]:
    return [
        PoolCapacity(
            name=p.name,
            index=i,
            gpus_per_node=p.accelerator.count,
            min_nodes=p.replicas.min,
            max_nodes=p.replicas.max,
            sharing=sharing(spec, p),
            per_gpu=per_gpu(spec, p),
        )
        for i, p in enumerate(spec.gpu_node_pools)
    ]


@dataclass(frozen=True)
class GpuQuota:
    """One team's quota of a GPU resource (nvidia.com/gpu or a MIG slice) on one pool's flavor
    (whole numbers only)."""

    team: str
    team_index: int
    quota_index: int
    pool: str
    resource: str
    cohort: str | None
    nominal: int
    borrowing_limit: int | None  # None: no limit (only meaningful in a cohort)
    lending_limit: int | None  # None: all of nominal may be lent

    @property
    def path(self) -> tuple:
        where = ("quotas", "teams", self.team_index, "quotas", self.quota_index, "resources")
        return where + ((GPU,) if self.resource == GPU else ("mig", self.resource.removeprefix(MIG_PREFIX)))

    @property
    def lends(self) -> int:
        """What others in the cohort may use of this quota while the team does not."""
        if not self.cohort:
            return 0
        return self.nominal if self.lending_limit is None else min(self.lending_limit, self.nominal)


def flavor_gpu_quotas(fq) -> list[tuple[str, Any]]:
    """A flavor quota's GPU resources: (resource name, its ResourceQuota)."""
    out = [(GPU, fq.resources.gpu)] if fq.resources.gpu is not None else []
    return out + [(f"{MIG_PREFIX}{name}", q) for name, q in sorted(fq.resources.mig.items())]


def gpu_quotas(spec) -> list[GpuQuota]:
    """Teams' GPU quotas on pool flavors whose numbers are whole (rules report the others)."""
    if not spec.quotas:
        return []
    names = {p.name for p in spec.gpu_node_pools}
    out = []
    for t, team in enumerate(spec.quotas.teams):
        for f, fq in enumerate(team.quotas):
            if fq.flavor not in names:
                continue
            for resource, q in flavor_gpu_quotas(fq):
                nominal = gpu_count(q.nominal)
                borrowing = gpu_count(q.borrowing_limit)
                lending = gpu_count(q.lending_limit)
                if (
                    nominal is None
                    or (q.borrowing_limit and borrowing is None)
                    or (q.lending_limit and lending is None)
                ):
                    continue
                out.append(GpuQuota(team.name, t, f, fq.flavor, resource, team.cohort, nominal, borrowing, lending))
    return out


# --------------------------------------------------------------------------- the report


@dataclass
class PoolRow:
    pool: str
    resource: str  # nvidia.com/gpu, or a MIG slice nvidia.com/mig-<slice> of a mixed pool
    nodes: str  # "min-max"
    gpus_per_node: int
    sharing: str
    max_gpus: int
    max_units: int  # of `resource`
    nominal: int  # sum of the teams' nominal quotas of `resource`
    headroom: int  # max_units - nominal; negative when overcommitted


@dataclass
class TeamRow:
    team: str
    pool: str
    resource: str
    cohort: str | None
    nominal: int
    can_borrow: int  # at most, from the cohort's lendable quota, capped by borrowingLimit
    lends: int  # at most, to the cohort
    models: int = 0  # held by the team's model deployments (workloads.models: replicas x GPUs)


@dataclass
class Report:
    cluster: str
    pools: list[PoolRow] = field(default_factory=list)
    teams: list[TeamRow] = field(default_factory=list)
    allow_overcommit: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def report(spec) -> Report:
    quotas = gpu_quotas(spec)
    out = Report(spec.name, allow_overcommit=bool(spec.quotas and spec.quotas.allow_overcommit))
    for p in pools(spec):
        for resource in p.resources or [GPU]:
            nominal = sum(q.nominal for q in quotas if q.pool == p.name and q.resource == resource)
            out.pools.append(
                PoolRow(
                    p.name,
                    resource,
                    f"{p.min_nodes}-{p.max_nodes}",
                    p.gpus_per_node,
                    p.sharing,
                    p.max_gpus,
                    p.max_of(resource),
                    nominal,
                    p.max_of(resource) - nominal,
                )
            )
    for q in quotas:
        lendable = sum(
            o.lends
            for o in quotas
            if (o.pool, o.resource) == (q.pool, q.resource) and o.cohort and o.cohort == q.cohort and o is not q
        )
        can_borrow = lendable if q.borrowing_limit is None else min(q.borrowing_limit, lendable)
        held = model_deployments.gpus_used(spec).get((q.team, q.pool), 0) if q.resource == GPU else 0
        out.teams.append(TeamRow(q.team, q.pool, q.resource, q.cohort, q.nominal, can_borrow, q.lends, held))
    return out


def render_text(reports: list[Report]) -> str:
    blocks = []
    for r in reports:
        lines = [f"cluster {r.cluster}"]
        if not r.pools:
            lines.append("  no GPU pools")
            blocks.append("\n".join(lines))
            continue
        lines += _table(
            ["pool", "resource", "nodes", "GPUs/node", "sharing", "max GPUs", "max units", "nominal", "headroom"],
            [
                [
                    p.pool,
                    p.resource,
                    p.nodes,
                    p.gpus_per_node,
                    p.sharing,
                    p.max_gpus,
                    p.max_units,
                    p.nominal,
                    p.headroom,
                ]
                for p in r.pools
            ],
        )
        if r.teams:
            lines.append("")
            # "models": GPUs the team's model deployments hold, where any does
            held = any(t.models for t in r.teams)
            lines += _table(
                ["team", "pool", "resource", "cohort", "nominal", "can borrow", "lends"] + (["models"] if held else []),
                [
                    [t.team, t.pool, t.resource, t.cohort or "-", t.nominal, t.can_borrow, t.lends]
                    + ([t.models] if held else [])
                    for t in r.teams
                ],
            )
        over = sorted({p.pool for p in r.pools if p.headroom < 0})
        if over:
            lines.append(f"  overcommitted (quotas.allowOvercommit): {', '.join(over)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _table(header: list[str], rows: list[list]) -> list[str]:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [all(isinstance(row[i], int) for row in rows) for i in range(len(header))]
    out = []
    for row in cells:
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)]
        out.append("  " + "  ".join(parts).rstrip())
    return out
