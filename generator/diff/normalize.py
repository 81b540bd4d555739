"""Normalise objects before comparing them the way Argo CD does: drop what the API server and
Argo CD itself write (status, bookkeeping metadata, tracking marks), then remove the fields an
Application's `ignoreDifferences` names, on both sides."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Iterator

from generator.errors import UsageError
from generator.resources import Obj, group_of

SERVER_METADATA = ("managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink")
# Written by `kubectl apply` and by Argo CD's tracking; never part of what the bundle says.
DROPPED_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration", "argocd.argoproj.io/tracking-id")
DROPPED_LABELS = ("app.kubernetes.io/instance",)


def strip_server_fields(o: Obj) -> Obj:
    """A copy without status, server bookkeeping and Argo CD's tracking label/annotation."""
    out = copy.deepcopy(o)
    out.pop("status", None)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for key in SERVER_METADATA:
            meta.pop(key, None)
        for section, dropped in (("annotations", DROPPED_ANNOTATIONS), ("labels", DROPPED_LABELS)):
            values = meta.get(section)
            if isinstance(values, dict):
                for key in dropped:
                    values.pop(key, None)
                if not values:
                    meta.pop(section)
    return out


# --------------------------------------------------------------------------- ignoreDifferences


@dataclass(frozen=True)
class IgnoreRule:
    """One `spec.ignoreDifferences` entry of an Argo CD Application."""

    group: str
    kind: str
    name: str = ""
    namespace: str = ""
    json_pointers: tuple[str, ...] = ()
    jq_path_expressions: tuple[str, ...] = ()
    managed_fields_managers: tuple[str, ...] = ()

    @classmethod
    def from_argocd(cls, entry: dict) -> "IgnoreRule":
        return cls(
            group=str(entry.get("group", "") or ""),
            kind=str(entry.get("kind", "") or ""),
            name=str(entry.get("name", "") or ""),
            namespace=str(entry.get("namespace", "") or ""),
            json_pointers=tuple(entry.get("jsonPointers") or ()),
            jq_path_expressions=tuple(entry.get("jqPathExpressions") or ()),
            managed_fields_managers=tuple(entry.get("managedFieldsManagers") or ()),
        )

    def matches(self, o: Obj) -> bool:
        meta = o.get("metadata", {})
        return (
            fnmatchcase(group_of(o), self.group or "")
            and fnmatchcase(o.get("kind", ""), self.kind)
            and (not self.name or self.name == meta.get("name"))
            and (not self.namespace or self.namespace == meta.get("namespace", ""))
        )


def rules_from_applications(objs: list[Obj]) -> list[IgnoreRule]:
    """Every ignoreDifferences entry of every Argo CD Application among `objs`."""
    rules = []
    for o in objs:
        if o.get("kind") == "Application" and group_of(o) == "argoproj.io":
            for entry in (o.get("spec") or {}).get("ignoreDifferences") or []:
                if isinstance(entry, dict):
                    rules.append(IgnoreRule.from_argocd(entry))
    return rules


_DROP = object()


def apply_rules(desired: Obj, live: Obj, rules: list[IgnoreRule]) -> tuple[Obj, Obj]:
    """Copies of both objects without the fields the matching rules ignore. Fields owned by an
    ignored field manager are read from the live object's managedFields, so call this before
    strip_server_fields drops them."""
    matching = [r for r in rules if r.matches(desired)]
    if not matching:
        return desired, live
    owned = managed_paths(live, {m for r in matching for m in r.managed_fields_managers})
    out = []
    for o in (desired, live):
        o = copy.deepcopy(o)
        for rule in matching:
            for pointer in rule.json_pointers:
                _mark(o, _pointer_path(pointer))
            for expr in rule.jq_path_expressions:
                for path in jq_paths(o, expr):
                    _mark(o, path)
        for fields in owned:
            for path in resolve_fields(o, fields):
                _mark(o, path)
        out.append(_sweep(o))
    return out[0], out[1]


def _pointer_path(pointer: str) -> tuple:
    if pointer in ("", "/"):
        return ()
    if not pointer.startswith("/"):
        raise UsageError(f"ignoreDifferences: jsonPointer {pointer!r} must start with '/'")
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/"))


def _mark(o: Any, path: tuple) -> None:
    """Replace the value at `path` (dict keys; list indexes as ints or digit strings) with the
    drop marker; a path that is not there is ignored, as Argo CD does."""
    if not path:
        return
    node = o
    for part in path[:-1]:
        node = _child(node, part)
        if node is _DROP:
            return
    last = path[-1]
    if isinstance(node, dict) and last in node:
        node[last] = _DROP
    elif isinstance(node, list):
        index = _index(last)
        if index is not None and index < len(node):
            node[index] = _DROP


def _index(part: Any) -> int | None:
    if isinstance(part, int):
        return part
    return int(part) if isinstance(part, str) and part.isdigit() else None


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part, _DROP)
    if isinstance(node, list):
        index = _index(part)
        return node[index] if index is not None and index < len(node) else _DROP
    return _DROP


def _sweep(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _sweep(v) for k, v in node.items() if v is not _DROP}
    if isinstance(node, list):
        return [_sweep(v) for v in node if v is not _DROP]
    return node


# --------------------------------------------------------------------------- jq, simple forms

# The forms Argo CD users write: `.a.b`, `.a["x.y"]`, `.a[]`, `.a[0]`, and
# `.a[] | select(.name == "x") | .b` (select on one field's string/number/bool value).
_JQ_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*)|\["((?:[^"\\]|\\.)*)"\]|\[(\d*)\]\??|\.(?=\[)')
_JQ_SELECT = re.compile(r'^select\(\s*\.([A-Za-z_][A-Za-z0-9_-]*)\s*==\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false)\s*\)$')
SUPPORTED_JQ = '.a.b, .a["x.y"], .a[], .a[0], and `| select(.field == "value")` between them'


def jq_paths(o: Any, expr: str) -> list[tuple]:
    paths: list[tuple] = [()]
    for stage in (s.strip() for s in expr.split("|")):
        select = _JQ_SELECT.match(stage)
        if select:
            key, value = select.group(1), json.loads(select.group(2))
            paths = [p for p in paths if isinstance(_get(o, p), dict) and _get(o, p).get(key) == value]
            continue
        if not stage.startswith(".") or stage == ".":
            raise UsageError(f"ignoreDifferences: jqPathExpression {expr!r} is not supported (supported: {SUPPORTED_JQ})")
        paths = [q for p in paths for q in _jq_steps(o, p, stage, expr)]
    return [p for p in paths if p]


def _jq_steps(o: Any, start: tuple, stage: str, expr: str) -> Iterator[tuple]:
    pos, current = 0, [start]
    while pos < len(stage):
        m = _JQ_STEP.match(stage, pos)
        if not m or m.end() == pos and m.group(0) == "":
            raise UsageError(f"ignoreDifferences: jqPathExpression {expr!r} is not supported (supported: {SUPPORTED_JQ})")
        pos = m.end()
        name, quoted, index = m.group(1), m.group(2), m.group(3)
        if name is not None or quoted is not None:
            key = name if name is not None else json.loads(f'"{quoted}"')
            current = [p + (key,) for p in current if isinstance(_get(o, p), dict) and key in _get(o, p)]
        elif index is not None:
            if index == "":
                current = [p + (i,) for p in current if isinstance(_get(o, p), list) for i in range(len(_get(o, p)))]
            else:
                current = [p + (int(index),) for p in current if isinstance(_get(o, p), list) and int(index) < len(_get(o, p))]
    yield from current


def _get(o: Any, path: tuple) -> Any:
    for part in path:
        o = o[part]
    return o


# --------------------------------------------------------------------------- managed fields


def managed_paths(live: Obj, managers: set[str]) -> list[dict]:
    """The fieldsV1 trees of the live object's managedFields entries by these managers."""
    if not managers:
        return []
    entries = (live.get("metadata") or {}).get("managedFields") or []
    return [e.get("fieldsV1") or {} for e in entries if isinstance(e, dict) and e.get("manager") in managers]


def resolve_fields(o: Any, fields: dict, prefix: tuple = ()) -> list[tuple]:
    """Paths in `o` that a fieldsV1 tree names as owned (its leaves and `.` marks). `f:x` is map
    key x, `k:{...}` the list item whose fields equal that JSON, `v:...` the list item equal to
    that value."""
    node = _get_or_none(o, prefix)
    out: list[tuple] = []
    for key, sub in fields.items():
        if key == ".":
            out.append(prefix)
            continue
        kind, _, rest = key.partition(":")
        target: tuple | None = None
        if kind == "f" and isinstance(node, dict) and rest in node:
            target = prefix + (rest,)
        elif kind in ("k", "v") and isinstance(node, list):
            want = json.loads(rest)
            for i, item in enumerate(node):
                hit = (isinstance(item, dict) and all(item.get(k) == v for k, v in want.items())) if kind == "k" else item == want
                if hit:
                    target = prefix + (i,)
                    break
        if target is None:
            continue
        if isinstance(sub, dict) and sub:
            out += resolve_fields(o, sub, target)
        else:
            out.append(target)
    return out


def _get_or_none(o: Any, path: tuple) -> Any:
    try:
        return _get(o, path)
    except (KeyError, IndexError, TypeError):
        return None
