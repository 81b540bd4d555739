"""plan: the specs at a git revision vs the working tree, diffed object by object."""

from __future__ import annotations

import json
import subprocess

import pytest

from generator.cli import main

GPU_LINE = "            nvidia.com/gpu: {nominal: 16, lendingLimit: 8}\n"
GPU_PATH = "spec.resourceGroups[flavors=default-flavor+l4].flavors[name=l4].resources[name=nvidia.com/gpu].nominalQuota"


def git(repo, *args):
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def committed(repo):
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "clusters")
    git(repo, "commit", "-q", "-m", "specs")
    return repo


def raise_vision_gpus(repo):
    spec = repo / "clusters" / "prod-aws.yaml"
    text = spec.read_text()
    assert GPU_LINE in text
    spec.write_text(text.replace(GPU_LINE, GPU_LINE.replace("nominal: 16", "nominal: 24")))


def test_raised_gpu_quota_is_one_field_line(committed, capsys):
    raise_vision_gpus(committed)
    assert main(["--repo", str(committed), "plan", "--against", "main"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "ai3-aws: no changes",
        "edge-baremetal: no changes",
        "odh-sandbox: no changes",
        "prod-aws: 0 to add, 0 to remove, 1 to change",
        "  ~ ClusterQueue.kueue.x-k8s.io vision",
        f'      {GPU_PATH}: "16" -> "24"',
    ]


def test_json_and_markdown(committed, capsys):
    raise_vision_gpus(committed)
    assert main(["--repo", str(committed), "plan", "--against", "main", "prod-aws", "--output", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    [cluster] = result["clusters"]
    assert cluster["summary"] == {"added": 0, "removed": 0, "changed": 1}
    assert cluster["objects"][0]["fields"] == [{"path": GPU_PATH, "change": "changed", "old": "16", "new": "24"}]
    assert main(["--repo", str(committed), "plan", "--against", "main", "--output", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "| prod-aws | 0 | 0 | 1 |" in md
    assert f'  - `{GPU_PATH}`: `"16"` → `"24"`' in md


def test_unchanged_specs_plan_nothing(committed, capsys):
    assert main(["--repo", str(committed), "plan", "--against", "main", "--output", "markdown"]) == 0
    assert "No changes to the bundle." in capsys.readouterr().out


def test_removed_and_added_clusters(committed, capsys):
    (committed / "clusters" / "odh-sandbox.yaml").unlink()
    assert main(["--repo", str(committed), "plan", "--against", "main", "--output", "json"]) == 0
    [sandbox] = [c for c in json.loads(capsys.readouterr().out)["clusters"] if c["cluster"] == "odh-sandbox"]
    assert sandbox["status"] == "removed"
    assert sandbox["summary"]["removed"] == len(sandbox["objects"]) > 0
    assert {o["status"] for o in sandbox["objects"]} == {"removed"}


def test_added_cluster_against_a_revision_without_specs(repo, capsys):
    git(repo, "init", "-q", "-b", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "empty")
    assert main(["--repo", str(repo), "plan", "--against", "main", "prod-aws"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("prod-aws: ") and "(cluster added)" in out.splitlines()[0]
    assert " to remove, 0 to change" in out.splitlines()[0]


def test_bad_revision_and_bad_old_spec(committed, capsys):
    assert main(["--repo", str(committed), "plan", "--against", "no-such-branch"]) == 2
    assert "no-such-branch: not a git revision" in capsys.readouterr().err
    spec = committed / "clusters" / "prod-aws.yaml"
    good = spec.read_text()
    spec.write_text(good.replace("  name: prod-aws\n", "  name: prod-aws\n  colour: blue\n", 1))
    git(committed, "commit", "-q", "-am", "broken")
    spec.write_text(good)
    assert main(["--repo", str(committed), "plan", "--against", "main"]) == 2
    err = capsys.readouterr().err
    assert "main:clusters/prod-aws.yaml:5:" in err and "colour" in err


def test_removed_component_reads_item_by_item(committed, capsys):
    """Turning monitoring off drops AppProject destinations and whole PrometheusRules: each list
    item is its own line, named, and no value runs past the fold."""
    spec = committed / "clusters" / "prod-aws.yaml"
    text = spec.read_text()
    assert "\nmonitoring:\n  enabled: true\n" in text
    spec.write_text(text.replace("\nmonitoring:\n  enabled: true\n", "\nmonitoring:\n  enabled: false\n"))
    assert main(["--repo", str(committed), "plan", "--against", "main", "prod-aws"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) < 300, max(lines, key=len)
    project = [line for line in lines if line.strip().startswith("spec.destinations")]
    assert project and all(line.strip().startswith("spec.destinations[") for line in project), project
    assert any("-> (absent)" in line for line in project)
