"""validate's stage 1 (up to date) runs on check's path: worker processes, the render cache, a
small summary per cluster. Its findings and checked lists must equal those of the in-memory
render it replaced, whatever the bundle's state; and the verdict keys it feeds (spec bytes and
overlay digests, without parsing) must change whenever a committed file a verdict read does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.core.errors import SpecErrors
from generator.diff.tree import compare
from generator.spec.loader import load_specs
from generator.store.cache import RenderCache
from generator.store.tree import MANIFEST
from generator.validate import pipeline
from generator.validate.pipeline import Options, Report

from conftest import EXAMPLES, copy_repo, example_repo, folders_in_memory


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    repo = example_repo(tmp_path_factory.mktemp("uptodate") / "repo")
    assert main(["--repo", str(repo), "render"]) == 0
    return repo


@pytest.fixture
def repo(rendered, tmp_path) -> Path:
    # With the render cache a render leaves (entries name the copy's files, whose stats the
    # copy keeps): a render of the copy would find nothing to do.
    return copy_repo(rendered, tmp_path / "repo")


def in_memory(repo: Path) -> tuple[set, dict]:
    """Stage 1 as it was: every cluster rendered in memory, compared with disk."""
    folders, stale_roots = folders_in_memory(repo)
    diff = compare(repo, folders, stale_roots)
    checked: dict = {}
    for folder in folders:
        for rel in sorted(folder.files):
            path = f"{folder.root}/{rel}"
            checked.setdefault(pipeline._owner(path), []).append(path)
    findings = {(pipeline._owner(c.path), c.path, c.status) for c in diff.changes}
    return findings, checked


def on_checks_path(repo: Path, use_cache: bool) -> tuple[set, dict, list]:
    report = Report(clusters=[])
    members = pipeline.up_to_date(repo, None, report, jobs=2, use_cache=use_cache)
    said = {
        "missing from the committed bundle": "added",
        "committed, but the render no longer makes it": "removed",
        "differs from a fresh render": "changed",
    }
    findings = set()
    for f in report.findings:
        assert f.stage == "up-to-date" and f.path == "" and f.message.endswith(": run `rhoai-gitops render` and commit")
        findings.add((f.cluster, f.object, said[f.message.split(":")[0]]))
    checked = {c: v for (c, st), v in report.checked.items() if st == "up-to-date"}
    return findings, checked, members


def _overlay_file(repo: Path, cluster: str = "prod-aws") -> Path:
    return next((repo / "overlays" / cluster / "gpu-nodes").glob("machineset-*-a100-*.yaml"))


def _edit(path: Path) -> None:
    text = path.read_text()
    assert "replicas: 0" in text
    path.write_text(text.replace("replicas: 0", "replicas: 1", 1))  # same size: only the bytes differ


def _stale_root(repo: Path) -> None:
    shutil.copytree(repo / "overlays" / "odh-sandbox", repo / "overlays" / "retired")


def _removed(repo: Path) -> None:
    # A file the committed index lists but the render no longer makes.
    import json

    root = repo / "overlays" / "prod-aws"
    index = root / MANIFEST
    data = json.loads(index.read_text())
    data["files"]["dashboard/old-object.yaml"] = "0" * 64
    index.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    (root / "dashboard" / "old-object.yaml").write_text("kind: ConfigMap\n")


def _crlf(repo: Path) -> None:
    path = sorted((repo / "overlays" / "edge-baremetal" / "operator").glob("*.yaml"))[0]
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


STATES = {
    "clean": lambda repo: None,
    "hand-edited overlay": lambda repo: _edit(_overlay_file(repo)),
    "generated file deleted": lambda repo: _overlay_file(repo).unlink(),
    "file the render no longer makes": _removed,
    "hand-edited base": lambda repo: _edit_base(repo),
    "stale root": _stale_root,
    "user's own file": lambda repo: (repo / "overlays" / "prod-aws" / "mine.yaml").write_text("kind: ConfigMap\n"),
    "line endings": _crlf,
    "index deleted": lambda repo: (repo / "overlays" / "odh-sandbox" / MANIFEST).unlink(),
    "overlay folder gone": lambda repo: shutil.rmtree(repo / "overlays" / "ai3-aws"),
}


def _edit_base(repo: Path) -> None:
    path = sorted((repo / "base").rglob("*.yaml"))[3]
    path.write_text(path.read_text() + "# hand edit\n")


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("cache", ["warm", "none"])
def test_stage1_equals_the_in_memory_render(repo, state, cache):
    STATES[state](repo)
    expected = in_memory(repo)
    findings, checked, members = on_checks_path(repo, use_cache=cache == "warm")
    assert (findings, checked) == expected
    # A user's own file is not the generator's, and check compares text, whatever its line ends.
    assert bool(findings) == (state not in ("clean", "user's own file", "line endings"))
    assert [m.name for m in members] == EXAMPLES
    # Twice: the first run may have taught the render cache; what it learnt must not change a thing.
    assert on_checks_path(repo, use_cache=cache == "warm")[:2] == expected


def test_stage1_of_named_clusters_lists_their_files_and_bases_only(repo):
    report = Report(clusters=[])
    members = pipeline.up_to_date(repo, ["odh-sandbox"], report)
    owners = {c for c, st in report.checked if st == "up-to-date"}
    assert [m.name for m in members] == ["odh-sandbox"] and "prod-aws" not in owners
    assert "odh-sandbox" in owners and any(o.startswith("base/") for o in owners)


def test_bad_specs_are_reported_as_by_the_loader(repo, capsys):
    """Every error of every spec, strays in clusters/ too, at file:line:col, exit 2."""
    (repo / "clusters" / "odh-sandbox.yaml").write_text("metadata:\n  name: odh-sandbox\nbogus: 1\n")
    (repo / "clusters" / "typo.yml").write_text("metadata: {}\n")
    with pytest.raises(SpecErrors) as exc:
        load_specs(repo)
    expected = [str(e) for e in exc.value.errors]
    assert any("typo.yml" in e for e in expected) and any("odh-sandbox.yaml:3:1" in e for e in expected)
    capsys.readouterr()
    assert main(["--repo", str(repo), "validate"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:-1] == expected and err[-1].endswith("nothing written")


# --------------------------------------------------------------------------- verdict keys


def keys(repo: Path) -> dict[str, str]:
    """Each cluster's verdict key, as run() takes it."""
    options = Options()
    report = Report(clusters=[])
    members = pipeline.up_to_date(repo, None, report, jobs=2)
    engine = pipeline.policy.engine(repo).name if pipeline.policy.policy_files(repo) else ""
    shared = pipeline._shared_fingerprint(repo, options, engine)
    return {m.name: pipeline.verdict_key(shared, m.source, m.spec_sha, m.tree) for m in members}


def _same_size_edit_keeping_nothing_else(path: Path) -> None:
    before = path.stat()
    _edit(path)
    assert path.stat().st_size == before.st_size


def _user_file_edit(repo: Path) -> None:
    path = repo / "overlays" / "prod-aws" / "mine" / "cm.yaml"
    path.write_text(path.read_text().replace("a: b", "a: c"))


EDITS = {
    "overlay file, same size": (lambda repo: _same_size_edit_keeping_nothing_else(_overlay_file(repo)), {"prod-aws"}),
    "overlay index": (lambda repo: (repo / "overlays" / "prod-aws" / MANIFEST).write_text("{}\n"), {"prod-aws"}),
    "user's file added to an overlay": (
        lambda repo: (repo / "overlays" / "odh-sandbox" / "x.yaml").write_text("a: b\n"),
        {"odh-sandbox"},
    ),
    "user's file in an overlay": (_user_file_edit, {"prod-aws"}),
    "overlay file removed": (lambda repo: _overlay_file(repo).unlink(), {"prod-aws"}),
    "base": (_edit_base, set(EXAMPLES)),
    "_defaults.yaml, a comment": (lambda repo: _append(repo / "clusters" / "_defaults.yaml", "# why\n"), set(EXAMPLES)),
    "policy, a comment": (
        lambda repo: _append(next((repo / "schemas" / "policies").glob("*.cue")), "// reviewed\n"),
        set(EXAMPLES),
    ),
    "spec, a comment": (lambda repo: _append(repo / "clusters" / "odh-sandbox.yaml", "# moved\n"), {"odh-sandbox"}),
    "spec, one byte": (lambda repo: _append(repo / "clusters" / "ai3-aws.yaml", "\n"), {"ai3-aws"}),
}


def _append(path: Path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode())


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_hand_edit_changes_the_verdict_key(repo, edit):
    change, concerned = EDITS[edit]
    mine = repo / "overlays" / "prod-aws" / "mine"
    mine.mkdir()
    (mine / "cm.yaml").write_text("a: b\n")
    before = keys(repo)
    assert keys(repo) == before, "keys are deterministic"
    # The keys came from the render cache's digests: each cluster's entry is fresh on disk.
    cache = RenderCache(repo)
    for name in EXAMPLES:
        entry = cache._read(name)
        assert entry is not None and cache.fresh(name, entry["key"]) is not None, name
    change(repo)
    after = keys(repo)
    assert {n for n in EXAMPLES if after[n] != before[n]} == concerned


def test_a_key_from_cached_digests_equals_one_from_reading_every_byte(repo):
    warm = keys(repo)
    shutil.rmtree(RenderCache(repo).dir)
    assert keys(repo) == warm


def test_a_verdict_follows_bytes_where_check_reads_text(repo):
    """check compares text (a CRLF file equals its LF render); a verdict judged on the CRLF bytes
    must not be taken for the LF file once it is converted back."""
    path = _overlay_file(repo)
    lf = path.read_bytes()
    path.write_bytes(lf.replace(b"\n", b"\r\n"))
    crlf = keys(repo)
    assert keys(repo) == crlf
    path.write_bytes(lf)
    os.utime(path)
    assert keys(repo)["prod-aws"] != crlf["prod-aws"]
