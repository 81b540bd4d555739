"""The RHOAI / ODH operator itself, installed through OLM: the channel, startingCSV and approval
that land it on the spec's release (generator.catalogs.install), and the operator settings the
bundle relies on (matrix.yaml: operatorEnv)."""

from __future__ import annotations

from generator import catalogs, matrix
from generator.components.base import Component
from generator.components.olm import operator_install


def build(spec) -> list:
    plan = catalogs.install(spec)
    return operator_install(
        spec,
        package=plan.catalog.package,
        ns=spec.namespaces["operator"],
        channel=plan.channel,
        approval=plan.approval,
        starting_csv=plan.starting_csv,
        namespace_labels={"openshift.io/cluster-monitoring": "true"},
        env=dict(matrix.matrix()["operatorEnv"]),
    )


COMPONENT = Component(
    name="operator",
    description="OpenShift AI / Open Data Hub operator (OLM Subscription)",
    build=build,
)
