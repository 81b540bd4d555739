"""The pre-commit hooks this repository offers, installed the way another repository gets them:
by pre-commit itself (`try-repo` clones this repository and pip-installs it into the hooks' own
environment), with no variable to set and nothing else on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import yaml

from conftest import PROJECT


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_lint_hook_installs_and_runs_in_another_repository(tmp_path):
    user = tmp_path / "gitops"
    shutil.copytree(PROJECT / "clusters", user / "clusters")
    _git(tmp_path, "init", "-q", str(user))
    _git(user, "add", "-A")
    _git(user, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "specs")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("VIRTUAL_ENV", None)

    def hook(*files):
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), "rhoai-gitops-lint", "--files", *files],
            cwd=user,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    # One install (each try-repo installs the hook afresh, the slow part): a good spec and a bad
    # one in the same run, the hook fails on the bad one alone.
    spec = user / "clusters" / "odh-sandbox.yaml"
    spec.write_text(spec.read_text().replace("idleMinutes: 60", "idleMinutes: soon"))
    bad = hook("clusters/prod-aws.yaml", "clusters/odh-sandbox.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "clusters/odh-sandbox.yaml:" in bad.stdout and "components.workbenches.culling.idleMinutes" in bad.stdout
    assert "clusters/prod-aws.yaml:" not in bad.stdout  # the good spec passed


def _workflow_step(name: str) -> str:
    workflow = yaml.safe_load((PROJECT / ".github" / "workflows" / "validate.yml").read_text())
    [step] = [s for s in workflow["jobs"]["validate"]["steps"] if s.get("name") == name]
    return step["run"]


def test_ci_workflow_validates_the_changed_cluster_on_a_fresh_copy(tmp_path):
    """The workflow's validate step, as GitHub runs it (bash, the event's base commit), on a
    fresh copy of this repository with one spec changed: nothing it needs is missing, and it
    validates that cluster only."""
    from conftest import fresh_copy

    root = tmp_path / "fork"
    fresh_copy(root)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    base = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    spec = root / "clusters" / "odh-sandbox.yaml"
    spec.write_text(spec.read_text().replace("idleMinutes: 60", "idleMinutes: 90"))
    subprocess.run(
        [str(root / "bin" / "rhoai-gitops"), "--repo", str(root), "render", "odh-sandbox"],
        check=True,
        capture_output=True,
    )
    subprocess.run([*git, "commit", "-qam", "longer idle time"], check=True)
    script = _workflow_step("Validate the clusters the change concerns").replace(
        "${{ github.event.pull_request.base.sha || github.event.before }}", base
    )
    assert "${{" not in script
    proc = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=root, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 cluster(s)" in proc.stdout or "odh-sandbox" in proc.stdout, proc.stdout
    report = (root / "validate-junit.xml").read_text()
    assert "odh-sandbox" in report and "prod-aws" not in report
