"""Install order as a dependency graph over one cluster's rendered objects, and the sync waves
that follow from it.

Edges (a must be applied before b):
- a Namespace before every object in it;
- whatever installs a CR's CRD before the CR: a CustomResourceDefinition in the bundle, else
  the provider named in data/argocd.yaml (an operator's Subscription, or the
  DataScienceCluster that deploys the component);
- the kind-to-kind `order` of data/argocd.yaml;
- softly, everything before the `last` kinds (monitoring rules).

Object waves are the longest-path layers of the graph restricted to one unit (Argo CD orders
waves within one Application). Units are ordered the same way by the edges that cross them;
the root Application syncs child Applications in that order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.argocd import UNIT, facts
from generator.argocd.facts import GroupKind, group_kind, kind_str
from generator.core.resources import Obj, annotate, annotation, ident, ident_str

WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
SKIP_DRY_RUN = "SkipDryRunOnMissingResource=true"
NO_PRUNE = "Prune=false"

Node = tuple[str, tuple]  # (unit, ident)


@dataclass(frozen=True)
class Edge:
    before: Node
    after: Node
    why: str


@dataclass(frozen=True)
class Unprovided:
    node: Node
    message: str


@dataclass
class Graph:
    objects: dict[Node, Obj]  # in unit order, then object order
    hard: list[Edge] = field(default_factory=list)
    soft: list[Edge] = field(default_factory=list)
    unprovided: list[Unprovided] = field(default_factory=list)

    def unit_nodes(self, unit: str) -> list[Node]:
        return [n for n in self.objects if n[0] == unit]


def describe(node: Node, objects: dict[Node, Obj]) -> str:
    return ident_str(objects[node])


def crd_kinds(objs: Iterable[Obj]) -> set[GroupKind]:
    """(group, kind) of every CustomResourceDefinition in the bundle."""
    out = set()
    for o in objs:
        if o.get("kind") == "CustomResourceDefinition":
            spec = o.get("spec") or {}
            out.add((spec.get("group", ""), (spec.get("names") or {}).get("kind", "")))
    return out


def needs_operator(o: Obj, crds: set[GroupKind]) -> bool:
    """True for a CR whose CRD is not in the bundle and not built into OpenShift."""
    group, kind = group_kind(o)
    return not facts.is_builtin(group) and (group, kind) not in crds


def graph(units: dict[str, list[Obj]]) -> Graph:
    g = Graph({(u, ident(o)): o for u, objs in units.items() if u != UNIT for o in objs})
    nodes = list(g.objects)
    by_kind: dict[GroupKind, list[Node]] = defaultdict(list)
    for n in nodes:
        by_kind[group_kind(g.objects[n])].append(n)
    namespaces = {n[1][3]: n for n in by_kind[("", "Namespace")]}
    crd_nodes = {}
    for n in by_kind[("apiextensions.k8s.io", "CustomResourceDefinition")]:
        spec = g.objects[n].get("spec") or {}
        crd_nodes[(spec.get("group", ""), (spec.get("names") or {}).get("kind", ""))] = n
    seen: set[tuple[Node, Node]] = set()
    providing: dict[str, list[Node]] = {}  # API group -> the nodes that install its CRDs

    def add(edges: list[Edge], a: Node, b: Node, why: str) -> None:
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            edges.append(Edge(a, b, why))

    for n in nodes:
        o = g.objects[n]
        ns = n[1][2]
        if ns and ns in namespaces:
            add(g.hard, namespaces[ns], n, f"namespace {ns} must exist first")
        group, kind = group_kind(o)
        if facts.is_builtin(group):
            continue
        if (group, kind) in crd_nodes:
            add(g.hard, crd_nodes[(group, kind)], n, "its CustomResourceDefinition must exist first")
            continue
        if facts.installed_outside(group):
            continue
        alternatives = facts.providers(group)
        if alternatives is None:
            g.unprovided.append(
                Unprovided(
                    n, f"no known provider for API group {group!r}: add it to generator/data/argocd.yaml (providers)"
                )
            )
            continue
        if group not in providing:  # the same for every object of the group: looked up once
            providing[group] = [p for p in nodes if any(alt.matches(g.objects[p]) for alt in alternatives)]
        found = [p for p in providing[group] if p != n]
        if not found:
            g.unprovided.append(
                Unprovided(
                    n,
                    f"its CRD ({kind_str((group, kind))}) comes from an operator this bundle does not install: "
                    f"expected {' or '.join(alt.describe() for alt in alternatives)}",
                )
            )
        for p in found:
            add(g.hard, p, n, f"{describe(p, g.objects)} installs the CRD of {kind_str((group, kind))}")

    for rule in facts.order():
        for a in by_kind[rule.before]:
            if rule.packages is not None and (g.objects[a].get("spec") or {}).get("name") not in rule.packages:
                continue
            for b in by_kind[rule.after]:
                if rule.same_namespace and a[1][2] != b[1][2]:
                    continue
                add(g.hard, a, b, rule.why)

    last = facts.last_kinds()
    finals = [n for n in nodes if group_kind(g.objects[n]) in last]
    for n in nodes:
        if group_kind(g.objects[n]) not in last:
            for f in finals:
                add(g.soft, n, f, "monitoring rules come last")
    return g


def layers(nodes: list, pairs: Iterable[tuple]) -> tuple[dict, list]:
    """Longest-path layer of each node (0 = no predecessor) and the nodes on cycles, which
    get the layer after all others so that the rest still has a usable order."""
    preds: dict = {n: set() for n in nodes}
    succs: dict = {n: [] for n in nodes}
    for a, b in pairs:
        if a in preds and b in preds and a != b and a not in preds[b]:
            preds[b].add(a)
            succs[a].append(b)
    pending = {n: len(preds[n]) for n in nodes}
    queue = [n for n in nodes if pending[n] == 0]
    layer: dict = {}
    while queue:
        n = queue.pop(0)
        layer[n] = max((layer[p] + 1 for p in preds[n]), default=0)
        for s in succs[n]:
            pending[s] -= 1
            if pending[s] == 0:
                queue.append(s)
    cyclic = [n for n in nodes if n not in layer]
    top = max(layer.values(), default=-1) + 1
    for n in cyclic:
        layer[n] = top
    return layer, cyclic


def _reaches(edges: dict, start, goal) -> bool:
    stack, seen = [start], set()
    while stack:
        n = stack.pop()
        if n == goal:
            return True
        if n not in seen:
            seen.add(n)
            stack.extend(edges.get(n, ()))
    return False


@dataclass
class Plan:
    graph: Graph
    object_waves: dict[Node, int]
    unit_waves: dict[str, int]
    cycles: list[str]  # human-readable descriptions of what could not be ordered


def plan(units: dict[str, list[Obj]]) -> Plan:
    g = graph(units)
    names = [u for u, objs in units.items() if u != UNIT and objs]
    object_waves: dict[Node, int] = {}
    cycles: list[str] = []
    for unit in names:
        own = g.unit_nodes(unit)
        inside = [(e.before, e.after) for e in g.hard + g.soft if e.before[0] == unit == e.after[0]]
        waves, cyclic = layers(own, inside)
        object_waves.update(waves)
        if cyclic:
            cycles.append(f"{unit}: no order satisfies {', '.join(describe(n, g.objects) for n in cyclic)}")
    unit_edges: dict[str, set[str]] = defaultdict(set)
    for e in g.hard:
        if e.before[0] != e.after[0]:
            unit_edges[e.before[0]].add(e.after[0])
    for e in g.soft:
        a, b = e.before[0], e.after[0]
        if a != b and b not in unit_edges[a] and not _reaches(unit_edges, b, a):
            unit_edges[a].add(b)
    unit_waves, cyclic_units = layers(names, [(a, b) for a, bs in unit_edges.items() for b in bs])
    if cyclic_units:
        cycles.append(f"Applications {', '.join(cyclic_units)} need each other's objects first")
    return Plan(g, object_waves, unit_waves, cycles)


def add_sync_options(o: Obj, options: list[str]) -> None:
    current = [x for x in (annotation(o, SYNC_OPTIONS) or "").split(",") if x]
    merged = current + [x for x in options if x not in current]
    if merged:
        annotate(o, SYNC_OPTIONS, ",".join(merged))


def assign(spec, units: dict[str, list[Obj]]) -> Plan:
    """The pass: every object gets its sync wave, SkipDryRunOnMissingResource when its CRD
    arrives with an operator during the same sync, and Prune=false when it is a singleton.
    Returns the plan, which annotating does not change (the graph reads no annotation)."""
    p = plan(units)
    crds = crd_kinds(p.graph.objects.values())
    never_prune = facts.never_prune()
    for node, o in p.graph.objects.items():
        annotate(o, WAVE, str(p.object_waves[node]))
        options = []
        if needs_operator(o, crds):
            options.append(SKIP_DRY_RUN)
        if group_kind(o) in never_prune:
            options.append(NO_PRUNE)
        add_sync_options(o, options)
    return p
