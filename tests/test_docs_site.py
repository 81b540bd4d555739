"""The docs site (mkdocs.yml over docs/): it builds in strict mode, so a broken link, a missing
anchor or a guide left out of the navigation fails here, and the README's guide table names
every guide."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]


def build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MKDOCS, "--config-file", str(root / "mkdocs.yml"), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )


def copy_docs(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(PROJECT / "docs", root / "docs")
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    return root


def test_site_builds_strict(tmp_path: Path) -> None:
    done = build(PROJECT, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "models" / "index.html").is_file()


def test_broken_link_fails_the_build(tmp_path: Path) -> None:
    root = copy_docs(tmp_path)
    page = root / "docs" / "drift.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [the plan](no-such-guide.md).\n", encoding="utf-8")
    done = build(root, tmp_path / "site")
    assert done.returncode != 0
    assert "drift.md" in done.stderr and "no-such-guide.md" in done.stderr


def test_guide_left_out_of_the_navigation_fails_the_build(tmp_path: Path) -> None:
    root = copy_docs(tmp_path)
    (root / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8")
    done = build(root, tmp_path / "site")
    assert done.returncode != 0
    assert "orphan.md" in done.stderr


def test_readme_links_every_guide() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(docs/([^)#]+\.md)", readme))
    guides = {p.name for p in (PROJECT / "docs").glob("*.md")} - {"index.md"}
    assert guides - linked == set(), "guides the README does not link"
    assert linked - guides - {"index.md"} == set(), "README links to guides that do not exist"
