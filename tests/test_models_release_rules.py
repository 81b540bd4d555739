"""Model deployments against what each release's serving controllers and webhooks do with them
(issue 26; generator/data/serving.yaml): the hardware-profile webhook of 3.x, token auth per
release, kind and mode, and LLMInferenceServices through the team's queue."""

from __future__ import annotations

import copy

import pytest
from test_models import example, example_text, objects
from test_releases import SUPPORTED
from test_workloads import load, spec_with_workloads

from generator.core.errors import SpecErrors
from generator.facts import serving
from generator.workloads import models

from conftest import load_spec_text

HWP_NAME = "opendatahub.io/hardware-profile-name"
HWP_NAMESPACE = "opendatahub.io/hardware-profile-namespace"
AUTH = "security.opendatahub.io/enable-auth"
QUEUE = "kueue.x-k8s.io/queue-name"


def as_llm(name: str = "ai3-aws") -> str:
    return example_text(name).replace(
        "      runtime: vllm-cuda-runtime-template\n",
        "      kind: LLMInferenceService\n      runtime: vllm-cuda-runtime-template\n",
    )


def of_kind(objs: list[dict], kind: str) -> dict:
    (o,) = [o for o in objs if o["kind"] == kind]
    return o


def profile_named(objs: list[dict], name: str) -> dict:
    (o,) = [o for o in objs if o["kind"] == "HardwareProfile" and o["metadata"]["name"] == name]
    return o


# --------------------------------------------------------------------------- the webhook, as the release runs it


def admitted(workload: dict, profile: dict) -> dict:
    """The workload as the API server stores it after the hardware-profile webhook of the
    release (opendatahub-operator internal/webhook/hardwareprofile, CREATE): namespace annotation
    set when missing; each identified resource the container leaves open filled (requests: the
    defaultCount, limits: the request); a Queue profile's queue label set; a Node profile's
    nodeSelector and tolerations merged in."""
    live = copy.deepcopy(workload)
    meta = live["metadata"]
    meta["annotations"].setdefault(HWP_NAMESPACE, meta["namespace"])
    if live["kind"] == "InferenceService":
        container, place = live["spec"]["predictor"]["model"], live["spec"]["predictor"]
    else:
        place = live["spec"]["template"]
        container = next(c for c in place["containers"] if c["name"] == "main")
    resources = container.setdefault("resources", {})
    requests, limits = resources.setdefault("requests", {}), resources.setdefault("limits", {})
    for ident in profile["spec"]["identifiers"]:
        requests.setdefault(ident["identifier"], ident["defaultCount"])
        if ident["identifier"] in requests:
            limits.setdefault(ident["identifier"], requests[ident["identifier"]])
    scheduling = profile["spec"]["scheduling"]
    if scheduling["type"] == "Queue":
        meta.setdefault("labels", {})[QUEUE] = scheduling["kueue"]["localQueueName"]
        return live
    node = scheduling.get("node") or {}
    if node.get("nodeSelector"):
        place["nodeSelector"] = {**place.get("nodeSelector", {}), **node["nodeSelector"]}
    for tol in node.get("tolerations") or []:
        if tol not in place.setdefault("tolerations", []):
            place["tolerations"].append(tol)
    return live


@pytest.mark.parametrize("kind", ["InferenceService", "LLMInferenceService"])
def test_on_3x_the_model_names_its_profile_and_the_webhook_has_nothing_to_change(kind):
    text = example_text("ai3-aws") if kind == "InferenceService" else as_llm()
    spec = load_spec_text(text, "clusters/ai3-aws.yaml").spec
    objs = objects(spec)
    workload = of_kind(objs, kind)
    ann = workload["metadata"]["annotations"]
    profile = profile_named(objs, ann[HWP_NAME])
    assert ann[HWP_NAME] == "l40s"
    assert ann[HWP_NAMESPACE] == profile["metadata"]["namespace"] == "redhat-ods-applications"
    # Every resource the profile identifies is written, so the API server stores what Git holds.
    assert admitted(workload, profile) == workload
    # ... and the webhook would have changed an object without them.
    bare = copy.deepcopy(workload)
    del bare["metadata"]["annotations"][HWP_NAMESPACE]
    container = (
        bare["spec"]["predictor"]["model"] if kind == "InferenceService" else bare["spec"]["template"]["containers"][0]
    )
    del container["resources"]["limits"]["memory"]
    assert admitted(bare, profile) != bare


def test_a_model_without_requests_gets_the_profiles_defaults_written_and_counted():
    text = example_text("ai3-aws").replace(
        '      requests: {cpu: "4", memory: 24Gi}\n      limits: {cpu: "8", memory: 32Gi}\n', ""
    )
    spec = load_spec_text(text, "clusters/ai3-aws.yaml").spec
    objs = objects(spec)
    isvc = of_kind(objs, "InferenceService")
    profile = profile_named(objs, "l40s")
    defaults = {i["identifier"]: i["defaultCount"] for i in profile["spec"]["identifiers"]}
    resources = isvc["spec"]["predictor"]["model"]["resources"]
    assert resources["requests"]["cpu"] == defaults["cpu"] and resources["requests"]["memory"] == defaults["memory"]
    assert resources["limits"] == resources["requests"]
    assert admitted(isvc, profile) == isvc
    # What Kueue admits is what the webhook leaves: the simulation counts the profile's defaults.
    assert models.per_pod(spec, spec.workloads.models[0])["memory"] == 16 * 2**30


def test_2x_models_carry_no_hardware_profile_annotations():
    for name in ("prod-aws", "odh-sandbox", "edge-baremetal"):
        spec = example(name)
        assert serving.hardware_profile_webhook(spec.distribution.name, spec.version) is None
        for o in objects(spec):
            if o["kind"] in ("InferenceService", "LLMInferenceService"):
                assert HWP_NAME not in o["metadata"].get("annotations", {}), name


def test_which_releases_run_the_webhook_on_models():
    assert serving.hardware_profile_webhook("rhoai", "2.25") is None
    assert serving.hardware_profile_webhook("odh", "2.35") is None
    for dist, version in (("rhoai", "3.0"), ("rhoai", "3.4"), ("odh", "3.0"), ("odh", "3.5")):
        hook = serving.hardware_profile_webhook(dist, version)
        assert hook is not None and hook.kinds == ("InferenceService", "LLMInferenceService")


# --------------------------------------------------------------------------- token auth per release


def with_token_auth(name: str, text: str | None = None) -> str:
    text = text if text is not None else example_text(name)
    anchor = "      replicas: 2\n"
    assert anchor in text
    return text.replace(anchor, anchor + "      tokenAuth: true\n", 1)


def test_token_auth_on_2x_serverless_and_3x_raw_is_the_enable_auth_annotation():
    for name in ("prod-aws", "ai3-aws"):
        spec = load_spec_text(with_token_auth(name), f"clusters/{name}.yaml").spec
        isvc = of_kind(objects(spec), "InferenceService")
        assert isvc["metadata"]["annotations"][AUTH] == "true", name
    isvc = of_kind(objects(example("prod-aws")), "InferenceService")
    assert AUTH not in isvc["metadata"]["annotations"]


def test_token_auth_on_modelmesh_is_the_serving_runtimes_annotation():
    text = example_text("prod-aws").replace("runtime: kserve-ovms", "runtime: ovms")
    text = text.replace("      modelFormat: onnx\n", "      modelFormat: onnx\n      deploymentMode: ModelMesh\n")
    spec = load_spec_text(with_token_auth("prod-aws", text), "clusters/prod-aws.yaml").spec
    objs = objects(spec)
    assert of_kind(objs, "ServingRuntime")["metadata"]["annotations"]["enable-auth"] == "true"
    assert AUTH not in of_kind(objs, "InferenceService")["metadata"]["annotations"]


def test_an_llm_service_requires_a_token_unless_it_says_false():
    spec = load_spec_text(as_llm(), "clusters/ai3-aws.yaml").spec
    assert of_kind(objects(spec), "LLMInferenceService")["metadata"]["annotations"][AUTH] == "false"
    spec = load_spec_text(with_token_auth("ai3-aws", as_llm()), "clusters/ai3-aws.yaml").spec
    assert of_kind(objects(spec), "LLMInferenceService")["metadata"]["annotations"][AUTH] == "true"


def test_token_auth_where_the_release_has_none_is_refused_at_its_line():
    # RHOAI 2.16's odh-model-controller guards Serverless and ModelMesh, not raw deployments.
    text = example_text("prod-aws").replace('  version: "2.22"', '  version: "2.16"')
    text = text.replace("    deploymentMode: Serverless\n", "    deploymentMode: RawDeployment\n")
    text = with_token_auth("prod-aws", text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "tokenAuth: true" in t)
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(text, "clusters/prod-aws.yaml")
    (err,) = [str(e) for e in exc.value.errors if "tokenAuth" in str(e)]
    assert f"clusters/prod-aws.yaml:{line}:" in err
    assert "has no token auth for an InferenceService in RawDeployment" in err
    assert "rhoai 2.17+, odh 2.23+" in err


def test_token_auth_spans_come_from_the_data():
    assert serving.token_auth("odh", "2.22", "InferenceService", "RawDeployment") is None
    assert serving.token_auth("odh", "2.23", "InferenceService", "RawDeployment") is not None
    assert serving.token_auth("odh", "2.34", "LLMInferenceService", None) is None
    assert serving.token_auth("rhoai", "3.0", "InferenceService", "ModelMesh") is None


# --------------------------------------------------------------------------- LLM services through the queue


def test_an_llm_service_goes_through_the_teams_queue_and_the_simulation_counts_it():
    spec = load_spec_text(as_llm(), "clusters/ai3-aws.yaml").spec
    objs = objects(spec)
    llm = of_kind(objs, "LLMInferenceService")
    assert llm["metadata"]["labels"][QUEUE] == "default"
    (placed,) = models.simulate(spec, objs)
    assert placed.ident.startswith("LLMInferenceService") and placed.queued and placed.flavor == "l40s"
    # 13 replicas x 4 CPUs = 52 > the 48 CPUs of the team's l40s flavor: Kueue holds them back.
    spec = load_spec_text(as_llm().replace("      replicas: 2\n", "      replicas: 13\n"), "clusters/ai3-aws.yaml").spec
    (placed,) = models.simulate(spec, objects(spec))
    assert "Kueue does not admit its 13 replica(s)" in placed.reason


# --------------------------------------------------------------------------- names the server stores


@pytest.mark.parametrize(("version", "stored"), [("3.3", "RawDeployment"), ("3.4", "Standard")])
def test_the_mode_annotation_is_written_as_the_releases_kserve_stores_it(version, stored):
    text = example_text("ai3-aws").replace('  version: "3.4"', f'  version: "{version}"')
    spec = load_spec_text(text, "clusters/ai3-aws.yaml").spec
    isvc = of_kind(objects(spec), "InferenceService")
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == stored
    assert serving.stored_mode("odh", version, "RawDeployment") == stored


# --------------------------------------------------------------------------- every release


def _models_for(spec_data: dict, dist: str, version: str) -> list[dict]:
    """A catalogue-runtime model, an out-of-the-box-template model and (where served) an LLM
    service, asking for token auth where the release's controllers guard it."""
    from generator.facts.workloads import workload_facts

    facts = workload_facts(dist, version)
    single = sorted(t.name for t in facts.runtime_templates.values() if not t.multi_model and t.formats)
    out = [
        {
            "name": "fraud",
            "namespace": "team-a",
            "location": {"connection": "artifacts", "path": "models/fraud"},
            "runtime": "triton",
            "modelFormat": "onnx",
        }
    ]
    if single:
        out.append(
            {
                "name": "chat",
                "namespace": "team-a",
                "location": {"uri": "s3://models/chat"},
                "runtime": single[0],
                "runtimeImage": "registry.example.com/runtime@sha256:" + "cd" * 32,
            }
        )
    if facts.serves("LLMInferenceService"):
        out.append(
            {"name": "llm", "namespace": "team-a", "kind": "LLMInferenceService", "location": {"uri": "hf://org/m"}}
        )
    return out


@pytest.mark.parametrize(("dist", "version"), SUPPORTED)
def test_every_release_renders_its_models_valid_against_its_own_crds(dist, version):
    from generator.facts import releases
    from generator.facts.workloads import workload_facts
    from generator.spec import model_deployments
    from generator.validate import cel
    from generator.validate.validator import SchemaValidator

    facts = workload_facts(dist, version)
    if not facts.serves("InferenceService"):
        pytest.skip(f"{dist} {version}: the upstream data has no KServe CRDs (a gap named in INDEX.md)")
    data = spec_with_workloads(dist, version)
    data["workloads"]["models"] = _models_for(data, dist, version)
    first = load(data)
    for m, written in zip(first.workloads.models, data["workloads"]["models"], strict=True):
        mode_ = model_deployments.mode(first, m) if m.kind == "InferenceService" else None
        written["tokenAuth"] = serving.token_auth(dist, version, m.kind, mode_) is not None
    spec = load(data)  # the spec rules take token auth wherever the data says the release has it
    objs = [o for o in objects(spec) if o["kind"] in ("InferenceService", "ServingRuntime", "LLMInferenceService")]
    validator = SchemaValidator([facts.schema_files(), releases.common_schema_files()])
    problems = []
    for o in objs:
        assert o["apiVersion"] == facts.api_version(o["kind"])
        problems += [f"{o['kind']} {p}" for p in validator.problems(o)]
        problems += [f"{o['kind']} {f.path}: {f.message}" for f in cel.check(validator.schema(o), o)]
    assert not problems, f"{dist} {version}:\n" + "\n".join(problems)
    hook = serving.hardware_profile_webhook(dist, version)
    for o in objs:
        ann = o["metadata"].get("annotations", {})
        if o["kind"] == "InferenceService":
            m = next(m for m in spec.workloads.models if m.name == o["metadata"]["name"])
            assert ann["serving.kserve.io/deploymentMode"] == serving.stored_mode(
                dist, version, model_deployments.mode(spec, m)
            )
        if o["kind"] in ("InferenceService", "LLMInferenceService"):
            assert (HWP_NAME in ann) == (hook is not None), (dist, version, o["kind"])
    llm = [o for o in objs if o["kind"] == "LLMInferenceService"]
    if llm and serving.token_auth(dist, version, "LLMInferenceService", None):
        assert llm[0]["metadata"]["annotations"][AUTH] == "true"
