"""Renders killed at every write and rename step, and renders run at once, leave a tree the next
render completes: no overlay missing, no mix of old and new, the user's files at home, nothing
hidden left behind. The kill is deterministic (tree.FAULT_ENV ends the process at the n-th time a
step is reached, with no clean-up, as SIGKILL would), not a race against a timer."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.cli import main
from generator.store import tree
from generator.store.lock import LOCK

from conftest import PROJECT, copy_repo, example_repo

USER_FILES = {
    "overlays/prod-aws/dsc/my-notes.md": "the team's own notes\n",
    "overlays/prod-aws/extras/kustomization.yaml": "resources: []\n",
    "overlays/odh-sandbox/runbook.txt": "kept when the cluster goes\n",
}


def cli(repo, *args, fault: str | None = None, timeout: float = 300, **env) -> subprocess.CompletedProcess:
    environ = {**os.environ, **env}
    environ.pop(tree.FAULT_ENV, None)
    if fault:
        environ[tree.FAULT_ENV] = fault
    return subprocess.run(
        [sys.executable, "-m", "generator", "--repo", str(repo), *args],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    repo = example_repo(tmp_path_factory.mktemp("crash") / "repo")
    assert main(["--repo", str(repo), "render"]) == 0
    return repo


@pytest.fixture
def changed(rendered, tmp_path):
    """A rendered repo (a copy, with the render cache its render left) with the user's files in
    it, then a change that rewrites every overlay (a default) and retires one cluster (its spec
    deleted)."""
    repo = copy_repo(rendered, tmp_path / "repo")
    for rel, text in USER_FILES.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    defaults = repo / "clusters" / "_defaults.yaml"
    text = defaults.read_text()
    assert "\nargocd:\n" in text
    defaults.write_text(text.replace("\nargocd:\n", "\nargocd:\n  namespace: platform-gitops\n"))
    (repo / "clusters" / "odh-sandbox.yaml").unlink()
    return repo


def assert_complete(repo) -> None:
    assert tree.leftovers(repo) == []
    for rel, text in USER_FILES.items():
        assert (repo / rel).read_text() == text, rel
    proc = cli(repo, "check", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (repo / "overlays" / "odh-sandbox" / "kustomization.yaml").exists()


@pytest.mark.parametrize(
    "fault",
    [
        "stage-write:1",
        "stage-write:37",
        "stage-write:150",
        "stage-link:1",
        "stage-manifest:1",
        "stage-manifest:3",
        "retire:1",
        "retire:2",
        "swap:1",
        "swap:3",
        "remove:1",
        "remove:9",
    ],
)
def test_killed_render_is_completed_by_the_next(changed, fault):
    killed = cli(changed, "render", "--jobs", "1", fault=fault)
    assert killed.returncode == 137, f"{fault} never reached:\n{killed.stdout}{killed.stderr}"
    # Right after the kill: every overlay the last complete render made is there or stepped
    # aside whole, and every file of the user's is somewhere.
    for cluster in ("prod-aws", "ai3-aws", "edge-baremetal"):
        root = changed / "overlays" / cluster
        retired = [p for p in tree.leftovers(changed) if p.name.startswith(f".{cluster}.old-")]
        assert root.is_dir() or retired, cluster
    again = cli(changed, "render", "--jobs", "1")
    assert again.returncode == 0, again.stdout + again.stderr
    assert_complete(changed)


@pytest.mark.parametrize("command", ["render", "check"])
def test_a_worker_killed_midway_fails_the_run_instead_of_hanging_it(changed, command):
    # The second cluster a worker takes kills it, as the kernel's OOM killer would.
    killed = cli(changed, command, "--jobs", "2", "--no-cache", fault="work:2", timeout=120)
    assert killed.returncode == 2, killed.stdout + killed.stderr
    assert "worker process ended" in killed.stderr and "Traceback" not in killed.stderr, killed.stderr
    assert tree.leftovers(changed) == []  # nothing staged is left behind
    again = cli(changed, "render", "--jobs", "2")
    assert again.returncode == 0, again.stdout + again.stderr
    assert_complete(changed)


def test_renders_at_once_take_turns(changed):
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "generator", "--repo", str(changed), "render", "--no-cache"],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0, 0, 0], results
    assert_complete(changed)


def test_a_render_that_cannot_wait_says_who_holds_the_lock(changed):
    from generator.store.cache import cache_root

    lock = cache_root(changed) / LOCK
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)
        # A stale pid in the file (a render long gone) is not whom it names: the kernel's holder.
        os.write(fd, b"4242\n")
        start = time.monotonic()
        proc = cli(changed, "render", RHOAI_GITOPS_LOCK_TIMEOUT="0.5")
        assert proc.returncode == 2 and time.monotonic() - start < 30
        assert f"pid {os.getpid()})" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    finally:
        os.close(fd)
    assert cli(changed, "render").returncode == 0
    assert_complete(changed)


def test_a_read_only_folder_does_not_leave_the_repository_stuck(changed):
    """As root, permissions are not enforced; without CAP_DAC_OVERRIDE they are, as for a user."""
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is not installed")
    stuck = changed / "overlays" / "prod-aws" / "dsc"
    stuck.chmod(0o555)
    try:
        for _ in range(2):
            proc = subprocess.run(
                [
                    "setpriv",
                    "--bounding-set=-dac_override,-dac_read_search",
                    sys.executable,
                    "-m",
                    "generator",
                    "--repo",
                    str(changed),
                    "render",
                ],
                cwd=PROJECT,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stdout + proc.stderr
        assert "cannot remove overlays/.prod-aws.old-" in proc.stderr and "remove it by hand" in proc.stderr
        assert cli(changed, "check", "--no-cache").returncode == 0
    finally:
        for p in [stuck, *changed.glob("overlays/.prod-aws.old-*/dsc")]:
            if p.exists():
                p.chmod(0o755)
    assert cli(changed, "render").returncode == 0
    assert_complete(changed)


# --------------------------------------------------------------------------- the main process killed alone


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (read from /proc: no helper library)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    """Running, or stopped: not gone and not a zombie waiting for a reaper."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def test_killing_the_main_process_alone_never_blocks_the_next_render(changed):
    """SIGKILL to the render's pid only (not its group: what a CI runner or the OOM killer may
    do), at seeded random moments: the workers die with it and hold no lock, so the next render
    takes the lock at once, recovers the killed one's leftovers and completes; no worker lives on."""
    import random

    template = (changed / "clusters" / "prod-aws.yaml").read_text()
    for i in range(8):  # more clusters than workers: the pool lives for most of a render
        (changed / "clusters" / f"prod-aws-{i}.yaml").write_text(
            template.replace("name: prod-aws", f"name: prod-aws-{i}", 1)
        )
    defaults = changed / "clusters" / "_defaults.yaml"
    rng = random.Random(30)
    env = {k: v for k, v in os.environ.items() if k != tree.FAULT_ENV}
    trials, with_workers = 6, 0
    for trial in range(trials):
        # A change to every overlay, so each render has real work (staging, swaps) to be killed in.
        text = defaults.read_text()
        namespaces = ("platform-gitops", "gitops-platform")
        defaults.write_text(text.replace(namespaces[trial % 2], namespaces[(trial + 1) % 2]))
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "--repo", str(changed), "render", "--jobs", "2", "--no-cache"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Most kills land while the pool works (a random moment after its workers appear: the
        # start-up before them takes from 0.5 s to seconds on a busy machine); some at a random
        # moment from the start, wherever that falls.
        after_workers = rng.random() < 0.75
        delay = rng.uniform(0.0, 0.4) if after_workers else rng.uniform(0.1, 1.5)
        deadline = None if after_workers else time.monotonic() + delay
        workers: set[int] = set()
        while proc.poll() is None and (deadline is None or time.monotonic() < deadline):
            workers.update(_children(proc.pid))
            if deadline is None and workers:
                deadline = time.monotonic() + delay
            time.sleep(0.01)
        # On a quiet machine the render may finish before its moment: then there is nothing to
        # kill, and the trial only checks that the next render runs.
        killed = proc.poll() is None
        if killed:
            os.kill(proc.pid, 9)  # the pid alone
        proc.wait()
        live = [w for w in workers if _alive(w)]
        with_workers += killed and bool(workers)
        start = time.monotonic()
        again = cli(changed, "render", "--jobs", "2", RHOAI_GITOPS_LOCK_TIMEOUT="60")
        took = time.monotonic() - start
        assert again.returncode == 0, again.stdout + again.stderr
        assert "waiting" not in again.stderr and took < 30, (trial, took, again.stderr)
        gone_by = time.monotonic() + 5
        while any(_alive(w) for w in live) and time.monotonic() < gone_by:
            time.sleep(0.05)
        assert not any(_alive(w) for w in live), f"trial {trial}: workers {live} outlived their render"
        assert tree.leftovers(changed) == []
    assert_complete(changed)
    # The kill met live workers often enough for the trials to test what they claim.
    assert with_workers >= trials // 2, with_workers
