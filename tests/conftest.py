"""Shared fixtures: an isolated copy of the example repo, the real upstream CRDs as schemas,
and helpers to render and build a spec."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from generator import yamlio
from generator.kustomize import build
from generator.validate.schemas import import_crds
from generator.validate.validator import SchemaValidator

PROJECT = Path(__file__).resolve().parents[1]
SHARED_CRDS = Path(os.environ.get("RHOAI_GITOPS_SHARED_CRDS", PROJECT.parent / "shared" / "crds"))
# Render cache and compiled validators of every test (and the CLI processes tests start) go to
# one throw-away folder, not the user's ~/.cache.
os.environ.setdefault("RHOAI_GITOPS_CACHE", tempfile.mkdtemp(prefix="rhoai-gitops-test-cache-"))

EXAMPLES = sorted(p.stem for p in (PROJECT / "clusters").glob("*.yaml") if not p.name.startswith("_"))


@pytest.fixture(scope="session")
def crd_schema_dir(tmp_path_factory) -> Path:
    if not SHARED_CRDS.is_dir():
        pytest.fail(f"upstream CRDs not found at {SHARED_CRDS} (set RHOAI_GITOPS_SHARED_CRDS)")
    out = tmp_path_factory.mktemp("crd-schemas")
    import_crds([SHARED_CRDS], out)
    return out


@pytest.fixture(scope="session")
def crd_validator(crd_schema_dir) -> SchemaValidator:
    return SchemaValidator([crd_schema_dir])


def assert_valid(validator: SchemaValidator, objs: list[dict]) -> None:
    """Every object validates strictly against its real upstream CRD (which must exist)."""
    problems = []
    for o in objs:
        assert validator.has_schema(o), f"no upstream CRD schema for {o['apiVersion']} {o['kind']}"
        problems += validator.problems(o)
    assert not problems, "\n".join(map(str, problems))


@pytest.fixture
def repo(tmp_path) -> Path:
    """A scratch GitOps repo holding the example specs (and nothing rendered)."""
    shutil.copytree(PROJECT / "clusters", tmp_path / "clusters")
    shutil.copytree(PROJECT / "schemas", tmp_path / "schemas", ignore=shutil.ignore_patterns("crds"))
    return tmp_path


def write_spec(repo: Path, name: str, text: str) -> Path:
    path = repo / "clusters" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def kustomize_objects(path: Path) -> list[dict]:
    result = build(path)
    assert result.ok, f"kustomize build {path} failed:\n{result.output}"
    return yamlio.loads_all(result.output)
