"""The questions the rest of the package asks generator/data/argocd.yaml (its typed model is
generator.facts.argocd), in (group, kind) terms."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from generator.core.resources import Obj, group_of
from generator.facts import argocd, catalogs, matrix

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


def is_builtin(group: str) -> bool:
    return group in argocd.argocd().builtin_groups


def installed_outside(group: str) -> bool:
    """The group's CRDs come from an operator the cluster's admins install, not the bundle."""
    return any(group in e.groups for e in argocd.argocd().installed_outside)


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
    if operator == argocd.DISTRIBUTION:
        return tuple(sorted(catalogs.package(d) for d in matrix.matrix().distributions))
    return (matrix.operator(operator).package,)


@cache
def providers(group: str) -> tuple[Provider, ...] | None:
    """The alternatives that install `group`'s CRDs; None when the data does not know the group."""
    found = []
    for entry in argocd.argocd().providers:
        if group in entry.groups:
            if entry.operator is not None:
                found.append(Provider(packages=_packages(entry.operator)))
            else:
                found.append(Provider(component=entry.component))
    return tuple(found) or None


@dataclass(frozen=True)
class Edge:
    """Objects of kind `before` sync before those of kind `after`."""

    before: GroupKind
    after: GroupKind
    packages: frozenset[str] | None  # only the Subscriptions to these packages, on the `before` side
    same_namespace: bool  # only objects in the same namespace
    why: str


def order() -> list[Edge]:
    """The kind-to-kind order."""
    return [
        Edge(
            parse_kind(e.before),
            parse_kind(e.after),
            None if e.operators is None else frozenset(p for key in e.operators for p in _packages(key)),
            e.scope == "namespace",
            e.why,
        )
        for e in argocd.argocd().order
    ]


def last_kinds() -> frozenset[GroupKind]:
    return frozenset(parse_kind(k) for k in argocd.argocd().last)


def never_prune() -> frozenset[GroupKind]:
    return frozenset(parse_kind(e.kind) for e in argocd.argocd().never_prune)


def ready_on_create() -> frozenset[GroupKind]:
    return frozenset(parse_kind(e.kind) for e in argocd.argocd().ready_on_create)


def server_side_apply() -> frozenset[GroupKind]:
    return frozenset(parse_kind(e.kind) for e in argocd.argocd().server_side_apply)


def ignore_differences() -> list[dict]:
    """Argo CD ignoreDifferences entries (without the `why`), keyed by (group, kind)."""
    out = []
    for e in argocd.argocd().ignore_differences:
        group, kind = parse_kind(e.kind)
        entry: dict[str, Any] = {"group": group, "kind": kind}
        for key, found in (
            ("jsonPointers", e.json_pointers),
            ("jqPathExpressions", e.jq_path_expressions),
            ("managedFieldsManagers", e.managed_fields_managers),
        ):
            if found is not None:
                entry[key] = list(found)
        out.append(entry)
    return out


def ignored_unless_written() -> frozenset[tuple[str, str, str]]:
    """(group, kind, JSON pointer) ignored only while the bundle does not write the field: once
    the spec sets it, the platform owns it and a difference is drift."""
    return frozenset(
        (*parse_kind(e.kind), p)
        for e in argocd.argocd().ignore_differences
        if e.unless_written
        for p in e.json_pointers or ()
    )


def health_checks() -> dict[GroupKind, str]:
    """(group, kind) -> the file name of its Lua health check."""
    return {parse_kind(kind): e.check for e in argocd.argocd().health_checks for kind in e.kinds}
