"""generator/data/rewrites.yaml as a typed model: fields a platform webhook rewrites when an
object is admitted, each with why and its source."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol

from pydantic import Field

from generator.facts import handkept
from generator.facts.handkept import Sourced

SHIPPED = "generator/data/rewrites.yaml"


class HasField(Protocol):
    """A release's team-level kinds (facts.workloads.WorkloadFacts)."""

    def has(self, kind: str, path: str) -> bool: ...


class Rewrite(Sourced):
    """A field a webhook rewrites on admission."""

    written_kind: str = Field(alias="kind")
    """`Kind.group`."""
    source_path: str = Field(alias="from")
    """The form written: spec.oauthProxy."""
    target_path: str = Field(alias="to")
    """The form stored: spec.kubeRBACProxy."""
    why: str
    source: str

    @property
    def kind(self) -> str:
        return self.written_kind.partition(".")[0]

    @property
    def group(self) -> str:
        return self.written_kind.partition(".")[2]

    def applies(self, facts: HasField) -> bool:
        """The release's CRD has the rewritten form (its webhook rewrites into it)."""
        return facts.has(self.kind, self.target_path)


class Rewrites(handkept.Section):
    rewrites: tuple[Rewrite, ...]


def load(path: Path, shown: str | None = None) -> Rewrites:
    return handkept.load(path, shown or str(path), Rewrites)


@lru_cache(maxsize=1)
def rewrites() -> tuple[Rewrite, ...]:
    """The shipped rewrites.yaml's rewrites, validated (once per process)."""
    return load(handkept.shipped("rewrites.yaml"), SHIPPED).rewrites
