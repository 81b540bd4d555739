"""The registry of units (one Kustomize overlay and one Argo CD Application each), in the order
they appear in overlays and reports: the platform's components, then what the teams use.

Each module defines `COMPONENT`; adding a unit is adding a module and a line here. The registry
sits above both builder packages, so neither imports the other's registry.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.components import platform
from generator.core.errors import SpecError
from generator.workloads.check import workloads_fit
from generator.components.base import Component
from generator.components import egress, operator
from generator.components import dashboard, dsc, dsci, featurestore, modelregistry, serving, workbenches
from generator.components import gpu_nodes, gpu_operator, kueue, kueue_operator, nfd, profiles
from generator.components import access, monitoring
from generator.workloads import connections, images, pipelines, registries, runtimes
from generator.workloads import models

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


def release_fit(spec, positions) -> Iterator[SpecError]:
    """What loading a spec checks once its units can be built: every platform and team-level
    setting exists in the cluster's release and passes its CEL rules, reported at the spec's
    lines (passed to the loader as its `check`)."""
    yield from platform.release_fit(spec, positions)
    yield from workloads_fit(spec, positions)
