"""The pre-commit hooks this repository offers, installed the way another repository gets them:
by pre-commit itself (`try-repo` clones this repository and pip-installs it into the hooks' own
environment), with no variable to set and nothing else on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

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
            cwd=user, env=env, capture_output=True, text=True, timeout=900,
        )

    ok = hook("clusters/odh-sandbox.yaml")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ok  clusters/odh-sandbox.yaml" not in ok.stdout  # pre-commit shows output only on failure
    assert "Passed" in ok.stdout
    spec = user / "clusters" / "odh-sandbox.yaml"
    spec.write_text(spec.read_text().replace("idleMinutes: 60", "idleMinutes: soon"))
    bad = hook("clusters/odh-sandbox.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "clusters/odh-sandbox.yaml:" in bad.stdout and "components.workbenches.culling.idleMinutes" in bad.stdout
