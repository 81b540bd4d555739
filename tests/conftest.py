"""Shared fixtures: an isolated copy of the example repo, the shipped upstream schemas (each
release's own for the platform's kinds), and helpers to render and build a spec."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from generator.argocd.fleet import FleetMember, fleet_folders
from generator.build import base_of, render_base, render_cluster
from generator.build import load_spec_text as fitted_spec_text
from generator.bundle import Folder
from generator.core import yamlio
from generator.facts import releases
from generator.kustomize import build
from generator.pipeline import render_fleet
from generator.spec.loader import LoadedSpec, load_specs, read_defaults
from generator.store.cache import CACHE_ENV, cache_root
from generator.store.tree import generated_roots
from generator.validate import cel
from generator.validate.schemas import import_crds
from generator.validate.validator import SchemaValidator

PROJECT = Path(__file__).resolve().parents[1]
# The steering repository's upstream data: CI has it beside the checkout, a user's clone does
# not. Tests that read it (currency of the shipped data against upstream, `schemas import` of
# upstream CRDs) are marked `upstream`: `make test` leaves them out, `make test-upstream` (which
# CI runs too) runs them and fails, never skips, without the data.
SHARED = Path(os.environ.get("RHOAI_GITOPS_SHARED", PROJECT.parent / "shared"))
SHARED_CRDS = SHARED / "crds"


def needs_shared() -> None:
    if not (SHARED / "upstream").is_dir():
        pytest.fail(
            f"no upstream data at {SHARED}: this is an `upstream` test (make test-upstream), which needs the "
            "steering repository's shared/ beside the checkout, or RHOAI_GITOPS_SHARED naming it"
        )


# Render cache and compiled validators of every test (and the CLI processes tests start) go to
# one throw-away folder, not the user's ~/.cache; removed when the session ends (a run leaves
# about 400 MB there).
_TEST_CACHE = None if "RHOAI_GITOPS_CACHE" in os.environ else tempfile.mkdtemp(prefix="rhoai-gitops-test-cache-")
if _TEST_CACHE:
    os.environ["RHOAI_GITOPS_CACHE"] = _TEST_CACHE


def pytest_sessionfinish(session, exitstatus):
    if _TEST_CACHE:
        shutil.rmtree(_TEST_CACHE, ignore_errors=True)


# validate's compiled schema validators and Kubernetes core schemas are named by the digest of
# their content (validate.validator, validate.core), so one folder of them serves every test
# repository: compiling them again for each tmp_path copy (cache_root is keyed by the
# repository's path) was most of a test's validate. Written atomically, shared by the workers.
_SHARED_SCHEMA_CACHES = ("validators", "schemas")
# The tests' own validators compile into the same folder.
COMPILED_VALIDATORS = Path(os.environ[CACHE_ENV]) / "shared" / "validators"


def share_schema_caches(repo: Path) -> Path:
    """Point `repo`'s compiled-validator and core-schema caches at the run's shared ones (what
    any repository would compile from the same schemas); its render and verdict caches stay its
    own. Returns `repo`."""
    root = cache_root(repo)
    root.mkdir(parents=True, exist_ok=True)
    for name in _SHARED_SCHEMA_CACHES:
        shared = Path(os.environ[CACHE_ENV]) / "shared" / name
        shared.mkdir(parents=True, exist_ok=True)
        if not (root / name).exists():
            (root / name).symlink_to(shared, target_is_directory=True)
    return repo


def copy_repo(src: Path, dest: Path) -> Path:
    """A copy of a rendered repository that validates like its source without judging again what
    the copy did not change: the files (mtimes kept, so the render cache's stats hold) and the
    source's render and verdict caches (keyed by content, so an edited cluster, policy or shared
    root is a miss and judged afresh)."""
    shutil.copytree(src, dest, symlinks=True)
    for cache in ("render", "verdicts"):
        if (cache_root(src) / cache).is_dir():
            shutil.copytree(cache_root(src) / cache, cache_root(dest) / cache)
    return share_schema_caches(dest)


# What every spec of the example repository is merged over (its argocd.repoURL): a spec text in
# a test stands for a file in that repository.
EXAMPLE_DEFAULTS = read_defaults(PROJECT)


def load_spec_text(text: str, source: str, defaults=EXAMPLE_DEFAULTS):
    """A spec loaded and fitted to its release (the release fit, the stage after loading), as a
    render loads it."""
    return fitted_spec_text(text, source, defaults)


EXAMPLES = sorted(p.stem for p in (PROJECT / "clusters").glob("*.yaml") if not p.name.startswith("_"))


@pytest.fixture(scope="session")
def crd_schema_dir(tmp_path_factory) -> Path:
    """The upstream CRDs of ../shared/crds imported by `schemas import` (the user's path)."""
    needs_shared()
    out = tmp_path_factory.mktemp("crd-schemas")
    import_crds([SHARED_CRDS], out)
    return out


def validator_for(spec) -> SchemaValidator:
    """The shipped schemas a cluster of `spec` is validated against: its release's own for the
    platform's kinds, the other operators' for the rest."""
    return SchemaValidator([spec.release.schema_files(), releases.common_schema_files()], cache=COMPILED_VALIDATORS)


@pytest.fixture(scope="session")
def crd_validator() -> SchemaValidator:
    """The shipped schemas of every non-platform kind the bundle renders."""
    return SchemaValidator([releases.common_schema_files()], cache=COMPILED_VALIDATORS)


def assert_valid(validator: SchemaValidator, objs: list[dict]) -> None:
    """Every object validates strictly against its upstream schema (which must exist) and
    passes its CEL rules."""
    problems = []
    for o in objs:
        assert validator.has_schema(o), f"no upstream CRD schema for {o['apiVersion']} {o['kind']}"
        problems += validator.problems(o)
        problems += [f"{o['kind']} {f.path}: {f.message} ({f.rule})" for f in cel.check(validator.schema(o), o)]
    assert not problems, "\n".join(map(str, problems))


def example_repo(dest: Path) -> Path:
    """A scratch GitOps repo at `dest` holding the example specs and policies (nothing rendered)."""
    shutil.copytree(PROJECT / "clusters", dest / "clusters")
    shutil.copytree(PROJECT / "schemas", dest / "schemas", ignore=shutil.ignore_patterns("crds"))
    return share_schema_caches(dest)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A scratch GitOps repo holding the example specs (and nothing rendered)."""
    return example_repo(tmp_path)


def write_spec(repo: Path, name: str, text: str) -> Path:
    path = repo / "clusters" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def kustomize_objects(path: Path) -> list[dict]:
    result = build(path)
    assert result.ok, f"kustomize build {path} failed:\n{result.output}"
    return yamlio.loads_all(result.output)


def fresh_copy(dest: Path) -> None:
    """A fresh checkout: the files git knows, as they are in the working tree, plus the set-up
    `make setup` made (shared, since creating it again is a network install)."""
    files = subprocess.run(["git", "-C", str(PROJECT), "ls-files", "-z"], capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = PROJECT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    for shared in (".venv", "node_modules"):
        if (PROJECT / shared).is_dir():
            # The set-up's contents, linked; its own stamp, so make sees it done for this copy
            # and never re-installs into this checkout's environment from the copy.
            (dest / shared).mkdir()
            for entry in (PROJECT / shared).iterdir():
                if entry.name != ".installed":
                    (dest / shared / entry.name).symlink_to(entry)
            (dest / shared / ".installed").touch()
    share_schema_caches(dest)


def render_to_disk(repo: Path, names: list[str] | None = None) -> list[LoadedSpec]:
    """Render as `rhoai-gitops render` does (pipeline.render_fleet: stage, swap in, record in the
    render cache; the one write path), in this process; returns the specs rendered."""
    render_fleet(repo, names, jobs=1)
    return load_specs(repo, names)


def folders_in_memory(repo: Path) -> tuple[list[Folder], list[str]]:
    """Every folder a full render of `repo` makes, built in memory from its parts (nothing
    written), and the generated roots it would remove: the oracle the write path is compared with."""
    specs = load_specs(repo)
    folders = [render_base(b) for b in sorted({base_of(s.spec) for s in specs})] + [render_cluster(s) for s in specs]
    by_source = {s.source: s for s in specs}
    members = [FleetMember.of(s) for s in specs if s.spec.argocd.fleet.enabled]
    folders += fleet_folders(members, lambda m: by_source[m.source].positions)
    produced = {f.root for f in folders}
    return folders, [r for r in generated_roots(repo) if r not in produced]
