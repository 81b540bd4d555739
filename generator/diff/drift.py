"""Rendered vs live: each desired object is in sync, out of sync (with the differing fields),
or missing; a live object carrying the generator's ownership label that is no longer desired
is orphaned."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.core import yamlio
from generator.core.errors import UsageError
from generator.core.resources import MANAGED_BY, MANAGER, Obj, group_of, ident, ident_str
from generator.diff import knowntypes, schema
from generator.diff.knowntypes import KnownTypeField
from generator.diff.normalize import (
    IgnoreRule,
    apply_rules,
    argocd_normalize,
    last_applied,
    rules_from_applications,
    strip_server_fields,
)
from generator.diff.objects import ABSENT, FieldChange, diff
from generator.facts import rewrites, serving
from generator.kustomize import build

IN_SYNC, OUT_OF_SYNC, MISSING, ORPHANED = "in sync", "out of sync", "missing", "orphaned"
STATUSES = (OUT_OF_SYNC, MISSING, ORPHANED, IN_SYNC)
ARGOCD_FOLDER = "argocd"
# A field change read from the desired side: absent on the left means only the live object has it.
FIELD_CHANGES = {"changed": "changed", "removed": "absent in live", "added": "only in live"}


@dataclass
class ObjectDrift:
    ident: tuple[str, str, str, str]
    name: str
    status: str
    fields: list[FieldChange] = field(default_factory=list)  # left = desired, right = live

    def as_dict(self) -> dict:
        out: dict = {"object": self.name, "status": self.status}
        if self.fields:
            out["fields"] = [f.as_dict("desired", "live", FIELD_CHANGES) for f in self.fields]
        return out


@dataclass
class DriftReport:
    cluster: str
    objects: list[ObjectDrift]
    ignore_rules: int  # ignoreDifferences entries honoured
    warnings: list[str] = field(default_factory=list)  # rules skipped for an object, and why
    settings: str = "Argo CD's defaults"  # where the comparison settings came from

    @property
    def drifted(self) -> bool:
        return any(o.status != IN_SYNC for o in self.objects)

    def count(self, status: str) -> int:
        return sum(1 for o in self.objects if o.status == status)

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in STATUSES}

    def as_dict(self) -> dict:
        return {
            "cluster": self.cluster,
            "drift": self.drifted,
            "summary": self.summary(),
            "ignoreRules": self.ignore_rules,
            "argocdSettings": self.settings,
            "warnings": self.warnings,
            "objects": [o.as_dict() for o in self.objects],
        }


def desired_objects(repo: Path, cluster: str) -> list[Obj]:
    """What the cluster should hold: the kustomize build of its committed overlay."""
    overlay = repo / "overlays" / cluster
    if not (overlay / "kustomization.yaml").is_file():
        raise UsageError(f"overlays/{cluster} is not rendered (run `rhoai-gitops render {cluster}`)")
    result = build(overlay)
    if not result.ok:
        raise UsageError(f"kustomize build overlays/{cluster} failed:\n{result.output}")
    return result.objects()


def application_rules(repo: Path, cluster: str) -> list[IgnoreRule]:
    """ignoreDifferences of the cluster's Argo CD Applications, read from whatever YAML is in
    overlays/<cluster>/argocd/ (none there: no rules)."""
    folder = repo / "overlays" / cluster / ARGOCD_FOLDER
    objs: list[Obj] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        objs += [d for d in yamlio.loads_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
    return rules_from_applications(objs)


# resource.compareoptions ignoreResourceStatusField: status ignored on every object (Argo CD's
# default), on CustomResourceDefinitions only, or nowhere.
STATUS_ALL, STATUS_CRD, STATUS_NONE = "all", "crd", "none"


@dataclass(frozen=True)
class Options:
    """Argo CD settings that change what it compares (argocd-cm, generator/diff/settings.py):
    `resource.customizations` knownTypeFields, and `resource.compareoptions`
    ignoreAggregatedRoles and ignoreResourceStatusField."""

    known_type_fields: tuple[KnownTypeField, ...] = ()
    ignore_aggregated_roles: bool = False
    ignore_resource_status: str = STATUS_ALL

    def compares_status(self, o: Obj) -> bool:
        if self.ignore_resource_status == STATUS_NONE:
            return True
        crd = (group_of(o), o.get("kind")) == ("apiextensions.k8s.io", "CustomResourceDefinition")
        return self.ignore_resource_status == STATUS_CRD and not crd


def _prepared(o: Obj, options: Options) -> Obj:
    stripped = strip_server_fields(o)
    if "status" in o and options.compares_status(o):
        stripped["status"] = copy.deepcopy(o["status"])
    out = knowntypes.normalize(
        argocd_normalize(stripped, options.ignore_aggregated_roles), list(options.known_type_fields)
    )
    if schema.scope(group_of(o), o.get("kind", "")) == schema.CLUSTER:
        (out.get("metadata") or {}).pop("namespace", None)
    return out


def _removed_since_applied(orig: Any, want: Any, have: Any, node: Any, path: str = "") -> list[FieldChange]:
    """Three-way: a field (or an item of a map list or a set) the last applied configuration
    had, the desired object no longer has and the live object still has is drift (Argo CD's
    diff against last-applied-configuration deletes it). Atomic lists are compared whole
    anyway."""
    out: list[FieldChange] = []
    if isinstance(orig, list) and isinstance(want, list) and isinstance(have, list) and node is not None:
        lt = node.list_type()
        if lt.kind == schema.MAP:
            wanted = {lt.key(i) for i in want}
            live = {lt.key(i): i for i in have if lt.key(i) is not None}
            for item in orig:
                key = lt.key(item)
                if key is None or key not in live:
                    continue
                sub = f"{path}[{lt.label(item)}]"
                if key not in wanted:
                    out.append(FieldChange(sub, ABSENT, live[key]))
                else:
                    out += _removed_since_applied(
                        item, next(i for i in want if lt.key(i) == key), live[key], node.item(), sub
                    )
        elif lt.kind == schema.SET and any(v not in want and v in have for v in orig):
            out.append(FieldChange(path, want, have))
        return out
    if not (isinstance(orig, dict) and isinstance(want, dict) and isinstance(have, dict)):
        return out
    for key, value in orig.items():
        sub = f"{path}.{key}" if path else str(key)
        child = node.child(str(key)) if node is not None else None
        if key not in want and key in have:
            if isinstance(value, dict) and isinstance(have[key], dict):
                out += _removed_since_applied(value, {}, have[key], child, sub)
            else:
                out.append(FieldChange(sub, ABSENT, have[key]))
        elif key in want and key in have:
            out += _removed_since_applied(value, want[key], have[key], child, sub)
    return out


def object_drift(
    want: Obj,
    have: Obj,
    rules: list[IgnoreRule],
    options: Options = Options(),
    warn: Callable[[str], None] | None = None,
) -> list[FieldChange]:
    """The fields in which a live object differs from its desired state, as Argo CD finds them."""
    want_n, have_n = (
        _content(o) for o in apply_rules(_prepared(want, options), _prepared(have, options), rules, warn, owner=have)
    )
    kind = schema.kind_schema(want.get("apiVersion", ""), want.get("kind", ""))
    fields = diff(want_n, have_n, subset=True, merge=True, schema=kind)
    orig = last_applied(have)
    if orig is not None:
        orig_n, _ = apply_rules(_prepared(orig, options), have, rules, None, owner=have)
        fields += _removed_since_applied(_content(orig_n), want_n, have_n, kind)
    return fields


def _content(o: Obj) -> Obj:
    # The server answers in the version asked for, and identity is group/kind/namespace/name:
    # the apiVersion string itself is not content.
    return {k: v for k, v in o.items() if k != "apiVersion"}


def _identity(o: Obj, live_by_id: dict) -> tuple[str, str, str, str]:
    """A cluster-scoped kind's identity has no namespace whatever the manifest says; a kind of
    unknown scope whose live counterpart has none is cluster-scoped too."""
    group, kind, ns, name = ident(o)
    if ns and schema.scope(group, kind) == schema.CLUSTER:
        return (group, kind, "", name)
    if (
        ns
        and (group, kind, ns, name) not in live_by_id
        and (group, kind, "", name) in live_by_id
        and schema.scope(group, kind) is None
    ):
        return (group, kind, "", name)
    return (group, kind, ns, name)


def _rewritten(want: Obj, have: Obj) -> list[str]:
    """A live object in the form a webhook rewrites the desired one into (data/rewrites.yaml):
    the difference is the webhook's, and stays until the desired object is written so."""
    out = []
    for r in rewrites.rewrites():
        if (group_of(want), want.get("kind")) != (r.group, r.kind):
            continue
        if (
            _has(want, r.source_path)
            and not _has(want, r.target_path)
            and _has(have, r.target_path)
            and not _has(have, r.source_path)
        ):
            out.append(
                f"{ident_str(want)}: the live object has {r.target_path} where the desired one has {r.source_path}: "
                f"{r.why} Write {r.target_path} (re-render: the bundle does so on this release). Source: {r.source}"
            )
    return out + _mode_renamed(want, have)


MODE_ANNOTATION = "serving.kserve.io/deploymentMode"


def _mode_renamed(want: Obj, have: Obj) -> list[str]:
    """An InferenceService whose deployment mode the release's KServe stored under its new name
    (data/serving.yaml): an older render, or one written by hand, keeps it OutOfSync."""
    if (group_of(want), want.get("kind")) != ("serving.kserve.io", "InferenceService"):
        return []
    written = ((want.get("metadata") or {}).get("annotations") or {}).get(MODE_ANNOTATION)
    stored = ((have.get("metadata") or {}).get("annotations") or {}).get(MODE_ANNOTATION)
    return [
        f"{ident_str(want)}: the live object's {MODE_ANNOTATION} is {r.new} where the desired one says {r.old}: "
        f"the release's KServe stores {r.old} as {r.new}. Re-render (the bundle writes {r.new} on this release). "
        f"Source: {r.source}"
        for r in serving.mode_renames()
        if (written, stored) == (r.old, r.new)
    ]


def _has(o: Obj, path: str) -> bool:
    node: Any = o
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def compare(
    cluster: str, desired: list[Obj], live: list[Obj], rules: list[IgnoreRule], options: Options = Options()
) -> DriftReport:
    live_by_id = {ident(o): o for o in live}
    desired_ids = set()
    out: list[ObjectDrift] = []
    warnings: list[str] = []
    for want in desired:
        key = _identity(want, live_by_id)
        desired_ids.add(key)
        have = live_by_id.get(key)
        if have is None:
            out.append(ObjectDrift(key, ident_str(want), MISSING))
            continue
        if not key[2] and (want.get("metadata") or {}).get("namespace"):
            want = {**want, "metadata": {k: v for k, v in want["metadata"].items() if k != "namespace"}}
        fields = object_drift(want, have, rules, options, warnings.append)
        out.append(ObjectDrift(key, ident_str(want), OUT_OF_SYNC if fields else IN_SYNC, fields))
        if fields:
            warnings += _rewritten(want, have)
    for key, have in live_by_id.items():
        labels = (have.get("metadata") or {}).get("labels") or {}
        if key not in desired_ids and labels.get(MANAGED_BY) == MANAGER:
            out.append(ObjectDrift(key, ident_str(have), ORPHANED))
    out.sort(key=lambda o: (STATUSES.index(o.status), o.ident))
    return DriftReport(cluster, out, len(rules), sorted(set(warnings)))
