"""Argo CD's known-type normalisation: a value is re-written the way its Kubernetes Go type
marshals it before comparing, so `0.2` and `200m` CPU, or `8760h` and `8760h0m0s`, are equal
where Argo CD finds them equal and only there.

Argo CD does it for every built-in kind (it round-trips the object through the kind's Go
struct; an object with a field the struct lacks, or a value of the wrong type, is left as it
is) and, for custom resources, for the fields named by `knownTypeFields` in its resource
customizations (`<group>/<Kind>` -> field path and type, types from its
`diffing_known_types.txt`: `core/Quantity`, `meta/v1/Duration`, `core/v1/<Type>`), plus its own
default `argoproj.io/Rollout` `spec.template.spec` as a `core/v1/PodSpec`. The round trip:
quantities and durations take their canonical form, and a `false` the Go type omits when empty
(an optional, non-pointer boolean, such as a volume mount's `readOnly`) disappears.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator.core import quantity
from generator.core.resources import Obj, group_of
from generator.diff import schema

QUANTITY_TYPE, DURATION_TYPE = "core/Quantity", "meta/v1/Duration"


@dataclass(frozen=True)
class KnownTypeField:
    group: str
    kind: str
    field: str  # dotted path, lists entered item by item
    type: str  # core/Quantity, meta/v1/Duration or core/v1/<Type>

    def matches(self, o: Obj) -> bool:
        return group_of(o) == self.group and o.get("kind") == self.kind


# Argo CD's built-in default (knowntypes_normalizer.go, ensureDefaultCRDsConfigured).
DEFAULT_FIELDS = (KnownTypeField("argoproj.io", "Rollout", "spec.template.spec", "core/v1/PodSpec"),)


def fields_from_overrides(overrides: dict) -> list[KnownTypeField]:
    """`resource.customizations` entries (`group/Kind` or `Kind`) -> their knownTypeFields."""
    out = []
    for key, override in (overrides or {}).items():
        group, _, kind = key.rpartition("/")
        for f in (override or {}).get("knownTypeFields") or []:
            if isinstance(f, dict) and f.get("field") and f.get("type"):
                out.append(KnownTypeField(group, kind, str(f["field"]), str(f["type"])))
    return out


# --------------------------------------------------------------------------- durations

_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_NS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def parse_duration(text: object) -> int | None:
    """Nanoseconds of a Go duration string (time.ParseDuration), or None."""
    if not isinstance(text, str) or not text:
        return None
    sign, rest = (-1, text[1:]) if text[0] == "-" else (1, text[1:] if text[0] == "+" else text)
    if rest == "0":
        return 0
    total, pos = Fraction(0), 0
    while pos < len(rest):
        m = _DURATION_PART.match(rest, pos)
        if not m or m.group(1) in ("", "."):
            return None
        total += Fraction(m.group(1)) * _UNIT_NS[m.group(2)]
        pos = m.end()
    return sign * int(total) if rest else None


def format_duration(ns: int) -> str:
    """time.Duration.String()."""
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    if ns < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 1000), ("ns", 1)):
            if ns >= size:
                return sign + _decimal(Fraction(ns, size)) + unit
    hours, rest = divmod(ns, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    seconds = _decimal(Fraction(rest, 10**9)) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _decimal(value: Fraction) -> str:
    whole, frac = divmod(value, 1)
    if not frac:
        return str(int(whole))
    digits = f"{float(frac):.9f}"[2:].rstrip("0")
    return f"{int(whole)}.{digits}"


# --------------------------------------------------------------------------- the round trip


class _Unfit(Exception):
    """The value does not decode into its Go type: Argo CD leaves the object as it is."""


def _quantity(value: Any) -> str:
    canon = quantity.canonical(value)
    if canon is None:
        raise _Unfit
    return canon


def _duration(value: Any) -> str:
    ns = parse_duration(value)
    if ns is None:
        raise _Unfit
    return format_duration(ns)


def _remarshal(value: Any, node: schema.Node | None) -> Any:
    if node is None:
        return value
    if node.quantity:
        return _quantity(value)
    if node.duration:
        return _duration(value)
    types = node.types()
    if isinstance(value, dict):
        if types and "object" not in types:
            raise _Unfit
        if node.free_form:
            return value
        out = {}
        required = node.required()
        for key, sub in value.items():
            if not node.knows(key):
                raise _Unfit
            child = node.child(key)
            if sub is False and child is not None and child.types() <= {"boolean", "null"} and key not in required:
                continue  # an empty non-pointer bool is omitted
            out[key] = _remarshal(sub, child)
        return out
    if isinstance(value, list):
        if types and "array" not in types:
            raise _Unfit
        return [_remarshal(v, node.item()) for v in value]
    if isinstance(value, bool):
        wanted = {"boolean"}
    elif isinstance(value, (int, float)):
        wanted = {"integer", "number"}
    elif isinstance(value, str):
        wanted = {"string"}
    else:
        wanted = {"null"}
    if types and not types & wanted:
        raise _Unfit  # int-or-string and quantities have no single type: anything of theirs decodes
    return value


def type_node(type_name: str) -> schema.Node | str | None:
    if type_name in (QUANTITY_TYPE, DURATION_TYPE):
        return type_name
    if type_name.startswith("core/v1/"):
        return schema.core_type(type_name[len("core/v1/") :])
    return None


def _convert(value: Any, type_name: str) -> Any:
    target = type_node(type_name)
    if target == QUANTITY_TYPE:
        return _quantity(value)
    if target == DURATION_TYPE:
        return _duration(value)
    if isinstance(target, schema.Node):
        return _remarshal(value, target)
    return value


def _apply_field(node: Any, parts: list[str], type_name: str) -> None:
    """Argo CD's walk: a list met on the way is entered item by item."""
    if not parts or not isinstance(node, dict) or parts[0] not in node:
        return
    key, rest = parts[0], parts[1:]
    value = node[key]
    if isinstance(value, list):
        for i, item in enumerate(value):
            if rest:
                _apply_field(item, rest, type_name)
            elif isinstance(item, dict):
                value[i] = _convert(item, type_name)
        return
    if rest:
        _apply_field(value, rest, type_name)
    else:
        node[key] = _convert(value, type_name)


def normalize(o: Obj, fields: Sequence[KnownTypeField] = ()) -> Obj:
    """`o` with its known types re-written (a new object; `o` is not changed). A value that
    does not decode leaves the object (built-in) or that field (custom resource) as it was,
    as Argo CD's failed round trip does."""
    kind = schema.kind_schema(o.get("apiVersion", ""), o.get("kind", ""))
    out = o
    if kind is not None and kind.root.builtin:
        try:
            body = {k: v for k, v in o.items() if k not in ("apiVersion", "kind", "metadata", "status")}
            out = {**o, **_remarshal(body, kind.root)}
        except _Unfit:
            out = o
    for f in [*DEFAULT_FIELDS, *fields]:
        if f.matches(out):
            candidate = copy.deepcopy(out)
            try:
                _apply_field(candidate, f.field.split("."), f.type)
            except _Unfit:
                continue
            out = candidate
    return out
