"""Operators the platform's serving stack runs on, installed through OLM. The RHOAI/ODH
operator creates KnativeServing and the ServiceMeshControlPlane itself, but only once these
operators are there to serve their APIs.

- Service Mesh: whenever the DSCInitialization manages a mesh (KServe Serverless requires it,
  rules.serverless_needs_mesh). It goes to openshift-operators, which has a global OperatorGroup
  already: a second OperatorGroup there would stop OLM installing anything in the namespace.
- OpenShift Serverless: only for KServe in Serverless mode with serving Managed; RawDeployment
  serves through plain Deployments.
- Authorino: with KServe Serverless on a mesh (2.x), the authorization provider the operator
  wires into the mesh when it reconciles the DSCInitialization, so that an InferenceService can
  require a token (security.opendatahub.io/enable-auth). Also in openshift-operators.
"""

from __future__ import annotations

from generator.components.base import Component
from generator.components.olm import install_operator
from generator.core.resources import Obj


def needs_serverless(spec) -> bool:
    return spec.serverless and spec.components.kserve.serving.management_state == "Managed"


def needs_service_mesh(spec) -> bool:
    # (3.x has no mesh in the DSCInitialization: spec.mesh is Removed there)
    return spec.mesh == "Managed"


def needs_authorino(spec) -> bool:
    return spec.serverless and needs_service_mesh(spec)


def build(spec) -> list[Obj]:
    out: list[Obj] = []
    if needs_service_mesh(spec):
        out += install_operator(spec, "servicemesh", own_group=False)
    if needs_serverless(spec):
        out += install_operator(spec, "serverless")
    if needs_authorino(spec):
        out += install_operator(spec, "authorino", own_group=False)
    return out


COMPONENT = Component(
    name="serving",
    description="OpenShift Serverless, Service Mesh and Authorino operators (OLM) that KServe Serverless runs on",
    build=build,
)
