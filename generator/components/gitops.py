"""The OpenShift GitOps operator's install (OLM, channel as data: matrix.yaml operators.gitops):
applied by the bootstrap unit (argocd/bootstrap.py), and mirrored by the egress unit like any
other operator's."""

from __future__ import annotations

from generator.components.olm import operator_install
from generator.core.resources import Obj
from generator.facts import matrix


def operator_objects(spec) -> list[Obj]:
    """The OpenShift GitOps operator's install, when the spec bootstraps (the egress unit
    mirrors what it pulls like any other operator's)."""
    if not spec.argocd.bootstrap.enabled:
        return []
    op = matrix.matrix().operators.gitops
    env = {**op.env, "ARGOCD_CLUSTER_CONFIG_NAMESPACES": spec.argocd.namespace}
    return operator_install(
        spec, package=op.package, ns=op.namespace, channel=spec.argocd.bootstrap.channel or op.channel, env=env
    )
