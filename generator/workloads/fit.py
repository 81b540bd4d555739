"""Writing spec settings into team-level objects as the release's own CRD defines them: a field
is written only where the release's schema of the object's API version has it and accepts the
value (enum); what is left out is recorded with the spec field that asked for it, so the
release fit (`workloads_fit`, a stage after the build) reports it at that line, and a refusal of
a written field (schema, CEL) is placed at the line of the spec field it came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generator.core.resources import Obj
from generator.facts.fit import set_path
from generator.facts.workloads import WorkloadFacts, workload_facts

Origin = tuple  # a spec field path


@dataclass(frozen=True)
class Left:
    origin: Origin | None
    kind: str
    path: str
    value: Any
    reason: str  # completes "<kind> <path> ... in <release>"


@dataclass
class WorkloadFit:
    facts: WorkloadFacts
    left: list[Left] = field(default_factory=list)
    origins: dict[tuple[str, str, str], Origin] = field(default_factory=dict)  # (kind, name, path) -> spec field

    def put(self, o: Obj, path: str, value: Any, origin: Origin | None = None) -> bool:
        kind, version = o["kind"], o["apiVersion"].rsplit("/", 1)[-1]
        node = self.facts.node(kind, path, version)
        reason = None
        if node is None:
            reason = "does not exist"
        elif "enum" in node and value not in node["enum"]:
            reason = f"accepts only {', '.join(map(str, node['enum']))}"
        if reason is not None:
            self.left.append(Left(origin, kind, path, value, reason))
            return False
        set_path(o, path, value)
        if origin is not None:
            self.origins[(kind, o["metadata"]["name"], path)] = origin
        return True

    def origin_of(self, o: Obj, path: str) -> Origin | None:
        """The spec field behind `path` of a written object, or behind its nearest written
        ancestor or descendant."""
        kind, name = o["kind"], o["metadata"]["name"]
        found = [(p, origin) for (k, n, p), origin in self.origins.items() if k == kind and n == name]
        for p, origin in sorted(found, key=lambda x: -len(x[0])):
            if path == p or path.startswith(p + ".") or p.startswith(path + "."):
                return origin
        return None


def for_release(spec) -> WorkloadFit:
    """An empty fit against the spec's own release's workload facts."""
    return WorkloadFit(workload_facts(spec.distribution.name, spec.version))


def fitted_by(
    fit: Callable[[Any, WorkloadFit], list[Obj]], wanted: Callable[[Any], Any]
) -> Callable[[Any], tuple[list[Obj], WorkloadFit | None]]:
    """A unit's `fitted` (components/base.py): where the spec `wanted` any, the objects `fit`
    writes through a fresh fit of the spec's release, and that fit; else none."""

    def fitted(spec) -> tuple[list[Obj], WorkloadFit | None]:
        if not wanted(spec):
            return [], None
        f = for_release(spec)
        return fit(spec, f), f

    return fitted
