"""The one way the generator replaces a file or folder: write it whole under a temporary name
beside the target, then rename it into place, so a reader sees the old or the new, never half.

The temporary name is process-unique (`.<name>.<pid>-<n>.tmp`): two processes writing the same
target (worker processes, two renders, a render and a validate) never write into each other's
temporary file, and the last rename wins with a whole file.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

_counter = itertools.count()


def temp_beside(path: Path) -> Path:
    """A name in `path`'s folder no other process or call uses."""
    return path.with_name(f".{path.name}.{os.getpid()}-{next(_counter)}.tmp")


def write_atomic(path: Path, data: str | bytes, *, parents: bool = False) -> None:
    """Replace `path` with `data` (text is written as UTF-8); `parents`: make its folder first."""
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(path)
    try:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def copy_folder_atomic(files: Mapping[str, Path], folder: Path) -> None:
    """Make `folder` hold copies of `files` (name -> source file), all at once; a folder already
    there (another process made it meanwhile) is kept."""
    tmp = temp_beside(folder)
    tmp.mkdir(parents=True)
    try:
        for name, source in files.items():
            shutil.copyfile(source, tmp / name)
        os.rename(tmp, folder)
    except OSError:
        if not folder.is_dir():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
