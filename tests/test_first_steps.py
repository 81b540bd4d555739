"""What a newcomer meets first: `init` with a release and an OpenShift version writes a spec that
lints as written, the OpenShift default is named when a spec relies on it, and the repository
is left tidy (no empty folders, exports git-ignored)."""

from __future__ import annotations

import subprocess

import pytest

from generator.cli import main
from generator.spec.loader import load_specs

from conftest import PROJECT, write_spec


@pytest.mark.parametrize(
    "dist, version, openshift", [("rhoai", "2.16", "4.16"), ("rhoai", "3.4", "4.20"), ("odh", "3.5", "4.19")]
)
def test_init_writes_the_release_and_openshift_version_and_lints(repo, capsys, dist, version, openshift):
    args = [
        "--repo",
        str(repo),
        "init",
        "first",
        "--distribution",
        dist,
        "--version",
        version,
        "--openshift-version",
        openshift,
    ]
    assert main(args) == 0
    (spec,) = load_specs(repo, ["first"])
    assert (spec.spec.distribution.name, spec.spec.version, spec.spec.cluster.openshift_version) == (
        dist,
        version,
        openshift,
    )
    capsys.readouterr()
    assert main(["--repo", str(repo), "lint", "first"]) == 0
    assert "warning" not in capsys.readouterr().out


def test_init_refuses_what_would_not_lint_and_writes_nothing(repo, capsys):
    # 3.4 ships only in the catalogs of OpenShift 4.19 and later.
    assert main(["--repo", str(repo), "init", "first", "--version", "3.4", "--openshift-version", "4.16"]) == 2
    err = capsys.readouterr().err
    assert "not in the OLM catalog of OpenShift 4.16" in err and "4.19" in err
    assert main(["--repo", str(repo), "init", "first", "--version", "2.99"]) == 2
    assert "supported: 2.13" in capsys.readouterr().err
    assert main(["--repo", str(repo), "init", "first", "--openshift-version", "4.x"]) == 2
    assert not (repo / "clusters" / "first.yaml").exists()


def test_lint_names_the_openshift_version_it_assumes(repo, capsys):
    write_spec(repo, "dev", "metadata:\n  name: dev\ncluster:\n  apiServer: https://api.dev.example.com:6443\n")
    assert main(["--repo", str(repo), "lint", "dev"]) == 0
    out = capsys.readouterr().out
    assert "clusters/dev.yaml:3:1: warning: cluster.openshiftVersion is not set, so OpenShift 4.16 is assumed" in out
    write_spec(
        repo,
        "dev",
        'metadata:\n  name: dev\ncluster:\n  apiServer: https://api.dev.example.com:6443\n  openshiftVersion: "4.16"\n',
    )
    assert main(["--repo", str(repo), "lint", "dev"]) == 0
    assert "warning" not in capsys.readouterr().out


def test_a_root_no_longer_made_takes_its_empty_parent_with_it(repo, capsys):
    # Fleet mode on, then off: fleet/argocd goes, and so does the fleet/ it was the only thing in.
    for name in ("prod-aws", "odh-sandbox"):
        path = repo / "clusters" / f"{name}.yaml"
        path.write_text(path.read_text().replace("argocd:\n", "argocd:\n  fleet: {enabled: true}\n", 1))
    assert main(["--repo", str(repo), "render"]) == 0
    assert (repo / "fleet" / "argocd" / "applicationset-rhoai-fleet.yaml").is_file()
    for name in ("prod-aws", "odh-sandbox"):
        path = repo / "clusters" / f"{name}.yaml"
        path.write_text(path.read_text().replace("  fleet: {enabled: true}\n", "", 1))
    (repo / "overlays" / "prod-aws" / "mine.txt").write_text("not the generator's\n")
    assert main(["--repo", str(repo), "render"]) == 0
    assert not (repo / "fleet").exists()
    # A folder holding the user's files stays.
    assert (repo / "overlays" / "prod-aws" / "mine.txt").is_file()


def test_the_drift_recipes_exports_are_git_ignored():
    proc = subprocess.run(["git", "-C", str(PROJECT), "check-ignore", "-q", "exports/prod-aws/objects.yaml"])
    assert proc.returncode == 0
