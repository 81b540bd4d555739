"""Checks no schema can make: they need several objects of a cluster (or its spec) at once.

The Argo CD checks (Application paths build, one owner per object, sync order and the dry-run
skip for CRs whose CRD an operator installs) live in generator/argocd/verify.py; the pipeline
runs them in this stage too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.capacity import scheduling
from generator.capacity.scheduling import taint_str, tolerates
from generator.components import gpu_nodes
from generator.core import secrets
from generator.core.errors import format_path
from generator.core.resources import Obj, at, ident_str, is_namespaced
from generator.facts import matrix
from generator.validate import egress_rules, kueue_rules
from generator.validate.report import Finding
from generator.workloads import models

STAGE = "cross-object"
KUEUE = "kueue.x-k8s.io"


@dataclass(frozen=True)
class GpuPool:
    name: str
    source: str  # what defines the pool's nodes: a MachineSet, or the spec on bare metal
    labels: dict[str, str]
    taints: list[dict]


def gpu_pools(spec, objs: list[Obj]) -> list[GpuPool]:
    """The GPU node pools the bundle's objects can land on. Where the Machine API makes the
    nodes, their MachineSets say what labels and taints the nodes get; elsewhere (bare metal)
    the admin labels the nodes as the spec's pools say."""
    pools = []
    for o in objs:
        if o.get("kind") != "MachineSet":
            continue
        node = (((o.get("spec") or {}).get("template") or {}).get("spec")) or {}
        labels = (node.get("metadata") or {}).get("labels") or {}
        taints = node.get("taints") or []
        if taints or gpu_nodes.POOL_LABEL in labels:
            pools.append(GpuPool(o["metadata"]["name"], ident_str(o), dict(labels), list(taints)))
    if not pools:
        for p in spec.gpu_node_pools:
            pools.append(GpuPool(p.name, f"spec gpuNodePools {p.name}", gpu_nodes.node_labels(p), gpu_nodes.taints(p)))
    return pools


def untolerated(tolerations: list[dict], pool: GpuPool) -> list[dict]:
    return [
        t
        for t in pool.taints
        if t.get("effect") != "PreferNoSchedule" and not any(tolerates(x, t) for x in tolerations)
    ]


def _images(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            sub = f"{path}.{k}" if path else k
            if k == "image" and isinstance(v, str):
                yield sub, v
            else:
                yield from _images(v, sub)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _images(v, f"{path}[{i}]")


def _profile_scheduling(o: Obj) -> tuple[str, list[dict] | None]:
    """(field path, tolerations) of a hardware or accelerator profile, in any of its kinds."""
    for path in (("spec", "tolerations"), ("spec", "scheduling", "node", "tolerations")):
        found = at(o, *path)
        if found is not None:
            return ".".join(path), found
    return "spec.tolerations", None


def check(spec, objs: list[Obj]) -> list[Finding]:
    """Findings for one cluster's built objects (every unit, each object once)."""
    cluster = spec.name
    found: list[Finding] = []

    def add(o: Obj | str, path: str, message: str) -> None:
        found.append(Finding(cluster, STAGE, o if isinstance(o, str) else ident_str(o), path, message))

    # Namespaces: created here, or there already.
    created = {o["metadata"]["name"] for o in objs if o.get("kind") == "Namespace" and o.get("apiVersion") == "v1"}
    known = set(matrix.matrix().platform_namespaces) | set(spec.namespaces.values()) | {spec.argocd.namespace}
    for o in objs:
        ns = (o.get("metadata") or {}).get("namespace")
        if is_namespaced(o) and ns and ns not in created and ns not in known:
            add(o, "metadata.namespace", f"namespace {ns} is neither created in the bundle nor a platform namespace")

    # Kueue: what its webhooks refuse and which queues its controllers leave inactive
    # (a LocalQueue's ClusterQueue, a ClusterQueue's flavors missing), each naming the rule.
    for p in kueue_rules.check(objs):
        add(p.object, p.path, f"[kueue:{p.rule}] {p.message}")
    flavors = {
        o["metadata"]["name"]: o
        for o in objs
        if o.get("kind") == "ResourceFlavor" and o.get("apiVersion", "").startswith(KUEUE + "/")
    }

    # Flavors and profiles must land on a GPU pool and tolerate its taints.
    pools = gpu_pools(spec, objs)
    for o in flavors.values():
        selector = at(o, "spec", "nodeLabels") or {}
        if not selector:
            continue  # the default flavor: any node
        matching = [p for p in pools if all(p.labels.get(k) == v for k, v in selector.items())]
        if not matching:
            add(o, "spec.nodeLabels", f"no GPU pool's nodes carry {selector}")
            continue
        tolerations = at(o, "spec", "tolerations") or []
        for pool in matching:
            missing = untolerated(tolerations, pool)
            if missing:
                add(
                    o,
                    "spec.tolerations",
                    f"does not tolerate {', '.join(map(taint_str, missing))} of GPU pool {pool.name} ({pool.source})",
                )
    for o in objs:
        if o.get("kind") not in ("AcceleratorProfile", "HardwareProfile"):
            continue
        path, tolerations = _profile_scheduling(o)
        if not tolerations:
            continue
        if not any(not untolerated(tolerations, p) and p.taints for p in pools):
            add(
                o,
                path,
                "tolerations match no GPU pool's taints: "
                + (
                    "; ".join(f"{p.name} has {', '.join(map(taint_str, p.taints)) or 'no taints'}" for p in pools)
                    or "the cluster has no GPU pools"
                ),
            )

    # Would the workloads the profiles and queues invite ever run? (generator/capacity/scheduling.py)
    for outcome in scheduling.failures(scheduling.simulate(spec, objs)):
        add(outcome.workload.profile_obj, "", f"[scheduling] {outcome.describe()} cannot run: {outcome.reason}")

    # Would each model deployment be admitted by its team's queue and placed on a node?
    for placed in models.simulate(spec, objs):
        if placed.reason:
            add(placed.ident, "", f"[scheduling] model {placed.model} cannot run: {placed.reason}")

    # Catalogs the Subscriptions resolve from; mirror sets a disconnected cluster pulls through.
    for ident, path, message in egress_rules.check(spec, objs):
        add(ident, path, f"[egress] {message}")

    # What must never be committed.
    for o in objs:
        if o.get("kind") == "Secret" and o.get("apiVersion") == "v1":
            for field in ("data", "stringData"):
                if o.get(field):
                    add(
                        o,
                        field,
                        "a Secret with values in git: reference an existing Secret (or an ExternalSecret) instead",
                    )
        for key_path, at_key, why in secrets.findings(o):
            add(
                o,
                format_path(key_path),
                f"[secret] {'is' if at_key else 'holds'} {why}: the bundle is in git and on the "
                "cluster; reference a Secret",
            )
        for path, image in _images(o):
            if image.endswith(":latest"):
                add(o, path, f"image {image} uses the mutable :latest tag: pin a version or a digest")
    return found
