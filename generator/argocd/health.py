"""Argo CD resource health checks for the platform's kinds: Lua scripts (generator/data/health/)
listed in generator/data/argocd.yaml (healthChecks), in the shape of the ArgoCD instance's
`resourceHealthChecks` (argocd-operator, argoproj.io/v1beta1)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from generator.argocd import facts
from generator.argocd.facts import GroupKind, group_kind


@cache
def script(name: str) -> str:
    return resources.files("generator").joinpath(f"data/health/{name}").read_text(encoding="utf-8")


def by_kind() -> dict[GroupKind, str]:
    """(group, kind) -> the Lua check's file name."""
    return facts.health_checks()


def resource_health_checks() -> list[dict[str, str]]:
    return [{"group": g, "kind": k, "check": script(name)} for (g, k), name in sorted(by_kind().items())]


def evaluate(o: dict) -> dict[str, str]:
    """Run the kind's check on a live object the way Argo CD does (gopher-lua is Lua 5.1: the
    script is a chunk with the object in the global `obj`), returning {status, message}."""
    from lupa import lua51

    name = by_kind().get(group_kind(o))
    if name is None:
        raise KeyError(f"no health check for {group_kind(o)}")
    lua = lua51.LuaRuntime(unpack_returned_tuples=True)
    lua.globals().obj = lua.table_from(o, recursive=True)
    result = lua.execute(script(name))
    return {k: result[k] for k in ("status", "message") if result[k] is not None}
