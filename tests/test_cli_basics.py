"""Schema export is current, `init` writes a spec that lints, `--repo` scopes everything."""

from __future__ import annotations

import subprocess

import json

from conftest import PROJECT
from generator.cli import main
from generator.spec.loader import load_specs
from generator.spec.schema import SCHEMA_PATH, schema_text


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
    assert {"metadata", "cluster", "distribution", "components", "gpuNodePools", "quotas", "monitoring", "argocd"} <= set(schema["properties"])
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
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:acme/ml-gitops.git"], check=True)
    assert main(["--repo", str(tmp_path), "init", "dev"]) == 0
    assert load_specs(tmp_path)[0].spec.argocd.repo_url == "git@github.com:acme/ml-gitops.git"


def test_examples_carry_schema_modeline():
    for path in sorted((PROJECT / "clusters").glob("[!_]*.yaml")):
        assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/platform-spec.schema.json"), path
