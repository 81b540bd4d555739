"""DSCInitialization `default-dsci` and the `auth` Auth object: the platform-wide settings the
operator applies before any data science component (namespaces, monitoring, service mesh,
trusted CA bundle) and who administers and uses the platform.

The operator Subscription sets DISABLE_DSC_CONFIG (operator.py), so the operator does not create
a DSCInitialization of its own and ours is created, not updated, by Argo CD: fields the release
makes immutable (applicationsNamespace, monitoring.namespace) take the spec's values from the
start. The Auth object the operator does create itself; ours updates it."""

from __future__ import annotations

from generator.components import serving
from generator.components.base import Component
from generator.core.resources import Obj, obj
from generator.facts.fit import Fit, fitted_by

KIND = "DSCInitialization"
NAME = "default-dsci"
AUTH = "Auth"
AUTH_NAME = "auth"  # the singleton the operator reads (a CEL rule of its CRD insists)
M = ("monitoring",)


def _monitoring(spec, put) -> None:
    m = spec.monitoring
    if not m.enabled:
        put("monitoring.managementState", "Removed", M + ("enabled",))
        return
    put("monitoring.managementState", "Managed", M + ("enabled",))
    # The monitoring component builds its objects into this namespace; it reads it from the
    # same spec.namespaces, so the two cannot disagree.
    put("monitoring.namespace", spec.namespaces["monitoring"], M + ("namespace",))
    if m.metrics:
        for key, value in _written(m.metrics).items():
            # the CRD spells the resources in lower case: cpulimit, memoryrequest
            field = key if not key.startswith("resources.") else key.lower()
            put(f"monitoring.metrics.{field}", value, M + ("metrics", *key.split(".")))
    if m.traces:
        for key, value in _written(m.traces).items():
            put(f"monitoring.traces.{key}", value, M + ("traces", *key.split(".")))
    if m.alerting:
        put("monitoring.alerting", {}, M + ("alerting",))
    if m.collector_replicas is not None:
        put("monitoring.collectorReplicas", m.collector_replicas, M + ("collectorReplicas",))


def _written(model) -> dict[str, object]:
    """The fields a spec section sets, as dotted YAML paths -> values (unset ones are left to
    the operator's defaults)."""
    out: dict[str, object] = {}

    def walk(data: dict, prefix: str) -> None:
        for key, value in data.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                out[prefix + key] = value

    walk(model.model_dump(by_alias=True, exclude_none=True), "")
    return out


def _service_mesh(spec, put) -> None:
    mesh, sm = spec.service_mesh, ("serviceMesh",)
    put("serviceMesh.managementState", mesh.management_state, sm + ("managementState",))
    cp = mesh.control_plane
    put("serviceMesh.controlPlane.name", cp.name, sm + ("controlPlane", "name"))
    put("serviceMesh.controlPlane.namespace", cp.namespace, sm + ("controlPlane", "namespace"))
    put("serviceMesh.controlPlane.metricsCollection", cp.metrics_collection, sm + ("controlPlane", "metricsCollection"))
    auth = mesh.auth
    # Where Authorino runs, written out whenever the bundle installs it (the operator's own
    # default, <applications namespace>-auth-provider), so AuthConfigs and network policies
    # can be written against it.
    namespace = (auth.namespace if auth else None) or (
        f"{spec.namespaces['applications']}-auth-provider" if serving.needs_authorino(spec) else None
    )
    if namespace:
        put("serviceMesh.auth.namespace", namespace, sm + ("auth", "namespace"))
    if auth and auth.audiences is not None:
        put("serviceMesh.auth.audiences", list(auth.audiences), sm + ("auth", "audiences"))


def fit_dsci(spec, f: Fit) -> list[Obj]:
    o = obj(f.release.api_version(KIND), KIND, NAME, spec={})

    def put(path: str, value, origin) -> bool:
        return f.put(o, f"spec.{path}", value, origin)

    put("applicationsNamespace", spec.namespaces["applications"], None)
    _monitoring(spec, put)
    _service_mesh(spec, put)
    ca, cp = spec.trusted_ca_bundle, ("trustedCABundle",)
    put("trustedCABundle.managementState", ca.management_state, cp + ("managementState",))
    put("trustedCABundle.customCABundle", ca.custom_ca_bundle, cp + ("customCABundle",))
    return [o]


def fit_auth(spec, f: Fit) -> list[Obj]:
    """Admin and allowed groups, where the release has the Auth object (the dashboard's
    groupsConfig carries them before that, dashboard.py)."""
    if not f.release.serves(AUTH):
        return []
    o = obj(f.release.api_version(AUTH), AUTH, AUTH_NAME, spec={})
    f.put(o, "spec.adminGroups", spec.admin_groups, ("auth", "adminGroups"))
    f.put(o, "spec.allowedGroups", list(spec.auth.allowed_groups), ("auth", "allowedGroups"))
    return [o]


def fit(spec, f: Fit) -> list[Obj]:
    return fit_dsci(spec, f) + fit_auth(spec, f)


def build(spec) -> list[Obj]:
    return fit(spec, Fit(spec.release))


COMPONENT = Component(
    name="dsci",
    description="DSCInitialization default-dsci (namespaces, monitoring, service mesh, trusted CA bundle) and the Auth object (admin and allowed groups)",
    build=build,
    fitted=fitted_by(fit),
)
