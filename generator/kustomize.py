"""Run Kustomize: the `kustomize` binary when on PATH, else `kubectl kustomize`."""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator.core import yamlio
from generator.core.errors import UsageError


def command() -> list[str]:
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    raise UsageError("kustomize not found: install `kustomize` or `kubectl` (which bundles it) and put it on PATH")


@dataclass
class BuildResult:
    path: str
    ok: bool
    output: str  # the built YAML stream, or the error text
    # The built objects when they came from a joint build (joint_build), not as text.
    parsed: list[dict] | None = None

    def objects(self) -> list[dict]:
        """The built objects, a fresh copy each call (callers may change them)."""
        if not self.ok:
            return []
        return copy.deepcopy(self.parsed) if self.parsed is not None else yamlio.loads_all(self.output)


def build(path: Path | str) -> BuildResult:
    proc = subprocess.run([*command(), str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        return BuildResult(str(path), False, proc.stderr.strip() or proc.stdout.strip())
    return BuildResult(str(path), True, proc.stdout)


KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# The generator's index of its files (tree.MANIFEST): kustomize never reads it, and it names the
# cluster, so hashing it would keep identical overlays of different clusters apart.
NOT_READ = ".generated.json"


def _references(kustomization: Path) -> list[str] | None:
    """Relative paths out of the folder that a kustomization names (bases, resources, patches,
    generators...: any string starting with ../); None when it names something remote."""
    try:
        data = yamlio.loads(kustomization.read_text(encoding="utf-8"))
    except Exception:
        return []  # kustomize will report it; the content is hashed anyway
    found: list[str] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "://" in item or item.startswith(("github.com/", "git@")):
                return None
            if item.startswith("../"):
                found.append(item)
    return found


def _content(f: Path) -> bytes:
    data = f.read_bytes()
    if f.suffix not in (".yaml", ".yml"):
        return data
    # Whole-line comments at column 0 never change what YAML says (block scalar content is
    # indented), and generated headers name the cluster: without them identical overlays of
    # different clusters hash alike.
    return b"\n".join(line for line in data.split(b"\n") if not line.startswith(b"#"))


def inputs_digest(root: Path) -> str | None:
    """A hash of everything `kustomize build root` can read: every file under it, and every file
    or folder outside it its kustomizations name, each by its path relative to `root`. Equal
    digests mean equal builds, so identical overlays (common across a fleet) build once. None
    when the build reads something remote."""
    h = hashlib.sha256()
    todo, seen = ["."], set()
    while todo:
        rel = os.path.normpath(todo.pop())
        if rel in seen:
            continue
        seen.add(rel)
        full = root / rel
        files = sorted(f for f in full.rglob("*") if f.is_file()) if full.is_dir() else [full]
        for f in files:
            if f.name == NOT_READ:
                continue
            frel = os.path.normpath(os.path.join(rel, f.relative_to(full).as_posix())) if full.is_dir() else rel
            try:
                h.update(frel.encode() + b"\0" + _content(f) + b"\0")
            except OSError:
                h.update(frel.encode() + b"\0missing\0")
                continue
            if f.name in KUSTOMIZATION_FILES:
                refs = _references(f)
                if refs is None:
                    return None
                todo += [os.path.join(os.path.dirname(frel), r) for r in refs]
    return h.hexdigest()


def build_many(paths: list[Path | str], jobs: int | None = None) -> list[BuildResult]:
    """Build every path, `jobs` kustomize processes at a time; results in the order of `paths`.
    Paths with equal inputs share one build; a failed build is repeated per path so that each
    path gets its own error message."""
    command()  # fail early, once, when no kustomize is installed
    digests = [inputs_digest(Path(p)) for p in paths]
    first: dict[str, Path | str] = {}
    for p, d in zip(paths, digests):
        if d is not None:
            first.setdefault(d, p)
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
        shared = dict(zip(first, pool.map(build, first.values())))
        redo = [p for p, d in zip(paths, digests) if d is None or not shared[d].ok]
        own = dict(zip(map(str, redo), pool.map(build, redo)))
    out = []
    for p, d in zip(paths, digests):
        if str(p) in own or d is None:  # without a digest a path is always built on its own
            out.append(own[str(p)])
        else:
            out.append(BuildResult(str(p), True, shared[d].output))
    return out
