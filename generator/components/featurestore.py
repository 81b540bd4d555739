"""Feast FeatureStore instances (feastoperator component) and the namespaces they live in.

A namespace that is also a Kueue team namespace belongs to the kueue unit (it labels it for
Kueue); creating it here too would give one object two owning Applications.
"""

from __future__ import annotations

from generator.components.base import Component
from generator.core.resources import Obj, namespace, obj
from generator.facts import matrix
from generator.spec.rules import team_namespaces

# Lists the namespace as a data science project in the dashboard.
PROJECT_LABELS = {"opendatahub.io/dashboard": "true"}


def build(spec) -> list[Obj]:
    feast = spec.components.feastoperator
    if feast.management_state != "Managed" or not feast.feature_stores:
        return []
    api = matrix.matrix().api_versions.feature_store
    owned_elsewhere = {ns for names in team_namespaces(spec).values() for ns in names}
    wanted = sorted({s.namespace for s in feast.feature_stores} - owned_elsewhere)
    out = [namespace(ns, labels=PROJECT_LABELS) for ns in wanted]
    out += [
        obj(api, "FeatureStore", s.name, s.namespace, spec={"feastProject": s.project}) for s in feast.feature_stores
    ]
    return out


COMPONENT = Component(
    name="featurestore",
    description="Feast FeatureStore instances and their namespaces",
    build=build,
    has_base=False,
)
