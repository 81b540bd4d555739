"""The second round of attacks a hostile contributor tried (issue 30), as tests: alias and merge
key cycles, secrets as map keys and in the forms of a maintained detector, text that would forge
an error line or drive the terminal, a library's warning on stderr; then a seeded fuzz run over
keys, aliases, control characters and values, in-process and through the command line.
(A render killed alone, without its workers: tests/test_crash_safety.py.)"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time

import pytest

from generator.core.errors import SpecErrors, escape

from conftest import PROJECT, load_spec_text

SANDBOX = (PROJECT / "clusters" / "odh-sandbox.yaml").read_text()
# Every line a failing command prints: a positioned error, or the count that closes them.
ERROR_LINE = re.compile(r"^clusters/[\w.-]+\.yaml:\d+:\d+: [^\n]*$|^\d+ errors?; nothing written$")


def cli(repo, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "--repo", str(repo), *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def assert_refused(repo, text: str, *expected: str) -> str:
    """`text` as odh-sandbox's spec: lint and render both exit 2 with every expected error and
    only well-formed error lines, and render writes nothing."""
    (repo / "clusters" / "odh-sandbox.yaml").write_text(text)
    for command in ("lint", "render"):
        proc = cli(repo, command)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr
        assert all(ERROR_LINE.match(line) for line in proc.stderr.splitlines()), proc.stderr
        assert "\x1b" not in proc.stderr + proc.stdout
        for e in expected:
            assert e in proc.stderr, (e, proc.stderr)
    assert not (repo / "overlays").exists() and not (repo / "base").exists()
    return proc.stderr


# --------------------------------------------------------------------------- alias cycles


@pytest.mark.parametrize(
    "edit, where",
    [
        # metadata: &A / <<: *A, the issue's own
        (lambda t: t.replace("metadata:\n", "metadata: &A\n  <<: *A\n", 1), "  <<: *A"),
        # a merge through another anchor: labels merge the map holding them
        (
            lambda t: t.replace("metadata:\n", "metadata: &M\n", 1).replace(
                "    env: sandbox\n", "    env: sandbox\n    <<: *M\n"
            ),
            "    <<: *M",
        ),
        # a plain alias to an ancestor, two anchors deep
        (
            lambda t: t.replace("components:\n", "components: &C\n", 1).replace(
                "  trustyai:\n", "  trustyai: &T\n    extra: *C\n", 1
            ),
            "    extra: *C",
        ),
    ],
)
def test_alias_and_merge_cycles_are_errors_at_the_alias(repo, edit, where):
    text = edit(SANDBOX)
    err = assert_refused(repo, text, "an alias cycle, which never ends")
    assert f"clusters/odh-sandbox.yaml:{line_of(text, where)}:" in err, err


def test_a_cycle_in_a_list_and_in_the_defaults_is_an_error_too(repo):
    text = SANDBOX.replace("  adminGroups: [odh-admins]\n", "  adminGroups: &G [odh-admins, *G]\n")
    err = assert_refused(repo, text, "auth.adminGroups[1]: *G refers to the list of line")
    (repo / "clusters" / "odh-sandbox.yaml").write_text(SANDBOX)
    defaults = repo / "clusters" / "_defaults.yaml"
    defaults.write_text(defaults.read_text().replace("argocd:\n", "argocd: &D\n  <<: *D\n", 1))
    proc = cli(repo, "lint")
    assert proc.returncode == 2 and "clusters/_defaults.yaml:" in proc.stderr and "alias cycle" in proc.stderr, (
        proc.stderr
    )
    assert "Traceback" not in proc.stderr and err


def test_a_reused_anchor_name_is_yaml_and_prints_nothing(repo):
    # Reused names (an alias refers to the latest); the tab in a comment sends the text through
    # ruamel, whose composer warns of reuse.
    text = SANDBOX.replace(
        "    env: sandbox\n    region: eu-west-1\n",
        "    env: &L sandbox\n    region: &L eu-west-1\n    zone: *L  #\tthe region\n",
    )
    (repo / "clusters" / "odh-sandbox.yaml").write_text(text)
    proc = cli(repo, "lint", "odh-sandbox")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


# --------------------------------------------------------------------------- secrets as keys, and in more forms


GITHUB = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
AWS_ID = "AKIA" + "IOSFODNN7EXAMPLE"


@pytest.mark.parametrize("key, why", [(GITHUB, "a GitHub token"), (AWS_ID, "an AWS access key id")])
def test_a_secret_as_a_map_key_is_refused_at_the_key(repo, key, why):
    text = SANDBOX.replace("    env: sandbox\n", f"    env: sandbox\n    {key}: x\n")
    assert_refused(repo, text, f"clusters/odh-sandbox.yaml:{line_of(text, key)}:5: metadata.labels.{key}: is {why}")


def test_a_secret_as_a_gpu_pool_label_key_never_reaches_the_machinesets(repo):
    path = repo / "clusters" / "prod-aws.yaml"
    text = path.read_text()
    m = re.search(r"\n( +)labels:\n", text[text.index("gpuNodePools:") :])
    assert m, "prod-aws has a labelled GPU pool"
    at = text.index("gpuNodePools:") + m.end()
    text = text[:at] + f"{m.group(1)}  {AWS_ID}: x\n" + text[at:]
    path.write_text(text)
    proc = cli(repo, "render")
    assert (
        proc.returncode == 2 and f":{line_of(text, AWS_ID)}:" in proc.stderr and "an AWS access key id" in proc.stderr
    )
    assert not (repo / "overlays").exists()


FORMS = {
    "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXabc\n-----END PGP PRIVATE KEY BLOCK-----\n": "a private key",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----\n": "a private key",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY": "an AWS secret access key",
    "Authorization: Basic dXNlcjpodW50ZXIy": "an HTTP Authorization header",
    "token=9f8e7d6c5b4a": "a credential assigned to `token=`",
    "password: hunter2hunter2": "a value assigned to the secret-named `password`",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc": "Stripe",
    "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFCi0tLS0tRU5EIFJTQSBQUklWQVRFIEtFWS0tLS0tCg==": "a private key",
}
# High-entropy by nature, and no secret: what specs and bundles hold every day.
NOT_SECRETS = [
    "quay.io/modh/odh-workbench@sha256:3b1e2f2a7c5d4e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f",
    "3f786850e387550fdab836ed7e6dc881de23001b",
    "9d0f1c3e-5b7a-4e2f-8c6d-0a1b2c3d4e5f",
    "ami-0123456789abcdef0",
    "subnet-0a1b2c3d4e5f67890",
    "sg-0a1b2c3d",
    "secretName: my-secret",
    "passwordSecretRef",
    "token: ${GITHUB_TOKEN}",
    "registry.redhat.io/rhoai/odh-dashboard-rhel8:v2.16.0",
    "key=value",
    "quay.io/modh/odh-workbench-jupyter-datascience-cpu-py311-ubi9",
    "arn:aws:iam::123456789012:role/MyRoleName",
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJRTES\n-----END CERTIFICATE-----\n",
]


@pytest.mark.parametrize("value", list(FORMS))
def test_secrets_in_the_detectors_forms_are_refused_in_values_and_keys(value):
    why = FORMS[value]
    quoted = '"' + escape(value).replace('"', '\\"') + '"'
    base = "metadata:\n  name: x\n  labels:\n    a: b\ncluster:\n  apiServer: https://api.x.example.com:6443\n"
    as_value = base + f"monitoring:\n  runbookBaseURL: {quoted}\n"
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(as_value, "clusters/x.yaml")
    assert any(e.path == "monitoring.runbookBaseURL" and why in e.message for e in exc.value.errors), exc.value.errors
    as_key = base.replace("    a: b\n", f"    {quoted}: b\n")
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(as_key, "clusters/x.yaml")
    assert any(e.line == 4 and e.column == 5 and why in e.message for e in exc.value.errors), exc.value.errors


@pytest.mark.parametrize("value", NOT_SECRETS)
def test_high_entropy_that_is_no_secret_passes(value):
    from generator.core.secrets import looks_secret

    assert looks_secret(value) is None


# --------------------------------------------------------------------------- forged and escaped output


def test_a_key_cannot_forge_an_error_line_or_drive_the_terminal(repo):
    forged = "x\\nclusters/prod-aws.yaml:1:1: all clear\\e[2J\\e]0;pwned\\a"
    text = SANDBOX.replace("    env: sandbox\n", f'    env: sandbox\n    "{forged}": y\n')
    err = assert_refused(repo, text)
    # The one error about the key, on one line, its control characters written out.
    key = "x\\nclusters/prod-aws.yaml:1:1: all clear\\x1b[2J\\x1b]0;pwned\\x07"
    assert f"clusters/odh-sandbox.yaml:{line_of(text, forged)}:5: metadata.labels.{key}: is not a label key" in err, err
    assert not any(line.startswith("clusters/prod-aws.yaml") for line in err.splitlines()), err


def test_the_repository_url_in_the_runbook_message_is_escaped(repo):
    text = SANDBOX.replace("monitoring:\n  enabled: false\n", "monitoring:\n  enabled: true\n")
    text += '  repoURL: "https://git.example.com/a\\nclusters/x.yaml:1:1: fine\\e[31m"\n'
    (repo / "clusters" / "odh-sandbox.yaml").write_text(text)
    proc = cli(repo, "lint")
    assert proc.returncode == 2 and "\x1b" not in proc.stderr, proc.stderr
    assert "argocd.repoURL https://git.example.com/a\\nclusters/x.yaml:1:1: fine\\x1b[31m" in proc.stderr, proc.stderr
    assert all(ERROR_LINE.match(line) for line in proc.stderr.splitlines()), proc.stderr


# --------------------------------------------------------------------------- fuzz

# Seeded, bounded (a few seconds), counted: the figures are in docs/hardening.md.
SEED, SPECS_IN_PROCESS, SPECS_THROUGH_THE_CLI = 30, 600, 40
KEY_TEXT = [
    "<<",
    "a\nb",
    "\x1b[2J",
    "x\x1b]0;t\x07",
    "\u202eevil",
    "\x85",
    "\x00",
    "k\rclusters/x.yaml:1:1: ok",
    GITHUB,
    AWS_ID,
    "é",
    "*",
    "&",
    "? ",
    "- ",
    "~",
    "null",
    "1",
    "true",
    "a" * 80,
]
VALUE_TEXT = [*KEY_TEXT, *FORMS, *NOT_SECRETS, "", " ", "\t", "\\", '"', "'", "{", "[", "https://u:p@h/x", "1e400"]
ANCHORED = re.compile(r"^( *)(- )?([\w.-]+):(?: (.*))?$")


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar for `text`: every character can reach the loader."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable() and ch not in "\u2028\u2029\x85":
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) <= 0xFF else f"\\u{ord(ch):04x}")
    return '"' + "".join(out) + '"'


def mutate(rng: random.Random, text: str) -> str:
    """One to four edits over lines of a valid spec: a key renamed (control characters, secrets,
    YAML syntax), an anchor put on a key and aliases or merge keys to it (cycles included), a
    value replaced (raw or quoted), a line duplicated or dropped."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        keyed = [i for i, line in enumerate(lines) if ANCHORED.match(line)]
        if not keyed:
            break
        i = rng.choice(keyed)
        indent, dash, key, value = ANCHORED.match(lines[i]).groups()
        dash = dash or ""
        kind = rng.randrange(6)
        if kind == 0:
            new = rng.choice(KEY_TEXT)
            lines[i] = f"{indent}{dash}{_quoted(new) if rng.random() < 0.8 else new}:" + (f" {value}" if value else "")
        elif kind == 1:
            # An anchor on a map, and an alias or merge key beside a leaf: inside that map (a
            # cycle, more often than not) or anywhere else (a forward or a plain reference).
            parents = [k for k in keyed if ANCHORED.match(lines[k]).group(4) is None]
            if not parents:
                continue
            i = rng.choice(parents)
            indent, dash, key, _ = ANCHORED.match(lines[i]).groups()
            lines[i] = f"{indent}{dash or ''}{key}: &A{i}"
            block = [k for k in range(i + 1, len(lines)) if lines[k].strip()]
            inside = []
            for k in block:
                if len(lines[k]) - len(lines[k].lstrip()) <= len(indent) + len(dash or ""):
                    break
                inside.append(k)
            leaves = [
                k
                for k in (inside if inside and rng.random() < 0.7 else keyed)
                if k != i and ANCHORED.match(lines[k]) and ANCHORED.match(lines[k]).group(4) is not None
            ]
            if not leaves:
                continue
            j = rng.choice(leaves)
            inner = ANCHORED.match(lines[j])
            pad = inner.group(1) + ("  " if inner.group(2) else "")
            ref = rng.choice([f"<<: *A{i}", f"{key}-alias: *A{i}", f"<<: [*A{i}]", f"items: [*A{i}]"])
            lines.insert(j + 1, f"{pad}{ref}")
        elif kind == 2:
            new = rng.choice(VALUE_TEXT)
            lines[i] = f"{indent}{dash}{key}: {_quoted(new) if rng.random() < 0.8 else new}"
        elif kind == 3:
            lines.insert(rng.randrange(len(lines)), lines[i])
        elif kind == 4:
            del lines[i]
        else:
            lines[i] = lines[i] + f"  # {rng.choice(KEY_TEXT)}"
    return "\n".join(lines)


def _check_errors(text: str, exc: SpecErrors) -> None:
    assert exc.errors
    lines = text.count("\n") + 2
    for e in exc.errors:
        assert e.file in ("clusters/odh-sandbox.yaml", "clusters/_defaults.yaml") and 1 <= e.line <= lines, e
        printed = str(e)
        assert "\n" not in printed and "\x1b" not in printed and "\r" not in printed, printed


def test_fuzzed_keys_aliases_and_control_characters_never_crash(repo):
    rng = random.Random(SEED)
    start = time.monotonic()
    refused = 0
    for _ in range(SPECS_IN_PROCESS):
        text = mutate(rng, SANDBOX)
        try:
            load_spec_text(text, "clusters/odh-sandbox.yaml")
        except SpecErrors as exc:
            _check_errors(text, exc)
            refused += 1
    took = time.monotonic() - start
    # The mutations reach the loader's refusals (and some keep the spec valid).
    assert SPECS_IN_PROCESS // 3 < refused < SPECS_IN_PROCESS, refused
    assert took < 60, took

    # Through the command line, many specs at once: exit 0 or 2, never a traceback, every
    # line printed a well-formed error line; a refused render writes nothing.
    (repo / "clusters" / "odh-sandbox.yaml").unlink()
    for n in range(SPECS_THROUGH_THE_CLI):
        name = f"fz-{n}"
        (repo / "clusters" / f"{name}.yaml").write_text(
            mutate(rng, SANDBOX.replace("name: odh-sandbox", f"name: {name}"))
        )
    for command in ("lint", "render"):
        proc = cli(repo, command)
        assert proc.returncode in (0, 2), (command, proc.returncode, proc.stderr[-3000:])
        assert "Traceback" not in proc.stderr and "\x1b" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
        if proc.returncode == 2:
            assert all(ERROR_LINE.match(line) for line in proc.stderr.splitlines()), proc.stderr[-3000:]
    assert proc.returncode == 0 or not (repo / "overlays").exists()
