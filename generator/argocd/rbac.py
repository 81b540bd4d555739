"""The Argo CD application controller's permissions: exactly the kinds the Applications sync.

OpenShift GitOps gives the controller of a cluster-scoped instance a ClusterRole of its own; the
bootstrap unit turns that off (defaultClusterScopedRoleDisabled) and grants this one instead, so
what Argo CD may touch is what git renders and nothing more. With controller.respectRBAC the
controller watches only what it may list.
"""

from __future__ import annotations

from typing import Iterable

from generator.argocd import facts
from generator.argocd.facts import GroupKind, group_kind
from generator.resources import Obj

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


def rules(objs: Iterable[Obj], prune: bool) -> list[dict]:
    """ClusterRole rules: one per (group, verbs), resources sorted."""
    by_group: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for gk in {group_kind(o) for o in objs}:
        by_group.setdefault((gk[0], tuple(verbs(gk, prune))), set()).add(plural(gk[1]))
    return [
        {"apiGroups": [group], "resources": sorted(res), "verbs": list(vs)}
        for (group, vs), res in sorted(by_group.items())
    ]


def granted(role: Obj) -> dict[tuple[str, str], set[str]]:
    """(group, resource) -> verbs a ClusterRole grants (wildcards kept as written)."""
    out: dict[tuple[str, str], set[str]] = {}
    for rule in role.get("rules") or []:
        for group in rule.get("apiGroups") or []:
            for res in rule.get("resources") or []:
                out.setdefault((group, res), set()).update(rule.get("verbs") or [])
    return out
