"""drift of model deployments against live objects written as the API server returns them after
the serving webhooks (KServe's typed defaulters, the 3.x hardware-profile webhook): in sync under
the comparison settings the bundle's ArgoCD instance carries (generator/data/serving.yaml), and a
real change is still drift."""

from __future__ import annotations

import copy
import json

import pytest
from test_drift_settings import _export

from generator.cli import main
from generator.core import quantity
from generator.diff.drift import desired_objects

from conftest import render_to_disk, write_spec

MODELS = ("InferenceService", "LLMInferenceService", "ServingRuntime")

# A second deployment of ai3-aws: the same LLM through llm-d, on the team's L40S quota too.
LLM = """    - name: granite-llm
      namespace: team-inference
      kind: LLMInferenceService
      location: {uri: "hf://ibm-granite/granite-3.1-8b-instruct"}
      hardwareProfile: l40s
      gpus: 1
      replicas: 1
      requests: {cpu: "4", memory: 24Gi}
"""


@pytest.fixture
def rendered(repo):
    text = (repo / "clusters" / "ai3-aws.yaml").read_text()
    anchor = '      limits: {cpu: "8", memory: 32Gi}\n'
    assert anchor in text
    write_spec(repo, "ai3-aws", text.replace(anchor, anchor + LLM, 1))
    render_to_disk(repo, ["ai3-aws", "edge-baremetal"])
    return repo


def canonical(value):
    """A quantity as Go's resource.Quantity marshals it (what a typed webhook patches back)."""
    parsed = quantity.parse(str(value))
    assert parsed is not None, value
    for suffix, factor in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if (
            parsed >= factor
            and parsed % factor == 0
            and isinstance(value, str)
            and value[-2:] in ("Ti", "Gi", "Mi", "Ki")
        ):
            return f"{parsed // factor}{suffix}"
    if parsed.denominator == 1:
        return str(parsed.numerator)
    return f"{parsed * 1000}m" if (parsed * 1000).denominator == 1 else str(float(parsed))


def _canonical_resources(resources: dict) -> None:
    for side in ("requests", "limits"):
        for name, value in (resources.get(side) or {}).items():
            resources[side][name] = canonical(value)


def served(o: dict) -> dict:
    """`o` as the API server returns it after Argo CD applied it and the serving webhooks ran."""
    live = copy.deepcopy(o)
    meta = live["metadata"]
    meta.update(uid="5d0c9e3a-1f2b-4c5d-8e9f-0a1b2c3d4e5f", resourceVersion="48213", generation=1)
    meta["creationTimestamp"] = "2026-11-30T08:00:00Z"
    meta.setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(o)
    if o["kind"] == "InferenceService":
        model = live["spec"]["predictor"]["model"]
        # KServe's defaulter: the v2 protocol for vLLM, quantities patched back in canonical form,
        # the service account token not mounted; odh-model-controller's finalizer.
        model["protocolVersion"] = "v2"
        _canonical_resources(model["resources"])
        live["spec"]["predictor"]["automountServiceAccountToken"] = False
        meta["finalizers"] = ["odh.inferenceservice.finalizers"]
        live["status"] = {"deploymentMode": "Standard", "conditions": [{"type": "Ready", "status": "True"}]}
    if o["kind"] == "LLMInferenceService":
        for c in live["spec"]["template"]["containers"]:
            _canonical_resources(c["resources"])
        live["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}
    return live


def test_models_as_the_serving_webhooks_store_them_are_in_sync_under_the_bundles_settings(rendered, tmp_path, capsys):
    desired = desired_objects(rendered, "ai3-aws")
    kinds = sorted({o["kind"] for o in desired if o["kind"] in MODELS})
    assert kinds == ["InferenceService", "LLMInferenceService", "ServingRuntime"]
    live = [served(o) if o["kind"] in MODELS else o for o in desired]
    # The export really is the webhooks' form: a GPU count 1 is stored as "1".
    isvc = next(o for o in live if o["kind"] == "InferenceService")
    assert isvc["spec"]["predictor"]["model"]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    exported = _export(live, tmp_path / "live.yaml")
    repo = ["--repo", str(rendered)]
    capsys.readouterr()
    # Argo CD's defaults compare a custom resource's field as written: the canonical form is drift.
    assert main([*repo, "drift", "ai3-aws", "--live-from", str(exported)]) == 1
    out = capsys.readouterr().out
    assert "InferenceService.serving.kserve.io team-inference/granite-chat" in out
    assert "LLMInferenceService.serving.kserve.io team-inference/granite-llm" in out
    # The instance the bootstrap unit renders declares the model kinds' known types.
    instance = rendered / "overlays" / "edge-baremetal" / "bootstrap" / "argocd-openshift-gitops.yaml"
    settings = ["--argocd-cm", str(instance)]
    assert main([*repo, "drift", "ai3-aws", "--live-from", str(exported), *settings]) == 0, capsys.readouterr().out
    capsys.readouterr()
    # A real change is still drift under those settings: someone scaled the model by hand.
    isvc["spec"]["predictor"]["minReplicas"] = 3
    assert main([*repo, "drift", "ai3-aws", "--live-from", str(_export(live, exported)), *settings]) == 1
    assert "spec.predictor.minReplicas" in capsys.readouterr().out


def test_an_older_render_of_the_mode_name_is_explained(rendered):
    from generator.diff.drift import compare

    desired = [o for o in desired_objects(rendered, "ai3-aws") if o["kind"] == "InferenceService"]
    older = copy.deepcopy(desired)
    older[0]["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] = "RawDeployment"  # a 3.3 render
    live = [served(o) for o in desired]
    report = compare("ai3-aws", older, live, [])
    assert report.drifted
    (warning,) = [w for w in report.warnings if "deploymentMode" in w]
    assert "is Standard where the desired one says RawDeployment" in warning and "kserve #5025" in warning
