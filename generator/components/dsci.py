"""DSCInitialization `default-dsci`: the platform-wide settings the operator applies before any
data science component (namespaces, monitoring, service mesh, trusted CA bundle)."""

from __future__ import annotations

from generator.components.base import Component
from generator.resources import Obj, obj

API = "dscinitialization.opendatahub.io/v1"
NAME = "default-dsci"


def monitoring(spec) -> dict:
    # The monitoring component builds its objects into this namespace; it reads it from the
    # same spec.namespaces, so the two cannot disagree.
    if not spec.monitoring.enabled:
        return {"managementState": "Removed"}
    return {"managementState": "Managed", "namespace": spec.namespaces["monitoring"]}


def service_mesh(spec) -> dict:
    mesh = spec.service_mesh
    return {
        "managementState": mesh.management_state,
        "controlPlane": {
            "name": mesh.control_plane.name,
            "namespace": mesh.control_plane.namespace,
            "metricsCollection": mesh.control_plane.metrics_collection,
        },
    }


def build(spec) -> list[Obj]:
    ca = spec.trusted_ca_bundle
    return [
        obj(API, "DSCInitialization", NAME, spec={
            "applicationsNamespace": spec.namespaces["applications"],
            "monitoring": monitoring(spec),
            "serviceMesh": service_mesh(spec),
            "trustedCABundle": {"managementState": ca.management_state, "customCABundle": ca.custom_ca_bundle},
        })
    ]


COMPONENT = Component(
    name="dsci",
    description="DSCInitialization default-dsci: applications namespace, monitoring, service mesh, trusted CA bundle",
    build=build,
)
