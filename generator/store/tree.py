"""Write generated folders to disk: atomically, removing what the generator no longer makes,
never touching files it did not make.

Each generated root folder (base/<dist>, overlays/<cluster>) carries a manifest,
`.generated.json`, listing the files the generator wrote there with their hashes. That index is
how a later render knows which files are its own (to replace or delete) and which are the
user's (kept as they are, even inside generated folders). A folder is written whole beside the
old one and swapped in with two renames, so a failure midway leaves the old folder intact.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.bundle import Folder
from generator.core.errors import UsageError

MANIFEST = ".generated.json"
ROOT_PARENTS = ("base", "overlays", "fleet")
# A swap's hidden folders: `.<root>.new-<pid>` (staging) and `.<root>.old-<pid>` (stepped aside).
LEFTOVER = re.compile(r"^\.(?P<root>[^/]+)\.(?P<kind>new|old)-(?P<pid>[0-9]+)$")
# Fault injection for the crash tests: "<step>:<n>" ends the process, as a kill would (no
# clean-up runs), the n-th time the write reaches <step>.
FAULT_ENV = "RHOAI_GITOPS_FAULT"
_reached: dict[str, int] = {}


def fault_point(name: str) -> None:
    fault = os.environ.get(FAULT_ENV)
    if not fault:
        return
    step, _, n = fault.partition(":")
    if step == name:
        _reached[name] = _reached.get(name, 0) + 1
        if _reached[name] == int(n or 1):
            os._exit(137)


def leftovers(repo: Path) -> list[Path]:
    """Hidden staging and stepped-aside folders a killed render left behind."""
    found = []
    for parent in ROOT_PARENTS:
        top = repo / parent
        if top.is_dir():
            found += sorted(p for p in top.iterdir() if LEFTOVER.match(p.name) and p.is_dir())
    return found


def recover(repo: Path) -> list[str]:
    """Finish what a killed render left (call with the lock held); returns what it did."""
    done = []
    found = leftovers(repo)
    # Stepped-aside folders first: one whose root is missing is the last complete state.
    parsed = [(p, m) for p in found if (m := LEFTOVER.match(p.name))]
    for path, m in sorted(parsed, key=lambda pm: pm[1]["kind"] != "old"):
        root = path.parent / m["root"]
        if m["kind"] == "old" and not root.exists():
            os.rename(path, root)
            done.append(f"restored {root.relative_to(repo).as_posix()}")
            continue
        if m["kind"] == "old":
            _rescue_user_files(path, root)
        shutil.rmtree(path, ignore_errors=True)
        if path.exists():
            # A folder the user made read-only: it blocks nothing (hidden, never an output),
            # but only its owner can remove it.
            print(
                f"rhoai-gitops: cannot remove {path.relative_to(repo).as_posix()} (a read-only folder in it); "
                "remove it by hand",
                file=sys.stderr,
            )
            continue
        done.append(f"cleaned {path.relative_to(repo).as_posix()}")
    return done


def _rescue_user_files(retired: Path, root: Path) -> None:
    """Move files of the user's that only a stepped-aside folder still holds back into the root."""
    ours = set((read_manifest(retired) or {}).get("files", {})) | {MANIFEST}
    for rel in _files_under(retired):
        if rel not in ours and not (root / rel).exists():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(retired / rel, root / rel)


def _files_under(root: Path) -> list[str]:
    return sorted((Path(d) / f).relative_to(root).as_posix() for d, _dirs, files in os.walk(root) for f in files)


def sha256(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def content_digest(root: Path, known: dict[str, str] | None = None) -> str:
    """One digest of every file under `root` (links as their targets' bytes, linked folders not
    entered): each file's relative path and the sha256 of its bytes. `known` holds sha256s
    already verified against disk (the render cache's, when disk provably holds its output), so
    those files are not read again; any other file is read and hashed."""
    h = hashlib.sha256()
    if not root.is_dir():
        h.update(b"\0absent\0")
        return h.hexdigest()
    known = known or {}
    for rel in _files_under(root):
        digest = known.get(rel)
        if digest is None:
            path = root / rel
            if not path.is_file():
                continue  # a dangling link, a socket: nothing a build reads
            digest = sha256(path.read_bytes())
        h.update(f"{rel}\0{digest}\0".encode())
    return h.hexdigest()


def manifest_of(folder: Folder) -> dict:
    return {
        "generator": f"rhoai-gitops {__version__}",
        "source": folder.source,
        "digest": folder.digest,
        "files": {p: sha256(t) for p, t in sorted(folder.files.items())},
    }


def manifest_text(folder: Folder) -> str:
    return json.dumps(manifest_of(folder), indent=1, sort_keys=True) + "\n"


def read_manifest(root: Path) -> dict | None:
    path = root / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return None
    return data


def generated_roots(repo: Path) -> list[str]:
    """Every root folder that carries a manifest (i.e. the generator made it)."""
    found = []
    for parent in ROOT_PARENTS:
        top = repo / parent
        if top.is_dir():
            for child in sorted(top.iterdir()):
                # Hidden names are staging and retired folders of a swap, never outputs
                # (cluster and base names are DNS-1123 labels).
                if not child.name.startswith(".") and child.is_dir() and (child / MANIFEST).is_file():
                    found.append(f"{parent}/{child.name}")
    return found


@dataclass
class WriteReport:
    written: list[str]  # roots rewritten
    unchanged: list[str]
    removed: list[str]  # roots whose generated files were deleted


def _user_files(root: Path, manifest: dict | None) -> list[str]:
    """Files under `root` the generator did not make (relative paths)."""
    if not root.is_dir():
        return []
    ours = set((manifest or {}).get("files", {})) | {MANIFEST}
    return [rel for rel in _files_under(root) if rel not in ours]


def is_current(repo: Path, folder: Folder) -> bool:
    """True when disk already holds exactly this folder: the index as `check` compares it
    (byte for byte, so what `check` reports `render` always rewrites) and every file."""
    root = repo / folder.root
    try:
        if (root / MANIFEST).read_bytes() != manifest_text(folder).encode():
            return False
    except OSError:
        return False
    for rel, text in folder.files.items():
        try:
            if (root / rel).read_bytes() != text.encode():
                return False
        except OSError:
            return False
    return True


def preflight(repo: Path, folders: list[Folder]) -> None:
    """Refuse before writing anything if a generated path would overwrite a user's file."""
    clashes = []
    for folder in folders:
        root = repo / folder.root
        manifest = read_manifest(root)
        user = set(_user_files(root, manifest))
        clashes += [f"{folder.root}/{p}" for p in folder.files if p in user]
    if clashes:
        raise UsageError(
            "these files exist but were not made by rhoai-gitops; move them away, they would be overwritten:\n  "
            + "\n  ".join(clashes)
        )


def stage_folder(repo: Path, folder: Folder) -> Path:
    """Write `folder` whole beside its root (generated files, the user's files hard-linked in,
    the manifest); `swap_in` then makes it the root. Nothing the user sees changes until then."""
    root = repo / folder.root
    root.parent.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(root)
    staging = root.parent / f".{root.name}.new-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    made: set[Path] = set()
    try:
        for rel, text in folder.files.items():
            _write(staging / rel, text.encode(), made)
            fault_point("stage-write")
        for rel in _user_files(root, manifest):
            dst = staging / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(root / rel, dst)
            except OSError:
                shutil.copy2(root / rel, dst)
            fault_point("stage-link")
        _write(staging / MANIFEST, manifest_text(folder).encode())
        fault_point("stage-manifest")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def swap_in(repo: Path, root_rel: str, staging: Path) -> None:
    """Two renames: the old root steps aside, the staged one takes its place."""
    root = repo / root_rel
    retired = root.parent / f".{root.name}.old-{os.getpid()}"
    try:
        if root.exists():
            os.rename(root, retired)
            fault_point("retire")
        os.rename(staging, root)
        fault_point("swap")
    except BaseException:
        if retired.exists() and not root.exists():
            os.rename(retired, root)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def write_folder(repo: Path, folder: Folder) -> None:
    swap_in(repo, folder.root, stage_folder(repo, folder))


def _write(path: Path, data: bytes, made: set[Path] | None = None) -> None:
    """Write a file, making its folder first; `made`: folders already made (one mkdir each, not
    one per file: a fleet render writes about a hundred thousand files)."""
    if made is None or path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(path.parent)
    # os-level calls: Python's open() adds an isatty ioctl, an lseek and an fstat to each file.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def remove_generated(repo: Path, root_rel: str) -> None:
    """Delete the files the generator made under a root it no longer produces; keep the rest."""
    root = repo / root_rel
    manifest = read_manifest(root)
    if manifest is None:
        return
    for rel in manifest["files"]:
        with contextlib.suppress(FileNotFoundError):
            (root / rel).unlink()
        fault_point("remove")
    (root / MANIFEST).unlink(missing_ok=True)
    for dirpath, _dirs, _files in sorted(os.walk(root), key=lambda t: -len(t[0])):
        with contextlib.suppress(OSError):  # not empty: holds the user's files
            os.rmdir(dirpath)
    # A root's parents the generator created for it (fleet/ of fleet/argocd) go with it when
    # nothing else is left in them: no empty folder stays behind in the user's repository.
    parent = root.parent
    while parent != repo and repo in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break  # not empty (or gone already)
        parent = parent.parent
