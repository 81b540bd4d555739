"""The team-level objects of a spec as its release's CRDs take them, with what was left out: for
the spec rule that reports both at the spec's lines (`workloads_fit`)."""

from __future__ import annotations

from generator.core.resources import Obj
from generator.facts.workloads import workload_facts
from generator.workloads import pipelines, registries, runtimes
from generator.workloads.fit import WorkloadFit


def fit_workloads(spec) -> tuple[list[Obj], WorkloadFit]:
    """DataSciencePipelinesApplications, ModelRegistries and the ServingRuntimes inside the
    custom runtime Templates (each judged at its own kind's schema)."""
    facts = workload_facts(spec.distribution.name, spec.version)
    fitted = WorkloadFit(facts)
    objs = pipelines.fit(spec, fitted) if spec.workloads.pipeline_servers else []
    if spec.workloads.model_registries and facts.serves("ModelRegistry"):
        objs += [o for o in registries.fit(spec, fitted) if o["kind"] == "ModelRegistry"]
    objs += [inner for t in runtimes.build(spec) for inner in t["objects"]]
    return objs, fitted
