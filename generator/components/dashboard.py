"""The dashboard's OdhDashboardConfig `odh-dashboard-config`: the notebook and model server sizes
it offers, the notebook controller settings, which pages it shows (a page whose backing
component is Removed is hidden) and, on releases without the Auth object, who may use and
administer it.

The dashboard creates this object itself when it starts, so Argo CD's apply is an update: fields
the release makes immutable (groupsConfig from RHOAI 2.17 / ODH 2.24, notebookNamespace from
RHOAI 2.23 / ODH 2.31) are never written, and flags only where the release's CRD has them."""

from __future__ import annotations

from generator.components.base import Component
from generator.components.dsci import AUTH
from generator.core.resources import Obj, obj
from generator.facts import matrix
from generator.facts.fit import Fit, fitted_by

KIND = "OdhDashboardConfig"
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


def flags(spec, release) -> dict[str, bool]:
    """Page flags: true (hidden) unless every component behind the page runs (of those the
    release has: 3.x distributed workloads need Kueue and Ray, CodeFlare is gone); a flag is
    written only where the release's dashboard has it and has some component behind it. Pages of
    kinds the bundle renders (HardwareProfiles) are shown where the flag still does something."""
    out = {}
    for flag, listed in matrix.matrix().dashboard_flags.items():
        behind = [c for c in listed if spec.has_component(c)]
        if behind and release.has(KIND, f"spec.dashboardConfig.{flag}"):
            out[flag] = not all(spec.running(c) for c in behind)
    for flag, kind in matrix.matrix().dashboard_kind_flags.items():
        path = f"spec.dashboardConfig.{flag}"
        if (
            release.serves(kind)
            and release.has(KIND, path)
            and not (release.deprecated(KIND, path) or release.ignored(KIND, path))
        ):
            out[flag] = False
    return out


def fit(spec, f: Fit) -> list[Obj]:
    if not spec.managed("dashboard"):
        return []
    o = obj(f.release.api_version(KIND), KIND, NAME, spec.namespaces["applications"], spec={})

    def put(path: str, value, origin=None) -> bool:
        return f.put(o, f"spec.{path}", value, origin)

    for flag, hidden in flags(spec, f.release).items():
        put(f"dashboardConfig.{flag}", hidden)
    if not f.release.serves(AUTH):
        # The dashboard reads each as one comma-separated list of OpenShift groups.
        put("groupsConfig.adminGroups", ",".join(spec.admin_groups), ("auth", "adminGroups"))
        put("groupsConfig.allowedGroups", ",".join(spec.auth.allowed_groups), ("auth", "allowedGroups"))
    wb = spec.components.workbenches
    put("notebookController.enabled", spec.managed("workbenches"), ("components", "workbenches", "managementState"))
    put("notebookController.pvcSize", wb.pvc_size, ("components", "workbenches", "pvcSize"))
    if wb.storage_class:
        put("notebookController.storageClassName", wb.storage_class, ("components", "workbenches", "storageClass"))
    # The DataScienceCluster carries the namespace where the release has workbenchNamespace;
    # here it only mirrors it, so a release that forbids changing it here is no error.
    put("notebookController.notebookNamespace", spec.namespaces["workbenches"])
    put("notebookSizes", sizes(spec.notebook_sizes), ("notebookSizes",))
    put("modelServerSizes", sizes(spec.model_server_sizes), ("modelServerSizes",))
    templates = spec.workloads.runtime_templates
    if templates.order:
        put("templateOrder", list(templates.order), ("workloads", "runtimeTemplates", "order"))
    if templates.disabled:
        put("templateDisablement", list(templates.disabled), ("workloads", "runtimeTemplates", "disabled"))
    return [o]


def build(spec) -> list[Obj]:
    return fit(spec, Fit(spec.release))


COMPONENT = Component(
    name="dashboard",
    description="OdhDashboardConfig: notebook and model server sizes, notebook controller, page flags, groups where no Auth",
    build=build,
    fitted=fitted_by(fit),
)
