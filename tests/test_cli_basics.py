"""Schema export is current, `init` writes a spec that lints, `--repo` scopes everything."""

from __future__ import annotations

import json
import subprocess

from generator.cli import main
from generator.spec.loader import load_specs
from generator.spec.schema import SCHEMA_PATH, schema_text

from conftest import PROJECT


def test_committed_schema_is_current():
    # Fails whenever the model changes and `rhoai-gitops schemas export` was not re-run.
    assert (PROJECT / SCHEMA_PATH).read_text() == schema_text(), "run `rhoai-gitops schemas export`"


def test_schema_export_check_detects_stale(repo, capsys):
    assert main(["--repo", str(repo), "schemas", "export", "--check"]) == 0
    path = repo / SCHEMA_PATH
    schema = json.loads(path.read_text())
    schema["properties"].pop("quotas")
    path.write_text(json.dumps(schema))
    assert main(["--repo", str(repo), "schemas", "export", "--check"]) == 1
    assert main(["--repo", str(repo), "schemas", "export"]) == 0
    assert path.read_text() == schema_text()


def test_schema_describes_spec_fields():
    schema = json.loads(schema_text())
    assert {
        "metadata",
        "cluster",
        "distribution",
        "components",
        "gpuNodePools",
        "quotas",
        "monitoring",
        "argocd",
    } <= set(schema["properties"])
    assert schema["required"] == ["metadata"]


def test_init_writes_a_spec_that_lints(tmp_path, capsys):
    # A new repository: no URL anywhere is an error naming the ways to give one, nothing written.
    assert main(["--repo", str(tmp_path), "init", "team-dev"]) == 2
    assert "--repo-url" in capsys.readouterr().err and not (tmp_path / "clusters").exists()
    assert main(["--repo", str(tmp_path), "init", "team-dev", "--repo-url", "https://tok@github.com/a/b.git"]) == 2
    assert main(["--repo", str(tmp_path), "init", "team-dev", "--repo-url", "https://github.com/acme/gitops.git"]) == 0
    assert "wrote clusters/_defaults.yaml" in capsys.readouterr().out
    text = (tmp_path / "clusters" / "team-dev.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/platform-spec.schema.json\n")
    assert "repoURL:" not in text.replace("# repoURL:", "")  # the URL lives in _defaults.yaml only
    spec = load_specs(tmp_path)[0].spec
    assert spec.name == "team-dev" and spec.argocd.repo_url == "https://github.com/acme/gitops.git"
    assert main(["--repo", str(tmp_path), "init", "team-dev"]) == 2  # refuses to overwrite
    assert main(["--repo", str(tmp_path), "init", "Bad_Name"]) == 2
    # The next cluster finds the URL in _defaults.yaml.
    assert main(["--repo", str(tmp_path), "init", "odh-dev", "--distribution", "odh"]) == 0
    assert {s.spec.distribution.name for s in load_specs(tmp_path)} == {"odh", "rhoai"}


def test_init_takes_the_url_of_the_git_remote(tmp_path, capsys):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        ["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:acme/ml-gitops.git"], check=True
    )
    assert main(["--repo", str(tmp_path), "init", "dev"]) == 0
    assert load_specs(tmp_path)[0].spec.argocd.repo_url == "git@github.com:acme/ml-gitops.git"


def test_examples_carry_schema_modeline():
    for path in sorted((PROJECT / "clusters").glob("[!_]*.yaml")):
        assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/platform-spec.schema.json"), path


def test_changed_files_select_clusters(tmp_path, capsys):
    from generator.cli import ALL, clusters_of

    assert clusters_of(PROJECT, ["prod-aws"]) == ["prod-aws"]
    assert clusters_of(
        PROJECT,
        [
            "clusters/prod-aws.yaml",
            "overlays/prod-aws/dsc/kustomization.yaml",
            "overlays/odh-sandbox/kustomization.yaml",
        ],
    ) == ["prod-aws", "odh-sandbox"]
    assert clusters_of(PROJECT, ["overlays/gone/dsc/x.yaml"]) == []  # a deleted cluster's files
    for every in (
        "clusters/_defaults.yaml",
        "base/rhoai-2/dsc/kustomization.yaml",
        "schemas/policies/x.cue",
        "README.md",
    ):
        assert clusters_of(PROJECT, ["clusters/prod-aws.yaml", every]) is ALL
    assert main(["--repo", str(PROJECT), "lint", "overlays/gone/dsc/x.yaml"]) == 0
    assert "no cluster concerned" in capsys.readouterr().out
    assert main(["--repo", str(PROJECT), "lint", "clusters/odh-sandbox.yaml"]) == 0
    assert capsys.readouterr().out == "ok  clusters/odh-sandbox.yaml\n"


def test_launcher_runs_the_checkout_cli_from_anywhere(tmp_path):
    proc = subprocess.run(
        [str(PROJECT / "bin" / "rhoai-gitops"), "--repo", str(PROJECT), "lint", "odh-sandbox"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and proc.stdout == "ok  clusters/odh-sandbox.yaml\n", proc.stderr


def test_bench_results_are_not_tracked():
    # `make bench` writes them; a tracked file would leave every run's checkout modified.
    proc = subprocess.run(["git", "-C", str(PROJECT), "check-ignore", "-q", "bench/results.json"])
    assert proc.returncode == 0
