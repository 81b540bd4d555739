"""Object-level diff shared by `plan` (two renders) and `drift` (desired vs live).

Objects are compared field by field. Two modes:
- full (plan): every added, removed and changed field on either side; lists of named items are
  matched by what names them (containers, env, ports and volumes by name, tolerations by key and
  effect, Kueue resourceGroups by their set of flavors, flavors and resources by name), not by
  position, so a change to one item reads as a change to that item; lists of plain values are
  compared whole;
- subset with merge (drift): only the fields the desired (left) object sets, so values the
  server fills in are not differences, and lists merge as the kind's schema says
  (generator.diff.schema): map lists by their keys and sets by value, where what only the live
  object has is not a difference, atomic lists item by item in order, where it is. Items are
  still named by what names them in the paths reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from generator.core.resources import Obj, ident, ident_str
from generator.diff.schema import ATOMIC_LIST, MAP, SET


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Any = _Absent()  # a side that does not have the field at all


@dataclass(frozen=True)
class FieldChange:
    """One differing field. `left` is the reference (the old revision, or the desired object),
    `right` the side compared with it (the new revision, or the live object); ABSENT where a
    side lacks the field."""

    path: str
    left: Any
    right: Any

    @property
    def change(self) -> str:
        if self.left is ABSENT:
            return "added"
        if self.right is ABSENT:
            return "removed"
        return "changed"

    def as_dict(self, left: str = "old", right: str = "new", changes: dict[str, str] | None = None) -> dict:
        out: dict[str, Any] = {"path": self.path, "change": (changes or {}).get(self.change, self.change)}
        if self.left is not ABSENT:
            out[left] = self.left
        if self.right is not ABSENT:
            out[right] = self.right
        return out


# --------------------------------------------------------------------------- field paths


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _join(path: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def show(value: Any, width: int | None = None) -> str:
    """A value as one line of YAML-ish text (strings quoted, so "8" and 8 differ); folded to
    `width` characters, saying how much was left out."""
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, sort_keys=True, separators=(", ", ": "))
    if width is not None and len(text) > width:
        cut = width - 20
        return f"{text[:cut]}... ({len(text) - cut} more characters)"
    return text


# --------------------------------------------------------------------------- naming list items


Keyer = Callable[[dict], str | None]  # None: the item has no such name


def _by_flavors(item: dict) -> str | None:
    flavors = item.get("flavors")
    if not isinstance(flavors, list) or not all(isinstance(f, dict) and "name" in f for f in flavors):
        return None
    return "flavors=" + "+".join(sorted(str(f["name"]) for f in flavors))


def _by_name(item: dict) -> str | None:
    return f"name={item['name']}" if isinstance(item.get("name"), str) else None


def _by_rule(item: dict) -> str | None:
    for key in ("alert", "record"):
        if isinstance(item.get(key), str):
            return f"{key}={item[key]}"
    return None


def _by_destination(item: dict) -> str | None:
    where = item.get("server") or item.get("name")
    return f"{item['namespace']}@{where}" if "namespace" in item and where else None


def _by_group_kind(item: dict) -> str | None:
    return f"{item.get('group', '')}/{item['kind']}" if "kind" in item and set(item) <= {"group", "kind"} else None


def _by_key_effect(item: dict) -> str | None:
    if "key" not in item and "effect" not in item:
        return None
    if "name" in item or not set(item) <= {"key", "operator", "value", "effect", "tolerationSeconds"}:
        return None
    return f"key={item.get('key', '')},effect={item.get('effect', '')}"


# Field name -> how its items are named; other lists of maps are named by `name` when every
# item has a distinct one. Taints and tolerations are what key+effect identifies.
_KEYERS_BY_FIELD: dict[str, Keyer] = {
    "resourceGroups": _by_flavors,
    "tolerations": _by_key_effect,
    "taints": _by_key_effect,
    "rules": _by_rule,  # PrometheusRule groups' rules: an alert or a recording rule
    "destinations": _by_destination,  # AppProject
    "clusterResourceWhitelist": _by_group_kind,
    "namespaceResourceWhitelist": _by_group_kind,
}


def item_keys(field_name: str, items: list) -> list[str] | None:
    """A distinct name per item, or None when the list is positional."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    keyer = _KEYERS_BY_FIELD.get(field_name, _by_name)
    keys = [keyer(i) for i in items]
    if any(k is None for k in keys) or len(set(keys)) != len(keys):
        return None
    return keys  # type: ignore[return-value]


# --------------------------------------------------------------------------- the walk


def _scalar_equal(a: Any, b: Any) -> bool:
    if a == b and type(a) is type(b):
        return True
    # JSON has one number type: 8 and 8.0 are the same value
    numbers = (int, float)
    return (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
        and a == b
    )


@dataclass
class _Walk:
    subset: bool
    merge: bool = False  # lists merge as the schema nodes passed along say (drift)
    changes: list[FieldChange] = field(default_factory=list)

    def value(self, path: str, name: str, a: Any, b: Any, node: Any = None) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            self.mapping(path, a, b, node)
        elif isinstance(a, list) and isinstance(b, list):
            if self.merge:
                self.merged_sequence(path, name, a, b, node)
            else:
                self.sequence(path, name, a, b)
        elif not _scalar_equal(a, b):
            self.changes.append(FieldChange(path, a, b))

    def mapping(self, path: str, a: dict, b: dict, node: Any = None) -> None:
        keys = list(a) + [k for k in b if k not in a and not self.subset]
        for key in keys:
            sub = _join(path, str(key))
            av, bv = a.get(key, ABSENT), b.get(key, ABSENT)
            if self.subset and (av is None or av == {} or av == []) and bv in (ABSENT, None, {}, []):
                continue  # setting a field empty and the server omitting it are the same
            if av is ABSENT or bv is ABSENT:
                self.changes.append(FieldChange(sub, av, bv))
            else:
                self.value(sub, str(key), av, bv, node.child(str(key)) if node is not None else None)

    def sequence(self, path: str, name: str, a: list, b: list) -> None:
        ka, kb = item_keys(name, a), item_keys(name, b)
        if ka is not None and (kb is not None or not b):
            self._by_keys(path, a, b, ka, kb or [], None)
            return
        if all(isinstance(i, dict) for i in a + b) and len(a) == len(b) and a:
            for i, (x, y) in enumerate(zip(a, b)):
                self.mapping(f"{path}[{i}]", x, y)
            return
        if len(a) == len(b) and all(self._equal(x, y) for x, y in zip(a, b)):
            return
        # No names to match items by: match them by value, so that one destination added to a
        # list of forty reads as one added item, not two copies of the list.
        unmatched = list(range(len(b)))
        removed = []
        for i, x in enumerate(a):
            j = next((j for j in unmatched if self._equal(x, b[j])), None)
            if j is None:
                removed.append(i)
            else:
                unmatched.remove(j)
        if not removed and not unmatched:
            self.changes.append(FieldChange(path, a, b))  # the same items in another order
            return
        self.changes += [FieldChange(f"{path}[{i}]", a[i], ABSENT) for i in removed]
        self.changes += [FieldChange(f"{path}[{j}]", ABSENT, b[j]) for j in unmatched]

    def _by_keys(
        self, path: str, a: list, b: list, ka: list, kb: list, node: Any, extra_is_change: bool = True
    ) -> None:
        right, left = dict(zip(kb, b)), dict(zip(ka, a))
        for k, item in zip(ka, a):
            sub = f"{path}[{k}]"
            if k in right:
                self.value(sub, "", item, right[k], node)
            else:
                self.changes.append(FieldChange(sub, item, ABSENT))
        if extra_is_change:
            for k, item in zip(kb, b):
                if k not in left:
                    self.changes.append(FieldChange(f"{path}[{k}]", ABSENT, item))

    def merged_sequence(self, path: str, name: str, a: list, b: list, node: Any) -> None:
        """A list merged as the API server merges it: items of a map list matched by their
        keys and a set's values by value (what only the live object has is someone else's, not
        drift); an atomic list is the desired one exactly, item by item in order."""
        lt = node.list_type() if node is not None else ATOMIC_LIST
        item = node.item() if node is not None else None
        if lt.kind == MAP:
            ma, mb = [lt.key(i) for i in a], [lt.key(i) for i in b]
            if None not in ma and None not in mb and len(set(ma)) == len(ma) and len(set(mb)) == len(mb):
                labels = {k: lt.label(i) for k, i in zip(ma + mb, a + b)}
                self._by_keys(path, a, b, [labels[k] for k in ma], [labels[k] for k in mb], item, not self.subset)
                return
        elif lt.kind == SET:
            if any(not any(self._equal(x, y) for y in b) for x in a) or (not self.subset and len(a) != len(b)):
                self.changes.append(FieldChange(path, a, b))
            return
        # atomic: the desired list exactly, so live-only items are drift, and so is any list
        # nested in its items (they are replaced whole with it); items are compared in order,
        # named by what names them when both sides agree on it
        ka, kb = item_keys(name, a), item_keys(name, b)
        if len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b)):
                label = ka[i] if ka is not None and kb is not None and ka[i] == kb[i] else str(i)
                self.value(f"{path}[{label}]", name, x, y, None)
            return
        if ka is not None and (kb is not None or not b):
            kb = kb or []
            if [k for k in ka if k in kb] == [k for k in kb if k in ka]:
                self._by_keys(path, a, b, ka, kb, None)
                return
        self.changes.append(FieldChange(path, a, b))

    def _equal(self, a: Any, b: Any) -> bool:
        probe = _Walk(self.subset, self.merge)
        probe.value("", "", a, b)
        return not probe.changes


def diff(left: Any, right: Any, *, subset: bool = False, merge: bool = False, schema: Any = None) -> list[FieldChange]:
    """Field changes from `left` to `right` (see the module doc for the modes). `merge`: lists
    merge as `schema` (generator.diff.schema.KindSchema) says, atomic where it says nothing."""
    walk = _Walk(subset, merge)
    walk.value("", "", left, right, schema)
    return walk.changes


# --------------------------------------------------------------------------- sets of objects


@dataclass
class ObjectChange:
    ident: tuple[str, str, str, str]
    name: str  # Kind.group namespace/name
    status: str  # added | removed | changed
    fields: list[FieldChange] = field(default_factory=list)

    def as_dict(self, left: str = "old", right: str = "new") -> dict:
        out: dict[str, Any] = {"object": self.name, "status": self.status}
        if self.fields:
            out["fields"] = [f.as_dict(left, right) for f in self.fields]
        return out


def diff_objects(left: Iterable[Obj], right: Iterable[Obj]) -> list[ObjectChange]:
    """Objects added, removed and changed (full mode) from one set to the other, by identity
    (group, kind, namespace, name); sorted by identity so output is stable."""
    a = {ident(o): o for o in left}
    b = {ident(o): o for o in right}
    out = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            out.append(ObjectChange(key, ident_str(a[key]), "removed"))
        elif key not in a:
            out.append(ObjectChange(key, ident_str(b[key]), "added"))
        else:
            fields = diff(a[key], b[key])
            if fields:
                out.append(ObjectChange(key, ident_str(b[key]), "changed", fields))
    return out
