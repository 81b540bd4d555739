"""One render of a repository at a time: the render lock, in the repository's cache folder
(outside the checkout, so a failed render writes nothing there). Taking it first finishes what a
killed render left (tree.recover)."""

from __future__ import annotations

import errno
import fcntl
import os
import struct
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.core.errors import UsageError
from generator.store.cache import cache_root
from generator.store.tree import recover

LOCK = "render.lock"
LOCK_TIMEOUT_ENV = "RHOAI_GITOPS_LOCK_TIMEOUT"  # seconds a render waits for another (default 600)

_held: dict[Path, int] = {}  # repo -> depth, for the process that holds its lock


@contextmanager
def locked(repo: Path) -> Iterator[None]:
    """Hold the repository's render lock (re-entrant within a process). A second render waits
    for the first, then finds its work done or redoes it; after `RHOAI_GITOPS_LOCK_TIMEOUT`
    seconds it gives up with exit 2.

    The lock is a POSIX record lock (fcntl F_SETLK), not flock: a record lock belongs to the
    process that took it, so worker processes forked while it is held do not hold it (flock is
    per open file description, which fork shares), and the kernel drops it the moment that
    process dies, however it dies. A killed render's orphaned workers can therefore never keep
    the next render waiting; that render takes the lock at once and recovers what was left."""
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
        # One descriptor per process and never a second: closing any descriptor of the file
        # would drop a record lock (hence the re-entrancy count above). O_CLOEXEC: no program
        # a render runs (kustomize, jq, ...) carries it either.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
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
            fcntl.lockf(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise


def lock_holder(fd: int) -> int | None:
    """The pid of the live process holding the lock, as the kernel knows it (F_GETLK), or None
    when the lock is free: never a pid written in the file by a process that may be gone."""
    if not sys.platform.startswith("linux"):
        # struct flock's layout is Linux's below; elsewhere, the pid the holder wrote.
        written = os.pread(fd, 32, 0).decode(errors="replace").strip()
        return int(written) if written.isdigit() else None
    query = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
    try:
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
    except OSError:
        return None
    kind, _whence, _start, _len, pid = struct.unpack(_FLOCK, answer)
    return None if kind == fcntl.F_UNLCK else pid


# struct flock on Linux: l_type, l_whence (short), l_start, l_len (off_t), l_pid (pid_t).
_FLOCK = "hhqqi"


def _acquire(fd: int, repo: Path) -> None:
    if _try_lock(fd):
        return
    holder = lock_holder(fd) or "?"
    print(f"rhoai-gitops: another render of {repo} is running (pid {holder}); waiting for it", file=sys.stderr)
    deadline = time.monotonic() + float(os.environ.get(LOCK_TIMEOUT_ENV, "600"))
    while not _try_lock(fd):
        if time.monotonic() > deadline:
            raise UsageError(
                f"another render of {repo} (pid {lock_holder(fd) or holder}) still holds the render "
                f"lock; try again when it has finished"
            ) from None
        time.sleep(0.05)
