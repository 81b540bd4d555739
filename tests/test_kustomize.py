"""Builds: identical overlays (differing only in comments, common across a fleet) build once and
get the same result; anything that changes what kustomize reads gives a different build."""

from __future__ import annotations

from pathlib import Path

from generator.kustomize import build, build_many, inputs_digest

BASE = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: '1'\n"


def overlay(root: Path, name: str, header: str, value: str = "2") -> Path:
    d = root / "overlays" / name / "unit"
    d.mkdir(parents=True)
    (d / "kustomization.yaml").write_text(f"{header}\nresources:\n- ../../../base/unit\npatches:\n- path: patch.yaml\n")
    (d / "patch.yaml").write_text(
        f"{header}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: '{value}'\n"
    )
    return d


def test_equal_inputs_share_a_build_and_changes_are_seen(tmp_path):
    base = tmp_path / "base" / "unit"
    base.mkdir(parents=True)
    (base / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    (base / "cm.yaml").write_text(BASE)
    a = overlay(tmp_path, "a", "# from clusters/a.yaml")
    b = overlay(tmp_path, "b", "# from clusters/b.yaml")
    c = overlay(tmp_path, "c", "# from clusters/c.yaml", value="3")
    assert inputs_digest(a) == inputs_digest(b) != inputs_digest(c)
    results = build_many([a, b, c], jobs=2)
    assert [r.output for r in results] == [build(p).output for p in (a, b, c)]
    assert 'a: "3"' in results[2].output and 'a: "2"' in results[0].output
    # The base is an input of every overlay that names it.
    before = inputs_digest(a)
    (base / "cm.yaml").write_text(BASE.replace("name: x", "name: y"))
    assert inputs_digest(a) != before


def test_failed_builds_report_each_path(tmp_path):
    broken = []
    for name in ("a", "b"):
        d = tmp_path / name
        d.mkdir()
        (d / "kustomization.yaml").write_text("resources:\n- missing.yaml\n")
        broken.append(d)
    results = build_many(broken)
    assert [r.ok for r in results] == [False, False]
    assert [r.path for r in results] == [str(p) for p in broken]
    assert all(str(p) in r.output or "missing.yaml" in r.output for p, r in zip(broken, results))
