"""Fleet-scale render and check: streaming, parallel, cached.

Each cluster is an independent job, run `jobs` at a time in worker processes: a worker loads one spec, renders it and either stages the folder on disk
(render) or compares it with disk (check), and hands back only a small summary. Memory stays
flat in fleet size. Clusters whose spec, defaults and generator code are unchanged and whose
files on disk are provably the cached output are skipped (see store/cache.py).

Render is all-or-nothing across the fleet: every cluster is staged first; only when no spec
had an error are the staged folders swapped in (store/transaction.py). An error anywhere leaves
the tree untouched.
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.argocd.fleet import FleetMember, fleet_folders
from generator.build import base_of, load_spec_to_build, render_base, render_cluster
from generator.bundle import Folder
from generator.core.errors import SpecError, SpecErrors, UsageError
from generator.diff.tree import FileChange, TreeDiff, compare
from generator.spec.loader import (
    LoadedSpec,
    decode,
    read_defaults,
    read_source,
    spec_files,
    spec_files_and_errors,
)
from generator.store.cache import RenderCache
from generator.store.lock import locked
from generator.store.transaction import Staged, commit_cluster, commit_spanning, discard, stage
from generator.store.tree import MANIFEST, WriteReport, content_digest, fault_point, generated_roots, preflight, sha256


@dataclass
class Job:
    """What a worker hands back for one cluster: small, whatever the cluster's size."""

    path: str
    name: str = ""
    base: str = ""  # the base its overlays build on (render.base_of)
    root: str = ""
    status: str = ""  # cached | current | staged | clean | differs | error
    errors: list[SpecError] = field(default_factory=list)
    staging: str = ""
    changes: list[FileChange] = field(default_factory=list)
    files: int = 0
    fleet: dict | None = None  # FleetMember.to_json() when the cluster is in fleet mode
    key: str = ""  # render cache key
    hashes: dict[str, str] = field(default_factory=dict)  # relpath -> sha256, for the cache
    refused: str = ""  # why the tree refuses this folder (UsageError from preflight)
    # check mode: the generated files' paths in the folder (what was compared), and when asked
    # (validate's verdict keys) the sha256 of the spec's bytes and tree.content_digest of the folder
    listing: list[str] = field(default_factory=list)
    spec_sha: str = ""
    tree: str = ""


# Set in the parent before the pool forks; workers read it (never pickled per task).
_CONTEXT: dict[str, Any] = {}


def _digest(raw: bytes, defaults_raw: bytes | None) -> str:
    # The cache key is taken before parsing, so it is of the bytes; a byte-only edit is a miss
    # that renders to an identical folder (the index records the composed data's digest).
    h = hashlib.sha256(raw)
    if defaults_raw is not None:
        h.update(b"\0defaults\0" + defaults_raw)
    return h.hexdigest()


def _load(path: Path, raw: bytes) -> LoadedSpec:
    """The spec loaded; its release fit runs after its build (render_cluster), on the objects
    the build made."""
    repo: Path = _CONTEXT["repo"]
    source = path.relative_to(repo).as_posix()
    return load_spec_to_build(decode(raw, source), source, _CONTEXT["defaults"])


def _work(path_str: str) -> Job:
    fault_point("work")

    path = Path(path_str)
    repo: Path = _CONTEXT["repo"]
    cache: RenderCache | None = _CONTEXT["cache"]
    mode: str = _CONTEXT["mode"]
    job = Job(path=path_str, name=path.stem)
    try:
        raw = read_source(repo, path)
    except SpecErrors as exc:
        job.status, job.errors = "error", exc.errors
        return job
    key = cache.key(_digest(raw, _CONTEXT["defaults_raw"])) if cache else ""
    if _CONTEXT["digests"]:
        job.spec_sha = sha256(raw)
    if cache:
        entry = cache.fresh(path.stem, key)
        if entry is not None:
            job.status = "cached" if mode == "render" else "clean"
            job.base, job.root, job.fleet = entry.get("base", ""), entry["root"], entry.get("fleet")
            job.files = len(entry["files"]) - 1
            if mode == "check":
                job.listing = sorted(rel for rel in entry["files"] if rel != MANIFEST)
            if _CONTEXT["digests"]:
                # fresh() has just verified every generated file against these digests.
                job.tree = content_digest(repo / job.root, {rel: rec[0] for rel, rec in entry["files"].items()})
            return job
    try:
        loaded = _load(path, raw)
        folder = render_cluster(loaded)
    except SpecErrors as exc:
        job.status, job.errors = "error", exc.errors
        return job
    job.name, job.base, job.root, job.files = loaded.name, base_of(loaded.spec), folder.root, len(folder.files)
    if loaded.spec.argocd.fleet.enabled:
        job.fleet = FleetMember.of(loaded).to_json()
    info = {"base": job.base, "fleet": job.fleet}
    hashes = {rel: sha256(text) for rel, text in folder.files.items()} if cache else {}
    if mode == "check":
        job.changes = compare(repo, [folder]).changes
        job.status = "differs" if job.changes else "clean"
        job.listing = sorted(folder.files)
        # compare() reads text (a CRLF file equals its LF render): the cache, whose digests stand
        # for the files' bytes, learns of the folder only when the bytes are the render's too.
        if cache and not job.changes and _bytes_are(repo / folder.root, hashes):
            cache.record(job.name, key, folder.root, hashes, info)
        if _CONTEXT["digests"]:
            job.tree = content_digest(repo / folder.root)
        return job
    try:
        job.staging = stage(repo, folder)
    except UsageError as exc:
        # Handed back, not raised: a worker raising would leave the folders other workers
        # staged meanwhile behind, as no job would report them for clean-up.
        job.status, job.refused = "error", str(exc)
        return job
    job.status = "staged" if job.staging else "current"
    # The cache learns of this folder only once it is swapped in (render_fleet).
    job.key, job.hashes = key, hashes
    return job


def _bytes_are(root: Path, hashes: dict[str, str]) -> bool:
    try:
        return all(sha256((root / rel).read_bytes()) == digest for rel, digest in hashes.items())
    except OSError:
        return False


def _run(jobs_n: int, paths: list[Path], progress: Callable[[], None] | None) -> Iterator[Job]:
    if jobs_n <= 1 or len(paths) <= 1:
        for p in paths:
            job = _work(str(p))
            if progress:
                progress()
            yield job
        return
    # A process pool that notices a worker's death (killed, out of memory) and says so, where
    # multiprocessing.Pool would wait for its result for ever.
    with ProcessPoolExecutor(
        jobs_n, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        # Chunks amortise the IPC per cluster; order is kept so output is deterministic.
        results = pool.map(_work, [str(p) for p in paths], chunksize=max(1, min(16, len(paths) // (jobs_n * 8) or 1)))
        try:
            for job in results:
                if progress:
                    progress()
                yield job
        except BrokenProcessPool:
            raise UsageError(
                "a worker process ended without finishing its clusters (killed, or out of memory?): "
                "nothing was written; run again, with fewer `--jobs` if memory is short"
            ) from None


def _die_with_parent(parent: int) -> None:
    """A worker's first act: ask the kernel to kill it when the render that forked it dies
    (PR_SET_PDEATHSIG), so no worker outlives its render, staging folders behind the next one's
    back. The render may have died between the fork and this call: then the worker is already
    an orphan (another parent) and ends at once."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: the parent check below still stops a worker born an orphan
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _progress_bar(total: int, label: str):
    """A rich progress bar on a terminal; nothing (plain, quiet output) otherwise."""
    if total < 20 or not sys.stderr.isatty():
        return nullcontext(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    )

    class _Bar:
        def __enter__(self):
            progress.__enter__()
            task = progress.add_task(label, total=total)
            return lambda: progress.advance(task)

        def __exit__(self, *exc):
            return progress.__exit__(*exc)

    return _Bar()


def _setup(repo: Path, mode: str, use_cache: bool, digests: bool = False) -> None:
    defaults = read_defaults(repo)
    _CONTEXT.clear()
    _CONTEXT.update(
        repo=repo,
        mode=mode,
        defaults=defaults,
        defaults_raw=defaults[2] if defaults else None,
        cache=RenderCache(repo) if use_cache else None,
        digests=digests,
    )


def _members(jobs: Iterable[Job], repo: Path) -> tuple[list[FleetMember], Callable[[FleetMember], Any]]:
    members = [FleetMember.from_json(j.fleet) for j in jobs if j.fleet]

    def positions_of(member: FleetMember):
        # Only called to report a disagreement: parse that one spec again for positions.
        path = repo / member.source
        return _load(path, read_source(repo, path)).positions

    return members, positions_of


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class FleetRender:
    clusters: int
    report: WriteReport
    cached: int


def _run_fleet(
    repo: Path,
    names: list[str] | None,
    mode: str,
    jobs: int | None,
    use_cache: bool,
    done: list[Job],
    digests: bool = False,
    all_errors: bool = False,
) -> tuple[list[Folder], list[str]]:
    """Every cluster's job (appended to `done` as each finishes, so the caller can clean up
    after a failure); then what spans clusters: the bases of the distributions in use, the
    fleet folder, and (full runs only) generated roots no spec makes any more. `all_errors`:
    stray files in clusters/ are reported with the specs' errors (as load_specs does), not alone."""
    if all_errors:
        _setup(repo, mode, use_cache, digests)
        paths, errors = spec_files_and_errors(repo, names)
    else:
        paths, errors = spec_files(repo, names), []
        _setup(repo, mode, use_cache, digests)
    with _progress_bar(len(paths), mode) as tick:
        for job in _run(jobs or default_jobs(), paths, tick):
            done.append(job)
    errors += [e for j in done for e in j.errors]
    if errors:
        raise SpecErrors(errors)
    refused = [j.refused for j in done if j.refused]
    if refused:
        raise UsageError("\n".join(refused))
    shared = [render_base(b) for b in sorted({j.base for j in done})]
    stale: list[str] = []
    if not names:
        members, positions_of = _members(done, repo)
        shared += fleet_folders(members, positions_of)
        produced = {j.root for j in done} | {f.root for f in shared}
        stale = [r for r in generated_roots(repo) if r not in produced]
    return shared, stale


def render_fleet(
    repo: Path, names: list[str] | None = None, jobs: int | None = None, use_cache: bool = True
) -> FleetRender:
    """Render the named (default all) clusters to disk; raises SpecErrors with nothing written.
    Renders of one repository take turns (store.lock.locked), each first finishing a killed one's swap."""
    with locked(repo):
        return _render_fleet(repo, names, jobs, use_cache)


def _render_fleet(repo: Path, names: list[str] | None, jobs: int | None, use_cache: bool) -> FleetRender:
    done: list[Job] = []
    try:
        shared, stale = _run_fleet(repo, names, "render", jobs, use_cache, done)
        preflight(repo, shared)
    except BaseException:
        # Nothing was swapped in yet (the lock is held, so no other render has staged anything).
        discard(repo, [j.staging for j in done])
        raise
    report = WriteReport([], [], [])
    cache: RenderCache | None = _CONTEXT["cache"]
    for j in done:
        if j.status in ("staged", "current"):
            staged = Staged(j.name, j.root, j.staging, j.key, j.hashes, {"base": j.base, "fleet": j.fleet})
            written = commit_cluster(repo, staged, cache)
        else:
            written = False  # cached: disk provably holds it already
        (report.written if written else report.unchanged).append(j.root)
    spanning = commit_spanning(repo, shared, stale)
    report.written += spanning.written
    report.unchanged += spanning.unchanged
    report.removed += spanning.removed
    return FleetRender(len(done), report, sum(1 for j in done if j.status == "cached"))


@dataclass
class FleetCheck:
    clusters: int
    folders: int
    files: int
    diff: TreeDiff


def check_fleet(
    repo: Path, names: list[str] | None = None, jobs: int | None = None, use_cache: bool = True
) -> FleetCheck:
    """Compare the committed bundle with a fresh render; raises SpecErrors on bad specs."""
    done, shared, diff = check_jobs(repo, names, jobs, use_cache)
    files = sum(j.files for j in done) + sum(len(f.files) for f in shared)
    return FleetCheck(len(done), len(done) + len(shared), files, diff)


def check_jobs(
    repo: Path,
    names: list[str] | None,
    jobs: int | None,
    use_cache: bool,
    digests: bool = False,
    all_errors: bool = False,
) -> tuple[list[Job], list[Folder], TreeDiff]:
    """check_fleet's parts: each cluster's job summary (its files' list, and with `digests` what
    validate's verdict keys need), the folders spanning clusters, and every difference found."""
    done: list[Job] = []
    shared, stale = _run_fleet(repo, names, "check", jobs, use_cache, done, digests, all_errors)
    diff = compare(repo, shared, stale)
    diff.changes = [c for j in done for c in j.changes] + diff.changes
    return done, shared, diff
