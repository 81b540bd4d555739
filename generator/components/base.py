"""What a component is: a named unit of the bundle (one Kustomize overlay, one Argo CD
Application) and a function from the spec to its objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.core.resources import Obj
    from generator.spec.model import PlatformSpec


@dataclass(frozen=True)
class Component:
    name: str  # folder name under base/<dist>/ and overlays/<cluster>/, Argo CD Application suffix
    description: str
    build: Callable[[PlatformSpec], list[Obj]]  # [] means: not enabled on this cluster
    # False for units synced somewhere else than the cluster itself (the Argo CD objects).
    in_cluster_overlay: bool = True
    # False when every object is cluster-specific, so a shared base would only be patched away.
    has_base: bool = True
    # For a unit whose objects follow from the other units' (the catalogs their Subscriptions
    # name, the images they reference): called with every other unit once all are built, in
    # place of `build`.
    derive: Callable[[PlatformSpec, dict[str, list[Obj]]], list[Obj]] | None = None
    # For a unit whose objects are written through its release's fit (facts/fit.py,
    # workloads/fit.py): the objects and the record of what the release left out of them (None
    # when there are none), called in place of `build`. The release fit, a stage after the
    # build, judges these objects and that record: nothing is built twice.
    fitted: Callable[[PlatformSpec], Fitted] | None = None


# A unit's objects and the record of what its release left out of them (a facts.fit.Fit, a
# workloads.fit.WorkloadFit, or None where the unit has no objects).
Fitted = tuple[list["Obj"], Any]


@dataclass(frozen=True)
class Built:
    """One cluster as the build made it: the units, and the objects and fit record of each unit
    built through its release's fit (`Component.fitted`), by unit name."""

    units: dict[str, list[Obj]]
    fits: dict[str, Fitted]
