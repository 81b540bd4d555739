"""Committed bundle vs a fresh render, file by file (the engine behind `check` and the
validate pipeline's up-to-date stage)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.bundle import Folder
from generator.store.tree import MANIFEST, manifest_text, read_manifest


@dataclass
class FileChange:
    path: str  # repo-relative
    status: str  # added (render has it, disk lacks it) | removed (disk has a generated file the render no longer makes) | changed
    expected: str | None  # fresh render
    actual: str | None  # on disk

    def unified(self) -> str:
        a = (self.actual or "").splitlines(keepends=True)
        b = (self.expected or "").splitlines(keepends=True)
        return "".join(difflib.unified_diff(a, b, fromfile=f"committed/{self.path}", tofile=f"rendered/{self.path}"))


@dataclass
class TreeDiff:
    changes: list[FileChange] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.changes

    def count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.status == status)

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("added", "removed", "changed")}


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def compare(repo: Path, folders: list[Folder], stale_roots: Sequence[str] = ()) -> TreeDiff:
    """What differs between disk and `folders`. Only files the generator makes (the render, plus
    what the committed manifests list) are compared: the user's own files are ignored."""
    diff = TreeDiff()
    for folder in folders:
        root = repo / folder.root
        for rel, text in sorted(folder.files.items()):
            actual = _read(root / rel)
            if actual is None:
                diff.changes.append(FileChange(f"{folder.root}/{rel}", "added", text, None))
            elif actual != text:
                diff.changes.append(FileChange(f"{folder.root}/{rel}", "changed", text, actual))
        manifest = read_manifest(root) or {"files": {}}
        for rel in sorted(manifest["files"]):
            if rel not in folder.files and (root / rel).exists():
                diff.changes.append(FileChange(f"{folder.root}/{rel}", "removed", None, _read(root / rel)))
        m_actual = _read(root / MANIFEST)
        m_expected = manifest_text(folder)
        if m_actual != m_expected and not any(c.path.startswith(folder.root + "/") for c in diff.changes):
            diff.changes.append(
                FileChange(f"{folder.root}/{MANIFEST}", "changed" if m_actual else "added", m_expected, m_actual)
            )
    for root_rel in stale_roots:
        root = repo / root_rel
        manifest = read_manifest(root) or {"files": {}}
        for rel in sorted(manifest["files"]):
            if (root / rel).exists():
                diff.changes.append(FileChange(f"{root_rel}/{rel}", "removed", None, _read(root / rel)))
    return diff
