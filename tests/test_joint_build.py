"""The joint build (one kustomize run per overlay, split by origin) gives every Argo CD source
path exactly what building that path alone gives: over every example cluster, over the shapes it
must refuse to split, and over generated kustomization trees."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core import yamlio
from generator.joint_build import build_groups, plan, walk
from generator.kustomize import build_many
from generator.validate.pipeline import source_paths

from conftest import EXAMPLES, PROJECT


def separately(paths: list[Path]) -> list:
    return [(r.ok, r.objects()) for r in build_many(paths)]


def jointly(paths: list[Path]) -> list:
    return [(r.ok, r.objects()) for r in build_groups([paths])[0]]


def test_every_example_path_builds_as_alone():
    rendered = PROJECT  # the committed bundle (`make check` keeps it current)
    groups = [[rendered / p for p in source_paths(rendered, name)] for name in EXAMPLES]
    for paths, results in zip(groups, build_groups(groups)):
        assert [(r.ok, r.objects()) for r in results] == separately(paths)
        # The overlay's units came from the joint run (not path by path), or this proves nothing.
        joint = {Path(r.path).name for r in results if r.parsed is not None}
        assert joint >= {p.name for p in paths if p.name not in ("argocd", "bootstrap")}, paths[0]
        assert all(r.ok for r in results)


def test_the_bootstrap_repeating_egress_objects_is_a_run_of_its_own():
    rendered = PROJECT
    # The disconnected example's bootstrap folder holds the egress unit's objects again; one
    # build of both would refuse the duplicates.
    paths = [rendered / p for p in source_paths(rendered, "edge-baremetal")]
    assert any(p.name == "bootstrap" for p in paths)
    runs = plan([str(p) for p in paths])
    assert [str(rendered / "overlays/edge-baremetal/bootstrap")] in runs
    assert jointly(paths) == separately(paths)


def kustomization(folder: Path, **fields) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kustomization.yaml").write_text(yamlio.dumps(fields))
    return folder


def configmap(folder: Path, name: str, value: str = "1") -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(
        yamlio.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"v": value}})
    )
    return f"{name}.yaml"


def two_units(root: Path, **top_fields) -> list[Path]:
    a = kustomization(root / "a", resources=[configmap(root / "a", "a")])
    b = kustomization(root / "b", resources=[configmap(root / "b", "b")])
    top = kustomization(root, resources=["a", "b"], **top_fields)
    return [top, a, b]


def test_a_transforming_overlay_is_not_split(tmp_path):
    paths = two_units(tmp_path, namePrefix="x-", commonLabels={"team": "t"})
    results = build_groups([paths])[0]
    assert [r.parsed for r in results[1:]] == [None, None]  # built alone: the prefix is the top's
    assert [(r.ok, r.objects()) for r in results] == separately(paths)
    assert results[0].objects()[0]["metadata"]["name"] == "x-a" and results[1].objects()[0]["metadata"]["name"] == "a"


def test_a_folder_reached_twice_is_not_split(tmp_path):
    # Both units patch the same base object to different names: one origin, two paths.
    base = kustomization(tmp_path / "base", resources=[configmap(tmp_path / "base", "cm")])
    units = []
    for name in ("a", "b"):
        unit = tmp_path / "top" / name
        unit.mkdir(parents=True)
        (unit / "rename.yaml").write_text(
            yamlio.dumps([{"op": "replace", "path": "/metadata/name", "value": f"cm-{name}"}])
        )
        units.append(
            kustomization(
                unit, resources=["../../base"], patches=[{"path": "rename.yaml", "target": {"kind": "ConfigMap"}}]
            )
        )
    top = kustomization(tmp_path / "top", resources=["a", "b"])
    assert walk([str(top)]) is None and base.is_dir()
    paths = [top, *units]
    results = build_groups([paths])[0]
    assert all(r.parsed is None for r in results)
    assert [(r.ok, r.objects()) for r in results] == separately(paths)


@pytest.mark.parametrize("own", [{"sortOptions": {"order": "fifo"}}, {"buildMetadata": ["originAnnotations"]}])
def test_a_unit_with_its_own_output_order_or_annotations_is_built_alone(tmp_path, own):
    paths = two_units(tmp_path)
    configmap(tmp_path / "b", "a-second")
    kustomization(tmp_path / "b", resources=["b.yaml", "a-second.yaml"], **own)
    results = build_groups([paths])[0]
    assert [(r.ok, r.objects()) for r in results] == separately(paths)
    assert results[2].parsed is None


def test_a_file_listed_by_the_overlay_inside_a_unit_folder_goes_to_the_overlay_only(tmp_path):
    paths = two_units(tmp_path)
    configmap(tmp_path / "a", "extra")
    kustomization(tmp_path, resources=["a", "b", "a/extra.yaml"])
    assert jointly(paths) == separately(paths)
    assert len(jointly(paths)[0][1]) == 3 and len(jointly(paths)[1][1]) == 1


def test_generated_objects_follow_their_kustomization(tmp_path):
    paths = two_units(tmp_path)
    kustomization(tmp_path / "b", resources=["b.yaml"], configMapGenerator=[{"name": "gen", "literals": ["k=v"]}])
    results = build_groups([paths])[0]
    assert results[2].parsed is not None and len(results[2].objects()) == 2
    assert [(r.ok, r.objects()) for r in results] == separately(paths)


def test_a_broken_unit_gives_each_path_its_own_error(tmp_path):
    paths = two_units(tmp_path)
    kustomization(tmp_path / "b", resources=["missing.yaml"])
    results = build_groups([paths])[0]
    assert [r.ok for r in results] == [False, True, False]
    assert "missing.yaml" in results[2].output and results[1].objects() == separately([paths[1]])[0][1]


def test_remote_and_unreadable_kustomizations_are_not_walked(tmp_path):
    remote = kustomization(tmp_path / "r", resources=["https://github.com/example/repo//config?ref=v1"])
    assert walk([str(remote)]) is None
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "kustomization.yaml").write_text("resources: [unclosed\n")
    assert walk([str(bad)]) is None


# --------------------------------------------------------------------------- generated trees

TRANSFORMS = st.sampled_from(
    [{}, {}, {"namePrefix": "p-"}, {"commonLabels": {"l": "x"}}, {"namespace": "ns"}, {"commonAnnotations": {"a": "y"}}]
)
unit = st.fixed_dictionaries(
    {
        "objects": st.lists(st.sampled_from(["c1", "c2", "c3"]), min_size=0, max_size=2, unique=True),
        "base": st.sampled_from([None, "b1", "b2"]),
        "child": st.booleans(),
        "transform": TRANSFORMS,
        "generator": st.booleans(),
    }
)
tree = st.fixed_dictionaries(
    {
        "units": st.lists(unit, min_size=1, max_size=3),
        "top": TRANSFORMS,
        "own": st.lists(st.sampled_from(["t1", "c1"]), max_size=1),
        "second_top": st.booleans(),
    }
)


def make_tree(root: Path, t: dict) -> list[Path]:
    for b in ("b1", "b2"):
        kustomization(root / "base" / b, resources=[configmap(root / "base" / b, f"base-{b}")])
    top = root / "o"
    paths = [top]
    names = []
    for i, u in enumerate(t["units"]):
        folder = top / f"u{i}"
        resources = [configmap(folder, f"{o}", value=str(i)) for o in u["objects"]]
        if u["base"]:
            resources.append(f"../../base/{u['base']}")
        if u["child"]:
            kustomization(folder / "child", resources=[configmap(folder / "child", f"child{i}")])
            resources.append("child")
        fields = dict(resources=resources, **u["transform"])
        if u["generator"]:
            fields["configMapGenerator"] = [{"name": f"gen{i}", "literals": [f"k={i}"]}]
        paths.append(kustomization(folder, **fields))
        names.append(f"u{i}")
    kustomization(top, resources=names + [configmap(top, o) for o in t["own"]], **t["top"])
    if t["second_top"]:
        paths.append(kustomization(root / "other", resources=[configmap(root / "other", "c1")]))
    return paths


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(t=tree)
def test_generated_trees_build_as_alone(tmp_path_factory, t):
    root = tmp_path_factory.mktemp("tree")
    try:
        paths = make_tree(root, t)
        assert jointly(paths) == separately(paths)
    finally:
        shutil.rmtree(root)


@pytest.mark.parametrize("shape", ["plain", "prefixed"])
def test_a_plain_overlay_over_plain_units_is_one_run(tmp_path, shape):
    paths = two_units(tmp_path, **({"namePrefix": "x-"} if shape == "prefixed" else {}))
    results = build_groups([paths])[0]
    assert (results[1].parsed is not None) == (shape == "plain")
