"""Kueue quotas (kueue.x-k8s.io/v1beta1, the API RHOAI 2.x ships): a ResourceFlavor per GPU
pool plus the default CPU flavor, a ClusterQueue per team, the team Namespaces with a LocalQueue
each, and the WorkloadPriorityClasses.

Cohorts are not rendered as objects: a ClusterQueue's `cohort` name forms the cohort, and the
Cohort kind is v1alpha1 (or absent) in the Kueue versions RHOAI 2.x ships.
"""

from __future__ import annotations

from generator.capacity import pools as capacity
from generator.capacity.pools import GPU, MIG_PREFIX
from generator.components import gpu_nodes
from generator.components.base import Component
from generator.core.resources import Obj, namespace, obj
from generator.facts import matrix

API = "kueue.x-k8s.io/v1beta1"
# The same LocalQueue name in every team namespace, so that one HardwareProfile of type Queue
# (which names a single localQueueName) admits every team's workloads to that team's queue.
LOCAL_QUEUE = "default"
COVERED = ["cpu", "memory", GPU]
# Lists the namespace as a data science project in the dashboard.
PROJECT_LABELS = {"opendatahub.io/dashboard": "true"}


def namespace_labels(spec, team) -> dict[str, str]:
    """A team namespace's labels: a dashboard project, ours, and the label the release's Kueue
    integration manages namespaces by, where it reads one (matrix kueueNamespaceLabels)."""
    labels = {**PROJECT_LABELS, **matrix.kueue_namespace_labels(spec.distribution.name, spec.version)}
    return {**labels, "rhoai-gitops.io/team": team.name}


def resource_flavor(name: str, pool=None) -> Obj:
    if pool is None:
        return obj(API, "ResourceFlavor", name)
    # Pods admitted to the flavor get its nodeLabels as nodeSelector and its tolerations:
    # exactly the pool's node labels and taints, so they land on (and only on) its nodes.
    return obj(
        API,
        "ResourceFlavor",
        name,
        spec={
            "nodeLabels": gpu_nodes.node_labels(pool),
            "tolerations": gpu_nodes.tolerations(pool),
        },
    )


def _resource(name: str, quota) -> dict:
    out = {"name": name, "nominalQuota": quota.nominal if quota else "0"}
    if quota and quota.borrowing_limit is not None:
        out["borrowingLimit"] = quota.borrowing_limit
    if quota and quota.lending_limit is not None:
        out["lendingLimit"] = quota.lending_limit
    return out


def covered(spec, team) -> list[str]:
    """What the team's ClusterQueue covers: CPU, memory, nvidia.com/gpu, and the MIG slices of
    every mixed pool among its flavors (a resource no queue covers is refused by Kueue: "resource
    unavailable in ClusterQueue")."""
    pools = {p.name: p for p in spec.gpu_node_pools}
    slices = {r for fq in team.quotas if fq.flavor in pools for r, _ in capacity.advertised(spec, pools[fq.flavor])}
    return list(COVERED) + sorted(r for r in slices if r.startswith(MIG_PREFIX))


def _flavor_quotas(spec, team) -> list[dict]:
    """Every flavor lists every covered resource, in the same order (Kueue requires it); an
    unset one is 0. The default CPU flavor goes first: Kueue tries flavors in order, and CPU-only
    pods should not take a GPU node while CPU quota is left."""
    default = spec.quotas.default_flavor
    ordered = sorted(team.quotas, key=lambda fq: fq.flavor != default)
    out = []
    for fq in ordered:
        r = fq.resources
        quotas = {"cpu": r.cpu, "memory": r.memory, GPU: r.gpu, **{MIG_PREFIX + n: q for n, q in r.mig.items()}}
        out.append(
            {"name": fq.flavor, "resources": [_resource(name, quotas.get(name)) for name in covered(spec, team)]}
        )
    return out


def cluster_queue(spec, team) -> Obj:
    body: dict = {
        "namespaceSelector": {
            "matchExpressions": [
                {"key": "kubernetes.io/metadata.name", "operator": "In", "values": list(team.namespaces)}
            ]
        },
    }
    if team.cohort:
        body["cohort"] = team.cohort
    body["queueingStrategy"] = team.queueing_strategy
    body["preemption"] = {
        "reclaimWithinCohort": team.preemption.reclaim_within_cohort,
        "withinClusterQueue": team.preemption.within_cluster_queue,
    }
    body["resourceGroups"] = [{"coveredResources": covered(spec, team), "flavors": _flavor_quotas(spec, team)}]
    return obj(API, "ClusterQueue", team.name, spec=body)


def build(spec) -> list[Obj]:
    q = spec.quotas
    if not q or not q.teams:
        return []
    objs: list[Obj] = [resource_flavor(q.default_flavor)]
    objs += [resource_flavor(pool.name, pool) for pool in spec.gpu_node_pools]
    for pc in q.priority_classes:
        o = obj(API, "WorkloadPriorityClass", pc.name, value=pc.value)
        if pc.description:
            o["description"] = pc.description
        objs.append(o)
    for team in q.teams:
        objs.append(cluster_queue(spec, team))
        for ns in team.namespaces:
            objs.append(namespace(ns, labels=namespace_labels(spec, team)))
            objs.append(obj(API, "LocalQueue", LOCAL_QUEUE, ns, spec={"clusterQueue": team.name}))
    return objs


COMPONENT = Component(
    name="kueue-quotas",
    description="Kueue quotas: flavors per GPU pool, a ClusterQueue per team, LocalQueues, priorities",
    build=build,
    has_base=False,
)
