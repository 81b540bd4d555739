"""generator/data/argocd.yaml, read once, and the questions the rest of the package asks it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from generator.core.resources import Obj, group_of
from generator.facts import catalogs, matrix

GroupKind = tuple[str, str]  # (group, kind)


def parse_kind(text: str) -> GroupKind:
    """`Kind.group` -> (group, kind); a bare `Kind` is the core group."""
    kind, _, group = text.partition(".")
    return group, kind


def group_kind(o: Obj) -> GroupKind:
    return group_of(o), o.get("kind", "")


def kind_str(gk: GroupKind) -> str:
    group, kind = gk
    return f"{kind}.{group}" if group else kind


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    text = resources.files("generator").joinpath("data/argocd.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def is_builtin(group: str) -> bool:
    return group in data()["builtinGroups"]


def installed_outside(group: str) -> bool:
    """The group's CRDs come from an operator the cluster's admins install, not the bundle."""
    return any(group in e["groups"] for e in data().get("installedOutside", []))


@dataclass(frozen=True)
class Provider:
    """Something in the bundle whose presence installs the CRDs of some groups."""

    packages: tuple[str, ...] = ()  # a Subscription to one of these OLM packages
    component: str | None = None  # a DataScienceCluster with this component Managed

    def describe(self) -> str:
        if self.component:
            return f"a DataScienceCluster with components.{self.component}.managementState: Managed"
        return f"a Subscription to {' or '.join(self.packages)}"

    def matches(self, o: Obj) -> bool:
        if self.component:
            if o.get("kind") != "DataScienceCluster":
                return False
            state = (((o.get("spec") or {}).get("components") or {}).get(self.component) or {}).get("managementState")
            return state == "Managed"
        return (
            o.get("kind") == "Subscription"
            and group_of(o) == "operators.coreos.com"
            and ((o.get("spec") or {}).get("name") in self.packages)
        )


def _packages(operator: str) -> tuple[str, ...]:
    if operator == "distribution":
        return tuple(sorted(catalogs.package(d) for d in matrix.matrix().distributions))
    return (matrix.operator(operator).package,)


@cache
def providers(group: str) -> tuple[Provider, ...] | None:
    """The alternatives that install `group`'s CRDs; None when the data does not know the group."""
    found = []
    for entry in data()["providers"]:
        if group in entry["groups"]:
            if "operator" in entry:
                found.append(Provider(packages=_packages(entry["operator"])))
            else:
                found.append(Provider(component=entry["component"]))
    return tuple(found) or None


def order() -> list[dict]:
    """The kind-to-kind order; an entry with `operators` relates only the Subscriptions to those
    operators' packages (matrix.yaml keys) on its `before` side."""
    out = []
    for e in data()["order"]:
        entry = {**e, "before": parse_kind(e["before"]), "after": parse_kind(e["after"])}
        if "operators" in e:
            entry["packages"] = frozenset(p for key in e["operators"] for p in _packages(key))
        out.append(entry)
    return out


def last_kinds() -> frozenset[GroupKind]:
    return frozenset(parse_kind(k) for k in data()["last"])


def never_prune() -> frozenset[GroupKind]:
    return frozenset(parse_kind(e["kind"]) for e in data()["neverPrune"])


def ready_on_create() -> frozenset[GroupKind]:
    return frozenset(parse_kind(e["kind"]) for e in data()["readyOnCreate"])


def server_side_apply() -> frozenset[GroupKind]:
    return frozenset(parse_kind(e["kind"]) for e in data()["serverSideApply"])


def ignore_differences() -> list[dict]:
    """Argo CD ignoreDifferences entries (without the `why`), keyed by (group, kind)."""
    out = []
    for e in data()["ignoreDifferences"]:
        group, kind = parse_kind(e["kind"])
        entry: dict[str, Any] = {"group": group, "kind": kind}
        for key in ("jsonPointers", "jqPathExpressions", "managedFieldsManagers"):
            if key in e:
                entry[key] = list(e[key])
        out.append(entry)
    return out


def ignored_unless_written() -> frozenset[tuple[str, str, str]]:
    """(group, kind, JSON pointer) ignored only while the bundle does not write the field: once
    the spec sets it, the platform owns it and a difference is drift."""
    return frozenset(
        (*parse_kind(e["kind"]), p)
        for e in data()["ignoreDifferences"]
        if e.get("unlessWritten")
        for p in e["jsonPointers"]
    )
