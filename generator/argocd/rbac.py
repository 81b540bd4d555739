"""The Argo CD application controller's permissions: exactly the kinds the Applications sync.

OpenShift GitOps gives the controller of a cluster-scoped instance a ClusterRole of its own; the
bootstrap unit turns that off (defaultClusterScopedRoleDisabled) and grants this one instead, so
what Argo CD may touch is what git renders and nothing more. With controller.respectRBAC the
controller watches only what it may list.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.argocd import facts
from generator.argocd.facts import GroupKind, group_kind
from generator.core.resources import Obj

# Apply is get + create + patch (client-side apply reads, then patches; server-side apply
# patches); update for the objects Argo CD replaces; list/watch for its cluster cache.
APPLY = ("create", "get", "list", "patch", "update", "watch")


def plural(kind: str) -> str:
    """The resource name of a kind, as Kubernetes derives it when a type does not name one
    (apimachinery meta.UnsafeGuessKindToResource); every CRD the bundle renders follows it, which
    a test checks against the CRDs' spec.names.plural."""
    low = kind.lower()
    if low.endswith("s"):
        return low + "es"
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return low[:-1] + "ies"
    return low + "s"


def verbs(gk: GroupKind, prune: bool) -> list[str]:
    """Delete only where the spec lets Argo CD prune, and never for the kinds it must not prune."""
    out = list(APPLY)
    if prune and gk not in facts.never_prune():
        out.append("delete")
    return sorted(out)


RBAC_GROUP = "rbac.authorization.k8s.io"


def _rbac_needs(objs: list[Obj]) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """What the API server's escalation check asks of whoever applies RBAC objects: to write a
    Role or ClusterRole it must hold every permission in it, or `escalate` on that role; to bind
    one, hold its permissions, or `bind` on it. The controller holds neither broadly: it gets
    escalate on the roles the bundle writes and bind on the roles it binds, by name."""
    written: dict[str, set[str]] = {"roles": set(), "clusterroles": set()}
    bound: dict[str, set[str]] = {"roles": set(), "clusterroles": set()}
    for o in objs:
        if group_kind(o) == (RBAC_GROUP, "Role"):
            written["roles"].add(o["metadata"]["name"])
        elif group_kind(o) == (RBAC_GROUP, "ClusterRole"):
            written["clusterroles"].add(o["metadata"]["name"])
        elif group_kind(o) in ((RBAC_GROUP, "RoleBinding"), (RBAC_GROUP, "ClusterRoleBinding")):
            ref = o.get("roleRef") or {}
            bound["clusterroles" if ref.get("kind") == "ClusterRole" else "roles"].add(ref.get("name", ""))
    out: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = []
    for res in ("clusterroles", "roles"):
        if written[res]:
            out.append((RBAC_GROUP, res, ("escalate",), tuple(sorted(written[res]))))
        if bound[res]:
            out.append((RBAC_GROUP, res, ("bind",), tuple(sorted(bound[res]))))
    return out


def rules(objs: Iterable[Obj], prune: bool) -> list[dict]:
    """ClusterRole rules: one per (group, verbs[, names]), resources sorted."""
    objs = list(objs)
    merged: dict[tuple[str, tuple[str, ...], tuple[str, ...]], set[str]] = {}
    for gk in {group_kind(o) for o in objs}:
        merged.setdefault((gk[0], tuple(verbs(gk, prune)), ()), set()).add(plural(gk[1]))
    for group, res, vs, names in _rbac_needs(objs):
        merged.setdefault((group, vs, names), set()).add(res)
    out = []
    for (group, vs, names), resources in sorted(merged.items()):
        rule = {"apiGroups": [group], "resources": sorted(resources), "verbs": list(vs)}
        if names:
            rule["resourceNames"] = list(names)
        out.append(rule)
    return out


Grant = tuple[str, str, tuple[str, ...]]  # (group, resource, resourceNames; () = any)


def granted(role: Obj) -> dict[Grant, set[str]]:
    """(group, resource, names) -> verbs a ClusterRole grants (wildcards kept as written)."""
    out: dict[Grant, set[str]] = {}
    for rule in role.get("rules") or []:
        names = tuple(sorted(rule.get("resourceNames") or ()))
        for group in rule.get("apiGroups") or []:
            for res in rule.get("resources") or []:
                out.setdefault((group, res, names), set()).update(rule.get("verbs") or [])
    return out
