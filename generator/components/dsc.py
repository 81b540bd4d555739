"""DataScienceCluster `default-dsc`: which data science components the operator deploys, and
their settings, as the spec's release defines them (v1 on 2.x, v2 on 3.x: the CRD's storage
version): every component the release's CRD has (and the spec models, under the name the release
gives it) gets its managementState; every setting goes through a `Fit`, so the object holds only
fields, and values, that release accepts."""

from __future__ import annotations

from generator.components.base import Component
from generator.core.resources import Obj, obj
from generator.facts import releases
from generator.facts.fit import Fit, fitted_by

KIND = "DataScienceCluster"
NAME = "default-dsc"
C = ("components",)


def _kserve(spec, put) -> None:
    kserve = spec.components.kserve
    k = C + ("kserve",)
    put("kserve.defaultDeploymentMode", spec.kserve_mode, k + ("deploymentMode",))
    if kserve.raw_deployment_service_config:
        put(
            "kserve.rawDeploymentServiceConfig",
            kserve.raw_deployment_service_config,
            k + ("rawDeploymentServiceConfig",),
        )
    if kserve.nim:
        put("kserve.nim.managementState", kserve.nim.management_state, k + ("nim", "managementState"))
    serving = kserve.serving
    s = k + ("serving",)
    put("kserve.serving.managementState", serving.management_state, s + ("managementState",))
    put("kserve.serving.name", serving.name, s + ("name",))
    cert = serving.certificate
    put("kserve.serving.ingressGateway.certificate.type", cert.type, s + ("certificate", "type"))
    if cert.secret_name:
        put("kserve.serving.ingressGateway.certificate.secretName", cert.secret_name, s + ("certificate", "secretName"))


def _settings(spec, name: str, put) -> None:
    """A component's settings beyond its managementState."""
    c = spec.components
    if name == "workbenches":
        put("workbenches.workbenchNamespace", spec.namespaces["workbenches"], C + ("workbenches", "namespace"))
    elif name == "modelregistry":
        put(
            "modelregistry.registriesNamespace",
            spec.namespaces["modelRegistries"],
            C + ("modelregistry", "registriesNamespace"),
        )
    elif name == "kserve":
        _kserve(spec, put)
    elif name == "datasciencepipelines" and c.datasciencepipelines.argo_workflows_controllers:
        put(
            "datasciencepipelines.argoWorkflowsControllers.managementState",
            c.datasciencepipelines.argo_workflows_controllers.management_state,
            C + ("datasciencepipelines", "argoWorkflowsControllers", "managementState"),
        )
    elif name == "trustyai" and c.trustyai.eval:
        lmeval = c.trustyai.eval.lmeval
        where = C + ("trustyai", "eval", "lmeval")
        if lmeval.permit_code_execution:
            put(
                "trustyai.eval.lmeval.permitCodeExecution",
                lmeval.permit_code_execution,
                where + ("permitCodeExecution",),
            )
        if lmeval.permit_online:
            put("trustyai.eval.lmeval.permitOnline", lmeval.permit_online, where + ("permitOnline",))


def fit(spec, f: Fit) -> list[Obj]:
    o = obj(f.release.api_version(KIND), KIND, NAME, spec={"components": {}})

    # Every component the spec models, under the release's name for it: one the release lacks
    # is left out (and an error where the spec sets it, the release fit, components/platform.py).
    for name in type(spec.components).model_fields:
        key = releases.component_key(f.release, name) or name

        def put(path: str, value, origin, key=key, name=name) -> bool:
            return f.put(o, f"spec.components.{key}{path.removeprefix(name)}", value, origin)

        if put(f"{name}.managementState", spec.component_state(name), C + (name, "managementState")):
            _settings(spec, name, put)
    return [o]


def build(spec) -> list[Obj]:
    return fit(spec, Fit(spec.release))


COMPONENT = Component(
    name="dsc",
    description="DataScienceCluster default-dsc: every component's managementState and settings",
    build=build,
    fitted=fitted_by(fit),
)
