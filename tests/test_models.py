"""Model deployments (issue 26): the spec's workloads.models, the objects per release and mode,
bad input at its line, Kueue admission and placement, derived probes, and health of the
rendered objects under the Argo CD Lua check."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from generator.argocd import health
from generator.build import build_units
from generator.components import kueue_operator
from generator.components.monitoring import probes
from generator.core.errors import SpecErrors
from generator.spec import model_deployments
from generator.spec.loader import load_specs
from generator.workloads import models

from conftest import PROJECT, load_spec_text

FIXTURES = Path(__file__).parent / "fixtures" / "health"


def example(name: str):
    return load_specs(PROJECT, [name])[0].spec


def example_text(name: str) -> str:
    return (PROJECT / "clusters" / f"{name}.yaml").read_text()


def objects(spec) -> list[dict]:
    return [o for items in build_units(spec).values() for o in items]


def errors_with(name: str, old: str, new: str) -> list[str]:
    text = example_text(name)
    assert old in text, old
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(text.replace(old, new), f"clusters/{name}.yaml")
    return [str(e) for e in exc.value.errors]


def line_of(name: str, needle: str) -> int:
    return next(i for i, line in enumerate(example_text(name).splitlines(), 1) if needle in line)


# --------------------------------------------------------------------------- objects per release


def test_3x_example_deploys_raw_through_the_teams_queue_on_its_pool():
    spec = example("ai3-aws")
    (isvc,) = [o for o in objects(spec) if o["kind"] == "InferenceService"]
    meta = isvc["metadata"]
    # RHOAI 3.4's KServe stores RawDeployment under its new name: the bundle writes that name.
    assert meta["annotations"]["serving.kserve.io/deploymentMode"] == "Standard"
    assert meta["labels"]["kueue.x-k8s.io/queue-name"] == "default"
    predictor = isvc["spec"]["predictor"]
    assert predictor["minReplicas"] == predictor["maxReplicas"] == 2
    assert predictor["nodeSelector"]["rhoai-gitops.io/gpu-pool"] == "l40s"
    assert predictor["model"]["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert not any(k.startswith("sidecar.istio.io") for k in meta["annotations"])  # no mesh on 3.x
    # The Red Hat build of Kueue admits Deployments' pods only with its Deployment integration on.
    assert "Deployment" in kueue_operator.frameworks(spec)


def test_2x_example_deploys_serverless_with_what_knative_on_the_mesh_needs():
    spec = example("prod-aws")
    (isvc,) = [o for o in objects(spec) if o["kind"] == "InferenceService"]
    ann = isvc["metadata"]["annotations"]
    assert ann["serving.kserve.io/deploymentMode"] == "Serverless"
    assert ann["sidecar.istio.io/inject"] == "true"
    # The 2.x platform Kueue admits jobs, not serving pods: no queue label there.
    assert "kueue.x-k8s.io/queue-name" not in isvc["metadata"]["labels"]
    assert "networking.knative.dev/visibility" not in isvc["metadata"]["labels"]  # exposed on a route


def test_modes_follow_the_dsc():
    text = example_text("prod-aws").replace("    deploymentMode: Serverless\n", "    deploymentMode: RawDeployment\n")
    spec = load_spec_text(text, "clusters/prod-aws.yaml").spec
    (isvc,) = [o for o in objects(spec) if o["kind"] == "InferenceService"]
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "RawDeployment"
    assert isvc["metadata"]["labels"]["networking.kserve.io/visibility"] == "exposed"
    assert not any(k.startswith("sidecar.istio.io") for k in isvc["metadata"]["annotations"])


# --------------------------------------------------------------------------- bad input at its line


def test_a_model_in_a_namespace_of_no_team():
    errs = errors_with(
        "ai3-aws", "      namespace: team-inference\n      displayName", "      namespace: scratch\n      displayName"
    )
    assert any(
        "workloads.models[0].namespace: namespace 'scratch' belongs to no team" in e and "team-inference" in e
        for e in errs
    ), errs


def test_gpus_on_a_pool_the_team_has_no_quota_on():
    errs = errors_with("ai3-aws", "hardwareProfile: l40s", "hardwareProfile: h100")
    (err,) = [e for e in errs if "hardwareProfile" in e]
    assert f"clusters/ai3-aws.yaml:{line_of('ai3-aws', 'hardwareProfile: l40s')}:" in err
    assert "team 'inference' has no nvidia.com/gpu quota on pool 'h100'" in err


def test_more_gpus_than_quota_plus_what_the_cohort_could_ever_lend():
    # inference: 16 nominal on l40s; nobody else in cohort genai has l40s quota to lend
    errs = errors_with("ai3-aws", "      replicas: 2\n", "      replicas: 17\n")
    (err,) = [e for e in errs if ".replicas" in e]
    assert f"clusters/ai3-aws.yaml:{line_of('ai3-aws', '      replicas: 2')}:" in err
    assert "17 replica(s) x 1 GPUs brings team 'inference'" in err and "to 17 nvidia.com/gpu" in err
    assert "quota 16 plus the 0 its cohort could ever lend" in err


def test_borrowing_within_the_cohort_counts():
    # prod-aws: nlp has 8 a100 nominal, may borrow 8; risk lends up to 4 of its 8 -> 12 at most
    text = (
        example_text("prod-aws")
        .replace("      namespace: team-risk\n      displayName", "      namespace: team-nlp\n      displayName")
        .replace(
            "{connection: risk-artifacts, path: models/fraud/v3}", "{connection: nlp-artifacts, path: models/fraud/v3}"
        )
    )
    ok = text.replace(
        '      replicas: 2\n      requests: {cpu: "2"',
        '      hardwareProfile: a100\n      gpus: 4\n      replicas: 3\n      requests: {cpu: "2"',
    )
    load_spec_text(ok, "clusters/prod-aws.yaml")
    too_many = ok.replace("      replicas: 3\n", "      replicas: 4\n")
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(too_many, "clusters/prod-aws.yaml")
    assert any(
        "to 16 nvidia.com/gpu, more than its quota 8 plus the 4 its cohort could ever lend" in str(e)
        for e in exc.value.errors
    )


def test_gpus_need_a_gpu_profile_and_profiles_must_exist():
    errs = errors_with(
        "prod-aws", "      replicas: 2\n      requests", "      gpus: 1\n      replicas: 2\n      requests"
    )
    assert any("gpus: GPUs need a GPU pool's hardware profile" in e for e in errs), errs
    errs = errors_with(
        "prod-aws", "      replicas: 2\n      requests", "      hardwareProfile: t4\n      replicas: 2\n      requests"
    )
    assert any("'t4' is neither cpu nor a GPU pool's profile; expected one of: cpu, a100, l4" in e for e in errs), errs


def test_a_deployment_mode_the_cluster_does_not_run():
    errs = errors_with(
        "ai3-aws", "      modelFormat: vLLM\n", "      modelFormat: vLLM\n      deploymentMode: Serverless\n"
    )
    (err,) = [e for e in errs if "deploymentMode" in e]
    assert f":{line_of('ai3-aws', 'modelFormat: vLLM') + 1}:" in err
    assert "deployment mode Serverless does not run on this cluster (rhoai 3.4" in err and "RawDeployment only" in err
    text = example_text("prod-aws").replace(
        "      modelFormat: onnx\n", "      modelFormat: onnx\n      deploymentMode: ModelMesh\n"
    )
    with pytest.raises(
        SpecErrors,
        match="runtime 'kserve-ovms' is a single-model runtime; deployment mode ModelMesh needs a multi-model one",
    ):
        load_spec_text(text, "clusters/prod-aws.yaml")
    text = text.replace("runtime: kserve-ovms", "runtime: ovms")  # the 2.22 multi-model OpenVINO template
    spec = load_spec_text(text, "clusters/prod-aws.yaml").spec  # modelmeshserving is Managed by default on 2.22
    (isvc,) = [o for o in objects(spec) if o["kind"] == "InferenceService"]
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "ModelMesh"
    assert "minReplicas" not in isvc["spec"]["predictor"]  # ModelMesh: the runtime's pods, not the model's
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(
            text.replace("components:\n", "components:\n  modelmeshserving:\n    managementState: Removed\n"),
            "clusters/prod-aws.yaml",
        )
    errs = [str(e) for e in exc.value.errors]
    assert any(
        "deployment mode ModelMesh does not run" in e and "modelmeshserving is not Managed" in e for e in errs
    ), errs


def test_inline_credentials_in_a_model_uri():
    errs = errors_with(
        "prod-aws",
        "location: {connection: risk-artifacts, path: models/fraud/v3}",
        'location: {uri: "s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI@risk-models/fraud/v3"}',
    )
    assert any("workloads.models[0].location.uri" in e and "credentials" in e for e in errs), errs


def test_location_is_a_connection_or_a_uri():
    errs = errors_with(
        "prod-aws", "location: {connection: risk-artifacts, path: models/fraud/v3}", "location: {path: fraud/v3}"
    )
    assert any("location: give either connection (and path) or uri" in e for e in errs), errs
    errs = errors_with(
        "prod-aws",
        "location: {connection: risk-artifacts, path: models/fraud/v3}",
        "location: {connection: nlp-artifacts}",
    )
    assert any(
        "no connection 'nlp-artifacts' in namespace 'team-risk' (workloads.connections there: risk-artifacts)" in e
        for e in errs
    ), errs
    text = example_text("prod-aws").replace(
        "      namespace: team-risk\n      displayName: Fraud", "      namespace: team-nlp\n      displayName: Fraud"
    )
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(
            text.replace("{connection: risk-artifacts, path: models/fraud/v3}", "{connection: nlp-model-hub}"),
            "clusters/prod-aws.yaml",
        )
    assert any("connection 'nlp-model-hub' is of type uri-v1" in str(e) for e in exc.value.errors), exc.value.errors


def test_a_model_from_an_s3_connection_reads_its_storage_key():
    (isvc,) = [o for o in objects(example("prod-aws")) if o["kind"] == "InferenceService"]
    assert isvc["spec"]["predictor"]["model"]["storage"] == {"key": "risk-artifacts", "path": "models/fraud/v3"}


# --------------------------------------------------------------------------- admission and placement


def test_examples_are_admitted_and_placed():
    for name, queued, pool in (("ai3-aws", True, "l40s"), ("prod-aws", False, None)):
        spec = example(name)
        (placed,) = models.simulate(spec, objects(spec))
        assert placed.reason == "", placed
        assert placed.queued is queued
        assert placed.nodes
        if pool:
            assert placed.flavor == pool and all(f"-gpu-{pool}-" in n for n in placed.nodes), placed


def test_a_deployment_its_quota_cannot_admit_is_named_with_the_reason():
    # 13 replicas x 4 CPUs = 52 > the 48 CPUs of the team's l40s flavor (GPUs still fit: 13 <= 16)
    text = example_text("ai3-aws").replace("      replicas: 2\n", "      replicas: 13\n")
    spec = load_spec_text(text, "clusters/ai3-aws.yaml").spec
    (placed,) = models.simulate(spec, objects(spec))
    assert placed.model == "team-inference/granite-chat"
    assert (
        "Kueue does not admit its 13 replica(s)" in placed.reason
        and "cpu 52 is more than flavor l40s gives: nominal 48" in placed.reason
    )


def test_a_replica_no_node_can_hold_is_named():
    text = example_text("ai3-aws").replace("      gpus: 1\n      replicas: 2\n", "      gpus: 8\n      replicas: 1\n")
    spec = load_spec_text(text, "clusters/ai3-aws.yaml").spec
    (placed,) = models.simulate(spec, objects(spec))
    assert "no node takes a replica" in placed.reason and "insufficient nvidia.com/gpu 8 (node has 4)" in placed.reason


def test_capacity_counts_each_teams_gpus_held_by_models():
    from generator.capacity import pools as capacity

    assert model_deployments.gpus_used(example("ai3-aws")) == {("inference", "l40s"): 2}
    rows = {(t.team, t.pool): t.models for t in capacity.report(example("ai3-aws")).teams}
    assert rows == {("llm-training", "h100"): 0, ("inference", "l40s"): 2}


# --------------------------------------------------------------------------- operated


def test_probes_are_derived_from_the_deployments():
    spec = example("prod-aws")
    assert probes.model_endpoints(spec) == ["https://fraud-model-team-risk.apps.prod-aws.example.com/v2/health/ready"]
    spec = example("ai3-aws")
    assert probes.model_endpoints(spec) == ["http://granite-chat-predictor.team-inference.svc.cluster.local/health"]
    (probe,) = [o for o in objects(spec) if o["kind"] == "Probe" and o["metadata"]["name"] == "model-endpoints"]
    assert probe["spec"]["targets"]["staticConfig"]["static"] == probes.model_endpoints(spec)
    # a token-protected model answers the prober 401: not probed
    text = example_text("ai3-aws").replace("      replicas: 2\n", "      replicas: 2\n      tokenAuth: true\n")
    assert probes.model_endpoints(load_spec_text(text, "clusters/ai3-aws.yaml").spec) == []


@pytest.mark.parametrize(
    "name,sample", [("ai3-aws", "healthy-raw-deployment-3.4.yaml"), ("prod-aws", "healthy-serverless-2.22.yaml")]
)
def test_rendered_deployment_is_healthy_under_the_lua_check_with_a_healthy_status(name, sample):
    spec = example(name)
    (isvc,) = [o for o in objects(spec) if o["kind"] == "InferenceService"]
    live = copy.deepcopy(isvc)
    live["metadata"].update(generation=1, uid="5c0a3f0e-6f3b-4b8e-9a53-2d1c9f1e5342")
    live["status"] = yaml.safe_load((FIXTURES / "inferenceservice" / sample).read_text())["status"]
    assert health.evaluate(live)["status"] == "Healthy"
    live["metadata"]["generation"] = 2  # a spec change the controller has not seen yet
    assert health.evaluate(live)["status"] == "Progressing"


def test_a_runtime_the_release_does_not_ship():
    # vllm-template was renamed vllm-cuda-template (Template vllm-cuda-runtime-template) in 2.19
    errs = errors_with("ai3-aws", "runtime: vllm-cuda-runtime-template", "runtime: vllm-template")
    (err,) = [e for e in errs if ".runtime" in e]
    assert f"clusters/ai3-aws.yaml:{line_of('ai3-aws', 'runtime: vllm-cuda-runtime-template')}:" in err
    assert "'vllm-template' is no runtime of this cluster: rhoai 3.4 ships" in err
    assert "vllm-cuda-runtime-template" in err and "the catalogue (workloads.servingRuntimes) has triton" in err


def test_the_template_file_name_names_it_too_and_formats_are_checked():
    text = example_text("ai3-aws").replace("runtime: vllm-cuda-runtime-template", "runtime: vllm-cuda-template")
    load_spec_text(text, "clusters/ai3-aws.yaml")
    errs = errors_with("ai3-aws", "modelFormat: vLLM", "modelFormat: onnx")
    assert any("runtime 'vllm-cuda-runtime-template' serves vLLM, not 'onnx'" in e for e in errs), errs


def test_a_template_whose_image_the_operator_fills_needs_the_image():
    errs = errors_with("ai3-aws", "      runtimeImage: ", "      # runtimeImage: ")
    assert any(
        "template 'vllm-cuda-runtime-template' leaves its image to the operator (parameter vllm-cuda-image)" in e
        for e in errs
    ), errs


def test_an_llm_service_on_a_release_that_does_not_serve_it():
    errs = errors_with(
        "prod-aws", "      runtime: kserve-ovms\n", "      kind: LLMInferenceService\n      runtime: kserve-ovms\n"
    )
    assert any(
        "workloads.models[0].kind: rhoai 2.22 (distribution.version" in e and "does not serve LLMInferenceService" in e
        for e in errs
    ), errs


def test_llm_service_at_the_releases_api_version():
    text = example_text("ai3-aws").replace(
        "      runtime: vllm-cuda-runtime-template\n",
        "      kind: LLMInferenceService\n      runtime: vllm-cuda-runtime-template\n",
    )
    spec = load_spec_text(text, "clusters/ai3-aws.yaml").spec
    (llm,) = [o for o in objects(spec) if o["kind"] == "LLMInferenceService"]
    assert llm["apiVersion"] == "serving.kserve.io/v1alpha2"  # 3.4 stores v1alpha2 (2.25-3.3: v1alpha1)
    assert llm["spec"]["model"]["uri"].startswith("oci://") and llm["spec"]["replicas"] == 2


def test_the_serving_runtime_is_the_releases_template_with_the_clusters_image():
    spec = example("ai3-aws")
    (sr,) = [o for o in objects(spec) if o["kind"] == "ServingRuntime"]
    assert sr["metadata"]["name"] == "granite-chat" and sr["metadata"]["namespace"] == "team-inference"
    assert sr["metadata"]["annotations"]["opendatahub.io/template-name"] == "vllm-cuda-runtime-template"
    (container,) = sr["spec"]["containers"]
    assert container["image"] == spec.workloads.models[0].runtime_image
    assert "$(" not in yaml.safe_dump(sr)


def test_mirror_includes_every_runtime_image():
    from generator.mirror import imageset as mirror

    p = mirror.plan(load_specs(PROJECT, ["ai3-aws", "prod-aws"]))
    names = {i["name"] for i in p.config["mirror"]["additionalImages"]}
    for name in ("ai3-aws", "prod-aws"):
        assert set(models.runtime_images(example(name))) <= names


def test_upgrade_plans_the_serverless_model_as_a_replacement():
    from generator.upgrade.plan import plan_upgrade

    plan = plan_upgrade(PROJECT, "prod-aws", "3.4")
    (move,) = plan.model_moves
    assert (move.model, move.mode_from, move.mode_to, move.action) == (
        "team-risk/fraud-model",
        "Serverless",
        "RawDeployment",
        "replace",
    )
    assert "named 'fraud-model-raw' with deploymentMode: RawDeployment" in move.steps[0] and "Healthy" in move.steps[0]
    assert "prunes InferenceService team-risk/fraud-model last (PruneLast)" in move.steps[2]
    assert move.steps[3].startswith("then change distribution.version")
    # the rendered InferenceService is pruned last: after the replacement is healthy
    (isvc,) = [o for o in objects(example("prod-aws")) if o["kind"] == "InferenceService"]
    assert "PruneLast=true" in isvc["metadata"]["annotations"]["argocd.argoproj.io/sync-options"]
    same = plan_upgrade(PROJECT, "ai3-aws", "3.4")
    assert [m.action for m in same.model_moves] == ["keep"]


def test_upgrade_names_a_runtime_template_the_target_does_not_ship(tmp_path):
    import shutil

    from generator.upgrade.plan import plan_upgrade

    shutil.copytree(PROJECT / "clusters", tmp_path / "clusters")
    spec = tmp_path / "clusters/prod-aws.yaml"
    # caikit's standalone template ships through 2.25 and is gone in 3.x
    spec.write_text(
        spec.read_text()
        .replace("runtime: kserve-ovms", "runtime: caikit-standalone-serving-template")
        .replace("      modelFormat: onnx\n", "      modelFormat: caikit\n")
    )
    (move,) = plan_upgrade(tmp_path, "prod-aws", "3.4").model_moves
    assert move.action == "replace"
    assert move.steps[-1].startswith(
        "runtime template 'caikit-standalone-serving-template' of rhoai 2.22 is not in rhoai 3.4 (renamed or removed)"
    )


# --------------------------------------------------------------------------- catalogue runtimes

CATALOGUE_MODEL = """      runtime: vllm-cuda-runtime-template
      # The operator"""


def catalogue_model_text(runtime: str = "triton") -> str:
    """ai3-aws with its model on the catalogue's Triton runtime (ONNX), its image dropped."""
    text = example_text("ai3-aws")
    text = text.replace("runtime: vllm-cuda-runtime-template\n", f"runtime: {runtime}\n", 1)
    text = text.replace("      modelFormat: vLLM\n", "      modelFormat: onnx\n")
    head, _, tail = text.partition("      runtimeImage: ")
    return head + tail.partition("\n")[2]


def test_a_model_on_a_catalogue_runtime_gets_the_dashboards_serving_runtime_from_its_template():
    spec = load_spec_text(catalogue_model_text(), "clusters/ai3-aws.yaml").spec
    objs = objects(spec)
    (tpl,) = [o for o in objs if o["kind"] == "Template" and o["metadata"]["name"] == "triton-template"]
    (sr,) = [o for o in objs if o["kind"] == "ServingRuntime"]
    (isvc,) = [o for o in objs if o["kind"] == "InferenceService"]
    inner = tpl["objects"][0]
    # The Template's ServingRuntime, renamed into the model's namespace, as the dashboard copies it.
    assert sr["spec"] == inner["spec"] and sr["apiVersion"] == inner["apiVersion"]
    assert (sr["metadata"]["name"], sr["metadata"]["namespace"]) == ("granite-chat", "team-inference")
    ann = sr["metadata"]["annotations"]
    assert ann["opendatahub.io/template-name"] == "triton-template"
    assert ann["opendatahub.io/template-display-name"] == "NVIDIA Triton Inference Server"
    assert ann["opendatahub.io/apiProtocol"] == "REST"
    assert sr["metadata"]["labels"]["opendatahub.io/dashboard"] == "true"
    assert sr["spec"]["containers"][0]["image"].startswith("nvcr.io/nvidia/tritonserver@sha256:")
    model = isvc["spec"]["predictor"]["model"]
    assert (model["modelFormat"], model["runtime"]) == ({"name": "onnx"}, "granite-chat")
    # Its Template's name works as well as the runtime's.
    by_template = load_spec_text(catalogue_model_text("triton-template"), "clusters/ai3-aws.yaml").spec
    assert [o for o in objects(by_template) if o["kind"] == "ServingRuntime"] == [sr]


@pytest.mark.parametrize("name", ["ai3-aws", "prod-aws"])
def test_a_serving_runtime_from_a_catalogue_runtime_is_valid_against_the_releases_crd(name):
    from generator.facts import releases
    from generator.validate import cel
    from generator.validate.validator import SchemaValidator

    text = example_text(name)
    old = "runtime: vllm-cuda-runtime-template\n" if name == "ai3-aws" else "runtime: kserve-ovms\n"
    text = text.replace(old, "runtime: triton\n").replace("      runtimeImage: ", "      # runtimeImage: ")
    text = text.replace("modelFormat: vLLM", "modelFormat: onnx")
    spec = load_spec_text(text, f"clusters/{name}.yaml").spec
    facts = model_deployments.facts(spec)
    validator = SchemaValidator([facts.schema_files(), releases.common_schema_files()])
    (sr,) = [o for o in objects(spec) if o["kind"] == "ServingRuntime"]
    assert sr["apiVersion"] == facts.api_version("ServingRuntime")
    assert validator.has_schema(sr)
    assert validator.problems(sr) == []
    assert cel.check(validator.schema(sr), sr) == []


def test_an_unknown_runtime_lists_the_releases_and_the_catalogues():
    errs = errors_with("ai3-aws", "runtime: vllm-cuda-runtime-template\n", "runtime: tritton\n")
    (err,) = [e for e in errs if ".runtime" in e]
    assert f"clusters/ai3-aws.yaml:{line_of('ai3-aws', 'runtime: vllm-cuda-runtime-template')}:" in err
    assert "'tritton' is no runtime of this cluster: rhoai 3.4 ships " in err and "vllm-cuda-runtime-template" in err
    assert "the catalogue (workloads.servingRuntimes) has triton" in err


def test_a_name_both_the_release_and_the_catalogue_offer_is_ambiguous():
    # A catalogue runtime named like the release's vLLM file: vllm-cuda-template is its Template too.
    text = example_text("ai3-aws").replace("    - name: triton\n", "    - name: vllm-cuda\n", 1)
    text = text.replace("triton-template]", "vllm-cuda-template]")
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(
            text.replace("runtime: vllm-cuda-runtime-template\n", "runtime: vllm-cuda-template\n"),
            "clusters/ai3-aws.yaml",
        )
    errs = [str(e) for e in exc.value.errors]
    (err,) = [e for e in errs if ".runtime" in e]
    assert f"clusters/ai3-aws.yaml:{line_of('ai3-aws', 'runtime: vllm-cuda-runtime-template')}:" in err
    assert "'vllm-cuda-template' names more than one runtime" in err
    assert "the release's vllm-cuda-runtime-template; the catalogue's vllm-cuda-template" in err


def test_a_catalogue_runtime_pins_its_own_image():
    text = catalogue_model_text().replace(
        "      modelFormat: onnx\n",
        "      runtimeImage: quay.io/x/y@sha256:" + "a" * 64 + "\n      modelFormat: onnx\n",
    )
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(text, "clusters/ai3-aws.yaml")
    assert any("runtimeImage: catalogue runtime 'triton' pins its own image" in str(e) for e in exc.value.errors), (
        exc.value.errors
    )
