"""Per-release facts of the team-level kinds (generator/facts/workloads.py over the shipped
generator/data/upstream/workload.json): derived from ../shared/upstream/workload/ by the import,
and answering from the shipped data alone (a user's clone has no ../shared). That workload.json
and its schemas equal a fresh derivation is tests/test_upstream.py's first test (it derives every
shipped file)."""

from __future__ import annotations

import jsonschema
import pytest

from generator.facts import releases
from generator.facts.workloads import DSPA, KINDS, MODEL_REGISTRY, SERVING_RUNTIME, workload_facts
from generator.upstream import refresh

from conftest import SHARED, needs_shared

SUPPORTED = [(d, v) for d in ("rhoai", "odh") for v in releases.supported(d)]


@pytest.mark.upstream
def test_kinds_and_api_versions_per_release_from_the_shared_crds():
    """Each release's served and storage versions are its own CRD's (read again from the raw
    upstream file here)."""
    needs_shared()
    for dist, version in SUPPORTED:
        folder = SHARED / "upstream" / "workload" / dist / version
        facts = workload_facts(dist, version)
        for f in folder.glob("*.yaml"):
            crd = refresh._load(f)
            kind = crd["spec"]["names"]["kind"]
            served = [v["name"] for v in crd["spec"]["versions"] if v.get("served", True)]
            assert list(facts.served(kind)) == served, (dist, version, kind)
            assert facts.storage(kind) == next(v["name"] for v in crd["spec"]["versions"] if v.get("storage"))


@pytest.mark.parametrize(("dist", "version"), SUPPORTED)
def test_every_supported_release_has_its_pipeline_and_serving_kinds_with_schemas(dist, version):
    facts = workload_facts(dist, version)
    for kind in (DSPA, SERVING_RUNTIME):
        assert facts.serves(kind), kind
        schema = facts.schema(kind)
        assert schema and schema["properties"]["apiVersion"]["enum"] == [facts.api_version(kind)]
    assert set(facts.served(DSPA)) <= {"v1alpha1", "v1"}
    assert facts.schema("Notebook") is None  # not shipped (the bundle renders none); versions are
    assert facts.storage("Notebook") in (None, "v1")


def test_dspa_v1alpha1_only_then_v1_then_v1_only():
    assert workload_facts("rhoai", "2.15").served(DSPA) == ("v1alpha1",)
    assert workload_facts("rhoai", "2.16").api_version(DSPA) == "datasciencepipelinesapplications.opendatahub.io/v1"
    assert set(workload_facts("rhoai", "2.16").served(DSPA)) == {"v1alpha1", "v1"}
    assert workload_facts("rhoai", "3.0").served(DSPA) == ("v1",)
    # fields added later are only in later releases' schemas
    assert not workload_facts("rhoai", "2.16").has(DSPA, "spec.apiServer.pipelineStore")
    assert workload_facts("rhoai", "3.3").has(DSPA, "spec.apiServer.pipelineStore")


def test_model_registry_versions_and_gaps():
    assert not workload_facts("rhoai", "2.13").serves(MODEL_REGISTRY)  # no upstream CRD
    assert workload_facts("rhoai", "2.21").api_version(MODEL_REGISTRY) == "modelregistry.opendatahub.io/v1alpha1"
    assert workload_facts("rhoai", "3.0").api_version(MODEL_REGISTRY) == "modelregistry.opendatahub.io/v1beta1"
    # odh 2.32/2.33 have no collected CRD: they borrow 2.31's, checked against 2.34's
    assert workload_facts("odh", "2.32").borrowed(MODEL_REGISTRY) == {"from": "2.31", "checkedAgainst": "2.34"}
    assert workload_facts("odh", "2.32").schema(MODEL_REGISTRY) == workload_facts("odh", "2.31").schema(MODEL_REGISTRY)


def test_cel_rules_come_with_the_schemas():
    rules = workload_facts("rhoai", "3.3").cel_rules(MODEL_REGISTRY)
    assert rules and all(isinstance(r, str) and r for _, r in rules)


def test_runtime_templates_by_the_names_each_release_ships():
    old, new = workload_facts("rhoai", "2.18").runtime_templates, workload_facts("rhoai", "2.19").runtime_templates
    assert "vllm-runtime-template" in old and "vllm-runtime-template" not in new
    cuda = new["vllm-cuda-runtime-template"]
    assert cuda.file == "vllm-cuda-template.yaml" and cuda.platforms == ("single",) and cuda.api_protocol == "REST"
    assert cuda.formats == ("vLLM",) and cuda.images[0].param == "vllm-cuda-image"
    assert (
        cuda.serving_runtime["kind"] == "ServingRuntime"
        and cuda.runtime_name == cuda.serving_runtime["metadata"]["name"]
    )
    assert workload_facts("odh", "2.10").runtime_templates["ovms"].multi_model
    assert not workload_facts("rhoai", "3.5").runtimes_collected and workload_facts("rhoai", "3.4").runtimes_collected


@pytest.mark.parametrize(("dist", "version"), [sv for sv in SUPPORTED if workload_facts(*sv).runtimes_collected])
def test_each_out_of_the_box_runtime_is_valid_against_its_releases_serving_runtime_schema(dist, version):
    facts = workload_facts(dist, version)
    validator = jsonschema.Draft7Validator(facts.schema(SERVING_RUNTIME))
    for name, template in facts.runtime_templates.items():
        runtime = dict(template.serving_runtime, apiVersion=facts.api_version(SERVING_RUNTIME))
        problems = [e.message for e in validator.iter_errors(runtime)]
        assert problems == [], (name, problems)


def test_connection_types_per_release():
    assert workload_facts("rhoai", "2.15").connection_types == {}
    assert set(workload_facts("rhoai", "2.16").connection_types) == {"s3", "uri-v1"}
    s3 = workload_facts("rhoai", "3.3").connection_types["s3"]
    assert s3.required_keys() == ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_S3_ENDPOINT"]
    assert "AWS_S3_BUCKET" in s3.keys()  # noqa: SIM118 (a ConnectionType: keys() is its fields, it is no mapping)
    assert set(workload_facts("odh", "3.5").connection_types) == {"s3", "uri-v1", "oci-v1"}


def test_every_kind_is_known_and_every_release_covered():
    for dist in ("rhoai", "odh"):
        for version in releases.supported(dist):
            facts = workload_facts(dist, version)
            assert {k for k in KINDS if facts.serves(k)} <= set(KINDS)
            for kind in KINDS:
                if facts.serves(kind):
                    assert facts.api_version(kind).endswith("/" + facts.storage(kind))
