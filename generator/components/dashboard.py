"""The dashboard's OdhDashboardConfig `odh-dashboard-config`: who may use and administer it,
the notebook and model server sizes it offers, the notebook controller settings, and which
pages it shows (a page whose backing component is Removed is hidden)."""

from __future__ import annotations

from generator import matrix
from generator.components.base import Component
from generator.resources import Obj, obj

API = "opendatahub.io/v1alpha"
NAME = "odh-dashboard-config"


def sizes(items) -> list[dict]:
    return [
        {
            "name": s.name,
            "resources": {
                "requests": {"cpu": s.requests.cpu, "memory": s.requests.memory},
                "limits": {"cpu": s.limits.cpu, "memory": s.limits.memory},
            },
        }
        for s in items
    ]


def flags(spec) -> dict[str, bool]:
    dist, version = spec.distribution.name, spec.version
    out = {}
    for flag, components in matrix.matrix()["dashboardFlags"].items():
        if all(matrix.has_component(dist, version, c) for c in components):
            out[flag] = not all(spec.managed(c) for c in components)
    return out


def notebook_controller(spec) -> dict:
    wb = spec.components.workbenches
    out: dict = {"enabled": spec.managed("workbenches"), "pvcSize": wb.pvc_size}
    if wb.storage_class:
        out["storageClassName"] = wb.storage_class
    out["notebookNamespace"] = spec.namespaces["workbenches"]
    return out


def build(spec) -> list[Obj]:
    if not spec.managed("dashboard"):
        return []
    return [
        obj(API, "OdhDashboardConfig", NAME, spec.namespaces["applications"], spec={
            "dashboardConfig": flags(spec),
            # The dashboard reads each as one comma-separated list of OpenShift groups.
            "groupsConfig": {
                "adminGroups": ",".join(spec.auth.admin_groups),
                "allowedGroups": ",".join(spec.auth.allowed_groups),
            },
            "notebookController": notebook_controller(spec),
            "notebookSizes": sizes(spec.notebook_sizes),
            "modelServerSizes": sizes(spec.model_server_sizes),
        })
    ]


COMPONENT = Component(
    name="dashboard",
    description="OdhDashboardConfig: groups, notebook and model server sizes, notebook controller, page flags",
    build=build,
)
