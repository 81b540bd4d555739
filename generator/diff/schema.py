"""What the schemas say about an object's fields, as the API server and Argo CD read them: how
each list merges (keyed by a merge key, a set, or atomic), which fields are quantities, and
whether a kind is cluster-scoped.

Built-in kinds are read from the Kubernetes OpenAPI schemas the `kubernetes-validate` package
ships (strategic-merge metadata: `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`,
what Argo CD's three-way strategic merge uses); custom resources from the CRD schemas the project
ships (`x-kubernetes-list-type` / `x-kubernetes-list-map-keys`, what the API server's structured
merge uses). A list neither describes is atomic: it is replaced whole, so an item only the live
object has is a difference there and only there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from generator.core.schemafiles import schema_file_name
from generator.facts import matrix, releases, scopes
from generator.facts import workloads as workload_facts
from generator.facts.matrix import version_key
from generator.validate.core import _definitions, core_schema

QUANTITY_DEF = "io.k8s.apimachinery.pkg.api.resource.Quantity"
DURATION_DEF = "io.k8s.apimachinery.pkg.apis.meta.v1.Duration"
OBJECT_META_DEF = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_REF = "#/$defs/"
_REFS = (_REF, "/api/_definitions.json#/$defs/")  # rewritten schemas; kubernetes-validate's own

ATOMIC, MAP, SET = "atomic", "map", "set"


@dataclass(frozen=True)
class ListType:
    kind: str  # atomic | map | set
    keys: tuple[str, ...] = ()

    def key(self, item: Any) -> tuple | None:
        """The item's identity in a map list (None when it is not a map or lacks every key)."""
        if not isinstance(item, dict) or not any(k in item for k in self.keys):
            return None
        return tuple(item.get(k) for k in self.keys)

    def label(self, item: dict) -> str:
        return ",".join(f"{k}={item[k]}" for k in self.keys if k in item)


ATOMIC_LIST = ListType(ATOMIC)


@dataclass(frozen=True)
class Node:
    """One schema node; `builtin` says whose list metadata counts (strategic merge or
    structured merge)."""

    schema: dict
    defs: dict
    builtin: bool

    @property
    def ref(self) -> str | None:
        for node in [self.schema, *(self.schema.get("allOf") or [])]:
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(ref, str):
                continue
            for prefix in _REFS:
                if ref.startswith(prefix):
                    return ref[len(prefix) :]
        return None

    def _resolved(self) -> dict:
        ref = self.ref
        return self.defs.get(ref, {}) if ref else self.schema

    def _wrap(self, schema: Any) -> Node | None:
        return Node(schema, self.defs, self.builtin) if isinstance(schema, dict) else None

    def child(self, key: str) -> Node | None:
        body = self._resolved()
        props = body.get("properties") or {}
        if key in props:
            return self._wrap(props[key])
        extra = body.get("additionalProperties")
        return self._wrap(extra) if isinstance(extra, dict) else None

    def item(self) -> Node | None:
        return self._wrap(self._resolved().get("items"))

    def knows(self, key: str) -> bool:
        body = self._resolved()
        return key in (body.get("properties") or {}) or isinstance(body.get("additionalProperties"), dict)

    @property
    def free_form(self) -> bool:
        """Fields here are free-form (no properties to check unknown keys against)."""
        body = self._resolved()
        return bool(body.get("x-kubernetes-preserve-unknown-fields")) or (
            "properties" not in body
            and not isinstance(body.get("additionalProperties"), dict)
            and "object" in _types(body)
        )

    def types(self) -> set[str]:
        return _types(self._resolved())

    @property
    def quantity(self) -> bool:
        return self.ref == QUANTITY_DEF

    @property
    def duration(self) -> bool:
        return self.ref == DURATION_DEF

    def required(self) -> set[str]:
        return set(self._resolved().get("required") or ())

    def list_type(self) -> ListType:
        s = self.schema
        if self.builtin:
            strategy = str(s.get("x-kubernetes-patch-strategy") or "")
            if "merge" in strategy.split(","):
                key = s.get("x-kubernetes-patch-merge-key")
                return ListType(MAP, (key,)) if key else ListType(SET)
            return ATOMIC_LIST
        kind = s.get("x-kubernetes-list-type")
        if kind == MAP and s.get("x-kubernetes-list-map-keys"):
            return ListType(MAP, tuple(s["x-kubernetes-list-map-keys"]))
        if kind == SET:
            return ListType(SET)
        return ATOMIC_LIST


def _types(body: dict) -> set[str]:
    t = body.get("type")
    return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()


# --------------------------------------------------------------------------- kinds


def kubernetes_version() -> str:
    """The newest Kubernetes the project supports: list metadata of built-in kinds does not
    change between the versions OpenShift ships."""
    return max(matrix.matrix().kubernetes_versions.values(), key=version_key)


@cache
def _builtin(kind: str, group: str, version: str) -> dict | None:
    return core_schema(kind, group, version, kubernetes_version())


@lru_cache(maxsize=1)
def _object_meta() -> Node:
    schema = _builtin("ConfigMap", "", "v1") or {}
    return Node({"$ref": _REF + OBJECT_META_DEF}, schema.get("$defs", {}), True)


@cache
def _crd_schema(kind: str, group: str, version: str) -> dict | None:
    name = schema_file_name(kind, group, version)
    common = releases.common_schema_files()
    if name in common:
        return releases.load_schema(common[name].name)
    for dist in sorted(releases._data()["releases"]):
        for rel in reversed(releases.releases(dist)):
            blob = releases.release(dist, rel).schema_files().get(name)
            if blob:
                return releases.load_schema(blob.name)
    for dist in ("rhoai", "odh"):
        for rel in reversed(workload_facts.releases(dist)):
            blob = workload_facts.workload_facts(dist, rel).schema_files().get(name)
            if blob:
                return releases.load_schema(blob.name)
    return None


@dataclass(frozen=True)
class KindSchema:
    """A kind's root node (an object, never a list or a scalar)."""

    root: Node
    quantity = False
    duration = False

    def child(self, key: str) -> Node | None:
        # metadata is ObjectMeta for every kind; CRD schemas leave it open.
        return _object_meta() if key == "metadata" else self.root.child(key)


@cache
def kind_schema(api_version: str, kind: str) -> KindSchema | None:
    """The schema of a kind at an API version, or None when neither Kubernetes nor a shipped
    CRD describes it."""
    group, _, version = api_version.rpartition("/")
    body = _builtin(kind, group, version)
    if body is not None:
        return KindSchema(Node(body, body.get("$defs", {}), True))
    body = _crd_schema(kind, group, version)
    if body is not None:
        return KindSchema(Node(body, body.get("$defs", {}), False))
    return None


# Go types Argo CD lists that the OpenAPI inlines into another (or, ResourceList, a plain map).
_INLINED = {
    "EphemeralContainerCommon": "EphemeralContainer",
    "ProbeHandler": "Probe",
    "VolumeSource": "Volume",
    "PersistentVolumeSource": "PersistentVolumeSpec",
}


@cache
def core_type(name: str) -> Node | None:
    """A Kubernetes core/v1 type by its Go name (`PodSpec`), for Argo CD's known-type fields:
    from the project's Kubernetes version, else the newest the installed schemas have (types
    added since); None for types no object field holds (API options, internal types)."""
    if name == "ResourceList":
        return Node(
            {"type": "object", "additionalProperties": {"$ref": _REF + QUANTITY_DEF}},
            _definitions(kubernetes_version()),
            True,
        )
    full = f"io.k8s.api.core.v1.{_INLINED.get(name, name)}"
    for k8s in (kubernetes_version(), _newest_bundled()):
        defs = _definitions(k8s)
        if full in defs:
            return Node({"$ref": _REF + full}, defs, True)
    return None


def _newest_bundled() -> str:
    root = resources.files("kubernetes_validate").joinpath("kubernetes-json-schema")
    found = [p.name[1:].split(".0-")[0] for p in root.iterdir() if p.name.endswith("-local-strict")]
    return max(found, key=version_key)


# --------------------------------------------------------------------------- scope

CLUSTER, NAMESPACED = "Cluster", "Namespaced"


# Groups the API server (or OpenShift's aggregated API servers) serves itself, not CRDs.
_SERVED_GROUPS = frozenset(
    {
        "",
        "apps",
        "batch",
        "autoscaling",
        "policy",
        "apps.openshift.io",
        "build.openshift.io",
        "route.openshift.io",
        "template.openshift.io",
    }
)


def scope(group: str, kind: str) -> str | None:
    """Cluster or Namespaced, or None when nothing the project has says."""
    crd = releases._data().get("scopes", {}).get(f"{group}/{kind}")
    if crd:
        return crd
    cluster = scopes.cluster_scoped()
    if f"{group}/{kind}" in cluster:
        return CLUSTER
    if group in _SERVED_GROUPS or group.endswith(".k8s.io") or any(c.split("/")[0] == group for c in cluster):
        return NAMESPACED
    return None
