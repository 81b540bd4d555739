"""The InstallPlan approver: the very script the CronJob runs (taken from the rendered
ConfigMap), run by bash against InstallPlan samples, with `oc` standing in for the API server's
storage and the real kubectl evaluating its jsonpath and merge patch (tests/fixtures/installplans/oc);
and its RBAC, which allows nothing beyond reading and approving InstallPlans."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.components import approver

from conftest import kustomize_objects, render_to_disk, write_spec

FIXTURES = Path(__file__).parent / "fixtures" / "installplans"
pytestmark = pytest.mark.skipif(
    shutil.which("kubectl") is None or shutil.which("bash") is None, reason="needs bash and kubectl"
)

SPEC = """
metadata: {name: manual}
cluster: {apiServer: "https://api.manual.example.com:6443", openshiftVersion: "4.18"}
distribution:
  name: rhoai
  version: "2.22"
  channel: stable
  installPlanApproval: Manual
  startingCSV: %s
"""


def rendered_operator(repo: Path, csv: str) -> list[dict]:
    write_spec(repo, "manual", SPEC % csv)
    render_to_disk(repo, ["manual"])
    return kustomize_objects(repo / "overlays/manual/operator")


def run_approver(objs: list[dict], state: Path, forbidden: str = "") -> str:
    (cm,) = [o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "installplan-approver"]
    work = state.parent / "approver"
    work.mkdir(exist_ok=True)
    for key, text in cm["data"].items():
        (work / key).write_text(text)
    bin_dir = state.parent / "bin"
    bin_dir.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "oc", bin_dir / "oc")
    env = {**os.environ, "STATE": str(state), "PATH": f"{bin_dir}:{os.environ['PATH']}", "OC_FORBIDDEN": forbidden}
    done = subprocess.run(
        ["bash", str(work / "approve.sh"), str(work / "pins")], env=env, capture_output=True, text=True, timeout=120
    )
    if forbidden:
        assert done.returncode != 0, done.stdout
        return done.stderr
    assert done.returncode == 0, done.stderr
    return done.stdout


def approved(state: Path) -> dict[str, bool]:
    return {
        f"{p.parent.name}/{p.stem}": yaml.safe_load(p.read_text())["spec"]["approved"]
        for p in sorted(state.rglob("*.yaml"))
    }


@pytest.fixture
def state(tmp_path):
    target = tmp_path / "state"
    shutil.copytree(FIXTURES, target, ignore=shutil.ignore_patterns("oc"))
    return target


def test_approves_the_pinned_plan_and_leaves_every_other_alone(repo, state):
    before = {p: p.read_bytes() for p in state.rglob("*.yaml")}
    out = run_approver(rendered_operator(repo, "rhods-operator.2.22.1"), state)
    assert approved(state) == {
        "openshift-operators/install-other": False,  # a namespace git pins nothing in
        "redhat-ods-operator/install-bundled": False,  # would install an unpinned CSV too
        "redhat-ods-operator/install-done": True,
        "redhat-ods-operator/install-newer": False,  # the channel's next release: not pinned
        "redhat-ods-operator/install-pinned": True,
    }
    changed = sorted(str(p.relative_to(state)) for p, b in before.items() if p.read_bytes() != b)
    assert changed == ["redhat-ods-operator/install-pinned.yaml"]
    assert "approved: redhat-ods-operator/install-pinned" in out
    assert "left alone: redhat-ods-operator/install-newer would install rhods-operator.2.22.2" in out
    calls = (state / "calls").read_text().splitlines()
    assert all(c.split()[0] in ("get", "patch") and "-n redhat-ods-operator" in c for c in calls), calls
    assert sum(c.startswith("patch") for c in calls) == 1


def test_moving_the_pin_in_git_is_the_approval(repo, state):
    run_approver(rendered_operator(repo, "rhods-operator.2.22.1"), state)
    assert not approved(state)["redhat-ods-operator/install-newer"]
    objs = rendered_operator(repo, "rhods-operator.2.22.2")
    (sub,) = [o for o in objs if o["kind"] == "Subscription"]
    assert sub["metadata"]["annotations"][approver.PINNED] == "rhods-operator.2.22.2"
    run_approver(objs, state)
    assert approved(state)["redhat-ods-operator/install-newer"]
    assert not approved(state)["redhat-ods-operator/install-bundled"]


def test_approver_may_only_read_and_approve_installplans_in_the_operator_namespace(repo):
    objs = rendered_operator(repo, "rhods-operator.2.22.1")
    kinds = sorted(o["kind"] for o in objs if o["metadata"]["name"] == "installplan-approver")
    assert kinds == ["ConfigMap", "CronJob", "Role", "RoleBinding", "ServiceAccount"]
    assert not [o for o in objs if o["kind"] in ("ClusterRole", "ClusterRoleBinding")]
    (role,) = [o for o in objs if o["kind"] == "Role"]
    assert role["metadata"]["namespace"] == "redhat-ods-operator"
    assert role["rules"] == [
        {
            "apiGroups": ["operators.coreos.com"],
            "resources": ["installplans"],
            "verbs": ["get", "list", "patch", "watch"],
        }
    ]
    (binding,) = [o for o in objs if o["kind"] == "RoleBinding"]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "installplan-approver",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "installplan-approver", "namespace": "redhat-ods-operator"}
    ]
    (cron,) = [o for o in objs if o["kind"] == "CronJob"]
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "installplan-approver"
    (container,) = pod["containers"]
    assert re.fullmatch(r"registry\.redhat\.io/openshift4/ose-cli-rhel9@sha256:[0-9a-f]{64}", container["image"])
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    (cm,) = [o for o in objs if o["kind"] == "ConfigMap"]
    assert cm["data"]["approve.sh"] == approver.script()
    assert cm["data"]["pins"] == "redhat-ods-operator rhods-operator.2.22.1\n"


def test_no_approver_under_automatic_approval_or_when_turned_off(repo):
    write_spec(
        repo,
        "auto",
        (SPEC % "rhods-operator.2.22.1")
        .replace("manual", "auto")
        .replace("Manual", "Automatic")
        .replace("channel: stable", "channel: stable-2.22"),
    )
    write_spec(
        repo, "humans", (SPEC % "rhods-operator.2.22.1").replace("manual", "humans") + "  approver: {enabled: false}\n"
    )
    render_to_disk(repo, ["auto", "humans"])
    for cluster in ("auto", "humans"):
        objs = kustomize_objects(repo / f"overlays/{cluster}/operator")
        assert not [o for o in objs if o["metadata"]["name"] == "installplan-approver"], cluster
    (sub,) = [o for o in kustomize_objects(repo / "overlays/auto/operator") if o["kind"] == "Subscription"]
    assert approver.PINNED not in (sub["metadata"].get("annotations") or {})


def test_the_pinned_subscription_waits_for_its_csv():
    from generator.argocd import health

    sample = yaml.safe_load(
        (Path(__file__).parent / "fixtures/health/subscription/progressing-pin-moved.yaml").read_text()
    )
    assert health.evaluate(sample)["status"] == "Progressing"
    sample["status"]["installedCSV"] = sample["metadata"]["annotations"][approver.PINNED]
    assert health.evaluate(sample)["status"] == "Healthy"


@pytest.mark.parametrize("refused", ["get installplans", "get installplan.operators.coreos.com/install-newer", "patch"])
def test_a_refused_call_fails_the_job_instead_of_approving_nothing(repo, state, refused):
    """The Job fails (so the CronJob's health shows it) when the API server refuses a call."""
    err = run_approver(rendered_operator(repo, "rhods-operator.2.22.1"), state, forbidden=refused)
    assert "Forbidden" in err
