"""The registry of components, in the order they appear in overlays and reports.

Each module defines `COMPONENT`; adding a component is adding a module and a line here.
"""

from __future__ import annotations

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

