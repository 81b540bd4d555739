"""Per GPU pool, what the dashboard offers users to request it: an AcceleratorProfile, and
where the release serves them (its operator bundle has the CRD) a HardwareProfile.

A HardwareProfile schedules through Kueue (type Queue, the LocalQueue every team namespace has,
kueue.LOCAL_QUEUE) when some team has quota on the pool; otherwise straight onto the pool's
nodes (type Node: its labels as nodeSelector, its taints tolerated). A Queue profile cannot
pin a pool: Kueue picks among the team's flavors in order.
"""

from __future__ import annotations

from generator import capacity, matrix
from generator.components import gpu_nodes, kueue
from generator.components.base import Component
from generator.resources import Obj, obj


def _display_name(pool) -> str:
    return f"{pool.accelerator.product} ({pool.name})"


def _description(spec, pool) -> str:
    p = next(c for c in capacity.pools(spec) if c.name == pool.name)
    return f"GPU pool {pool.name}: {pool.accelerator.count} x {pool.accelerator.product} per node, {p.sharing}"


def accelerator_profile(spec, pool, ns: str, resource: str) -> Obj:
    return obj(
        "dashboard.opendatahub.io/v1",
        "AcceleratorProfile",
        pool.name,
        ns,
        spec={
            "displayName": _display_name(pool),
            "enabled": True,
            "identifier": resource,
            "description": _description(spec, pool),
            "tolerations": gpu_nodes.tolerations(pool),
        },
    )


def queued_pools(spec) -> set[str]:
    return {q.pool for q in capacity.gpu_quotas(spec)}


def hardware_profile(spec, pool, ns: str, resource: str, per_node: int) -> Obj:
    # CPU and memory are left unbounded above: the pool's instance size is not in the spec,
    # and quotas (or the node) bound them anyway. GPUs are bounded by what one node advertises.
    identifiers = [
        {"displayName": "CPU", "identifier": "cpu", "minCount": 1, "defaultCount": 2, "resourceType": "CPU"},
        {"displayName": "Memory", "identifier": "memory", "minCount": "2Gi", "defaultCount": "16Gi", "resourceType": "Memory"},
        {"displayName": "GPU", "identifier": resource, "minCount": 1, "maxCount": per_node, "defaultCount": 1, "resourceType": "Accelerator"},
    ]
    if pool.name in queued_pools(spec):
        scheduling = {"type": "Queue", "kueue": {"localQueueName": kueue.LOCAL_QUEUE}}
    else:
        scheduling = {
            "type": "Node",
            "node": {"nodeSelector": gpu_nodes.node_labels(pool), "tolerations": gpu_nodes.tolerations(pool)},
        }
    o = obj(
        spec.release.api_version("HardwareProfile"),
        "HardwareProfile",
        pool.name,
        ns,
        spec={"identifiers": identifiers, "scheduling": scheduling},
    )
    # v1alpha1 has no display fields: the dashboard reads these annotations.
    o["metadata"]["annotations"] = {
        "opendatahub.io/description": _description(spec, pool),
        "opendatahub.io/disabled": "false",
        "opendatahub.io/display-name": _display_name(pool),
    }
    return o


def build(spec) -> list[Obj]:
    ns = spec.namespaces["applications"]
    objs: list[Obj] = []
    for pool in spec.gpu_node_pools:
        advertised = capacity.advertised(spec, pool)
        if advertised is None:
            continue  # a mixed MIG layout of several slice sizes: README, "GPU pools and quotas"
        resource, per_node = advertised
        if spec.version.split(".")[0] in matrix.matrix()["acceleratorProfiles"]["lines"]:
            objs.append(accelerator_profile(spec, pool, ns, resource))
        if spec.release.serves("HardwareProfile"):
            objs.append(hardware_profile(spec, pool, ns, resource, per_node))
    return objs


COMPONENT = Component(
    name="hardware-profiles",
    description="AcceleratorProfiles and HardwareProfiles: one per GPU pool for the dashboard",
    build=build,
    has_base=False,
)
