"""What the dashboard offers users to request hardware: per GPU resource a pool advertises, an
AcceleratorProfile (2.x) and, where the release serves them (its operator bundle has the CRD), a
HardwareProfile; plus a CPU-only HardwareProfile `cpu` next to them.

A pool advertises one resource (nvidia.com/gpu: whole, time-sliced or MIG `single`) and gets one
profile named after it, or, under MIG `mixed`, one resource per slice size
(nvidia.com/mig-1g.10gb, ...) and one profile per slice, `<pool>-<slice>` (1g-10gb).

A HardwareProfile schedules through Kueue (type Queue, the LocalQueue every team namespace has,
kueue.LOCAL_QUEUE) when some team has quota of its resource on the pool; otherwise straight onto
the pool's nodes (type Node: its labels as nodeSelector, its taints tolerated). A Queue profile
cannot pin a pool: Kueue picks among the team's flavors in order, which is why the flavors of
a resource are the pools advertising it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.capacity import pools as capacity
from generator.capacity.pools import GPU, MIG_PREFIX
from generator.components import gpu_nodes, kueue
from generator.components.base import Component
from generator.core.resources import Obj, obj
from generator.facts import matrix

CPU_PROFILE = "cpu"
ANNOTATION_PREFIX = "opendatahub.io/"


@dataclass(frozen=True)
class GpuProfile:
    """One profile the dashboard offers for a resource one pool advertises."""

    name: str
    pool: Any  # the spec's GpuNodePool
    resource: str
    per_node: int  # how many of `resource` one of the pool's nodes advertises
    queued: bool  # some team has quota of `resource` on the pool

    @property
    def slice(self) -> str | None:
        return self.resource.removeprefix(MIG_PREFIX) if self.resource.startswith(MIG_PREFIX) else None


def gpu_profiles(spec) -> list[GpuProfile]:
    quotas = {(q.pool, q.resource) for q in capacity.gpu_quotas(spec)}
    out = []
    for pool in spec.gpu_node_pools:
        advertised = capacity.advertised(spec, pool)
        for resource, per_node in advertised:
            name = pool.name
            if len(advertised) > 1 or resource != GPU:
                name = f"{pool.name}-{resource.removeprefix(MIG_PREFIX).replace('.', '-')}"
            out.append(GpuProfile(name, pool, resource, per_node, (pool.name, resource) in quotas))
    return out


def _display_name(p: GpuProfile) -> str:
    what = p.pool.accelerator.product + (f" MIG {p.slice}" if p.slice else "")
    return f"{what} ({p.pool.name})"


def _description(spec, p: GpuProfile) -> str:
    cap = next(c for c in capacity.pools(spec) if c.name == p.pool.name)
    return (
        f"GPU pool {p.pool.name}: {p.pool.accelerator.count} x {p.pool.accelerator.product} per node, "
        f"{cap.sharing}; {p.per_node} x {p.resource} per node"
    )


def _for_pool(o: Obj, p: GpuProfile) -> Obj:
    # which pool a profile offers, for people and for the scheduling simulation (a Queue profile
    # cannot say it in its scheduling)
    o["metadata"].setdefault("labels", {})[gpu_nodes.POOL_LABEL] = p.pool.name
    return o


def accelerator_profile(spec, p: GpuProfile, ns: str) -> Obj:
    return _for_pool(
        obj(
            "dashboard.opendatahub.io/v1",
            "AcceleratorProfile",
            p.name,
            ns,
            spec={
                "displayName": _display_name(p),
                "enabled": True,
                "identifier": p.resource,
                "description": _description(spec, p),
                "tolerations": gpu_nodes.tolerations(p.pool),
            },
        ),
        p,
    )


# CPU and memory are left unbounded above: instance sizes are not in the spec, and quotas (or
# the node) bound them anyway.
CPU_IDENTIFIERS: list[dict[str, Any]] = [
    {"displayName": "CPU", "identifier": "cpu", "minCount": 1, "defaultCount": 2, "resourceType": "CPU"},
    {
        "displayName": "Memory",
        "identifier": "memory",
        "minCount": "2Gi",
        "defaultCount": "16Gi",
        "resourceType": "Memory",
    },
]


def _hardware_profile(
    spec, name: str, ns: str, identifiers: list[dict], scheduling: dict, display: str, description: str
) -> Obj:
    o = obj(
        spec.release.api_version("HardwareProfile"),
        "HardwareProfile",
        name,
        ns,
        spec={"identifiers": identifiers, "scheduling": scheduling},
    )
    # v1alpha1 has no display fields: the dashboard reads these annotations.
    o["metadata"]["annotations"] = {
        f"{ANNOTATION_PREFIX}description": description,
        f"{ANNOTATION_PREFIX}disabled": "false",
        f"{ANNOTATION_PREFIX}display-name": display,
    }
    return o


QUEUE_SCHEDULING = {"type": "Queue", "kueue": {"localQueueName": kueue.LOCAL_QUEUE}}


def _gpu_profile_spec(p: GpuProfile) -> tuple[list[dict], dict]:
    """(identifiers, scheduling) of a pool resource's HardwareProfile."""
    gpu: dict[str, Any] = {
        "displayName": "MIG " + p.slice if p.slice else "GPU",
        "identifier": p.resource,
        "minCount": 1,
        "maxCount": p.per_node,
        "defaultCount": 1,
        "resourceType": "Accelerator",
    }
    if p.queued:
        scheduling = QUEUE_SCHEDULING
    else:
        scheduling = {
            "type": "Node",
            "node": {"nodeSelector": gpu_nodes.node_labels(p.pool), "tolerations": gpu_nodes.tolerations(p.pool)},
        }
    return CPU_IDENTIFIERS + [gpu], scheduling


def hardware_profile(spec, p: GpuProfile, ns: str) -> Obj:
    identifiers, scheduling = _gpu_profile_spec(p)
    return _for_pool(
        _hardware_profile(spec, p.name, ns, identifiers, scheduling, _display_name(p), _description(spec, p)),
        p,
    )


def _cpu_scheduling(spec) -> dict:
    return QUEUE_SCHEDULING if spec.quotas and spec.quotas.teams else {"type": "Node", "node": {}}


def cpu_profile(spec, ns: str) -> Obj:
    """CPU only, for notebooks and servers without accelerators: through the team's queue where
    there are quotas (its default flavor), else onto any schedulable node (the GPU pools' taints
    keep it off them)."""
    return _hardware_profile(
        spec, CPU_PROFILE, ns, CPU_IDENTIFIERS, _cpu_scheduling(spec), "CPU only", "CPU and memory only, no accelerator"
    )


def _renders_cpu_profile(spec, profiles: list[GpuProfile]) -> bool:
    return bool(profiles or (spec.quotas and spec.quotas.teams))


def profile_spec(spec, name: str) -> tuple[list[dict], dict] | None:
    """(identifiers, scheduling) of the HardwareProfile `name` the bundle renders for this
    cluster (None: it renders no such profile), for what the hardware-profile webhook applies."""
    if not spec.release.serves("HardwareProfile"):
        return None
    profiles = gpu_profiles(spec)
    if name == CPU_PROFILE:
        return (CPU_IDENTIFIERS, _cpu_scheduling(spec)) if _renders_cpu_profile(spec, profiles) else None
    return next((_gpu_profile_spec(p) for p in profiles if p.name == name), None)


def build(spec) -> list[Obj]:
    ns = spec.namespaces["applications"]
    objs: list[Obj] = []
    profiles = gpu_profiles(spec)
    hardware = spec.release.serves("HardwareProfile")
    if hardware and _renders_cpu_profile(spec, profiles):
        objs.append(cpu_profile(spec, ns))
    for p in profiles:
        if spec.version.split(".")[0] in matrix.matrix().accelerator_profiles.lines:
            objs.append(accelerator_profile(spec, p, ns))
        if hardware:
            objs.append(hardware_profile(spec, p, ns))
    return objs


COMPONENT = Component(
    name="hardware-profiles",
    description="HardwareProfiles (and AcceleratorProfiles on 2.x): one per GPU resource a pool advertises, and a CPU-only one",
    build=build,
    has_base=False,
)
