"""Every hand-kept data file of generator/data/ goes through the loader production uses
(facts.handkept): a broken copy (an unknown key, a wrong type, a missing field, a string not in
its form) is refused with the file, line, column, field path and what is wrong in plain words;
the shipped files load into models that keep each cited source."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pydantic
import pytest

from generator.core.errors import SpecErrors
from generator.facts import argocd, handkept, rewrites, scopes, serving, upgrades

MODULES = {
    "serving.yaml": serving,
    "rewrites.yaml": rewrites,
    "upgrades.yaml": upgrades,
    "kubernetes-scopes.yaml": scopes,
    "argocd.yaml": argocd,
}


def _shipped(name: str) -> str:
    return resources.files("generator").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _line_of(text: str, at: str | tuple[str, int]) -> int:
    """The line of the first that holds `at` (with an offset: that many lines below it)."""
    needle, offset = (at, 0) if isinstance(at, str) else at
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line) + offset


def _errors(tmp_path: Path, name: str, old: str, new: str) -> tuple[str, list]:
    """The changed text of `name` (`old`, written once in it, replaced by `new`) and its errors."""
    text = _shipped(name)
    assert text.count(old) == 1, old
    changed = text.replace(old, new)
    path = tmp_path / name
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        MODULES[name].load(path, name)
    return changed, caught.value.errors


# (file, old, new, field path, words of the message, the text on the line the error names)
BROKEN = [
    # unknown keys
    (
        "serving.yaml",
        "  llmContainer: main\n",
        "  llmContainer: main\n  llmContainers: [main]\n",
        "hardwareProfiles.llmContainers",
        "unknown key 'llmContainers': this section takes source, name, namespace, kinds, releases, llmContainer",
        "llmContainers: [main]",
    ),
    (
        "rewrites.yaml",
        "    to: spec.kubeRBACProxy\n",
        "    to: spec.kubeRBACProxy\n    into: spec.kubeRBACProxy\n",
        "rewrites[0].into",
        "unknown key 'into': this section takes source, kind, from, to, why",
        "into: spec.kubeRBACProxy",
    ),
    (
        "upgrades.yaml",
        "    dist: rhoai\n    when: serverless\n",
        "    dist: rhoai\n    dists: [odh]\n    when: serverless\n",
        "steps[1].dists",
        "unknown key 'dists'",
        "dists: [odh]",
    ),
    (
        "kubernetes-scopes.yaml",
        "cluster:\n",
        "namespaced: []\ncluster:\n",
        "namespaced",
        "unknown key 'namespaced': this section takes cluster",
        "namespaced: []",
    ),
    (
        "argocd.yaml",
        "    jsonPointers: [/spec/replicas]\n",
        "    jsonPointer: [/spec/replicas]\n",
        "ignoreDifferences[1].jsonPointer",
        "unknown key 'jsonPointer': this section takes kind, jsonPointers, jqPathExpressions",
        "jsonPointer: [/spec/replicas]",
    ),
    # wrong types
    (
        "serving.yaml",
        "  llmContainer: main\n",
        "  llmContainer: [main]\n",
        "hardwareProfiles.llmContainer",
        "should be a valid string, not a list",
        "llmContainer: [main]",
    ),
    (
        "rewrites.yaml",
        "    to: spec.kubeRBACProxy\n",
        "    to: 3\n",
        "rewrites[0].to",
        "should be a valid string, not int 3",
        "to: 3",
    ),
    (
        "upgrades.yaml",
        "    dist: rhoai\n    when: serverless\n",
        "    dist: rhoai\n    when: sometimes\n",
        "steps[1].when",
        "should be 'always' or 'serverless', not str 'sometimes'",
        "when: sometimes",
    ),
    (
        "upgrades.yaml",
        "    when: {managed: workbenches}\n",
        "    when: {managed: [workbenches]}\n",
        "steps[5].when.managed",
        "should be a valid string, not a list",
        "when: {managed: [workbenches]}",
    ),
    (
        "argocd.yaml",
        "    unlessWritten: true\n",
        '    unlessWritten: "yes"\n',
        "ignoreDifferences[3].unlessWritten",
        "should be a valid boolean, not str 'yes'",
        'unlessWritten: "yes"',
    ),
    # missing fields
    (
        "serving.yaml",
        "  llmContainer: main\n",
        "",
        "hardwareProfiles.llmContainer",
        "llmContainer is missing: add it under hardwareProfiles",
        "hardwareProfiles:",
    ),
    (
        "rewrites.yaml",
        "    to: spec.kubeRBACProxy\n",
        "",
        "rewrites[0].to",
        "to is missing: add it under rewrites[0]",
        "- kind: ModelRegistry",
    ),
    (
        "upgrades.yaml",
        "    when: {managed: workbenches}\n    phase: after\n",
        "    when: {managed: workbenches}\n",
        "steps[5].phase",
        "phase is missing: add it under steps[5]",
        ("when: {managed: workbenches}", -3),  # the step's first line
    ),
    (
        "argocd.yaml",
        "    check: platform.lua\n",
        "",
        "healthChecks[0].check",
        "check is missing: add it under healthChecks[0]",
        "- kinds: [DataScienceCluster",
    ),
    # strings not in their form, names another file lacks
    (
        "kubernetes-scopes.yaml",
        "  - /Namespace\n",
        "  - Namespace\n",
        "cluster[1]",
        "'Namespace' is not group/Kind (/Kind for the core group: /Namespace)",
        "  - Namespace",
    ),
    (
        "serving.yaml",
        '    releases: {rhoai: {from: "3.4"}, odh: {from: "3.4"}}\n',
        '    releases: {rhoai: {from: "3.4"}, odh: {from: "v3.4"}}\n',
        "deploymentModeRenames[0].releases.odh.from",
        "'v3.4' is not a release version (2.25, 3.0)",
        'odh: {from: "v3.4"}',
    ),
    (
        "upgrades.yaml",
        "    dist: rhoai\n    when: serverless\n",
        "    dist: rhoia\n    when: serverless\n",
        "steps[1].dist[0]",
        "'rhoia' is not a distribution: write rhoai or odh",
        "dist: rhoia",
    ),
    (
        "upgrades.yaml",
        "    when: {managed: workbenches}\n",
        "    when: {managed: workbenches, running: kueue}\n",
        "steps[5].when",
        "names one component, as {managed: <component>} or {running: <component>}",
        "when: {managed: workbenches, running: kueue}",
    ),
    (
        "argocd.yaml",
        "    operator: nfd\n",
        "    operator: nfdd\n",
        "providers[14].operator",
        "'nfdd' is not an operator: write distribution or a key of matrix.yaml `operators`",
        "operator: nfdd",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "path", "words", "at"), BROKEN)
def test_a_broken_copy_is_refused_at_its_line_with_the_field_and_what_is_wrong(
    tmp_path, name, old, new, path, words, at
):
    changed, errors = _errors(tmp_path, name, old, new)
    wanted = [e for e in errors if e.path == path]
    assert len(wanted) == 1, [str(e) for e in errors]
    error = wanted[0]
    assert error.file == name and words in error.message
    assert error.line == _line_of(changed, at)
    assert error.column >= 1
    assert str(SpecErrors([error])).startswith(f"{name}:{error.line}:{error.column}")
    assert "Input should" not in error.message and "pattern" not in error.message


@pytest.mark.parametrize("name", sorted(MODULES))
def test_the_shipped_file_loads_and_is_read_only(name):
    model = MODULES[name].load(handkept.shipped(name), name)
    assert MODULES[name].load(handkept.shipped(name), name) == model
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        setattr(model, next(iter(type(model).model_fields)), ())


def _sources(node) -> list[str]:
    if isinstance(node, handkept.Sourced) and node.source is not None:
        return [node.source, *(s for f in type(node).model_fields for s in _sources(getattr(node, f)))]
    if isinstance(node, pydantic.BaseModel):
        return [s for f in type(node).model_fields for s in _sources(getattr(node, f))]
    if isinstance(node, tuple | list):
        return [s for v in node for s in _sources(v)]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _sources(v)]
    return []


@pytest.mark.parametrize("name", ["serving.yaml", "rewrites.yaml", "upgrades.yaml"])
def test_every_cited_source_is_kept_on_the_model(name):
    cited = [
        line.split("source: ", 1)[1] for line in _shipped(name).splitlines() if line.strip().startswith("source: ")
    ]
    assert cited
    kept = _sources(MODULES[name].load(handkept.shipped(name), name))
    assert len(kept) == len(cited)
    assert all(any(c.strip('"') == k for k in kept) for c in cited)
