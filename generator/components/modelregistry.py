"""The namespace model registries are created in. The operator would create it on first use;
owning it here puts it under Argo CD (and Prune=false) before anyone deploys a registry."""

from __future__ import annotations

from generator.components.base import Component
from generator.core.resources import Obj, namespace


def build(spec) -> list[Obj]:
    if not spec.managed("modelregistry"):
        return []
    return [namespace(spec.namespaces["modelRegistries"])]


COMPONENT = Component(
    name="modelregistry",
    description="Model registries namespace",
    build=build,
)
