"""Operators the platform's serving stack runs on, installed through OLM. The RHOAI/ODH
operator creates KnativeServing and the ServiceMeshControlPlane itself, but only once these
operators are there to serve their APIs.

- Service Mesh: whenever the DSCInitialization manages a mesh (KServe Serverless requires it,
  rules.serverless_needs_mesh). It goes to openshift-operators, which has a global OperatorGroup
  already: a second OperatorGroup there would stop OLM installing anything in the namespace.
- OpenShift Serverless: only for KServe in Serverless mode with serving Managed; RawDeployment
  serves through plain Deployments.
"""

from __future__ import annotations

from generator import matrix
from generator.components.base import Component
from generator.components.olm import operator_install
from generator.resources import Obj


def needs_serverless(spec) -> bool:
    kserve = spec.components.kserve
    return (
        kserve.management_state == "Managed"
        and kserve.deployment_mode == "Serverless"
        and kserve.serving.management_state == "Managed"
    )


def needs_service_mesh(spec) -> bool:
    return spec.service_mesh.management_state == "Managed"


def _install(spec, key: str, own_group: bool) -> list[Obj]:
    op = matrix.operator(key)
    return operator_install(
        spec,
        package=op["package"],
        ns=op["namespace"],
        channel=op["channel"],
        source=op["catalogSource"],
        own_group=own_group,
    )


def build(spec) -> list[Obj]:
    out: list[Obj] = []
    if needs_service_mesh(spec):
        out += _install(spec, "servicemesh", own_group=False)
    if needs_serverless(spec):
        out += _install(spec, "serverless", own_group=True)
    return out


COMPONENT = Component(
    name="serving",
    description="OpenShift Serverless and Service Mesh operators (OLM) that KServe Serverless runs on",
    build=build,
)
