"""drift with Argo CD's comparison settings: read from the ArgoCD instance the bundle's bootstrap
unit renders, or from an argocd-cm ConfigMap given with --argocd-cm (generator/diff/settings.py).
The translated Argo CD cases (tests/fixtures/argocd-diff/, test_argocd_diff_cases.py) check the
verdicts; this checks the command reads the settings where they are."""

from __future__ import annotations

import copy

import pytest

from generator.argocd.bootstrap import build as bootstrap_objects
from generator.build import build_units
from generator.cli import main
from generator.core import yamlio
from generator.diff import settings
from generator.diff.drift import IN_SYNC, OUT_OF_SYNC, compare, desired_objects
from generator.spec.loader import load_specs

from conftest import render_to_disk

QUOTA = "spec.resourceGroups[flavors=a100+default-flavor].flavors[name=a100].resources[name=memory].nominalQuota"


def _find(objs, kind, name):
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


def _webhook_canonical(live):
    """What Kueue's defaulting webhook stores for the risk team's a100 memory: `1024Gi` as `1Ti`."""
    for group in _find(live, "ClusterQueue", "risk")["spec"]["resourceGroups"]:
        for flavor in group["flavors"]:
            for r in flavor["resources"]:
                if flavor["name"] == "a100" and r["name"] == "memory":
                    assert r["nominalQuota"] == "1024Gi"
                    r["nominalQuota"] = "1Ti"


@pytest.fixture
def rendered(repo):
    spec = repo / "clusters" / "prod-aws.yaml"
    text = spec.read_text()
    # the risk team's a100 memory, written as 1024Gi
    spec.write_text(
        text.replace(
            "memory: {nominal: 1Ti}\n            nvidia.com/gpu: {nominal: 8, borrowingLimit: 4",
            "memory: {nominal: 1024Gi}\n            nvidia.com/gpu: {nominal: 8, borrowingLimit: 4",
            1,
        )
    )
    render_to_disk(repo, ["prod-aws", "edge-baremetal"])
    return repo


def _export(objs, path):
    path.write_text("".join("---\n" + yamlio.dumps(o) for o in objs), encoding="utf-8")
    return path


def _drift(repo, cluster, live, *extra) -> int:
    return main(["--repo", str(repo), "drift", cluster, "--live-from", str(live), *map(str, extra)])


def test_the_bundles_argocd_instance_compares_kueue_quotas_by_value(rendered, tmp_path, capsys):
    desired = desired_objects(rendered, "prod-aws")
    live = copy.deepcopy(desired)
    _webhook_canonical(live)
    exported = _export(live, tmp_path / "live.yaml")
    capsys.readouterr()
    # Argo CD's defaults: a custom resource's field is compared as written, so 1024Gi != 1Ti
    assert _drift(rendered, "prod-aws", exported) == 1
    assert f'{QUOTA}: desired "1024Gi", live "1Ti"' in capsys.readouterr().out
    # the instance the bootstrap unit renders declares the ClusterQueue's quantities known types
    instance = rendered / "overlays" / "edge-baremetal" / "bootstrap" / "argocd-openshift-gitops.yaml"
    assert _drift(rendered, "prod-aws", exported, "--argocd-cm", instance) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == f"  compared with Argo CD's settings from {instance} (ArgoCD openshift-gitops)"
    # and what the webhook does not rewrite stays drift under those settings
    _find(live, "ResourceFlavor", "a100")["spec"]["tolerations"] = []
    assert _drift(rendered, "prod-aws", _export(live, exported), "--argocd-cm", instance) == 1


def test_a_cluster_that_bootstraps_is_compared_with_its_own_instance_by_default(rendered, tmp_path, capsys):
    desired = desired_objects(rendered, "edge-baremetal")
    exported = _export(desired, tmp_path / "live.yaml")
    capsys.readouterr()
    assert _drift(rendered, "edge-baremetal", exported, "--output", "json") == 0
    assert '"argocdSettings": "overlays/edge-baremetal/bootstrap (ArgoCD openshift-gitops)"' in capsys.readouterr().out
    (edge,) = load_specs(rendered, ["edge-baremetal"])
    instance = _find(bootstrap_objects(edge.spec, build_units(edge.spec)), "ArgoCD", "openshift-gitops")
    read = settings.from_objects([instance], "x")
    assert [f.field for f in read.options().known_type_fields] == [
        "spec.resourceGroups.flavors.resources.nominalQuota",
        "spec.resourceGroups.flavors.resources.borrowingLimit",
        "spec.resourceGroups.flavors.resources.lendingLimit",
        "spec.predictor.model.resources",  # the model kinds' (data/serving.yaml)
        "spec.template",
    ]


def test_an_argocd_cm_configmap_with_ignore_differences_and_compare_options(rendered, tmp_path, capsys):
    desired = desired_objects(rendered, "prod-aws")
    live = copy.deepcopy(desired)
    _find(live, "ResourceFlavor", "a100")["spec"]["tolerations"] = []
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "argocd-cm", "namespace": "openshift-gitops"},
        "data": {
            "resource.customizations.ignoreDifferences.kueue.x-k8s.io_ResourceFlavor": "jsonPointers:\n- /spec/tolerations\n",
            "resource.customizations.health.kueue.x-k8s.io_ResourceFlavor": "hs = {}\nreturn hs\n",
            "resource.compareoptions": "ignoreAggregatedRoles: true\nignoreResourceStatusField: crd\n",
        },
    }
    given = _export([cm], tmp_path / "argocd-cm.yaml")
    exported = _export(live, tmp_path / "live.yaml")
    capsys.readouterr()
    assert _drift(rendered, "prod-aws", exported, "--argocd-cm", given) == 0
    read = settings.from_objects([cm], "x")
    assert read.options().ignore_aggregated_roles and read.options().ignore_resource_status == "crd"
    # status: compared under crd for an object of another kind whose manifest declares it
    want = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "namespace": "n"},
        "spec": {"ports": [{"port": 80}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.2"}]}},
    }
    have = {**copy.deepcopy(want), "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}}}
    assert compare("c", [want], [have], [], read.options()).objects[0].status == OUT_OF_SYNC
    assert compare("c", [want], [have], []).objects[0].status == IN_SYNC


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"resource.customizations.unknownType.apps_Deployment": "x"},
            "resource customization type 'unknownType' is not one Argo CD knows",
        ),
        (
            {"resource.customizations.ignoreDifferences.a_b_c": "jsonPointers: [/spec]"},
            "the key must end in .<group>_<Kind>",
        ),
        ({"resource.compareoptions": "ignoreAggregatedRoles: [unclosed"}, "data[resource.compareoptions]: is not YAML"),
    ],
)
def test_settings_argo_cd_refuses_are_usage_errors(rendered, tmp_path, capsys, data, message):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "argocd-cm"}, "data": data}
    given = _export([cm], tmp_path / "argocd-cm.yaml")
    exported = _export(desired_objects(rendered, "prod-aws"), tmp_path / "live.yaml")
    capsys.readouterr()
    assert _drift(rendered, "prod-aws", exported, "--argocd-cm", given) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_argocd_cm_file_that_holds_no_settings(rendered, tmp_path, capsys):
    exported = _export(desired_objects(rendered, "prod-aws"), tmp_path / "live.yaml")
    other = _export([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other"}}], tmp_path / "other.yaml")
    capsys.readouterr()
    assert _drift(rendered, "prod-aws", exported, "--argocd-cm", other) == 2
    assert "holds no ConfigMap named argocd-cm and no ArgoCD object" in capsys.readouterr().err
    assert _drift(rendered, "prod-aws", exported, "--argocd-cm", tmp_path / "nope.yaml") == 2
    assert "no such file" in capsys.readouterr().err
