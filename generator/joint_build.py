"""One kustomize run for all of a cluster's Argo CD source paths, split back per path.

Argo CD syncs a cluster's overlay (`overlays/<c>`, which lists its unit folders as resources)
and each unit folder on its own, so validate must know each one's build: about 17 kustomize
processes a cluster, which bound validate's time. Kustomize builds a folder named under
`resources` as a whole build of its own and then applies the including kustomization's
transformations to the result; a kustomization with nothing but `resources` applies none. So
when everything above a source path is such a plain list, the objects the path contributes to
the overall build are exactly its own build, in the same relative order (kustomize sorts the
output by a total order on object ids).

Here a cluster's paths are built once, through a wrapper kustomization that names the topmost
of them and asks kustomize to record each object's origin (`buildMetadata: [originAnnotations]`:
the file it was read from, or the kustomization whose generator made it); each object then goes
to every source path whose folder tree listed that origin, with the annotation removed.

The split is used only where it is provably the same as separate builds:
- the folders reachable from the wrapper form a tree: no folder and no resource file is listed
  twice (otherwise the same origin can reach two paths, differently transformed);
- no kustomization in it sets its own output order or build annotations (`sortOptions`,
  `buildMetadata`), which a standalone build of it would show and the joint one would not;
- every kustomization above a source path in that tree lists resources and nothing else;
- nothing is remote, and every object's origin is one of the files or generator kustomizations
  the walk found.
When the joint build fails (two topmost paths may hold the same object), each topmost path is
run with the paths below it; otherwise, or when that fails too, the paths are built one by one
(build_many), which also gives each failing path its own error. `tests/test_joint_build.py` proves the split
equal to separate builds of every source path of every example cluster.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from generator.core import yamlio
from generator.kustomize import KUSTOMIZATION_FILES, BuildResult, build, build_many

ORIGIN = "config.kubernetes.io/origin"
# What a kustomization may hold and still add nothing to the builds of the folders it lists.
PLAIN_KEYS = {"apiVersion", "kind", "resources"}
_LISTS = ("resources", "bases", "components")
# What makes a kustomization's own build differ from its objects in an including build, wherever
# it is in the tree: its own output order, or build annotations (origin ones we remove).
OWN_OUTPUT_KEYS = {"sortOptions", "buildMetadata"}


def _kustomization(folder: str) -> str | None:
    for name in KUSTOMIZATION_FILES:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


@dataclass
class Tree:
    """The folders (kustomizations) reachable from a set of top folders, as a tree."""

    parent: dict[str, str | None] = field(default_factory=dict)  # folder -> including folder
    plain: dict[str, bool] = field(default_factory=dict)  # folder -> lists resources only
    owner: dict[str, str] = field(default_factory=dict)  # resource file or kustomization -> folder

    def chain(self, folder: str | None) -> list[str]:
        """The folder and every folder above it."""
        out = []
        while folder is not None:
            out.append(folder)
            folder = self.parent[folder]
        return out


def walk(tops: list[str]) -> Tree | None:
    """The tree below `tops` (absolute, normalised folders); None when it is not one, or when a
    kustomization is unreadable or names something remote."""
    tree = Tree()
    todo: list[tuple[str, str | None]] = [(t, None) for t in tops]
    while todo:
        folder, parent = todo.pop()
        if folder in tree.parent:
            return None  # reached twice
        kfile = _kustomization(folder)
        if kfile is None:
            return None
        try:
            with open(kfile, encoding="utf-8") as fh:
                data = yamlio.loads(fh.read())
        except Exception:  # unreadable: kustomize will say why, path by path
            return None
        if not isinstance(data, dict) or OWN_OUTPUT_KEYS & set(data):
            return None
        tree.parent[folder] = parent
        tree.plain[folder] = set(data) <= PLAIN_KEYS
        tree.owner[kfile] = folder
        for key in _LISTS:
            entries = data.get(key) or []
            if not isinstance(entries, list):
                return None
            for entry in entries:
                if not isinstance(entry, str) or "://" in entry or entry.startswith(("github.com/", "git@")):
                    return None
                target = os.path.normpath(os.path.join(folder, entry))
                if os.path.isdir(target):
                    todo.append((target, folder))
                elif target in tree.owner:
                    return None  # one file listed twice
                else:
                    tree.owner[target] = folder
    return tree


def _origin_file(obj: dict, wrapper: str) -> str | None:
    """The absolute file an object came from (a resource file, or the kustomization whose
    generator made it), read from and removed with its origin annotation."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return None
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict) or ORIGIN not in annotations:
        return None
    try:
        origin = yamlio.loads(annotations.pop(ORIGIN))
    except Exception:
        return None
    if not annotations:
        del meta["annotations"]  # kustomize itself drops an empty map
    if not isinstance(origin, dict) or origin.get("repo"):
        return None
    rel = origin.get("path") or origin.get("configuredIn")
    return os.path.normpath(os.path.join(wrapper, rel)) if isinstance(rel, str) else None


def _wrapper_text(wrapper: str, tops: list[str]) -> str:
    # Kustomize refuses absolute folder paths: each top is named relative to the wrapper.
    return yamlio.dumps(
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [os.path.relpath(t, wrapper) for t in tops],
            "buildMetadata": ["originAnnotations"],
        }
    )


def _split(tops: list[str], paths: list[str], scratch: str) -> list[BuildResult] | None:
    """The builds of `paths` (absolute, normalised; each is or is below one of `tops`) from one
    kustomize run; None when the split would not be provably equal to separate builds, or the
    run fails."""
    tree = walk(tops)
    if tree is None or not all(all(tree.plain[a] for a in tree.chain(p)[1:]) for p in paths):
        return None  # not a tree, or something above a path transforms what the path builds
    wrapper = tempfile.mkdtemp(dir=scratch)
    with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as fh:
        fh.write(_wrapper_text(wrapper, tops))
    joint = build(wrapper)
    if not joint.ok:
        return None  # built path by path, each with its own error
    per_path: dict[str, list[dict]] = {p: [] for p in paths}
    for obj in joint.objects():
        origin = _origin_file(obj, wrapper) if isinstance(obj, dict) else None
        folder = tree.owner.get(origin) if origin else None
        if folder is None:
            return None
        for above in tree.chain(folder):
            if above in per_path:
                per_path[above].append(obj)
    return [BuildResult(p, True, "", parsed=per_path[p]) for p in paths]


def plan(paths: list[str]) -> list[list[str]]:
    """The group's paths as runs: each topmost path (one no other path of the group includes)
    first, then the paths below it; a path in a cycle alone (kustomize will say why)."""
    reach: dict[str, set[str]] = {}
    for p in paths:
        below = walk([p])
        reach[p] = set(below.parent) if below is not None else {p}
    tops = [p for p in paths if not any(p in reach[q] for q in paths if q != p)]
    runs = [[t, *(p for p in paths if p != t and p in reach[t])] for t in tops]
    placed = {p for r in runs for p in r}
    return runs + [[p] for p in paths if p not in placed]


def _joint(
    attempts: list[tuple[int, list[str], list[str]]],
    scratch: str,
    jobs: int | None,
    results: list[dict[str, BuildResult]],
) -> list[tuple[int, list[str], list[str]]]:
    """Run each (group, tops, paths) attempt; the ones that could not be split come back."""
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
        splits = list(pool.map(lambda a: _split(a[1], a[2], scratch), attempts))
    for (i, _, paths), split in zip(attempts, splits):
        if split is not None:
            results[i].update(zip(paths, split))
    return [a for a, split in zip(attempts, splits) if split is None]


def build_groups(groups: list[list[Path]], jobs: int | None = None) -> list[list[BuildResult]]:
    """Build each group's paths (a group: one cluster's source paths), in the order given.

    First one kustomize run for the whole group (its topmost paths side by side in the wrapper);
    where that fails, as when two topmost paths hold the same object (a bootstrap folder repeats
    the egress unit's objects, which one build refuses), one run per topmost path and the paths
    below it; every path left is built on its own (build_many, which builds equal inputs once),
    so a failing path gets its own error."""
    normal = [[os.path.normpath(os.path.realpath(p)) for p in g] for g in groups]
    plans = [plan(g) for g in normal]
    results: list[dict[str, BuildResult]] = [{} for _ in groups]
    with tempfile.TemporaryDirectory(prefix="rhoai-gitops-build-") as scratch:
        whole = [(i, [r[0] for r in runs], [p for r in runs for p in r]) for i, runs in enumerate(plans)]
        failed = _joint([a for a in whole if len(a[2]) > 1], scratch, jobs, results)
        _joint(
            [(i, [r[0]], r) for i, _, _ in failed if len(plans[i]) > 1 for r in plans[i] if len(r) > 1],
            scratch,
            jobs,
            results,
        )
        alone = [(i, p) for i, g in enumerate(normal) for p in g if p not in results[i]]
        for (i, p), result in zip(alone, build_many([p for _, p in alone], jobs)):
            results[i][p] = result
    return [
        [
            BuildResult(str(p), results[i][n].ok, results[i][n].output, parsed=results[i][n].parsed)
            for p, n in zip(g, normal[i])
        ]
        for i, g in enumerate(groups)
    ]
