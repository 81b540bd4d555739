"""Workbench idle culling: the ConfigMap the notebook controller reads its culler settings
from, in the applications namespace (times in minutes, as the controller expects)."""

from __future__ import annotations

from generator.components.base import Component
from generator.core.resources import Obj, obj

NAME = "notebook-controller-culler-config"


def build(spec) -> list[Obj]:
    if not spec.managed("workbenches"):
        return []
    culling = spec.components.workbenches.culling
    cm = obj(
        "v1",
        "ConfigMap",
        NAME,
        spec.namespaces["applications"],
        data={
            "ENABLE_CULLING": "true" if culling.enabled else "false",
            "CULL_IDLE_TIME": str(culling.idle_minutes),
            "IDLENESS_CHECK_PERIOD": str(culling.check_period_minutes),
        },
    )
    # The dashboard finds (and edits, from its settings page) the culler config by this label.
    cm["metadata"]["labels"] = {"opendatahub.io/dashboard": "true"}
    return [cm]


COMPONENT = Component(
    name="workbenches",
    description="notebook-controller-culler-config: idle workbench culling",
    build=build,
)
