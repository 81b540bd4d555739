"""Normalise objects before comparing them the way Argo CD does: drop what the API server and
Argo CD itself write (status, bookkeeping metadata, tracking marks), then remove the fields an
Application's `ignoreDifferences` names, on both sides."""

from __future__ import annotations

import base64
import copy
import json
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache, partial
from typing import Any

import jq

from generator.core.errors import UsageError
from generator.core.resources import Obj, group_of

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


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def last_applied(live: Obj) -> Obj | None:
    """The configuration `kubectl apply` (and Argo CD's client-side apply) last wrote, when the
    live object carries it and it is JSON."""
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    try:
        out = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return out if isinstance(out, dict) else None


def argocd_normalize(o: Obj, ignore_aggregated_roles: bool = False) -> Obj:
    """What gitops-engine's Normalize does to both sides before any diff: a Secret's
    stringData is encoded into data (and a null data value is ""), a Role's or ClusterRole's
    empty rules are null (all of an aggregated role's rules, if asked), an Endpoints' subsets
    are sorted with TCP as the default port protocol."""
    group, kind = group_of(o), o.get("kind")
    o = copy.deepcopy(o)
    if group == "" and kind == "Secret":
        string_data = o.get("stringData")
        if isinstance(string_data, dict):
            data: dict = o["data"] if isinstance(o.get("data"), dict) else {}
            for k, v in string_data.items():
                data[k] = base64.b64encode(v.encode()).decode() if isinstance(v, str) else v
            o["data"] = data
            del o["stringData"]
        if isinstance(o.get("data"), dict):
            o["data"] = {k: "" if v is None else v for k, v in o["data"].items()}
    elif group == "rbac.authorization.k8s.io" and kind in ("Role", "ClusterRole"):
        if ignore_aggregated_roles and isinstance(o.get("aggregationRule"), dict):
            o["rules"] = None
        if o.get("rules") == []:
            o["rules"] = None
    elif group == "" and kind == "Endpoints" and isinstance(o.get("subsets"), list):
        subsets = []
        for subset in o["subsets"]:
            if not isinstance(subset, dict):
                return o
            subset = dict(subset)
            for port in subset.get("ports") or []:
                if isinstance(port, dict):
                    port.setdefault("protocol", "TCP")
            for key in ("addresses", "notReadyAddresses"):
                if isinstance(subset.get(key), list):
                    subset[key] = sorted(subset[key], key=lambda a: json.dumps(a, sort_keys=True))
            if isinstance(subset.get("ports"), list):
                subset["ports"] = sorted(subset["ports"], key=lambda p: json.dumps(p, sort_keys=True))
            subsets.append(subset)
        o["subsets"] = sorted(subsets, key=lambda s: json.dumps(s, sort_keys=True))
    return o


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
    def from_argocd(cls, entry: dict) -> IgnoreRule:
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


class RuleError(Exception):
    """A rule that does not apply to an object (Argo CD logs it and diffs without that rule)."""


def apply_rules(
    desired: Obj,
    live: Obj,
    rules: list[IgnoreRule],
    warn: Callable[[str], None] | None = None,
    owner: Obj | None = None,
) -> tuple[Obj, Obj]:
    """Copies of both objects without the fields the matching rules ignore, removed the way
    Argo CD's ignore normalizer does: each jsonPointer as a JSON Patch `remove`, each
    jqPathExpression as jq's `del(...)`, one after the other on the whole object; one that
    fails on an object (a path that is not there, an expression that errors or does not give
    back one object) is skipped for that object, and `warn` hears why unless the path was
    simply absent. Fields owned by an ignored field manager are read from the managedFields of
    `owner` (the live object as read, before strip_server_fields; default `live`)."""
    matching = [r for r in rules if r.matches(desired)]
    if not matching:
        return desired, live
    owned = managed_paths(owner or live, {m for r in matching for m in r.managed_fields_managers})
    out = []
    for o in (desired, live):
        o = copy.deepcopy(o)
        for fields in owned:
            for path in resolve_fields(o, fields):
                _mark(o, path)
        o = _sweep(o)
        for rule in matching:
            for pointer in rule.json_pointers:
                o = _try(o, partial(_remove_pointer, pointer=pointer), f"jsonPointer {pointer}", warn)
            for expr in rule.jq_path_expressions:
                o = _try(o, partial(jq_delete, expr=expr), f"jqPathExpression {expr}", warn)
        out.append(o)
    return out[0], out[1]


def _try(o: Obj, patch: Callable[[Obj], Obj], what: str, warn: Callable[[str], None] | None) -> Obj:
    try:
        return patch(o)
    except _Absent:
        return o
    except RuleError as exc:
        if warn:
            meta = o.get("metadata") or {}
            where = "/".join(p for p in (meta.get("namespace"), meta.get("name")) if p)
            warn(f"ignoreDifferences {what} skipped for {o.get('kind')} {where}: {exc}")
        return o


class _Absent(RuleError):
    pass


def _pointer_path(pointer: str) -> tuple:
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise RuleError(f"{pointer!r} is not a JSON pointer (it must start with '/')")
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/"))


def _remove_pointer(doc: Obj, pointer: str) -> Obj:
    """RFC 6902 `remove`: the key or list item must exist; removing an item shifts the rest."""
    path = _pointer_path(pointer)
    if not path:
        raise RuleError("cannot remove the whole object")
    doc = copy.deepcopy(doc)
    node: Any = doc
    for part in path[:-1]:
        node = _child(node, part)
        if node is _DROP:
            raise _Absent(pointer)
    last = path[-1]
    if isinstance(node, dict):
        if last not in node:
            raise _Absent(pointer)
        del node[last]
    elif isinstance(node, list):
        index = _index(last)
        if index is None or index >= len(node):
            raise _Absent(pointer)
        del node[index]
    else:
        raise _Absent(pointer)
    return doc


def _mark(o: Any, path: tuple) -> None:
    """Replace the value at `path` (dict keys; list indexes as ints or digit strings) with the
    drop marker; a path that is not there is ignored."""
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


# --------------------------------------------------------------------------- jq


@cache
def _jq_program(expr: str) -> Any:
    try:
        return jq.compile(f"del({expr})")
    except ValueError as exc:
        # Argo CD cannot build its normaliser from such an Application either: it reports a
        # comparison error for the whole Application instead of a diff.
        detail = str(exc).strip().splitlines()[0]
        raise UsageError(
            f"ignoreDifferences: jqPathExpression {expr!r} is not valid jq ({detail}); "
            "Argo CD cannot compare an Application that has it"
        ) from None


def check_jq(expr: str) -> None:
    """A UsageError when `expr` does not compile (as `del(expr)`, the way Argo CD runs it)."""
    _jq_program(expr)


# Argo CD stops a jq expression after this long (normalizers.DefaultJQExecutionTimeout).
JQ_TIMEOUT = 1.0


def _jq_run(expr: str, doc: Obj) -> tuple[str, Any]:
    try:
        return "ok", _jq_program(expr).input_value(doc).all()
    except ValueError as exc:
        return "error", f"jq: {str(exc).strip()}"


def _jq_serve(conn: Any) -> None:
    while True:
        try:
            expr, doc = conn.recv()
        except EOFError:
            return
        conn.send(_jq_run(expr, doc))


class _JqWorker:
    """libjq cannot be interrupted, so expressions run in a worker process that is killed (and
    replaced on the next call) when one outlasts Argo CD's limit."""

    def __init__(self) -> None:
        self.process: Any = None
        self.conn: Any = None

    def run(self, expr: str, doc: Obj, timeout: float) -> tuple[str, Any]:
        if self.process is None or not self.process.is_alive():
            ctx = multiprocessing.get_context("fork")
            self.conn, child = ctx.Pipe()
            self.process = ctx.Process(target=_jq_serve, args=(child,), daemon=True)
            self.process.start()
            child.close()
        self.conn.send((expr, doc))
        if self.conn.poll(timeout):
            return self.conn.recv()
        self.process.kill()
        self.process.join()
        self.process = None
        return "error", f"jq did not finish within {timeout:g}s (Argo CD's limit)"


_WORKER = _JqWorker()


def jq_delete(doc: Obj, expr: str, timeout: float = JQ_TIMEOUT) -> Obj:
    """`del(expr)` run by jq on the object: exactly one object must come back, within Argo CD's
    time limit."""
    _jq_program(expr)  # an expression that does not parse is the caller's error, not the object's
    status, results = _WORKER.run(expr, doc, timeout)
    if status == "error":
        raise RuleError(results)
    if len(results) != 1:
        raise RuleError(f"jq gave {len(results)} results, not one object")
    if not isinstance(results[0], dict):
        raise RuleError("jq did not give back an object")
    return results[0]


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
                hit = (
                    (isinstance(item, dict) and all(item.get(k) == v for k, v in want.items()))
                    if kind == "k"
                    else item == want
                )
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
        for part in path:
            o = o[part]
        return o
    except (KeyError, IndexError, TypeError):
        return None
