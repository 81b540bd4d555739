"""The disk state the generator owns: what `render` reports, what the index records, and that
`check` agrees with `render` after every edit a person makes to a spec (with and without the
cache)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_argocd import _enable_fleet

from generator.cli import main

CLUSTER = "odh-sandbox"


def run(repo, *args) -> int:
    return main(["--repo", str(repo), *args])


@pytest.fixture
def rendered(repo):
    assert run(repo, "render") == 0
    return repo


def test_full_render_reports_no_staging_folders(rendered, capsys):
    spec = rendered / "clusters" / f"{CLUSTER}.yaml"
    spec.write_text(spec.read_text().replace("idleMinutes: 60", "idleMinutes: 90"))
    capsys.readouterr()
    assert run(rendered, "render", "--no-cache") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"wrote     overlays/{CLUSTER}\n"), out
    assert "removed   " not in out and ", 0 removed" in out, out


@pytest.mark.parametrize("cache", [True, False])
def test_fleet_repo_after_a_spec_edit_is_clean(repo, capsys, cache):
    for cluster in ("prod-aws", CLUSTER):
        _enable_fleet(repo, cluster)
    assert run(repo, "render") == 0
    spec = repo / "clusters" / f"{CLUSTER}.yaml"
    text = spec.read_text()
    assert "idleMinutes: 60" in text
    # A comment and a real change: the overlay and the fleet's recorded inputs both move.
    spec.write_text(text.replace("idleMinutes: 60", "idleMinutes: 90  # a reviewer's note"))
    flags = [] if cache else ["--no-cache"]
    assert run(repo, "render", *flags) == 0
    capsys.readouterr()
    assert run(repo, "check", "--no-cache") == 0, capsys.readouterr().out
    assert run(repo, "check") == 0, capsys.readouterr().out


# Edits that change the bytes of a spec but not what it says.
def _comment(text: str, n: int) -> str:
    return text + "\n" + "# " + "x" * n + "\n"


def _crlf(text: str, n: int) -> str:
    return text.replace("\n", "\r\n")


def _bom(text: str, n: int) -> str:
    return text if text.startswith("\ufeff") else "\ufeff" + text


def _blank_lines(text: str, n: int) -> str:
    return text.replace("\n", "\n" * (1 + n % 3), 1)


def _trailing_space(text: str, n: int) -> str:
    lines = text.split("\n")
    i = n % len(lines)
    if lines[i].strip() and not lines[i].rstrip().endswith(("|", ">", "-")):
        lines[i] = lines[i] + " " * (1 + n % 4)
    return "\n".join(lines)


def _anchor(text: str, n: int) -> str:
    # `metadata:` becomes an anchored mapping; nothing refers to it yet, so the data is the same.
    return text if "&meta" in text else text.replace("metadata:", "metadata: &meta", 1)


EDITS = [_comment, _crlf, _bom, _blank_lines, _trailing_space, _anchor]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 4000)), min_size=1, max_size=3))
def test_harmless_edits_leave_check_clean(rendered, edits):
    spec = rendered / "clusters" / f"{CLUSTER}.yaml"
    original = spec.read_bytes()
    try:
        text = original.decode()
        for edit, n in edits:
            text = edit(text, n)
        spec.write_bytes(text.encode())
        assert run(rendered, "render") == 0
        assert run(rendered, "check", "--no-cache") == 0
        assert run(rendered, "check") == 0
    finally:
        spec.write_bytes(original)
