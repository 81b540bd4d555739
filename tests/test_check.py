"""check: the committed bundle against a fresh render of the specs."""

from __future__ import annotations

import json
import time

import pytest

from generator.cli import main

from conftest import EXAMPLES

QUEUE = "overlays/prod-aws/kueue-quotas/clusterqueue-risk.yaml"


@pytest.fixture
def rendered(repo):
    assert main(["--repo", str(repo), "render"]) == 0
    return repo


def test_fresh_render_is_clean_and_fast(rendered, capsys):
    capsys.readouterr()
    start = time.monotonic()
    assert main(["--repo", str(rendered), "check"]) == 0
    # The before-commit hook gives `make -s check` 50 s; the examples must stay far below.
    assert time.monotonic() - start < 10
    assert capsys.readouterr().out.startswith(f"check: up to date ({len(EXAMPLES)} cluster(s)")


def test_hand_edit_is_caught(rendered, capsys):
    path = rendered / QUEUE
    path.write_text(path.read_text().replace('nominalQuota: "8"', 'nominalQuota: "12"'))
    capsys.readouterr()
    assert main(["--repo", str(rendered), "check"]) == 1
    out = capsys.readouterr().out
    assert f"--- committed/{QUEUE}\n+++ rendered/{QUEUE}\n" in out
    assert '-        nominalQuota: "12"\n+        nominalQuota: "8"\n' in out
    assert out.endswith(
        "check: 1 file(s) differ from the specs: 0 added, 0 removed, 1 changed "
        "(run `rhoai-gitops render` and commit the result)\n"
    )


def test_user_file_is_ignored(rendered, capsys):
    (rendered / "overlays" / "prod-aws" / "NOTES.md").write_text("ours, not the generator's\n")
    (rendered / "overlays" / "prod-aws" / "kueue-quotas" / "extra.yaml").write_text("kind: ConfigMap\n")
    assert main(["--repo", str(rendered), "check"]) == 0


def test_deleted_and_stale_files_json(rendered, capsys):
    (rendered / QUEUE).unlink()
    (rendered / "clusters" / "odh-sandbox.yaml").unlink()
    capsys.readouterr()
    assert main(["--repo", str(rendered), "check", "--output", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["clean"] is False
    by_status = {}
    for f in result["files"]:
        by_status.setdefault(f["status"], []).append(f["path"])
    assert by_status["added"] == [QUEUE]
    # odh-sandbox was the only ODH cluster: its overlay and the ODH base are both stale.
    assert {p.split("/")[0] + "/" + p.split("/")[1] for p in by_status["removed"]} == {
        "overlays/odh-sandbox",
        "base/odh-2",
    }
    assert result["summary"] == {"added": 1, "removed": len(by_status["removed"]), "changed": 0}


def test_check_one_cluster_ignores_the_others(rendered, capsys):
    path = rendered / QUEUE
    path.write_text(path.read_text() + "# edited\n")
    assert main(["--repo", str(rendered), "check", "odh-sandbox"]) == 0
    assert main(["--repo", str(rendered), "check", "prod-aws"]) == 1
