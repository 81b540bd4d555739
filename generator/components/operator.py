"""The RHOAI / ODH operator itself, installed through OLM: the channel, startingCSV and approval
that land it on the spec's release (generator.facts.catalogs.install), and the operator settings the
bundle relies on (matrix.yaml: operatorEnv); under Manual approval, the pin and its approver
(approver.py)."""

from __future__ import annotations

from generator.components import approver
from generator.components.base import Component
from generator.components.olm import operator_install
from generator.facts import catalogs, matrix


def build(spec) -> list:
    plan = catalogs.install(spec)
    objs = operator_install(
        spec,
        package=plan.catalog.package,
        ns=spec.namespaces["operator"],
        channel=plan.channel,
        approval=plan.approval,
        starting_csv=plan.starting_csv,
        namespace_labels={"openshift.io/cluster-monitoring": "true"},
        env=dict(matrix.matrix().operator_env),
    )
    if plan.approval != "Manual":
        return objs
    # Under Manual approval the release holds where git pins it: the startingCSV, else the
    # channel's head the plan installs. The approver approves exactly that.
    target = plan.starting_csv or (plan.head.name if plan.head else None)
    if target is None:
        return objs
    sub = next(o for o in objs if o["kind"] == "Subscription")
    approver.pin(sub, target)
    return objs + approver.objects(spec, [(sub["metadata"]["namespace"], target)])


COMPONENT = Component(
    name="operator",
    description="OpenShift AI / Open Data Hub operator (OLM Subscription)",
    build=build,
)
