"""generator/data/upgrades.yaml as a typed model: the manual steps an upgrade between release
lines needs beyond the spec change and the OLM hops, each citing where the need comes from."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from generator.facts import handkept, matrix
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


def _inconsistencies(u: Upgrades) -> Iterator[tuple[tuple, str]]:
    """(field path, what is wrong) where a step names what matrix.yaml lacks, or a condition is
    not exactly one of managed and running."""
    dists = matrix.matrix().distributions
    for i, step in enumerate(u.steps):
        for j, name in enumerate(step.dist):
            if name not in dists:
                yield ("steps", i, "dist", j), f"{name!r} is not a distribution: write {' or '.join(dists)}"
        if isinstance(step.when, Condition) and (step.when.managed is None) == (step.when.running is None):
            yield ("steps", i, "when"), "names one component, as {managed: <component>} or {running: <component>}"


def load(path: Path, shown: str | None = None) -> Upgrades:
    return handkept.load(path, shown or str(path), Upgrades, _inconsistencies)


@lru_cache(maxsize=1)
def steps() -> tuple[Step, ...]:
    """The shipped upgrades.yaml's steps, validated (once per process)."""
    return load(handkept.shipped("upgrades.yaml"), SHIPPED).steps


def steps_between(dist: str, line_from: str, line_to: str) -> list[Step]:
    """The steps of moving a `dist` cluster from release line `line_from` to `line_to`."""
    return [s for s in steps() if (s.from_line, s.to_line) == (line_from, line_to) and dist in s.dist]
