"""The Red Hat build of Kueue operator: where the DataScienceCluster's Kueue is Unmanaged (the
default on 3.x, whose operator no longer runs Kueue itself) Kueue comes from this operator,
installed through OLM, and its `Kueue` singleton (`cluster`) turns it on with the integrations
the cluster's Managed components need. The quotas (kueue.py) are the same either way."""

from __future__ import annotations

from generator.components.base import Component
from generator.components.olm import install_operator
from generator.core.resources import Obj, obj
from generator.facts import matrix
from generator.spec import model_deployments

API = "kueue.openshift.io/v1"
NAME = "cluster"  # a singleton: the CRD's CEL rule insists on the name


def needed(spec) -> bool:
    return spec.has_component("kueue") and spec.component_state("kueue") == "Unmanaged"


def frameworks(spec) -> list[str]:
    table = matrix.matrix().operators.kueue.frameworks
    out = list(table.always)
    for component, kinds in table.by_component.items():
        if spec.managed(component):
            out += [k for k in kinds if k not in out]
    # Model deployments through a team's queue run as Deployments (KServe RawDeployment).
    if any(model_deployments.queue_eligible(spec, m) for m in spec.workloads.models):
        out.append("Deployment")
    return out


def build(spec) -> list[Obj]:
    if not needed(spec):
        return []
    kueue = obj(
        API,
        "Kueue",
        NAME,
        spec={
            "managementState": "Managed",
            "config": {"integrations": {"frameworks": frameworks(spec)}},
        },
    )
    return install_operator(spec, "kueue", namespace_labels={"openshift.io/cluster-monitoring": "true"}) + [kueue]


COMPONENT = Component(
    name="kueue-operator",
    description="Red Hat build of Kueue operator (OLM) and its Kueue singleton, where the DataScienceCluster's Kueue is Unmanaged",
    build=build,
    has_base=False,
)
