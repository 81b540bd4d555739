"""The RHOAI / ODH operator itself, installed through OLM."""

from __future__ import annotations

from generator import matrix
from generator.components.base import Component
from generator.components.olm import operator_install


def build(spec) -> list:
    dist = matrix.distribution(spec.distribution.name)
    ns = spec.namespaces["operator"]
    return operator_install(
        spec,
        package=dist["package"],
        ns=ns,
        channel=spec.distribution.channel,
        source=dist["catalogSource"],
        approval=spec.distribution.install_plan_approval,
        starting_csv=spec.distribution.starting_csv,
        namespace_labels={"openshift.io/cluster-monitoring": "true"},
    )


COMPONENT = Component(
    name="operator",
    description="OpenShift AI / Open Data Hub operator (OLM Subscription)",
    build=build,
)
