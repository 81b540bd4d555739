"""Run Kustomize: the `kustomize` binary when on PATH, else `kubectl kustomize`."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator.errors import UsageError


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

    def objects(self) -> list[dict]:
        from generator import yamlio

        return yamlio.loads_all(self.output) if self.ok else []


def build(path: Path | str) -> BuildResult:
    proc = subprocess.run([*command(), str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        return BuildResult(str(path), False, proc.stderr.strip() or proc.stdout.strip())
    return BuildResult(str(path), True, proc.stdout)


def build_many(paths: list[Path | str], jobs: int | None = None) -> list[BuildResult]:
    """One kustomize process per path, `jobs` at a time; results in the order of `paths`."""
    import os

    command()  # fail early, once, when no kustomize is installed
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
        return list(pool.map(build, paths))
