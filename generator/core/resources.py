"""The plain data model of Kubernetes objects: dicts, with helpers for identity and order."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "rhoai-gitops"
COMPONENT_LABEL = "rhoai-gitops.io/component"

TOP_ORDER = ("apiVersion", "kind", "metadata", "spec", "data", "stringData", "type")
META_ORDER = ("name", "namespace", "labels", "annotations")

# Kinds that are cluster-scoped (everything the generator emits that is not namespaced).
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "DataScienceCluster",
        "DSCInitialization",
        "ClusterPolicy",
        "ClusterQueue",
        "ResourceFlavor",
        "Cohort",
        "WorkloadPriorityClass",
        "ClusterAutoscaler",
        "NodeFeatureRule",
        "ConsoleLink",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PriorityClass",
        "StorageClass",
        "Auth",
        "Kueue",
        "ImageDigestMirrorSet",
        "ImageTagMirrorSet",
        "OperatorHub",
        "Proxy",
        "Group",
    }
)


def obj(api_version: str, kind: str, name: str, namespace: str | None = None, **body: Any) -> Obj:
    """A new object; `body` keys (spec=..., data=...) follow metadata."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    out: Obj = {"apiVersion": api_version, "kind": kind, "metadata": meta}
    out.update({k: v for k, v in body.items() if v is not None})
    return out


def namespace(name: str, labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None) -> Obj:
    o = obj("v1", "Namespace", name)
    if labels:
        o["metadata"]["labels"] = dict(labels)
    if annotations:
        o["metadata"]["annotations"] = dict(annotations)
    return o


def group_of(o: Obj) -> str:
    api = o.get("apiVersion", "")
    return api.split("/")[0] if "/" in api else ""


def version_of(o: Obj) -> str:
    return o.get("apiVersion", "").split("/")[-1]


def ident(o: Obj) -> tuple[str, str, str, str]:
    """(group, kind, namespace, name): the identity Kubernetes and Argo CD use."""
    meta = o.get("metadata", {})
    return (group_of(o), o.get("kind", ""), meta.get("namespace", "") or "", meta.get("name", ""))


def ident_str(o: Obj) -> str:
    group, kind, ns, name = ident(o)
    gk = f"{kind}.{group}" if group else kind
    return f"{gk} {ns}/{name}" if ns else f"{gk} {name}"


def is_namespaced(o: Obj) -> bool:
    return o.get("kind") not in CLUSTER_SCOPED


def file_name(o: Obj) -> str:
    """`<kind>-<name>.yaml` in lower case; a namespace suffix only when needed for uniqueness."""
    meta = o["metadata"]
    return f"{o['kind'].lower()}-{meta['name'].lower()}.yaml"


def canonical(o: Any, top: bool = True) -> Any:
    """Key order: apiVersion, kind, metadata (name, namespace, labels, annotations), spec, ...;
    other keys keep the order the builder gave them (builders mirror upstream docs)."""
    if isinstance(o, dict):
        if top and "apiVersion" in o:
            ordered = {k: o[k] for k in TOP_ORDER if k in o}
            ordered.update({k: v for k, v in o.items() if k not in ordered})
            if isinstance(ordered.get("metadata"), dict):
                meta = ordered["metadata"]
                m = {k: meta[k] for k in META_ORDER if k in meta}
                m.update({k: v for k, v in meta.items() if k not in m})
                if "labels" in m:
                    m["labels"] = dict(sorted(m["labels"].items()))
                if "annotations" in m:
                    m["annotations"] = dict(sorted(m["annotations"].items()))
                ordered["metadata"] = m
            return {k: canonical(v, top=False) if k != "metadata" else v for k, v in ordered.items()}
        return {k: canonical(v, top=False) for k, v in o.items()}
    if isinstance(o, list):
        return [canonical(v, top=False) for v in o]
    return o


def label(o: Obj, key: str, value: str) -> Obj:
    o.setdefault("metadata", {}).setdefault("labels", {})[key] = value
    return o


def annotate(o: Obj, key: str, value: str) -> Obj:
    o.setdefault("metadata", {}).setdefault("annotations", {})[key] = value
    return o


def annotation(o: Obj, key: str) -> str | None:
    return (o.get("metadata", {}).get("annotations") or {}).get(key)


def at(o: Any, *path: str) -> Any:
    """The value at a path of keys into nested dicts, or None where the path leaves them."""
    for p in path:
        if not isinstance(o, dict):
            return None
        o = o.get(p)
    return o
