"""Fleet pipeline: parallel render equals serial render, the render cache is never trusted
blindly, a bad spec anywhere writes nothing (issue 9)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator.core.errors import SpecErrors
from generator.pipeline import check_fleet, render_fleet
from generator.store.cache import RenderCache

from conftest import EXAMPLES, folders_in_memory, write_spec


def snapshot(repo: Path) -> dict[str, bytes]:
    out = {}
    for top in ("base", "overlays", "fleet"):
        for p in sorted((repo / top).rglob("*")) if (repo / top).exists() else []:
            if p.is_file():
                out[p.relative_to(repo).as_posix()] = p.read_bytes()
    return out


def test_parallel_render_equals_serial_and_in_memory_render(repo, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "clusters").symlink_to(repo / "clusters")
    render_fleet(repo, jobs=1, use_cache=False)
    render_fleet(other, jobs=2, use_cache=False)
    serial, parallel = snapshot(repo), snapshot(other)
    assert serial == parallel
    expected = {f"{f.root}/{rel}": text.encode() for f in folders_in_memory(repo)[0] for rel, text in f.files.items()}
    assert {k: v for k, v in serial.items() if not k.endswith(".generated.json")} == expected


def test_second_render_is_served_from_cache_and_check_is_clean(repo):
    first = render_fleet(repo, jobs=2)
    bases = {"base/odh-2", "base/rhoai-2", "base/rhoai-3"}
    assert first.cached == 0 and set(first.report.written) == {f"overlays/{c}" for c in EXAMPLES} | bases
    again = render_fleet(repo, jobs=2)
    assert again.cached == len(EXAMPLES) and again.report.written == []
    assert check_fleet(repo, jobs=2).diff.clean


def test_hand_edit_is_caught_despite_cache(repo):
    render_fleet(repo)
    target = repo / "overlays" / "prod-aws" / "dsc" / "kustomization.yaml"
    target.write_text(target.read_text() + "# hand edit\n")
    result = check_fleet(repo)
    assert [c.path for c in result.diff.changes] == ["overlays/prod-aws/dsc/kustomization.yaml"]
    render_fleet(repo)
    assert "# hand edit" not in target.read_text()
    assert check_fleet(repo).diff.clean


def test_same_size_edit_with_restored_mtime_is_not_trusted_when_stat_differs(repo):
    render_fleet(repo)
    target = repo / "overlays" / "prod-aws" / "kustomization.yaml"
    st = target.stat()
    text = target.read_text()
    target.write_text(text.replace("dsc", "dsx", 1))  # same size, new content
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1))  # any stat change forces a hash check
    assert [c.path for c in check_fleet(repo).diff.changes] == ["overlays/prod-aws/kustomization.yaml"]


def test_corrupt_or_foreign_cache_entries_are_misses(repo):
    render_fleet(repo)
    entries = RenderCache(repo).dir / "clusters"
    (entries / "prod-aws.json").write_text("{not json")
    entry = json.loads((entries / "odh-sandbox.json").read_text())
    entry["key"] = "0" * 64  # an entry for another spec or generator version
    (entries / "odh-sandbox.json").write_text(json.dumps(entry))
    (entries / "edge-baremetal.json").write_text(
        json.dumps({"format": 1, "key": entry["key"], "root": "x", "files": []})
    )
    result = render_fleet(repo)
    assert result.cached == len(EXAMPLES) - 3 and result.report.written == []  # re-rendered, found current
    assert render_fleet(repo).cached == len(EXAMPLES)  # and the cache healed


def test_changed_spec_or_defaults_invalidate_only_what_they_touch(repo):
    render_fleet(repo)
    spec = repo / "clusters" / "prod-aws.yaml"
    spec.write_text(
        spec.read_text().replace(
            "nvidia.com/gpu: {nominal: 16, lendingLimit: 8}", "nvidia.com/gpu: {nominal: 12, lendingLimit: 8}"
        )
    )
    result = render_fleet(repo)
    assert result.cached == len(EXAMPLES) - 1 and result.report.written == ["overlays/prod-aws"]
    defaults = repo / "clusters" / "_defaults.yaml"
    defaults.write_text(defaults.read_text() + "auth:\n  allowedGroups: [fleet-users]\n")
    result = render_fleet(repo)
    assert result.cached == 0  # the defaults are part of every cluster's key...
    assert result.report.written == ["overlays/odh-sandbox"]  # ...but only odh-sandbox inherits this one


def test_cache_key_changes_with_generator_code(repo, monkeypatch):
    cache = RenderCache(repo)
    key = cache.key("abc")
    monkeypatch.setattr("generator.store.cache.code_fingerprint", lambda: "another generator")
    assert cache.key("abc") != key


def test_one_bad_spec_writes_nothing_not_even_cache(repo):
    write_spec(repo, "broken", "metadata:\n  name: broken\ncluster:\n  provider: moon\n")
    with pytest.raises(SpecErrors) as exc:
        render_fleet(repo, jobs=2)
    assert [e.file for e in exc.value.errors] == ["clusters/broken.yaml"]
    assert sorted(p.name for p in repo.iterdir()) == ["clusters", "schemas"]
    assert not RenderCache(repo).dir.exists()


def test_cache_lives_outside_the_checkout(repo, monkeypatch, tmp_path_factory):
    # A merge request controls every file in the checkout; a cache there could be forged.
    xdg = tmp_path_factory.mktemp("xdg")
    monkeypatch.delenv("RHOAI_GITOPS_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    cache = RenderCache(repo)
    assert not cache.dir.resolve().is_relative_to(repo.resolve())
    assert cache.dir.is_relative_to(xdg / "rhoai-gitops")
    render_fleet(repo)
    assert sorted(p.name for p in repo.iterdir()) == ["base", "clusters", "overlays", "schemas"]
    assert (cache.dir / "clusters" / "prod-aws.json").is_file()
