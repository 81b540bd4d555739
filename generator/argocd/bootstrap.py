"""The bootstrap unit (overlays/<cluster>/bootstrap): OpenShift GitOps set up for this bundle,
applied once by a cluster admin, never synced by Argo CD itself (it is what grants Argo CD its
permissions, so Argo CD must not be able to widen them).

- the OpenShift GitOps operator (OLM, channel as data: matrix.yaml operators.gitops), with its
  own default instance turned off and the spec's Argo CD namespace as the one cluster-scoped
  instance namespace;
- the ArgoCD instance: the platform's health checks (health.py), no operator-made ClusterRole
  (defaultClusterScopedRoleDisabled), and a controller that watches only what it may list
  (respectRBAC);
- the controller's ClusterRole: exactly the kinds and verbs the Applications sync (rbac.py),
  bound to the controller's ServiceAccount.
"""

from __future__ import annotations

import copy

from generator.argocd import UNIT, health, rbac
from generator.components import egress
from generator.components.gitops import operator_objects
from generator.core import yamlio
from generator.core.resources import COMPONENT_LABEL, MANAGED_BY, MANAGER, Obj, label, namespace, obj
from generator.facts import matrix, serving

BOOTSTRAP = "bootstrap"
ARGOCD_API = "argoproj.io/v1beta1"


def instance() -> str:
    return matrix.matrix().operators.gitops.instance


def controller_account(spec) -> tuple[str, str]:
    """(namespace, name) of the application controller's ServiceAccount: the operator names it
    <instance>-argocd-application-controller."""
    return spec.argocd.namespace, f"{instance()}-argocd-application-controller"


def role_name(spec) -> str:
    return f"rhoai-gitops-{spec.name}-application-controller"


def synced_objects(units: dict[str, list[Obj]]) -> list[Obj]:
    """Everything the cluster's Applications sync: every unit but this one."""
    return [o for u, objs in units.items() if u != BOOTSTRAP for o in objs]


def controller_role(spec, objs: list[Obj]) -> Obj:
    return obj(
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        role_name(spec),
        rules=rbac.rules(objs, spec.argocd.sync_policy.prune),
    )


def comparison_settings() -> dict[str, str]:
    """argocd-cm keys the instance sets so Argo CD compares the platform's custom resources by
    value where a webhook rewrites them (matrix.yaml argocdKnownTypeFields; the model kinds':
    data/serving.yaml)."""
    out = {}
    known = {
        **{gk: [f.model_dump() for f in fields] for gk, fields in matrix.matrix().argocd_known_type_fields.items()},
        **serving.known_type_fields(),
    }
    for group_kind, fields in sorted(known.items()):
        out[f"resource.customizations.knownTypeFields.{group_kind.replace('/', '_')}"] = yamlio.dumps(fields)
    return out


# What a disconnected cluster needs before Argo CD can sync anything: the mirrors and catalogs
# the GitOps operator installs through (the same objects as the egress unit's, which Argo CD then
# keeps; applied first by hand, so they are identical, never a subset that would flap).
EGRESS_KINDS = ("ImageDigestMirrorSet", "ImageTagMirrorSet", "CatalogSource", "OperatorHub")


def build(spec, units: dict[str, list[Obj]]) -> list[Obj]:
    ns, account = controller_account(spec)
    out = operator_objects(spec)
    if spec.cluster.disconnected:
        out += [copy.deepcopy(o) for o in units.get("egress", []) if o.get("kind") in EGRESS_KINDS]
    out.append(namespace(ns))
    out.append(
        obj(
            ARGOCD_API,
            "ArgoCD",
            instance(),
            ns,
            spec={
                "defaultClusterScopedRoleDisabled": True,
                "controller": {"respectRBAC": "normal"},
                "resourceHealthChecks": health.resource_health_checks(),
                "server": {"route": {"enabled": True}},
                "extraConfig": comparison_settings(),
            },
        )
    )
    out.append(controller_role(spec, synced_objects(units)))
    out.append(
        obj(
            "rbac.authorization.k8s.io/v1",
            "ClusterRoleBinding",
            role_name(spec),
            roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name(spec)},
            subjects=[{"kind": "ServiceAccount", "name": account, "namespace": ns}],
        )
    )
    return out


def add_unit(spec, units: dict[str, list[Obj]]) -> None:
    """The pass (after the Argo CD unit exists, whose Applications and AppProject the controller
    syncs too)."""
    if spec.argocd.bootstrap.enabled:
        assert UNIT in units
        objs = build(spec, units)
        for o in objs:
            label(o, MANAGED_BY, MANAGER)
            label(o, COMPONENT_LABEL, BOOTSTRAP)
        egress.configure_unit(spec, BOOTSTRAP, objs)
        units[BOOTSTRAP] = objs
