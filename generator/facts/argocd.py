"""generator/data/argocd.yaml as a typed model: what Argo CD needs to know about the objects the
bundle renders (built-in groups, who installs each group's CRDs, the order between kinds, what is
never pruned, applied server-side, ignored when comparing, health-checked, ready once created),
each entry with why. Validated once when first asked for; generator.argocd.facts asks it."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Literal

from generator.facts import handkept, matrix
from generator.facts.handkept import Section

SHIPPED = "generator/data/argocd.yaml"
DISTRIBUTION = "distribution"
"""The operator name of the RHOAI/ODH operator in `providers` and `order`."""

Names = tuple[str, ...]


class Provider(Section):
    """Who installs the CRDs of `groups`: an OLM package by its operator's key in matrix.yaml
    (`distribution`: the RHOAI/ODH operator), or a DataScienceCluster component."""

    groups: Names
    operator: str | None = None
    component: str | None = None


class InstalledOutside(Section):
    groups: Names
    why: str


class Order(Section):
    before: str
    """`Kind.group`."""
    after: str
    scope: Literal["namespace"] | None = None
    """namespace: relates only objects in the same namespace."""
    operators: Names | None = None
    """Relates only the Subscriptions to these operators (matrix.yaml keys) on the `before` side."""
    why: str


class KindWhy(Section):
    kind: str
    why: str


class IgnoreDifference(Section):
    kind: str
    json_pointers: Names | None = None
    jq_path_expressions: Names | None = None
    managed_fields_managers: Names | None = None
    unless_written: bool = False
    """Ignored only while the bundle does not write the field."""
    why: str


class HealthCheck(Section):
    kinds: Names
    check: str
    """The Lua file under generator/data/health/."""
    reads: str


class ArgoCD(Section):
    builtin_groups: Names
    providers: tuple[Provider, ...]
    installed_outside: tuple[InstalledOutside, ...]
    order: tuple[Order, ...]
    last: Names
    never_prune: tuple[KindWhy, ...]
    server_side_apply: tuple[KindWhy, ...]
    ignore_differences: tuple[IgnoreDifference, ...]
    health_checks: tuple[HealthCheck, ...]
    ready_on_create: tuple[KindWhy, ...]


def _inconsistencies(a: ArgoCD) -> Iterator[tuple[tuple, str]]:
    """(field path, what is wrong) where an entry names what matrix.yaml lacks."""
    known = f"{DISTRIBUTION} or a key of matrix.yaml `operators`"
    for i, p in enumerate(a.providers):
        if (p.operator is None) == (p.component is None):
            yield ("providers", i), "names either an operator or a component (exactly one)"
        elif p.operator is not None and p.operator != DISTRIBUTION and p.operator not in matrix.matrix().operators:
            yield ("providers", i, "operator"), f"{p.operator!r} is not an operator: write {known}"
    for i, o in enumerate(a.order):
        for j, name in enumerate(o.operators or ()):
            if name != DISTRIBUTION and name not in matrix.matrix().operators:
                yield ("order", i, "operators", j), f"{name!r} is not an operator: write {known}"


def load(path: Path, shown: str | None = None) -> ArgoCD:
    return handkept.load(path, shown or str(path), ArgoCD, _inconsistencies)


@lru_cache(maxsize=1)
def argocd() -> ArgoCD:
    """The shipped argocd.yaml, validated (once per process)."""
    return load(handkept.shipped("argocd.yaml"), SHIPPED)
