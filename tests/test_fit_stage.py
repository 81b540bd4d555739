"""The release fit is a stage after loading (docs/architecture.md): the loader only loads, a
render fits the objects its build made (nothing built twice), and a spec's errors are still
reported at once, the loader's with the fit's, at the spec's lines."""

from __future__ import annotations

import pytest

from generator import build, units
from generator.components import platform
from generator.core.errors import SpecErrors
from generator.spec import loader
from generator.workloads import check

from conftest import EXAMPLE_DEFAULTS, EXAMPLES, PROJECT

SOURCE = "clusters/prod-aws.yaml"
PROD = (PROJECT / SOURCE).read_text(encoding="utf-8")
# Refused by a CEL rule of RHOAI 2.21's DataScienceCluster (workbench namespace), nothing else.
CEL = (
    PROD.replace('version: "2.22"', 'version: "2.21"')
    .replace("  channel: stable\n", "")
    .replace("  startingCSV: rhods-operator.2.22.1\n", "")
    .replace("    pvcSize: 50Gi\n", "    pvcSize: 50Gi\n    namespace: my-notebooks\n")
)
# A value 2.22's schema does not take (left out by the fit), nothing else.
LEFT_OUT = PROD.replace("components:\n", "components:\n  kueue:\n    managementState: Unmanaged\n", 1)
# Spec rules (channel, startingCSV, ...) and the fit (Serverless KServe) refuse 3.4 together.
BOTH = PROD.replace('version: "2.22"', 'version: "3.4"')


def errors(load, text: str) -> list[str]:
    try:
        load(text, SOURCE, EXAMPLE_DEFAULTS)
    except SpecErrors as exc:
        return [str(e) for e in exc.errors]
    return []


def test_the_loader_only_loads_and_the_fit_stage_refuses():
    assert errors(loader.load_spec_text, CEL) == []
    assert errors(build.load_spec_text, CEL) == [
        "clusters/prod-aws.yaml:48:16: components.workbenches.namespace: DataScienceCluster "
        "spec.components.workbenches.workbenchNamespace: WorkbenchNamespace must be empty or 'rhods-notebooks': "
        "refused by rhoai 2.21 (distribution.version, clusters/prod-aws.yaml:26), CEL rule "
        "`self == '' || self == 'rhods-notebooks'`"
    ]
    assert errors(loader.load_spec_text, LEFT_OUT) == []
    [left] = errors(build.load_spec_text, LEFT_OUT)
    assert left.startswith("clusters/prod-aws.yaml:32:22: components.kueue.managementState: DataScienceCluster")


def test_rule_errors_and_fit_errors_are_reported_together():
    with pytest.raises(loader.RefusedSpecs) as refused:
        loader.load_spec_text(BOTH, SOURCE, EXAMPLE_DEFAULTS)
    [modelled] = refused.value.modelled
    assert modelled.spec.version == "3.4"
    rules_only = [str(e) for e in refused.value.errors]
    together = errors(build.load_spec_text, BOTH)
    fit_only = [e for e in together if e not in rules_only]
    assert set(rules_only) < set(together)
    assert [e.split(": ")[1] for e in fit_only] == [
        "components.kserve.deploymentMode",
        "components.kserve.serving.certificate.type",
    ]
    # The render path reports the same set, loaded by the pipeline's loader (build.load_spec_to_build).
    assert errors(build.load_spec_to_build, BOTH) == together


@pytest.mark.parametrize("text", [CEL, LEFT_OUT], ids=["cel", "left-out"])
def test_a_render_refuses_what_loading_with_the_fit_refuses(text):
    loaded = loader.load_spec_text(text, SOURCE, EXAMPLE_DEFAULTS)
    with pytest.raises(SpecErrors) as rendered:
        build.render_cluster(loaded)
    assert [str(e) for e in rendered.value.errors] == errors(build.load_spec_text, text)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_fit_of_the_built_objects_is_the_fit_of_objects_built_for_it(name):
    """What the fit judges on the build's objects (no second build) is what it judged on objects
    built for it: the same objects, the same record of what the release left out."""
    text = (PROJECT / "clusters" / f"{name}.yaml").read_text(encoding="utf-8")
    for variant in (text, text.replace("components:\n", "components:\n  kueue:\n    managementState: Unmanaged\n", 1)):
        try:
            loaded = loader.load_spec_text(variant, f"clusters/{name}.yaml", EXAMPLE_DEFAULTS)
        except SpecErrors:
            continue
        spec, built = loaded.spec, build.build_cluster(loaded.spec)
        for fit in (platform.fit_platform, check.fit_workloads):
            objs, record = fit(spec, built)
            alone, alone_record = fit(spec)
            assert [o.get("spec") for o in objs] == [o.get("spec") for o in alone]
            assert (record.left, record.origins) == (alone_record.left, alone_record.origins)
        assert list(units.release_fit(spec, loaded.positions, built)) == list(units.release_fit(spec, loaded.positions))
