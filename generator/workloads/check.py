"""The team-level objects of a spec as its release's CRDs take them, with what was left out: for
the release fit, the stage after the build that reports both at the spec's lines (`workloads_fit`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from generator.components.base import Built, Component
from generator.core.errors import SpecError
from generator.core.resources import Obj
from generator.spec.rules import VERSION, is_supported, release_ref
from generator.validate import cel
from generator.workloads import pipelines, registries, runtimes
from generator.workloads.fit import WorkloadFit, for_release


def fit_workloads(spec, built: Built | None = None) -> tuple[list[Obj], WorkloadFit]:
    """DataSciencePipelinesApplications, ModelRegistries and the ServingRuntimes inside the
    custom runtime Templates (each judged at its own kind's schema): those of the cluster's
    build where given (`built`), else built here."""
    fitted = for_release(spec)

    def written(unit: Component, fit: Callable[[Any, WorkloadFit], list[Obj]]) -> list[Obj]:
        if built is None:
            return fit(spec, fitted)
        objs, record = built.fits[unit.name]
        fitted.left += record.left
        fitted.origins.update(record.origins)
        return objs

    objs = written(pipelines.COMPONENT, pipelines.fit) if spec.workloads.pipeline_servers else []
    if spec.workloads.model_registries and fitted.facts.serves("ModelRegistry"):
        objs += [o for o in written(registries.COMPONENT, registries.fit) if o["kind"] == "ModelRegistry"]
    templates = runtimes.build(spec) if built is None else built.units[runtimes.COMPONENT.name]
    objs += [inner for t in templates for inner in t["objects"]]
    return objs, fitted


def workloads_fit(spec, positions, built: Built | None = None) -> Iterator[SpecError]:
    """Every team-level setting the spec writes exists in its release's CRD, and the objects
    pass the release's own rules (CEL), at the spec's line."""
    w = spec.workloads
    if not (w.pipeline_servers or w.model_registries or w.serving_runtimes) or not is_supported(spec):
        return
    objs, fitted = fit_workloads(spec, built)
    ref = release_ref(spec, positions)
    for left in fitted.left:
        if left.origin is None:
            continue
        yield positions.error(left.origin, f"{left.kind} {left.path} {left.reason} in {ref}")
    for o in objs:
        schema = fitted.facts.schema(o["kind"], o["apiVersion"].rsplit("/", 1)[-1])
        for found in cel.check(schema, o) if schema else []:
            origin = fitted.origin_of(o, found.path) or VERSION
            yield positions.error(
                origin,
                f"{o['kind']} {found.path or '(root)'}: {found.message}: refused by {ref}, CEL rule `{found.rule}`",
            )
