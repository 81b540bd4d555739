"""The render cache: lets `render` and `check` skip clusters whose output cannot have changed.

An entry says: "the spec bytes with this digest, rendered by this exact generator code, gave
these files, and this is what they looked like on disk (size, mtime) when last verified". It
is keyed by spec content + a fingerprint of the generator's own source and data, so a changed
spec, `_defaults.yaml` or generator is a miss, never a stale hit. It lives outside the
working tree (see `cache_root`) and is never trusted blindly: an entry
that does not parse, names other files, or whose files' stats differ from disk is re-verified
by hashing the files, and on any mismatch the cluster is rendered again.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import generator
from generator.store.atomic import write_atomic
from generator.store.tree import MANIFEST, sha256

CACHE_ENV = "RHOAI_GITOPS_CACHE"
FORMAT = 1


def cache_root(repo: Path) -> Path:
    """The repository's cache folder: <top>/<hash of the repository's path>, where <top> is
    $RHOAI_GITOPS_CACHE, else ($XDG_CACHE_HOME or ~/.cache)/rhoai-gitops.

    Never inside the checkout: a merge request controls every file there, and a cache it could
    plant would let it forge a clean `check` or, for validate's compiled validators, run code."""
    env = os.environ.get(CACHE_ENV)
    top = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rhoai-gitops"
    return top / hashlib.sha256(str(repo.resolve()).encode()).hexdigest()[:16]


# validate's own cache folders, beside the render and verdict caches.
def core_schema_dir(repo: Path, k8s: str) -> Path:
    """Kubernetes' core kinds' schemas for one Kubernetes version (validate.core writes them)."""
    return cache_root(repo) / "schemas" / f"kubernetes-{k8s}"


def kubeconform_dir(repo: Path) -> Path:
    """The shipped schemas copied into folders, as kubeconform reads them."""
    return cache_root(repo) / "schemas" / "kubeconform"


def validators_dir(repo: Path) -> Path:
    """Compiled schema validators (validate.validator)."""
    return cache_root(repo) / "validators"


# Every kind of file the generator reads: .lua and .sh (health checks, the approver's script) are
# rendered into the bundle verbatim.
SOURCE_SUFFIXES = (".py", ".yaml", ".j2", ".json", ".lua", ".sh")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of every source and data file of the generator package (and its version)."""
    root = Path(generator.__file__).parent
    h = hashlib.sha256(f"{generator.__version__}:{FORMAT}".encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in SOURCE_SUFFIXES and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


class RenderCache:
    def __init__(self, repo: Path, directory: Path | None = None):
        self.repo = repo
        self.dir = directory or cache_root(repo) / "render"

    def key(self, spec_digest: str) -> str:
        return hashlib.sha256(f"{code_fingerprint()}:{spec_digest}".encode()).hexdigest()

    def _entry_path(self, cluster: str) -> Path:
        return self.dir / "clusters" / f"{cluster}.json"

    def _read(self, cluster: str) -> dict | None:
        try:
            entry = json.loads(self._entry_path(cluster).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT:
            return None
        if not isinstance(entry.get("files"), dict) or not isinstance(entry.get("root"), str):
            return None
        return entry

    def fresh(self, cluster: str, key: str) -> dict | None:
        """The entry when disk provably holds this key's output, else None."""
        entry = self._read(cluster)
        if entry is None or entry.get("key") != key:
            return None
        root = self.repo / entry["root"]
        try:
            for rel, record in entry["files"].items():
                digest, size, mtime = record
                st = os.stat(root / rel)
                if st.st_size == size and st.st_mtime_ns == mtime:
                    continue
                # Stat differs (checkout, touch, edit): only the content can say.
                if st.st_size != size or sha256((root / rel).read_bytes()) != digest:
                    return None
        except (OSError, ValueError, TypeError):
            return None
        return entry

    def record(self, cluster: str, key: str, root: str, hashes: dict[str, str], info: dict[str, Any]) -> None:
        """Remember what `root` holds now; `hashes` maps relpath -> sha256 of the text rendered."""
        base = self.repo / root
        table = {}
        for rel, digest in hashes.items():
            st = os.stat(base / rel)
            table[rel] = [digest, st.st_size, st.st_mtime_ns]
        st = os.stat(base / MANIFEST)
        manifest = (base / MANIFEST).read_bytes()
        table[MANIFEST] = [sha256(manifest), st.st_size, st.st_mtime_ns]
        entry = {"format": FORMAT, "key": key, "root": root, "files": table, **info}
        write_atomic(self._entry_path(cluster), json.dumps(entry, sort_keys=True), parents=True)


class VerdictCache:
    """validate's verdicts per cluster (build, schema, cross-object and policy stages), so that a
    cluster whose inputs are unchanged is not judged again.

    The key (see validate.pipeline.verdict_key) is of content only: the spec and defaults bytes,
    the generator's code and data, the committed files its builds read, the schemas, policies,
    options and engines. An entry carries the digest of its own verdict; one that does not parse,
    has another format or key, or whose digest does not match is a miss, never a verdict."""

    def __init__(self, repo: Path, directory: Path | None = None):
        self.dir = directory or cache_root(repo) / "verdicts"

    def _entry_path(self, cluster: str) -> Path:
        return self.dir / f"{cluster}.json"

    def get(self, cluster: str, key: str) -> dict | None:
        try:
            entry = json.loads(self._entry_path(cluster).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
            return None
        verdict = entry.get("verdict")
        if not isinstance(verdict, dict) or entry.get("digest") != _digest_of(verdict):
            return None
        return verdict

    def put(self, cluster: str, key: str, verdict: dict) -> None:
        entry = {"format": FORMAT, "key": key, "verdict": verdict, "digest": _digest_of(verdict)}
        write_atomic(self._entry_path(cluster), json.dumps(entry, sort_keys=True), parents=True)


def _digest_of(verdict: dict) -> str:
    return hashlib.sha256(json.dumps(verdict, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
