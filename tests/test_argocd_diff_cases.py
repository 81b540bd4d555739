"""drift against Argo CD's own diff tests: every desired/live pair in tests/fixtures/argocd-diff/
was translated from a case of Argo CD's tests (gitops-engine pkg/diff, argo-cd
util/argo/normalizers, util/argo/diff, util/argo/managedfields), with the same options, and
carries Argo CD's verdict. drift must reach the same verdict on every one (and, where the case
names them, report exactly those field paths). Cases that cannot be compared (they need an API
server, or test Argo CD's plumbing rather than a verdict) are listed in the files with why."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from generator.diff.drift import IN_SYNC, Options, compare
from generator.diff import knowntypes
from generator.diff.knowntypes import fields_from_overrides
from generator.diff.normalize import IgnoreRule
from generator.errors import UsageError

FOLDER = Path(__file__).parent / "fixtures" / "argocd-diff"
SOURCE_KEYS = {"repo", "commit", "file"}


def _files() -> list[Path]:
    return sorted(FOLDER.glob("*.yaml"))


def _merge_patch(target, patch):
    """RFC 7386: how a case varies a shared testdata object (null deletes)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = _merge_patch(out.get(k), v)
    return out


def _object(case: dict, side: str):
    if f"{side}File" in case:
        text = (FOLDER / "testdata" / case[f"{side}File"]).read_text(encoding="utf-8")
        o = json.loads(text) if case[f"{side}File"].endswith(".json") else yaml.safe_load(text)
    else:
        o = case.get(side)
    if f"{side}Patch" in case:
        o = _merge_patch(o, case[f"{side}Patch"])
    return o


def _cases() -> list:
    out = []
    for path in _files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            out.append(pytest.param(data["source"], case, id=f"{path.stem}:{case['name']}"))
    return out


def _options(case: dict) -> tuple[list[IgnoreRule], Options]:
    opts = case.get("options") or {}
    overrides = opts.get("resourceOverrides") or {}
    ignores = [dict(e) for e in opts.get("ignoreDifferences") or []]
    for key, override in overrides.items():
        diffs = (override or {}).get("ignoreDifferences") or {}
        if diffs:
            group, _, kind = key.rpartition("/")
            ignores.append({"group": group, "kind": kind, **diffs})
    rules = [IgnoreRule.from_argocd(e) for e in ignores]
    return rules, Options(tuple(fields_from_overrides(overrides)), bool(opts.get("ignoreAggregatedRoles")))


@pytest.mark.parametrize("source,case", _cases())
def test_agrees_with_argocd(source, case, capsys):
    assert SOURCE_KEYS <= set(source) and case["test"] and case["argocd"] in ("in sync", "out of sync", "error")
    rules, options = _options(case)
    desired, live = _object(case, "desired"), _object(case, "live")
    if case["argocd"] == "error":
        with pytest.raises(UsageError):
            compare("argocd", [desired], [live], rules, options)
        return
    if desired and live and not (desired.get("metadata") or {}).get("namespace") and (live.get("metadata") or {}).get("namespace"):
        # Argo CD gives a namespaced object without a namespace the Application's destination
        # namespace, the one the live object is in.
        desired = {**desired, "metadata": {**desired["metadata"], "namespace": live["metadata"]["namespace"]}}
    report = compare("argocd", [desired] if desired else [], [live] if live else [], rules, options)
    verdict = "out of sync" if any(o.status != IN_SYNC for o in report.objects) else "in sync"
    fields = [f.path for o in report.objects for f in o.fields]
    assert verdict == case["argocd"], fields
    if "paths" in case:
        assert sorted(fields) == sorted(case["paths"])
    if "warning" in case:
        assert any(case["warning"] in w for w in report.warnings), report.warnings
    if case.get("noWarnings"):
        assert report.warnings == []


def test_every_argocd_known_type_resolves():
    """Argo CD's known-types list (util/argo/normalizers/diffing_known_types.txt): each type a
    knownTypeFields entry may name has a schema here to round-trip through."""
    text = (FOLDER / "testdata" / "diffing_known_types.txt").read_text(encoding="utf-8")
    names = [line.strip() for line in text.splitlines() if line.strip()]
    assert len(names) > 200
    # Go types no object's field holds, so no OpenAPI publishes them: request options, the
    # List envelope, internal bookkeeping.
    unpublished = {"AvoidPods", "List", "NodeProxyOptions", "PodAttachOptions", "PodExecOptions", "PodLogOptions",
                   "PodPortForwardOptions", "PodProxyOptions", "PodSignature", "PodStatusResult", "Preconditions",
                   "PreferAvoidPodsEntry", "RangeAllocation", "SerializedReference", "ServiceProxyOptions"}
    missing = {n.split("/")[-1] for n in names if knowntypes.type_node(n) is None}
    assert missing == unpublished


def test_suite_size_and_sources():
    """The figure docs/drift.md gives, and every case names where it comes from."""
    cases, skipped = 0, 0
    for path in _files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert SOURCE_KEYS <= set(data["source"]), path
        cases += len(data["cases"])
        for entry in data.get("notComparable") or []:
            assert entry["test"] and entry["reason"], entry
            skipped += 1
    assert cases >= 65
    readme = (Path(__file__).parents[1] / "docs" / "drift.md").read_text(encoding="utf-8")
    assert f"{cases} desired/live pairs" in readme and f"drift agrees on all {cases}" in readme
    assert f"The {skipped} entries listed there as not comparable" in readme


@pytest.mark.parametrize("folder", [FOLDER, FOLDER / "testdata"], ids=["cases", "testdata"])
def test_every_upstream_derived_file_names_its_source(folder):
    """Each file of the folder is listed in its SOURCES.md (repository, commit, path, licence);
    a case file's own `source:` names the same commit and paths."""
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    commit = "37ee0097cf851bc2dd7665fc081bbce61a7e836e"
    assert f"Commit: {commit}" in sources and "Apache License 2.0" in sources
    rows = {line.split("`")[1]: line for line in sources.splitlines() if line.startswith("| `")}
    assert set(rows) == {p.name for p in folder.iterdir() if p.is_file() and p.name != "SOURCES.md"}
    for name, row in rows.items():
        if name.endswith(".yaml") and folder == FOLDER:
            source = yaml.safe_load((folder / name).read_text(encoding="utf-8"))["source"]
            assert source["commit"] == commit, name
            assert all(f"`{path.strip()}`" in row for path in source["file"].split(",")), name
