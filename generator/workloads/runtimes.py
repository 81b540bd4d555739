"""Serving runtimes: custom runtimes as the dashboard's Templates in the applications namespace
(a ServingRuntime inside at the release's API version, the annotations the release's dashboard
reads: serving platform, API protocol, model type), and the dashboard's templateOrder /
templateDisablement naming templates by the names the release ships (data: workload facts)."""

from __future__ import annotations

import json

from generator.components.base import Component
from generator.core.resources import Obj, obj
from generator.facts.workloads import SERVING_RUNTIME, WorkloadFacts, workload_facts
from generator.spec.model_deployments import catalogue_template_name
from generator.workloads.images import RELEASE_LINES

API = "template.openshift.io/v1"


def template_name(runtime) -> str:
    return catalogue_template_name(runtime.name)


def serving_runtime(facts: WorkloadFacts, r) -> Obj:
    annotations = {"openshift.io/display-name": r.display_name}
    if r.recommended_accelerators:
        annotations["opendatahub.io/recommended-accelerators"] = json.dumps(
            r.recommended_accelerators, separators=(",", ":")
        )
    formats = []
    for f in r.formats:
        entry = {"name": f.name, "autoSelect": f.auto_select}
        if f.version:
            entry["version"] = f.version
        formats.append(entry)
    container = {"name": "kserve-container", "image": r.image, "ports": [{"containerPort": r.port, "protocol": "TCP"}]}
    if r.args:
        container["args"] = list(r.args)
    o = obj(
        facts.api_version(SERVING_RUNTIME),
        SERVING_RUNTIME,
        r.name,
        spec={
            "multiModel": r.platforms == ["multi"],
            "supportedModelFormats": formats,
            "containers": [container],
        },
    )
    o["metadata"]["annotations"] = annotations
    o["metadata"]["labels"] = {"opendatahub.io/dashboard": "true"}
    return o


def template(spec, facts: WorkloadFacts, r) -> Obj:
    annotations = {
        "openshift.io/display-name": r.display_name,
        "opendatahub.io/modelServingSupport": json.dumps(r.platforms, separators=(",", ":")),
        "opendatahub.io/apiProtocol": r.api_protocol,
        RELEASE_LINES: ",".join(r.release_lines),
    }
    if r.model_types:
        annotations["opendatahub.io/model-type"] = json.dumps(r.model_types, separators=(",", ":"))
    o = obj(API, "Template", template_name(r), spec.namespaces["applications"], objects=[serving_runtime(facts, r)])
    o["metadata"]["labels"] = {"opendatahub.io/dashboard": "true"}
    o["metadata"]["annotations"] = dict(sorted(annotations.items()))
    return o


def build(spec) -> list[Obj]:
    if not spec.workloads.serving_runtimes:
        return []
    facts = workload_facts(spec.distribution.name, spec.version)
    return [template(spec, facts, r) for r in spec.workloads.serving_runtimes]


def known_templates(spec) -> dict[str, str]:
    """Template name -> where it comes from, for templateOrder / templateDisablement: the
    release's out-of-the-box Templates and the spec's custom runtimes."""
    facts = workload_facts(spec.distribution.name, spec.version)
    out = {name: f"{spec.release}'s {t.file}" for name, t in facts.runtime_templates.items()}
    out.update({template_name(r): "workloads.servingRuntimes" for r in spec.workloads.serving_runtimes})
    return out


def images(spec) -> list[str]:
    return [r.image for r in spec.workloads.serving_runtimes]


COMPONENT = Component(
    name="serving-runtimes",
    description="Custom serving runtimes (the dashboard's Templates)",
    build=build,
    has_base=False,
)
