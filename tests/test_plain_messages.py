"""Messages in the user's words: YAML mistakes named with their fix at the line to change,
patterns said as rules, "allowed here" limited to the cluster's release, and the live and plan
commands saying plainly when they cannot answer the question asked."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from generator.cli import main
from generator.core.errors import SpecErrors
from generator.spec.model import PATTERN_WORDS

from conftest import PROJECT, fresh_copy, load_spec_text

HEAD = "metadata:\n  name: dev\ncluster:\n  apiServer: https://api.dev.example.com:6443\n"


def errors_of(text: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        load_spec_text(text, "clusters/dev.yaml")
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize(
    "text, expected",
    [
        # A key indented to no level of its neighbours (one space: neither 2 nor 0).
        (
            HEAD + " region: us-east-1\n",
            "clusters/dev.yaml:5:1: invalid YAML: this line is indented 1 space, which lines up with no line above it: "
            "indent it as line 4 (2 spaces) or as line 3 (0 spaces)",
        ),
        # A key indented under a key whose value is already given.
        (
            HEAD + "    region: us-east-1\n",
            "clusters/dev.yaml:5:1: invalid YAML: this line is indented 4 spaces, more than the key on line 4 (2 spaces) "
            "whose value is already given: a key beside it is indented 2 spaces too",
        ),
        # A tab.
        (
            "metadata:\n  name: dev\ncluster:\n\tapiServer: https://api.dev.example.com:6443\n",
            "clusters/dev.yaml:4:1: invalid YAML: a tab indents this line; YAML indents with spaces only: replace the tab "
            "with spaces (2 per level, as elsewhere in the file)",
        ),
        # A missing colon, reported on its own line, not the next one where the parser stops.
        (
            "metadata:\n  name: dev\ncluster:\n  apiServer https://api.dev.example.com:6443\n  region: us-east-1\n",
            "clusters/dev.yaml:4:3: invalid YAML: `apiServer https://api.dev.example.com:6443` has no ':' after its key: "
            "write `apiServer: https://api.dev.example.com:6443`",
        ),
        (
            HEAD + "  region us-east-1\n",
            "clusters/dev.yaml:5:3: invalid YAML: `region us-east-1` has no ':' after its key: write `region: us-east-1`",
        ),
        # A value holding ': '.
        (
            HEAD + "  region: us: east\n",
            "clusters/dev.yaml:5:13: invalid YAML: a second ': ' in this value: put the value in quotes (key: \"a: b\")",
        ),
        # A quote left open: where it opens.
        (
            HEAD + '  region: "us-east-1\n',
            "clusters/dev.yaml:5:11: invalid YAML: the quoted text that starts here never ends: add the closing quote "
            "where it should end",
        ),
    ],
)
def test_yaml_mistakes_are_named_with_their_fix(text, expected):
    assert errors_of(text) == [expected]


def test_no_parser_token_reaches_the_user():
    # A list item indented to no level: the parser's words would be '<block sequence start>'.
    found = errors_of("metadata:\n  name: dev\ngpuNodePools:\n  - name: a\n    instanceType: x\n   - name: b\n")
    assert found and not any("<" in e or "block" in e for e in found), found


def test_pattern_errors_say_the_rule_in_words():
    (error,) = errors_of(HEAD.replace("name: dev", "name: Dev"))
    assert error == (
        "clusters/dev.yaml:2:9: metadata.name: 'Dev' is not allowed here: write lower-case letters, "
        "digits and '-', starting and ending with a letter or digit, at most 63 characters"
    )
    (error,) = errors_of(HEAD + '  openshiftVersion: "4"\n')
    assert "an OpenShift version, major.minor in quotes" in error and "^" not in error


def test_every_pattern_of_the_spec_has_words():
    patterns = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads((PROJECT / "schemas" / "platform-spec.schema.json").read_text()))
    assert patterns and patterns <= set(PATTERN_WORDS), sorted(patterns - set(PATTERN_WORDS))


def _allowed(error: str) -> set[str]:
    return set(error.split("allowed here: ")[1].split(", "))


def test_allowed_here_lists_only_what_the_release_has():
    on_216 = errors_of(HEAD + 'distribution: {name: rhoai, version: "2.16"}\ncomponents:\n  trainr: {}\n')
    allowed = _allowed(on_216[0])
    assert {"kserve", "codeflare", "modelmeshserving"} <= allowed
    # 3.x-only and later-2.x components are not offered to a 2.16 cluster.
    assert not allowed & {"trainer", "mlflowoperator", "feastoperator", "llamastackoperator", "sparkoperator"}
    on_34 = errors_of(
        HEAD + '  openshiftVersion: "4.20"\ndistribution: {name: rhoai, version: "3.4"}\ncomponents:\n  trainr: {}\n'
    )
    allowed = _allowed(on_34[0])
    assert {"trainer", "mlflowoperator", "sparkoperator"} <= allowed
    assert not allowed & {"codeflare", "modelmeshserving"}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A fresh copy of the repository as a git repository (plan reads revisions)."""
    root = tmp_path_factory.mktemp("messages") / "checkout"
    fresh_copy(root)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    return root


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is part of the set-up")
def test_drift_without_a_reachable_cluster_says_so_in_one_line(checkout, tmp_path, capsys):
    # A kubeconfig whose server nothing listens on: kubectl itself finds that out.
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: t}}]\n"
    )
    assert main(["--repo", str(checkout), "drift", "prod-aws", "--kubeconfig", str(kubeconfig)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and captured.out == "", captured
    assert re.match(
        r"rhoai-gitops: cannot reach the cluster \(.*\): the API server refused the connection; .*"
        r"--live-from PATH$",
        lines[0],
    ), lines[0]


def test_plan_on_a_stale_bundle_says_to_run_check(checkout, capsys):
    assert main(["--repo", str(checkout), "plan", "--against", "HEAD", "prod-aws"]) == 0
    assert "stale" not in capsys.readouterr().err
    quota = checkout / "overlays" / "prod-aws" / "kueue-quotas" / "clusterqueue-nlp.yaml"
    original = quota.read_text()
    quota.write_text(original.replace('nominalQuota: "8"', 'nominalQuota: "10"', 1))
    try:
        assert main(["--repo", str(checkout), "plan", "--against", "HEAD", "prod-aws"]) == 0
        captured = capsys.readouterr()
        assert captured.out == "prod-aws: no changes\n"
        assert "the bundle on disk is stale (1 file(s) differ" in captured.err and "rhoai-gitops check" in captured.err
    finally:
        quota.write_text(original)
    # A changed spec not rendered yet is what a plan is for: no note.
    spec = checkout / "clusters" / "prod-aws.yaml"
    text = spec.read_text()
    spec.write_text(
        text.replace("nvidia.com/gpu: {nominal: 16, lendingLimit: 8}", "nvidia.com/gpu: {nominal: 24, lendingLimit: 8}")
    )
    try:
        assert main(["--repo", str(checkout), "plan", "--against", "HEAD", "prod-aws"]) == 0
        captured = capsys.readouterr()
        assert "1 to change" in captured.out and "stale" not in captured.err
    finally:
        spec.write_text(text)
