"""DataScienceCluster `default-dsc`: which data science components the operator deploys, and
their settings. A component key is written only when the spec's version has the component
(matrix), so the object always fits the CRD that version installs; a component the version
lacks cannot be Managed (rules.supported_version)."""

from __future__ import annotations

from generator import matrix
from generator.components.base import Component
from generator.resources import Obj, obj

API = "datasciencecluster.opendatahub.io/v1"
NAME = "default-dsc"


def _kserve(spec, has) -> dict:
    kserve = spec.components.kserve
    out: dict = {"managementState": kserve.management_state}
    if has("kserveDefaultDeploymentMode"):
        out["defaultDeploymentMode"] = kserve.deployment_mode
    cert: dict = {"type": kserve.serving.certificate.type}
    if kserve.serving.certificate.secret_name:
        cert["secretName"] = kserve.serving.certificate.secret_name
    out["serving"] = {
        "managementState": kserve.serving.management_state,
        "name": kserve.serving.name,
        "ingressGateway": {"certificate": cert},
    }
    return out


def component_settings(spec) -> dict[str, dict]:
    dist, version = spec.distribution.name, spec.version

    def has(feature: str) -> bool:
        return matrix.has_feature(dist, version, feature)

    out: dict[str, dict] = {}
    for name in matrix.component_names():
        if not matrix.has_component(dist, version, name):
            continue
        settings: dict = {"managementState": getattr(spec.components, name).management_state}
        if name == "workbenches" and has("workbenchNamespace"):
            settings["workbenchNamespace"] = spec.namespaces["workbenches"]
        elif name == "modelregistry" and has("modelRegistriesNamespace"):
            settings["registriesNamespace"] = spec.namespaces["modelRegistries"]
        elif name == "kserve":
            settings = _kserve(spec, has)
        out[name] = settings
    return out


def build(spec) -> list[Obj]:
    return [obj(API, "DataScienceCluster", NAME, spec={"components": component_settings(spec)})]


COMPONENT = Component(
    name="dsc",
    description="DataScienceCluster default-dsc: every component's managementState and settings",
    build=build,
)
