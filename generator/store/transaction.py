"""A render's write as one transaction: every cluster's folder is staged first (by the worker
that rendered it), and only when the whole fleet rendered without an error are the staged
folders swapped in, the render cache told, and the folders spanning clusters written; on any
error every staged folder is discarded and the tree is as it was."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.bundle import Folder
from generator.store.cache import RenderCache
from generator.store.tree import (
    WriteReport,
    is_current,
    preflight,
    recover,
    remove_generated,
    stage_folder,
    swap_in,
    write_folder,
)


def stage(repo: Path, folder: Folder) -> str:
    """Stage one cluster's folder beside its root; "" when disk already holds it exactly.
    Raises UsageError when it would overwrite a file the generator did not make."""
    preflight(repo, [folder])
    return "" if is_current(repo, folder) else str(stage_folder(repo, folder))


def discard(repo: Path, stagings: Iterable[str]) -> None:
    """Undo a render that will not be committed (call with the lock held): every staging folder
    goes, including those of workers that died unreported, and the folders staging made."""
    recover(repo)
    for parent in {Path(s).parent for s in stagings if s}:
        with contextlib.suppress(OSError):  # not empty
            os.rmdir(parent)  # overlays/ itself, if staging made it


@dataclass
class Staged:
    """One cluster's rendered folder as a worker left it."""

    name: str
    root: str
    staging: str  # "" when disk already held the folder
    key: str = ""  # render cache key
    hashes: dict[str, str] = field(default_factory=dict)  # relpath -> sha256, for the cache
    info: dict[str, Any] = field(default_factory=dict)  # what the cache keeps beside the files


def commit_cluster(repo: Path, staged: Staged, cache: RenderCache | None) -> bool:
    """Make one cluster's staged folder the root and tell the cache what the root now holds;
    returns whether anything was written."""
    if staged.staging:
        swap_in(repo, staged.root, Path(staged.staging))
    if cache:
        cache.record(staged.name, staged.key, staged.root, staged.hashes, staged.info)
    return bool(staged.staging)


def commit_spanning(repo: Path, folders: list[Folder], stale_roots: list[str]) -> WriteReport:
    """Write the folders no single cluster owns (bases, the fleet folder) and delete the files of
    generated roots no spec produces any more."""
    preflight(repo, folders)
    report = WriteReport([], [], [])
    for folder in folders:
        if is_current(repo, folder):
            report.unchanged.append(folder.root)
        else:
            write_folder(repo, folder)
            report.written.append(folder.root)
    for root in stale_roots:
        remove_generated(repo, root)
        report.removed.append(root)
    return report
