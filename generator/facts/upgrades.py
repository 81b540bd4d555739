"""generator/data/upgrades.yaml as a typed model: the manual steps an upgrade between release
lines needs beyond the spec change and the OLM hops, each citing where the need comes from."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from generator.facts import handkept
from generator.facts.handkept import Section, Sourced

SHIPPED = "generator/data/upgrades.yaml"


def _listed(value: Any) -> Any:
    """`dist: rhoai` is short for `dist: [rhoai]`."""
    return (value,) if isinstance(value, str) else value


Names = Annotated[tuple[str, ...], BeforeValidator(_listed)]


class Condition(Section):
    """`{managed: <component>}` or `{running: <component>}`."""

    managed: str | None = None
    running: str | None = None


class Step(Sourced):
    from_line: str = Field(alias="from")
    to_line: str = Field(alias="to")
    dist: Names
    when: Literal["always", "serverless"] | Condition
    phase: Literal["before", "after"]
    what: str
    source: str


class Upgrades(Section):
    steps: tuple[Step, ...]


def load(path: Path, shown: str | None = None) -> Upgrades:
    return handkept.load(path, shown or str(path), Upgrades)


@lru_cache(maxsize=1)
def steps() -> tuple[Step, ...]:
    """The shipped upgrades.yaml's steps, validated (once per process)."""
    return load(handkept.shipped("upgrades.yaml"), SHIPPED).steps


def steps_between(dist: str, line_from: str, line_to: str) -> list[Step]:
    """The steps of moving a `dist` cluster from release line `line_from` to `line_to`."""
    return [s for s in steps() if (s.from_line, s.to_line) == (line_from, line_to) and dist in s.dist]
