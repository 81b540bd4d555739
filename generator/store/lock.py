"""One render of a repository at a time: the render lock, in the repository's cache folder
(outside the checkout, so a failed render writes nothing there). Taking it first finishes what a
killed render left (tree.recover)."""

from __future__ import annotations

import fcntl
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator

from generator.core.errors import UsageError
from generator.store.cache import cache_root
from generator.store.tree import recover

LOCK = "render.lock"
LOCK_TIMEOUT_ENV = "RHOAI_GITOPS_LOCK_TIMEOUT"  # seconds a render waits for another (default 600)

_held: dict[Path, int] = {}  # repo -> depth, for the process that holds its lock


@contextmanager
def locked(repo: Path) -> Iterator[None]:
    """Hold the repository's render lock (re-entrant within a process; worker processes forked
    while it is held share it). A second render waits for the first, then finds its work done
    or redoes it; after `RHOAI_GITOPS_LOCK_TIMEOUT` seconds it gives up with exit 2."""
    key = repo.resolve()
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    path = cache_root(key) / LOCK
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UsageError(f"cannot create the render lock {path}: {exc.strerror}") from None
    try:
        _acquire(fd, key)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        _held[key] = 1
        try:
            recover(key)
            yield
        finally:
            del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, repo: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
    print(f"rhoai-gitops: another render of {repo} is running (pid {holder}); waiting for it", file=sys.stderr)
    deadline = time.monotonic() + float(os.environ.get(LOCK_TIMEOUT_ENV, "600"))
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise UsageError(f"another render of {repo} (pid {holder}) still holds the render lock; "
                                 f"try again when it has finished") from None
            time.sleep(0.05)
