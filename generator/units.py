"""The registry of units (one Kustomize overlay and one Argo CD Application each), in the order
they appear in overlays and reports: the platform's components, then what the teams use.

Each module defines `COMPONENT`; adding a unit is adding a module and a line here. The registry
sits above both builder packages, so neither imports the other's registry.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.components import (
    access,
    dashboard,
    dsc,
    dsci,
    egress,
    featurestore,
    gpu_nodes,
    gpu_operator,
    kueue,
    kueue_operator,
    modelregistry,
    monitoring,
    nfd,
    operator,
    platform,
    profiles,
    serving,
    workbenches,
)
from generator.components.base import Built, Component
from generator.core.errors import SpecError
from generator.workloads import connections, images, models, pipelines, registries, runtimes
from generator.workloads.check import workloads_fit

COMPONENTS: list[Component] = [
    egress.COMPONENT,
    operator.COMPONENT,
    serving.COMPONENT,
    dsci.COMPONENT,
    dsc.COMPONENT,
    dashboard.COMPONENT,
    workbenches.COMPONENT,
    modelregistry.COMPONENT,
    featurestore.COMPONENT,
    gpu_nodes.COMPONENT,
    nfd.COMPONENT,
    gpu_operator.COMPONENT,
    profiles.COMPONENT,
    kueue_operator.COMPONENT,
    kueue.COMPONENT,
    access.COMPONENT,
    connections.COMPONENT,
    pipelines.COMPONENT,
    registries.COMPONENT,
    images.COMPONENT,
    runtimes.COMPONENT,
    models.COMPONENT,
    monitoring.COMPONENT,
]


def release_fit(spec, positions, built: Built | None = None) -> Iterator[SpecError]:
    """The release fit, a stage after loading: every platform and team-level setting exists in
    the cluster's release and passes its CEL rules, reported at the spec's lines. It judges the
    objects of `built` (the cluster's build) where given, else builds the ones it judges."""
    yield from platform.release_fit(spec, positions, built)
    yield from workloads_fit(spec, positions, built)
