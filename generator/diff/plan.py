"""What a change to the specs does to the bundle: the specs at a git revision and in the
working tree, both rendered with the working tree's generator, diffed object by object."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import build_units, load_specs
from generator.core.errors import SpecError, SpecErrors, UsageError
from generator.core.resources import Obj
from generator.diff.objects import ObjectChange, diff_objects
from generator.spec.loader import CLUSTERS_DIR, LoadedSpec


@dataclass
class ClusterPlan:
    cluster: str
    status: str  # added | removed | changed | unchanged
    objects: list[ObjectChange] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.objects if o.status == status)

    def as_dict(self) -> dict:
        return {
            "cluster": self.cluster,
            "status": self.status,
            "summary": {s: self.count(s) for s in ("added", "removed", "changed")},
            "objects": [o.as_dict() for o in self.objects],
        }


@dataclass
class Plan:
    against: str
    clusters: list[ClusterPlan]

    @property
    def changed(self) -> bool:
        return any(c.status != "unchanged" for c in self.clusters)

    def as_dict(self) -> dict:
        return {"against": self.against, "changed": self.changed, "clusters": [c.as_dict() for c in self.clusters]}


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True)
    except FileNotFoundError:
        raise UsageError("git not found on PATH") from None


def export_specs(repo: Path, rev: str, dest: Path) -> bool:
    """Write clusters/ as of `rev` under `dest`; False when the revision has no clusters/."""
    check = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if check.returncode != 0:
        raise UsageError(f"--against {rev}: not a git revision in {repo}")
    if not _git(repo, "ls-tree", "-d", "--name-only", rev, "--", CLUSTERS_DIR).stdout.strip():
        return False
    archive = _git(repo, "archive", "--format=tar", rev, "--", CLUSTERS_DIR)
    if archive.returncode != 0:
        raise UsageError(f"git archive {rev}: {archive.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return True


def _load(root: Path, names: list[str] | None) -> dict[str, LoadedSpec]:
    present = {p.stem for p in (root / CLUSTERS_DIR).glob("*.yaml") if not p.name.startswith("_")}
    wanted = sorted(present if names is None else present & set(names))
    return {s.name: s for s in load_specs(root, wanted)} if wanted else {}


def _objects(spec: LoadedSpec) -> list[Obj]:
    return [o for objs in build_units(spec.spec).values() for o in objs]


def plan(repo: Path, rev: str, names: list[str] | None = None) -> Plan:
    current = _load(repo, names)
    with tempfile.TemporaryDirectory(prefix="rhoai-gitops-plan-") as tmp:
        if export_specs(repo, rev, Path(tmp)):
            try:
                before = _load(Path(tmp), names)
            except SpecErrors as exc:
                # Name the revision: these are errors in the old specs, not the working tree's.
                raise SpecErrors(
                    [SpecError(f"{rev}:{e.file}", e.line, e.column, e.path, e.message) for e in exc.errors]
                ) from None
        else:
            before = {}
    if names:
        unknown = sorted(set(names) - set(current) - set(before))
        if unknown:
            raise UsageError(f"no spec for cluster(s) {', '.join(unknown)} in the working tree or at {rev}")
    clusters = []
    for name in sorted(set(current) | set(before)):
        old = _objects(before[name]) if name in before else []
        new = _objects(current[name]) if name in current else []
        changes = diff_objects(old, new)
        status = (
            "added"
            if name not in before
            else "removed"
            if name not in current
            else "changed"
            if changes
            else "unchanged"
        )
        clusters.append(ClusterPlan(name, status, changes))
    return Plan(rev, clusters)
