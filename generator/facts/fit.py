"""Writing spec settings into the platform's objects as one release's CRDs define them.

Builders of the platform objects (DataScienceCluster, DSCInitialization, OdhDashboardConfig,
Auth) set every field through a `Fit`, which keeps a field only where the release's own schema
has it, accepts its value (enum), does not describe it as ignored, and (for objects the platform
creates before Argo CD applies ours) does not forbid changing it. What it leaves out is recorded
with the spec field that asked for it: a spec that explicitly sets something its release lacks
is an error at that line (the release fit, components/platform.py); a default the release lacks is simply left
to the operator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generator.core.resources import Obj
from generator.facts import matrix
from generator.facts.releases import Release

Origin = tuple  # a spec field path, e.g. ("components", "workbenches", "namespace")


@dataclass(frozen=True)
class Left:
    """A setting the release does not take."""

    origin: Origin | None
    kind: str
    path: str  # the object's field, e.g. spec.components.workbenches.workbenchNamespace
    value: Any
    reason: str  # completes "<kind> <path> ... in <release>": "does not exist", "accepts only Managed, Removed"


def set_path(o: Obj, path: str, value: Any) -> None:
    """Set a dotted path of an object, creating the maps on the way."""
    target = o
    parts = path.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _precreated() -> frozenset[str]:
    return frozenset(matrix.matrix().precreated)


@dataclass
class Fit:
    release: Release
    # Kinds whose object the platform creates itself (Argo CD's apply is an update): fields the
    # release makes immutable are left out, or the first sync would be refused.
    precreated: frozenset[str] = field(default_factory=_precreated)
    left: list[Left] = field(default_factory=list)
    # (kind, path) -> the spec field a written value came from, to place a refusal of the
    # written object (schema, CEL) at the spec's line
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)

    def put(self, o: Obj, path: str, value: Any, origin: Origin | None = None) -> bool:
        """Set `path` (dotted, below the object's root) to `value` if the release takes it."""
        kind = o["kind"]
        node = self.release.node(kind, path)
        reason = None
        if node is None:
            reason = "does not exist"
        elif "enum" in node and value not in node["enum"]:
            reason = f"accepts only {', '.join(map(str, node['enum']))}"
        elif value in self.release.rejects(kind, path):
            reason = "lists it, but the operator refuses it at runtime (its CRD says so)"
        elif self.release.ignored(kind, path):
            reason = "is ignored (its CRD says so)"
        elif kind in self.precreated and self.release.immutable(kind, path):
            reason = "is immutable, and the platform creates this object itself"
        if reason is not None:
            self.left.append(Left(origin, kind, path, value, reason))
            return False
        set_path(o, path, value)
        if origin is not None:
            self.origins[(kind, path)] = origin
        return True

    def origin_of(self, kind: str, path: str) -> Origin | None:
        """The spec field behind `path` of a written object, or behind its nearest written
        ancestor or descendant."""
        best: tuple[int, Origin] | None = None
        for (k, p), origin in self.origins.items():
            if k != kind:
                continue
            if path == p or path.startswith((p + ".", p + "[")):
                score = len(p)
            elif p.startswith((path + ".", path + "[")):
                score = len(path)
            else:
                continue
            if best is None or score > best[0]:
                best = (score, origin)
        return best[1] if best else None


def fitted_by(fit: Callable[[Any, Fit], list[Obj]]) -> Callable[[Any], tuple[list[Obj], Fit]]:
    """A unit's `fitted` (components/base.py): the objects `fit` writes through a fresh Fit of
    the spec's release, and that Fit."""

    def fitted(spec) -> tuple[list[Obj], Fit]:
        f = Fit(spec.release)
        return fit(spec, f), f

    return fitted
