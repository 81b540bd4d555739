"""generator/data/kubernetes-scopes.yaml as a typed model: the cluster-scoped kinds of the API
groups an API server serves itself (every other built-in kind is namespaced)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import StringConstraints

from generator.facts import handkept
from generator.facts.handkept import Section

SHIPPED = "generator/data/kubernetes-scopes.yaml"

# `group/Kind`, `/Kind` for the core group.
GroupKind = Annotated[
    str,
    StringConstraints(
        pattern=handkept.plain_pattern(
            r"^[a-z0-9.-]*/[A-Z][A-Za-z0-9]*$", "group/Kind (/Kind for the core group: /Namespace)"
        )
    ),
]


class Scopes(Section):
    cluster: tuple[GroupKind, ...]


@lru_cache(maxsize=1)
def scopes() -> Scopes:
    """The shipped kubernetes-scopes.yaml, validated (once per process)."""
    return load(handkept.shipped("kubernetes-scopes.yaml"), SHIPPED)


def load(path: Path, shown: str | None = None) -> Scopes:
    return handkept.load(path, shown or str(path), Scopes)


@lru_cache(maxsize=1)
def cluster_scoped() -> frozenset[str]:
    """`group/Kind` of every built-in cluster-scoped kind."""
    return frozenset(scopes().cluster)
