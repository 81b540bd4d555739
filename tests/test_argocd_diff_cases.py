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

from generator.core.errors import UsageError
from generator.diff import knowntypes, settings
from generator.diff.drift import IN_SYNC, Options, compare
from generator.diff.normalize import IgnoreRule

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


def _argocd_cm(opts: dict) -> dict[str, str]:
    """The case's Argo CD settings as an argocd-cm ConfigMap's data: as the case gives it
    (`argocdCm`), or its resourceOverrides as split keys (resource.customizations.<type>.
    <group_Kind>) and its compare options as resource.compareoptions."""
    if "argocdCm" in opts:
        return dict(opts["argocdCm"])
    data = {}
    for key, override in (opts.get("resourceOverrides") or {}).items():
        group_kind = "all" if key == "*/*" else key.replace("/", "_")
        for kind in ("ignoreDifferences", "knownTypeFields"):
            if (override or {}).get(kind) is not None:
                data[f"resource.customizations.{kind}.{group_kind}"] = yaml.safe_dump(override[kind])
    if "ignoreAggregatedRoles" in opts:
        data["resource.compareoptions"] = yaml.safe_dump({"ignoreAggregatedRoles": opts["ignoreAggregatedRoles"]})
    return data


def sets_comparison_settings(case: dict) -> bool:
    """The case sets what argocd-cm decides (overrides, compare options), not only an
    Application's ignoreDifferences."""
    return bool(_argocd_cm(case.get("options") or {}))


def _options(case: dict, with_settings: bool = True) -> tuple[list[IgnoreRule], Options]:
    """The rules and options drift compares with: the Application's ignoreDifferences, and the
    argocd-cm settings read the way `drift --argocd-cm` reads them."""
    opts = case.get("options") or {}
    rules = [IgnoreRule.from_argocd(dict(e)) for e in opts.get("ignoreDifferences") or []]
    found = settings.from_argocd_cm(_argocd_cm(opts), "argocd-cm") if with_settings else settings.Settings()
    return rules + found.ignore_rules(), found.options()


def verdict(case: dict, with_settings: bool = True):
    """drift's verdict on the case, its field paths and the report (raises UsageError where
    drift refuses the settings or the rules)."""
    rules, options = _options(case, with_settings)
    desired, live = _object(case, "desired"), _object(case, "live")
    if (
        desired
        and live
        and not (desired.get("metadata") or {}).get("namespace")
        and (live.get("metadata") or {}).get("namespace")
    ):
        # Argo CD gives a namespaced object without a namespace the Application's destination
        # namespace, the one the live object is in.
        desired = {**desired, "metadata": {**desired["metadata"], "namespace": live["metadata"]["namespace"]}}
    report = compare("argocd", [desired] if desired else [], [live] if live else [], rules, options)
    found = "out of sync" if any(o.status != IN_SYNC for o in report.objects) else "in sync"
    return found, [f.path for o in report.objects for f in o.fields], report


@pytest.mark.parametrize("source,case", _cases())
def test_agrees_with_argocd(source, case, capsys):
    assert set(source) >= SOURCE_KEYS and case["test"] and case["argocd"] in ("in sync", "out of sync", "error")
    if case["argocd"] == "error":
        with pytest.raises(UsageError):
            verdict(case)
        return
    found, fields, report = verdict(case)
    assert found == case["argocd"], fields
    if "paths" in case:
        assert sorted(fields) == sorted(case["paths"])
    if "warning" in case:
        assert any(case["warning"] in w for w in report.warnings), report.warnings
    if case.get("noWarnings"):
        assert report.warnings == []


def test_the_comparison_settings_decide_where_argocd_says_they_do():
    """The figures of the cases that set argocd-cm comparison settings: read through argocd-cm,
    drift agrees on every one (test_agrees_with_argocd); without them it disagrees on the
    cases whose verdict the settings decide, so none of them passes by accident."""
    cases = [
        p.values[1] for p in _cases() if sets_comparison_settings(p.values[1]) and p.values[1]["argocd"] != "error"
    ]
    disagree = []
    for case in cases:
        try:
            found, _, _ = verdict(case, with_settings=False)
        except UsageError:
            found = "error"
        if found != case["argocd"]:
            disagree.append(case["name"])
    assert len(cases) >= 20 and len(disagree) >= 8, (len(cases), disagree)
    readme = (Path(__file__).parents[1] / "docs" / "upgrades-and-safety.md").read_text(encoding="utf-8")
    assert f"{len(cases)} cases set argocd-cm comparison settings" in readme
    assert f"without them drift would disagree on {len(disagree)}" in readme


def test_every_argocd_known_type_resolves():
    """Argo CD's known-types list (util/argo/normalizers/diffing_known_types.txt): each type a
    knownTypeFields entry may name has a schema here to round-trip through."""
    text = (FOLDER / "testdata" / "diffing_known_types.txt").read_text(encoding="utf-8")
    names = [line.strip() for line in text.splitlines() if line.strip()]
    assert len(names) > 200
    # Go types no object's field holds, so no OpenAPI publishes them: request options, the
    # List envelope, internal bookkeeping.
    unpublished = {
        "AvoidPods",
        "List",
        "NodeProxyOptions",
        "PodAttachOptions",
        "PodExecOptions",
        "PodLogOptions",
        "PodPortForwardOptions",
        "PodProxyOptions",
        "PodSignature",
        "PodStatusResult",
        "Preconditions",
        "PreferAvoidPodsEntry",
        "RangeAllocation",
        "SerializedReference",
        "ServiceProxyOptions",
    }
    missing = {n.split("/")[-1] for n in names if knowntypes.type_node(n) is None}
    assert missing == unpublished


def test_suite_size_and_sources():
    """The figure docs/drift.md gives, and every case names where it comes from."""
    cases, skipped = 0, 0
    for path in _files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(data["source"]) >= SOURCE_KEYS, path
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
