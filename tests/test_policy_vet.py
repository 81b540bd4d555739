"""The policy stage takes a batch that `cue vet -c` passes as one with no findings, and exports
only the batches vet fails (generator/validate/policy.py). These tests hold that to the real
engine: over the examples, hand-edited objects and policies raising every error shape a policy
can (a conflict in the spec and inside objects.Subscription, a list bound, a pattern, a
disjunction, a missing field, an incomplete comparison, a closed struct and a closed
definition, a hidden helper's conflict, a hidden field left open), vet fails exactly the
clusters and batches that `cue export` reports, and the batched stage says what the per-cluster
reference says."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import test_policy_batch

from generator.validate import policy

# The fixture fleet of test_policy_batch: the examples and variants that break the policies.
fleet, work = test_policy_batch.fleet, test_policy_batch.work

# Each shape: policy files added to the shipped ones (production.cue, gpu.cue, input.cue).
SHAPES: dict[str, dict[str, str]] = {
    "shipped": {},
    "pattern": {"SHAPE.cue": 'package policies\n\ncluster: name: =~"^prod-"\n'},
    "disjunction": {"SHAPE.cue": 'package policies\n\nspec: distribution: name: "rhoai" | "none"\n'},
    "bound": {
        "SHAPE.cue": 'package policies\n\nimport "strings"\n\nspec: quotas: teams: [...{name: strings.MaxRunes(3)}]\n'
    },
    "missing-field": {"SHAPE.cue": "package policies\n\nobjects: Subscription: [string]: spec: startingCSV: string\n"},
    "incomplete-comparison": {
        "SHAPE.cue": "package policies\n\nobjects: Subscription: [string]: {\n\tmetadata: _\n"
        '\tif metadata.labels.team == "x" {\n\t\tspec: channel: "never"\n\t}\n}\n'
    },
    "closed-struct": {
        "SHAPE.cue": "package policies\n\nobjects: Namespace: [string]: close({apiVersion: string, kind: string})\n"
    },
    "closed-definition": {
        "SHAPE.cue": "package policies\n\n#Team: {name: string, namespaces: [...string]}\n\nspec: quotas: teams: [...#Team]\n"
    },
    "hidden-conflict": {"SHAPE.cue": 'package policies\n\n_only: cluster.name & "prod-aws"\n'},
    "hidden-open": {"SHAPE.cue": "package policies\n\n_later: string\n"},
}


ALONE = {"prod-aws", "fine-copy", "unwatched", "odh-sandbox"}


def shape_repo(source: Path, root: Path, name: str, shapes: list[str]) -> Path:
    repo = root / name
    repo.mkdir()
    shutil.copytree(source / "schemas", repo / "schemas")
    for shape in shapes:
        for file, text in SHAPES[shape].items():
            (repo / "schemas" / "policies" / file.replace("SHAPE", shape)).write_text(text)
    return repo


@pytest.fixture(scope="module")
def corpus(fleet, work, tmp_path_factory):
    """The fixture fleet's clusters, one of them with a Subscription that lost its `spec.name`
    (production.cue compares it: an incomplete comparison inside objects.Subscription)."""
    out = list(work)
    for i, (loaded, objs) in enumerate(out):
        if loaded.spec.name == "prod-aws":
            objs = copy.deepcopy(objs)
            for o in objs:
                if o["kind"] == "Subscription" and o["metadata"]["name"] == "nfd":
                    del o["spec"]["name"]
            out[i] = (loaded, objs)
    root = tmp_path_factory.mktemp("policy-vet")
    return out, {name: shape_repo(fleet, root, name, [name]) for name in SHAPES}


def test_vet_fails_exactly_what_export_reports(corpus, tmp_path):
    work, repos = corpus
    eng = policy.engine(policy.PROJECT)
    calls, keys = [], []
    for shape, repo in repos.items():
        wrapper = policy.Wrapper.of(policy.policy_files(repo))
        assert wrapper is not None
        folder = tmp_path / shape
        folder.mkdir()
        written = folder / policy.WRAPPER_NAME
        written.write_text(wrapper.text)
        # A missing field inside objects (prod-aws), a hand edit (fine-copy), the spec
        # (unwatched), a cluster the production policies skip (odh-sandbox).
        docs = {loaded.spec.name: policy.document(loaded, objs) for loaded, objs in work if loaded.spec.name in ALONE}
        for name in [*docs, "<batch>"]:
            batch = docs if name == "<batch>" else {name: docs[name]}
            stem = folder / name.strip("<>")
            stem.with_suffix(".cue").write_text(wrapper.data(batch))
            stem.with_suffix(".json").write_text(json.dumps({"clusters": batch}, sort_keys=True))
            calls += [
                ["vet", "-c", str(written), str(stem.with_suffix(".cue"))],
                ["export", str(written), str(stem.with_suffix(".json")), "--out", "json"],
            ]
            keys.append((shape, name))
    results = policy._calls(eng, tmp_path, calls, 2)
    said: dict[str, dict[str, list[str]]] = {shape: {} for shape in repos}
    for (shape, name), (vet_code, _), (export_code, stderr) in zip(keys, results[::2], results[1::2]):
        assert (vet_code != 0) == (export_code != 0), (shape, name, stderr[:500])
        said[shape][name] = [head for head, _ in policy.blocks(stderr)]  # the errors, not their positions
    # Every shape but hidden-open (which export lets pass) makes export say something the shipped
    # policies alone do not: none of them tests nothing.
    assert said["hidden-open"] == said["shipped"] and any(said["shipped"].values())
    for shape in SHAPES:
        if shape not in ("shipped", "hidden-open"):
            assert said[shape] != said["shipped"], shape


def test_batched_stage_says_what_the_reference_says_on_every_shape(corpus, fleet, tmp_path):
    work, repos = corpus
    # The shipped policies (prod-aws: an incomplete comparison only), then every shape at once
    # (but the one that does not evaluate, which test_policy_batch covers): batches that vet
    # fails, with several findings a cluster, in the spec and in objects.
    expected = policy.per_cluster(repos["shipped"], work, 2)
    assert policy.run(repos["shipped"], work, 2) == expected
    [nfd] = [f for f in expected["prod-aws"] if f.object == "Subscription openshift-nfd/nfd"]
    assert "non-concrete value string in operand to ==" in nfd.message
    assert "(policy schemas/policies/production.cue:" in nfd.message
    repo = shape_repo(fleet, tmp_path, "all", [s for s in SHAPES if s != "hidden-conflict"])
    expected = policy.per_cluster(repo, work, 2)
    assert policy.run(repo, work, 2) == expected
    paths = {(f.object.split(" ")[0], f.path) for found in expected.values() for f in found}
    # In objects (the closed Namespace) and at spec lines (the team names' bound).
    assert ("Namespace", "") in paths and any(o.startswith("clusters/") and p.startswith("quotas.") for o, p in paths)
