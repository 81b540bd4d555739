"""Would the workloads the bundle invites ever run? A scheduling simulation over a rendered cluster.

Every object can pass its schema and Kueue's webhook while workloads still never run: a flavor
selecting a label GPU feature discovery rewrites, a profile requesting a resource no queue
covers, a quota nobody can reach. This module derives, from the cluster's built objects:

1. the Nodes each GPU pool produces as they look once NFD, the GPU operator and GPU feature
   discovery have labelled them: the MachineSet's labels and taints (the spec's pools on bare
   metal), NFD's PCI label, GFD's `nvidia.com/gpu.*` labels with its rewrites of the product
   label (`<product>-SHARED` under time-slicing, `<product>-MIG-<slice>` under MIG single), and
   the extended resources the device plugin advertises per sharing mode (whole GPUs, time-sliced
   replicas, MIG single as nvidia.com/gpu, MIG mixed as nvidia.com/mig-<slice>); the sharing
   mode is read from the rendered ClusterPolicy, its device-plugin ConfigMap and each node's
   nvidia.com/mig.config and nvidia.com/device-plugin.config labels, the GPUs from the spec's
   pool (hardware the objects do not describe). Plus one plain worker node for CPU work.
2. a workload per HardwareProfile (and AcceleratorProfile) and, for profiles of type Queue, per
   team queue: the resources the dashboard requests for it (each identifier's defaultCount), its
   node selector and tolerations, its queue.
3. Kueue's admission (ClusterQueue namespaceSelector, covered resources, flavors in order,
   nominal quota and what the cohort can lend within borrowing and lending limits, flavor
   nodeLabels against the pod's selector) and the scheduler's placement of the admitted pod
   (node selector, flavor node labels and tolerations added by Kueue, taints, allocatable).

A team that holds quota on a pool must be able to run a workload through every profile of that
pool (reachable once the flavors before it are full: Kueue tries flavors in order); a profile of
type Node or an AcceleratorProfile must place on its pool's nodes. What cannot run is reported
with the reason. Node CPU and memory are not in the spec (instance types are names only), so they
never bound placement here; quotas do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from generator.capacity.pools import GPU, MIG_PREFIX
from generator.components import gpu_nodes, kueue_operator
from generator.core import quantity, yamlio
from generator.core.resources import Obj, at, ident_str
from generator.facts import matrix

KUEUE = "kueue.x-k8s.io"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
NAME_LABEL = "kubernetes.io/metadata.name"
# The only namespace label the Red Hat build of Kueue selects by (openshift/kueue-operator
# pkg/configmap/configmap.go managedJobsNamespaceSelector).
RHBOK_NAMESPACE_LABEL = "kueue.openshift.io/managed"
NFD_NVIDIA_LABEL = "feature.node.kubernetes.io/pci-10de.present"
WORKER = "worker"
SCHEDULED_EFFECTS = ("NoSchedule", "NoExecute")
# A namespace for profiles no queue stands behind: a data science project of nobody's team.
PROJECT = "any-project"


# --------------------------------------------------------------------------- nodes


@dataclass(frozen=True)
class Node:
    name: str
    pool: str | None  # None: a worker outside the GPU pools
    labels: dict[str, str]
    taints: list[dict]
    allocatable: dict[str, int]  # extended resources; cpu and memory are not bounded here
    source: str


def _kind(objs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o.get("kind") == kind]


@dataclass(frozen=True)
class DevicePlugin:
    """What the rendered GPU operator tells the device plugin: the ClusterPolicy's MIG strategy,
    its config entries by name (parsed) and the default entry's name."""

    strategy: str
    entries: dict[str, dict]
    default: str | None


def device_plugin(objs: list[Obj]) -> DevicePlugin:
    policies = _kind(objs, "ClusterPolicy")
    policy = policies[0] if policies else {}
    strategy = at(policy, "spec", "mig", "strategy") or "single"  # the operator's default
    ref = at(policy, "spec", "devicePlugin", "config") or {}
    entries: dict[str, dict] = {}
    for cm in _kind(objs, "ConfigMap"):
        if ref.get("name") and cm["metadata"]["name"] == ref["name"]:
            for key, text in (cm.get("data") or {}).items():
                entries[key] = yamlio.loads(text) or {}
    return DevicePlugin(strategy, entries, ref.get("default"))


def _replicated(entry: dict) -> dict | None:
    """The time-slicing entry for nvidia.com/gpu of a device-plugin config, if any."""
    for r in at(entry, "sharing", "timeSlicing", "resources") or []:
        if r.get("name") == GPU and int(r.get("replicas") or 1) > 1:
            return r
    return None


def gpu_node(name: str, pool, labels: dict[str, str], taints: list[dict], plugin: DevicePlugin, source: str) -> Node:
    """One of the pool's nodes after NFD, the GPU operator and GFD have labelled it and the
    device plugin has advertised its GPUs (k8s-device-plugin internal/lm resource.go,
    mig-strategy.go)."""
    strategy = plugin.strategy
    product, count = pool.accelerator.product, pool.accelerator.count
    out = dict(labels)
    out.update(
        {
            NFD_NVIDIA_LABEL: "true",
            "nvidia.com/gpu.present": "true",
            "nvidia.com/gpu.product": product,
            "nvidia.com/gpu.count": str(count),
            "nvidia.com/gpu.replicas": "1",
            "nvidia.com/gpu.sharing-strategy": "none",
            "nvidia.com/mig.strategy": strategy,
        }
    )
    allocatable: dict[str, int] = {GPU: count}
    layout_name = labels.get(gpu_nodes.MIG_CONFIG_LABEL)
    layout = matrix.mig_layout(layout_name, product) if layout_name and layout_name != "all-disabled" else None
    entry = plugin.entries.get(labels.get(gpu_nodes.DEVICE_PLUGIN_CONFIG_LABEL) or plugin.default or "", {})
    if layout_name and layout_name != "all-disabled":
        if layout is None:
            # mig-manager cannot apply a layout NVIDIA's config lacks for this GPU: no GPUs at all
            allocatable = {}
            out["nvidia.com/mig.config.state"] = "failed"
        elif strategy == "mixed":
            # MIG-enabled GPUs are no longer advertised whole; each slice size is its own resource
            allocatable = {f"{MIG_PREFIX}{s}": n * count for s, n in sorted(layout.items())}
            for s, n in layout.items():
                out[f"{MIG_PREFIX}{s}.product"] = f"{product}-MIG-{s}"
                out[f"{MIG_PREFIX}{s}.count"] = str(n * count)
        elif len(layout) == 1:
            # single: the slices are advertised as nvidia.com/gpu, and the product label says so
            [(s, n)] = layout.items()
            allocatable = {GPU: n * count}
            out["nvidia.com/gpu.product"] = f"{product}-MIG-{s}"
            out["nvidia.com/gpu.count"] = str(n * count)
        else:
            # single with several slice sizes: GFD marks it invalid, the device plugin offers none
            allocatable = {}
            out["nvidia.com/gpu.product"] = f"{product}-MIG-INVALID"
            out["nvidia.com/gpu.count"] = "0"
    else:
        shared = _replicated(entry)
        if shared:
            replicas = int(shared["replicas"])
            resource = shared.get("rename") or GPU
            allocatable = {resource: replicas * count}
            out["nvidia.com/gpu.replicas"] = str(replicas)
            out["nvidia.com/gpu.sharing-strategy"] = "time-slicing"
            if not shared.get("rename") and not at(entry, "sharing", "timeSlicing", "renameByDefault"):
                out["nvidia.com/gpu.product"] = f"{product}-SHARED"
    return Node(name, pool.name, dict(sorted(out.items())), list(taints), allocatable, source)


def worker_node() -> Node:
    return Node(
        WORKER,
        None,
        {"node-role.kubernetes.io/worker": "", "kubernetes.io/os": "linux"},
        [],
        {},
        "the cluster's compute nodes outside the GPU pools",
    )


def nodes(spec, objs: list[Obj]) -> list[Node]:
    """One node per GPU pool MachineSet (per pool on bare metal) and a worker."""
    pools = {p.name: p for p in spec.gpu_node_pools}
    plugin = device_plugin(objs)
    out = []
    for ms in _kind(objs, "MachineSet"):
        tmpl = at(ms, "spec", "template", "spec") or {}
        labels = at(tmpl, "metadata", "labels") or {}
        pool = pools.get(labels.get(gpu_nodes.POOL_LABEL, ""))
        if pool is not None:
            out.append(gpu_node(ms["metadata"]["name"], pool, labels, tmpl.get("taints") or [], plugin, ident_str(ms)))
    if not out:
        for pool in spec.gpu_node_pools:
            labels = {**gpu_nodes.node_labels(pool), **gpu_nodes.operator_labels(pool)}
            out.append(
                gpu_node(pool.name, pool, labels, gpu_nodes.taints(pool), plugin, f"spec gpuNodePools {pool.name}")
            )
    return out + [worker_node()]


# --------------------------------------------------------------------------- workloads


@dataclass(frozen=True)
class Workload:
    profile: str  # "HardwareProfile a100"
    profile_obj: str  # ident_str of the profile
    pool: str | None  # the pool the profile is for (its rhoai-gitops.io/gpu-pool label)
    namespace: str
    queue: str | None  # the kueue.x-k8s.io/queue-name label
    requests: dict[str, Fraction]
    node_selector: dict[str, str] = field(default_factory=dict)
    tolerations: list[dict] = field(default_factory=list)
    team: str | None = None  # the ClusterQueue behind the queue


def _requests(identifiers: list[dict]) -> dict[str, Fraction]:
    out = {}
    for i in identifiers:
        amount = quantity.parse(i.get("defaultCount"))
        if amount:
            out[i["identifier"]] = amount
    return out


def _hardware_profile(o: Obj) -> tuple[dict, dict[str, Fraction]]:
    return at(o, "spec", "scheduling") or {}, _requests(at(o, "spec", "identifiers") or [])


def workloads(objs: list[Obj]) -> list[Workload]:
    """Per HardwareProfile of type Queue, one workload per LocalQueue it names (every team
    namespace has one); per AcceleratorProfile (which cannot name a queue: users add the queue
    label themselves) one per LocalQueue and one outside any queue; per HardwareProfile of type
    Node, one in a project no queue stands behind."""
    local_queues = [q for q in _kind(objs, "LocalQueue") if q.get("apiVersion", "").startswith(KUEUE + "/")]
    out = []

    def queued(name: str, o: Obj, pool, queue, requests, tolerations=()) -> list[Workload]:
        """Through the LocalQueues named `queue` (every one when None)."""
        return [
            Workload(
                name,
                ident_str(o),
                pool,
                lq["metadata"]["namespace"],
                lq["metadata"]["name"],
                requests,
                tolerations=list(tolerations),
                team=at(lq, "spec", "clusterQueue"),
            )
            for lq in local_queues
            if queue is None or lq["metadata"]["name"] == queue
        ]

    for o in objs:
        kind = o.get("kind")
        if kind not in ("HardwareProfile", "AcceleratorProfile"):
            continue
        pool = (at(o, "metadata", "labels") or {}).get(gpu_nodes.POOL_LABEL)
        name = f"{kind} {o['metadata']['name']}"
        if kind == "AcceleratorProfile":
            requests = {o["spec"]["identifier"]: Fraction(1)}
            tolerations = list(at(o, "spec", "tolerations") or [])
            out.append(Workload(name, ident_str(o), pool, PROJECT, None, requests, tolerations=tolerations))
            out += queued(name, o, pool, None, requests, tolerations)
            continue
        scheduling, requests = _hardware_profile(o)
        if scheduling.get("type") == "Queue":
            queue = at(scheduling, "kueue", "localQueueName")
            found = queued(name, o, pool, queue, requests)
            out += found or [Workload(name, ident_str(o), pool, PROJECT, queue, requests)]
        else:
            node = scheduling.get("node") or {}
            out.append(
                Workload(
                    name,
                    ident_str(o),
                    pool,
                    PROJECT,
                    None,
                    requests,
                    dict(node.get("nodeSelector") or {}),
                    list(node.get("tolerations") or []),
                )
            )
    return out


# --------------------------------------------------------------------------- Kueue admission


@dataclass(frozen=True)
class Admission:
    flavor: str | None  # the flavor Kueue assigns first, on an empty cluster
    reason: str = ""  # why it is not admitted (flavor None)
    borrows: bool = False
    # every flavor that can take it once the ones before it are full, in order
    reachable: tuple[str, ...] = ()


def _cohort(cq: Obj) -> str | None:
    """A ClusterQueue's cohort: v1beta1 `cohort`, v1beta2 `cohortName`."""
    return at(cq, "spec", "cohort") or at(cq, "spec", "cohortName")


def _selects(selector: dict, labels: dict) -> bool:
    """A LabelSelector (matchLabels, matchExpressions) against labels."""
    if not selector:
        return True
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


class Cluster:
    """The Kueue and scheduling view of one cluster's objects."""

    def __init__(self, spec, objs: list[Obj]):
        self.spec = spec
        self.objs = objs
        kueue = [o for o in objs if o.get("apiVersion", "").startswith(KUEUE + "/")]
        self.flavors = {o["metadata"]["name"]: o for o in kueue if o["kind"] == "ResourceFlavor"}
        self.queues = {o["metadata"]["name"]: o for o in kueue if o["kind"] == "ClusterQueue"}
        self.local_queues = {
            (o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in kueue if o["kind"] == "LocalQueue"
        }
        self.namespaces = {o["metadata"]["name"]: o for o in _kind(objs, "Namespace") if o.get("apiVersion") == "v1"}
        self.nodes = nodes(spec, objs)

    # ------------------------------------------------------------------ quotas

    def _quota(self, cq: Obj, flavor: str, resource: str) -> dict | None:
        for group in at(cq, "spec", "resourceGroups") or []:
            for f in group.get("flavors") or []:
                if f.get("name") == flavor:
                    for r in f.get("resources") or []:
                        if r.get("name") == resource:
                            return r
        return None

    def _lendable(self, cq: Obj, flavor: str, resource: str) -> Fraction:
        """What the other ClusterQueues of cq's cohort can lend of (flavor, resource), unused."""
        cohort = _cohort(cq)
        if not cohort:
            return Fraction(0)
        total = Fraction(0)
        for other in self.queues.values():
            if other is cq or _cohort(other) != cohort:
                continue
            q = self._quota(other, flavor, resource)
            if q is None:
                continue
            nominal = quantity.parse(q.get("nominalQuota")) or Fraction(0)
            lending = quantity.parse(q.get("lendingLimit"))
            total += nominal if lending is None else min(lending, nominal)
        return total

    def _fit(self, cq: Obj, flavor: str, requests: dict[str, Fraction]) -> tuple[bool, bool, str]:
        """(fits, borrows, why not) for the requests in one flavor of cq, on an empty cluster."""
        borrows = False
        for resource, amount in requests.items():
            q = self._quota(cq, flavor, resource)
            nominal = quantity.parse((q or {}).get("nominalQuota")) or Fraction(0)
            if amount <= nominal:
                continue
            limit = quantity.parse((q or {}).get("borrowingLimit"))
            lendable = self._lendable(cq, flavor, resource)
            can_borrow = lendable if limit is None else min(limit, lendable)
            if amount <= nominal + can_borrow:
                borrows = True
                continue
            return (
                False,
                False,
                (
                    f"{resource} {_show(amount)} is more than flavor {flavor} gives: nominal {_show(nominal)}"
                    + (
                        f" + {_show(can_borrow)} borrowable in the cohort"
                        if can_borrow
                        else ", nothing to borrow" + ("" if _cohort(cq) else " (no cohort)")
                    )
                ),
            )
        return True, borrows, ""

    def _flavor_takes_selector(self, flavor: str, selector: dict[str, str]) -> bool:
        """Kueue skips a flavor whose nodeLabels contradict the pod's node selector."""
        labels = at(self.flavors.get(flavor) or {}, "spec", "nodeLabels") or {}
        return all(selector.get(k, v) == v for k, v in labels.items())

    def admit(self, w: Workload) -> Admission:
        lq = self.local_queues.get((w.namespace, w.queue))
        if lq is None:
            return Admission(None, f"LocalQueue {w.queue} does not exist in namespace {w.namespace}")
        cq_name = at(lq, "spec", "clusterQueue")
        cq = self.queues.get(cq_name)
        if cq is None:
            return Admission(None, f"ClusterQueue {cq_name} (of LocalQueue {w.namespace}/{w.queue}) does not exist")
        ns = self.namespaces.get(w.namespace)
        labels = {**((at(ns, "metadata", "labels") or {}) if ns else {}), NAME_LABEL: w.namespace}
        if not _selects(at(cq, "spec", "namespaceSelector") or {}, labels):
            return Admission(
                None, f"ClusterQueue {cq_name}'s namespaceSelector does not select namespace {w.namespace}"
            )
        # The Red Hat build of Kueue (kueue_operator.needed: Unmanaged, all of 3.x) sees only
        # namespaces with the label; the platform's own Kueue goes by the queue-name label alone.
        if kueue_operator.needed(self.spec):
            required = {
                k: v
                for k, v in matrix.kueue_namespace_labels(self.spec.distribution.name, self.spec.version).items()
                if k == RHBOK_NAMESPACE_LABEL
            }
            missing = {k: v for k, v in required.items() if labels.get(k) != v}
            if missing:
                return Admission(
                    None,
                    f"namespace {w.namespace} lacks {missing}: the Red Hat build of Kueue "
                    "leaves workloads outside such namespaces alone",
                )
        groups = at(cq, "spec", "resourceGroups") or []
        covered = [r for g in groups for r in g.get("coveredResources") or []]
        uncovered = [r for r in w.requests if r not in covered]
        if uncovered:
            return Admission(
                None,
                f"resource {', '.join(uncovered)} unavailable in ClusterQueue {cq_name} "
                f"(it covers {', '.join(covered)})",
            )
        first: tuple[str, bool] | None = None
        reachable: list[str] = []
        why: list[str] = []
        for g in groups:
            wanted = {r: a for r, a in w.requests.items() if r in (g.get("coveredResources") or [])}
            if not wanted:
                continue
            for f in g.get("flavors") or []:
                name = f.get("name")
                if name not in self.flavors:
                    why.append(f"flavor {name}: no such ResourceFlavor")
                    continue
                if not self._flavor_takes_selector(name, w.node_selector):
                    why.append(f"flavor {name}: its nodeLabels contradict the pod's node selector")
                    continue
                fits, borrows, reason = self._fit(cq, name, wanted)
                if fits:
                    first = first or (name, borrows)
                    reachable.append(name)
                else:
                    why.append(f"flavor {name}: {reason}")
        if first is None:
            return Admission(None, f"no flavor of ClusterQueue {cq_name} fits: " + "; ".join(why))
        return Admission(first[0], "", first[1], tuple(reachable))

    # ------------------------------------------------------------------ placement

    def place(self, w: Workload, flavor: str | None) -> tuple[list[Node], str]:
        """The nodes the pod (with the admitting flavor's node labels and tolerations, as Kueue
        adds them) can be scheduled on, or the reason none can."""
        selector = dict(w.node_selector)
        tolerations = list(w.tolerations)
        if flavor:
            spec = at(self.flavors[flavor], "spec") or {}
            selector.update(spec.get("nodeLabels") or {})
            tolerations += spec.get("tolerations") or []
        fits, why = [], []
        for n in self.nodes:
            wrong = {k: v for k, v in selector.items() if n.labels.get(k) != v}
            if wrong:
                shown = ", ".join(f"{k}={v} (node: {n.labels.get(k, 'unset')})" for k, v in wrong.items())
                why.append(f"{n.name}: node selector {shown}")
                continue
            untolerated = [
                t
                for t in n.taints
                if t.get("effect") in SCHEDULED_EFFECTS and not any(tolerates(x, t) for x in tolerations)
            ]
            if untolerated:
                why.append(f"{n.name}: untolerated taint {', '.join(taint_str(t) for t in untolerated)}")
                continue
            short = [
                f"{r} {_show(a)} (node has {n.allocatable.get(r, 0)})"
                for r, a in w.requests.items()
                if r not in ("cpu", "memory") and a > n.allocatable.get(r, 0)
            ]
            if short:
                why.append(f"{n.name}: insufficient {', '.join(short)}")
                continue
            fits.append(n)
        return fits, "; ".join(why)


def tolerates(toleration: dict, taint: dict) -> bool:
    """Kubernetes' rule: an empty key with Exists matches every taint; an empty effect every effect."""
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if toleration.get("operator", "Equal") == "Exists":
        return not toleration.get("key") or toleration["key"] == taint.get("key")
    return toleration.get("key") == taint.get("key") and (toleration.get("value") or "") == (taint.get("value") or "")


def taint_str(t: dict) -> str:
    return f"{t.get('key')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect')}"


def _show(amount: Fraction) -> str:
    return str(amount.numerator) if amount.denominator == 1 else str(float(amount))


# --------------------------------------------------------------------------- the simulation


@dataclass(frozen=True)
class Outcome:
    workload: Workload
    expected: bool  # this workload must run (a team with quota on the profile's pool, or no queue)
    flavor: str | None  # the flavor it is admitted to on the pool's side (None: not queued or not admitted)
    nodes: tuple[str, ...]  # where it can be placed
    reason: str  # why it cannot run ("" when it can)

    @property
    def runs(self) -> bool:
        return not self.reason

    def describe(self) -> str:
        w = self.workload
        who = f"team {w.team} ({w.namespace}/{w.queue})" if w.team else f"a workload in {w.namespace}"
        return f"{who} through {w.profile}"


def _pool_flavors(cluster: Cluster, pool: str | None) -> set[str]:
    """The flavors whose pods land on the pool's nodes (nodeLabels all carried by them)."""
    if pool is None:
        return set()
    pool_nodes = [n for n in cluster.nodes if n.pool == pool]
    return {
        name
        for name, f in cluster.flavors.items()
        if (labels := at(f, "spec", "nodeLabels") or {})
        and pool_nodes
        and all(all(n.labels.get(k) == v for k, v in labels.items()) for n in pool_nodes)
    }


def _holds_quota(cluster: Cluster, team: str | None, flavors: set[str]) -> bool:
    cq = cluster.queues.get(team or "")
    if cq is None:
        return False
    for group in at(cq, "spec", "resourceGroups") or []:
        for f in group.get("flavors") or []:
            if f.get("name") in flavors and any(
                (quantity.parse(r.get("nominalQuota")) or 0) > 0 for r in f.get("resources") or []
            ):
                return True
    return False


def _flavor_of_pool(cluster: Cluster, pool: str) -> set[str]:
    """The flavors a team's quota on `pool` is written under: those selecting exactly its nodes,
    or (when a flavor's labels are broken) the flavor named like the pool."""
    return _pool_flavors(cluster, pool) | ({pool} if pool in cluster.flavors else set())


def simulate(spec, objs: list[Obj]) -> list[Outcome]:
    cluster = Cluster(spec, objs)
    out = []
    for w in workloads(objs):
        if w.queue is None:
            nodes_, why = cluster.place(w, None)
            on_pool = [n for n in nodes_ if w.pool is None or n.pool == w.pool]
            reason = (
                ""
                if on_pool
                else (f"no node of pool {w.pool} takes it: {why}" if w.pool else f"no node takes it: {why}")
            )
            out.append(Outcome(w, True, None, tuple(n.name for n in on_pool), reason))
            continue
        # a queued profile: must run for every team with quota on its pool (any team, for CPU)
        pool_flavors = _flavor_of_pool(cluster, w.pool) if w.pool else set()
        expected = w.pool is None or _holds_quota(cluster, w.team, pool_flavors)
        admission = cluster.admit(w)
        if admission.flavor is None:
            out.append(Outcome(w, expected, None, (), f"Kueue does not admit it: {admission.reason}"))
            continue
        targets = [f for f in admission.reachable if not w.pool or f in pool_flavors]
        if not targets:
            landed = ", ".join(admission.reachable)
            out.append(
                Outcome(
                    w,
                    expected,
                    None,
                    (),
                    f"Kueue admits it only to flavor {landed}, none of whose nodes "
                    f"are pool {w.pool}'s" + _flavor_hint(cluster, w.pool),
                )
            )
            continue
        reasons = []
        for flavor in targets:
            nodes_, why = cluster.place(w, flavor)
            nodes_ = [n for n in nodes_ if not w.pool or n.pool == w.pool]
            if nodes_:
                out.append(Outcome(w, expected, flavor, tuple(n.name for n in nodes_), ""))
                break
            reasons.append(f"admitted to flavor {flavor}, but no node takes the pod: {why}")
        else:
            out.append(Outcome(w, expected, targets[0], (), "; ".join(reasons)))
    return out


def _flavor_hint(cluster: Cluster, pool: str | None) -> str:
    if pool in cluster.flavors and pool not in _pool_flavors(cluster, pool):
        labels = at(cluster.flavors[pool], "spec", "nodeLabels") or {}
        return f" (flavor {pool}'s nodeLabels {labels} match none of the pool's nodes)"
    return ""


def failures(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.expected and not o.runs]
