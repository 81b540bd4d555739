"""drift: the kustomize build of a rendered overlay against live objects exported the way the
API server returns them (defaults filled in, bookkeeping metadata, status, lists re-ordered,
quantities in other units). A faithful export is in sync; each real mutation is reported at
its exact field path."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.core import quantity, yamlio
from generator.core.resources import ident, ident_str
from generator.diff.drift import IN_SYNC, MISSING, ORPHANED, OUT_OF_SYNC, application_rules, compare, desired_objects
from generator.diff.live import read_exports
from generator.diff.normalize import IgnoreRule, jq_delete
from generator.diff.schema import kind_schema

from conftest import PROJECT, render_to_disk

CLUSTER = "prod-aws"
FIXTURES = Path(__file__).parent / "fixtures" / "live"
GPU_QUEUE = "spec.resourceGroups[flavors=a100+default-flavor].flavors[name=a100].resources[name=nvidia.com/gpu]"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    import shutil

    repo = tmp_path_factory.mktemp("drift-repo")
    shutil.copytree(PROJECT / "clusters", repo / "clusters")
    render_to_disk(repo, [CLUSTER])
    return repo


@pytest.fixture(scope="module")
def desired(rendered) -> list[dict]:
    return desired_objects(rendered, CLUSTER)


# --------------------------------------------------------------------------- the API server's way


def _fields_v1(value) -> dict:
    """The fieldsV1 ownership tree an apply of `value` records."""
    if isinstance(value, dict):
        return {f"f:{k}": _fields_v1(v) for k, v in value.items()}
    return {}


def _other_units(value):
    """The same quantity written differently (what a person or controller may have used)."""
    if isinstance(value, str) and value.isdigit():
        return f"{int(value) * 1000}m"
    if isinstance(value, str) and value.endswith("Gi") and value[:-2].isdigit():
        return f"{int(value[:-2]) * 1024}Mi"
    return value


def _reshuffle(node, schema_node=None):
    """Maps in reverse key order; lists the schema merges by key (map lists) reversed (a
    server keeps an atomic list, and what it holds, as applied); quantities of built-in types written in other
    units (the server stores a custom resource's quantity as given)."""
    if schema_node is not None and schema_node.quantity:
        return _other_units(node)
    if isinstance(node, dict):
        return {
            k: _reshuffle(node[k], schema_node.child(k) if schema_node is not None else None)
            for k in reversed(list(node))
        }
    if isinstance(node, list):
        keyed = schema_node is not None and schema_node.list_type().kind == "map"
        # an atomic list is kept whole, lists in its items included
        items = [_reshuffle(i, schema_node.item() if keyed else None) for i in node]
        return list(reversed(items)) if keyed else items
    return node


# What the API server or the operators fill in that the bundle does not set.
SERVER_DEFAULTS = {
    "Namespace": {"spec": {"finalizers": ["kubernetes"]}},
    "ClusterQueue": {
        "spec": {
            "flavorFungibility": {"whenCanBorrow": "Borrow", "whenCanPreempt": "TryNextFlavor"},
            "stopPolicy": "None",
        }
    },
    "LocalQueue": {"spec": {"stopPolicy": "None"}},
    "MachineSet": {"spec": {"deletePolicy": "Random"}},
    "Subscription": {"spec": {"config": {"resources": {}}}},
}


def _merge_defaults(o: dict, defaults: dict) -> None:
    for k, v in defaults.items():
        if isinstance(v, dict) and isinstance(o.get(k), dict):
            _merge_defaults(o[k], v)
        else:
            o.setdefault(k, copy.deepcopy(v))


def served(o: dict) -> dict:
    """`o` as `kubectl get -o yaml` returns it after Argo CD applied it."""
    live = _reshuffle(copy.deepcopy(o), kind_schema(o["apiVersion"], o["kind"]))
    _merge_defaults(live, SERVER_DEFAULTS.get(o["kind"], {}))
    uid = hashlib.sha256(ident_str(o).encode()).hexdigest()
    meta = live["metadata"]
    meta.update(
        {
            "uid": f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:32]}",
            "resourceVersion": str(int(uid[:6], 16)),
            "generation": 4,
            "creationTimestamp": "2025-01-14T09:12:44Z",
            "managedFields": [
                {
                    "apiVersion": o["apiVersion"],
                    "fieldsType": "FieldsV1",
                    "manager": "argocd-controller",
                    "operation": "Apply",
                    "time": "2025-01-14T09:12:44Z",
                    "fieldsV1": _fields_v1({k: v for k, v in o.items() if k not in ("apiVersion", "kind")}),
                },
            ],
        }
    )
    meta.setdefault("labels", {})["app.kubernetes.io/instance"] = (
        f"{CLUSTER}-{o['metadata']['labels'].get('rhoai-gitops.io/component', '')}"
    )
    meta.setdefault("annotations", {}).update(
        {
            "kubectl.kubernetes.io/last-applied-configuration": json.dumps(o, sort_keys=True),
            "argocd.argoproj.io/tracking-id": f"{CLUSTER}:{o['kind']}:{o['metadata'].get('namespace', '')}/{o['metadata']['name']}",
        }
    )
    live["status"] = {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2025-01-14T09:13:02Z"}]}
    return live


def export(objs: list[dict], folder: Path) -> Path:
    """Half the objects as one `kind: List` (kubectl get -o yaml), the rest one file each, in JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    half = len(objs) // 2
    (folder / "list.yaml").write_text(yamlio.dumps({"apiVersion": "v1", "kind": "List", "items": objs[:half]}))
    for i, o in enumerate(objs[half:]):
        (folder / f"object-{i:03d}.json").write_text(json.dumps(o, indent=2))
    return folder


def find(objs: list[dict], kind: str, name: str, namespace: str = "") -> dict:
    return next(
        o
        for o in objs
        if o["kind"] == kind and o["metadata"]["name"] == name and o["metadata"].get("namespace", "") == namespace
    )


def drifted(report) -> list:
    return [o for o in report.objects if o.status != IN_SYNC]


# --------------------------------------------------------------------------- faithful export


def test_faithful_export_is_in_sync(rendered, desired, tmp_path, capsys):
    live = [served(o) for o in desired]
    # The export really is what a server returns, not the desired objects again.
    assert all(o != served(o) for o in desired)
    assert list(find(live, "ClusterQueue", "risk")["spec"]) != list(find(desired, "ClusterQueue", "risk")["spec"])
    code = main(["--repo", str(rendered), "drift", CLUSTER, "--live-from", str(export(live, tmp_path / "live"))])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out == f"{CLUSTER}: {len(desired)} object(s): {len(desired)} in sync\n"


# --------------------------------------------------------------------------- mutations


def _change_quota(live):
    cq = find(live, "ClusterQueue", "risk")
    for group in cq["spec"]["resourceGroups"]:
        for flavor in group["flavors"]:
            for r in flavor["resources"]:
                if flavor["name"] == "a100" and r["name"] == "nvidia.com/gpu":
                    r["nominalQuota"] = "6"


def _remove_toleration(live):
    find(live, "ResourceFlavor", "a100")["spec"]["tolerations"] = []


def _change_label(live):
    find(live, "MachineSet", "prod-aws-7xk2p-gpu-l4-us-east-1a", "openshift-machine-api")["metadata"]["labels"][
        "rhoai-gitops.io/gpu-pool"
    ] = "a10g"


def _change_taint_value(live):
    ms = find(live, "MachineSet", "prod-aws-7xk2p-gpu-a100-us-east-1b", "openshift-machine-api")
    ms["spec"]["template"]["spec"]["taints"][0]["value"] = "false"


MUTATIONS = {
    "changed quota": (_change_quota, "ClusterQueue.kueue.x-k8s.io risk", f"{GPU_QUEUE}.nominalQuota", "8", "6"),
    "removed toleration": (
        _remove_toleration,
        "ResourceFlavor.kueue.x-k8s.io a100",
        "spec.tolerations[key=nvidia.com/gpu,effect=NoSchedule]",
        {"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Equal", "value": "true"},
        None,
    ),
    "changed label": (
        _change_label,
        "MachineSet.machine.openshift.io openshift-machine-api/prod-aws-7xk2p-gpu-l4-us-east-1a",
        'metadata.labels["rhoai-gitops.io/gpu-pool"]',
        "l4",
        "a10g",
    ),
    "changed taint": (
        _change_taint_value,
        "MachineSet.machine.openshift.io openshift-machine-api/prod-aws-7xk2p-gpu-a100-us-east-1b",
        "spec.template.spec.taints[key=nvidia.com/gpu,effect=NoSchedule].value",
        "true",
        "false",
    ),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_is_reported_at_its_field_path(rendered, desired, mutation):
    mutate, name, path, want, have = MUTATIONS[mutation]
    live = [served(o) for o in desired]
    mutate(live)
    report = compare(CLUSTER, desired, live, application_rules(rendered, CLUSTER))
    [obj] = drifted(report)
    assert (obj.name, obj.status) == (name, OUT_OF_SYNC)
    [field] = obj.fields
    assert field.path == path
    assert field.left == want
    assert (field.right if have is not None else field.change) == (have if have is not None else "removed")


def test_reordered_items_of_an_atomic_list_are_drift(desired):
    """ClusterQueue resourceGroups is `x-kubernetes-list-type: atomic`: applied whole, flavors
    included, so flavors in another order are a difference (as Argo CD finds), reported per
    position."""
    live = [served(o) for o in desired]
    flavors = find(live, "ClusterQueue", "risk")["spec"]["resourceGroups"][0]["flavors"]
    flavors.reverse()
    [obj] = drifted(compare(CLUSTER, desired, live, []))
    assert obj.name == "ClusterQueue.kueue.x-k8s.io risk"
    assert {f.path.split(".")[2] for f in obj.fields} == {"flavors[0]", "flavors[1]"}


def test_extra_live_label_is_not_drift(desired):
    live = [served(o) for o in desired]
    find(live, "Namespace", "team-risk")["metadata"]["labels"]["openshift.io/cluster-monitoring"] = "true"
    assert not compare(CLUSTER, desired, live, []).drifted


def test_deleted_object_is_missing_and_labelled_stranger_is_orphaned(rendered, desired, tmp_path, capsys):
    live = [
        served(o) for o in desired if not (o["kind"] == "LocalQueue" and o["metadata"]["namespace"] == "team-nlp-dev")
    ]
    folder = export(live, tmp_path / "live")
    (folder / "clusterqueues.json").write_text((FIXTURES / "clusterqueues.json").read_text())
    code = main(["--repo", str(rendered), "drift", CLUSTER, "--live-from", str(folder), "--output", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [o for o in result["objects"] if o["status"] != IN_SYNC] == [
        {"object": "LocalQueue.kueue.x-k8s.io team-nlp-dev/default", "status": MISSING},
        # `legacy` carries the generator's label; `adhoc` in the same export does not: not ours.
        {"object": "ClusterQueue.kueue.x-k8s.io legacy", "status": ORPHANED},
    ]
    assert result["summary"] == {IN_SYNC: len(desired) - 1, MISSING: 1, ORPHANED: 1, OUT_OF_SYNC: 0}


def test_outputs_name_the_field(rendered, desired, tmp_path, capsys):
    live = [served(o) for o in desired]
    _change_quota(live)
    folder = export(live, tmp_path / "live")
    args = ["--repo", str(rendered), "drift", CLUSTER, "--live-from", str(folder)]
    assert main(args) == 1
    text = capsys.readouterr().out
    assert f'      {GPU_QUEUE}.nominalQuota: desired "8", live "6"\n' in text
    assert main([*args, "--output", "markdown"]) == 1
    md = capsys.readouterr().out
    assert f'| ClusterQueue.kueue.x-k8s.io risk | out of sync | `{GPU_QUEUE}.nominalQuota` | `"8"` | `"6"` |' in md
    assert main([*args, "--output", "json"]) == 1
    [obj] = [o for o in json.loads(capsys.readouterr().out)["objects"] if o["status"] == OUT_OF_SYNC]
    assert obj["fields"] == [{"path": f"{GPU_QUEUE}.nominalQuota", "change": "changed", "desired": "8", "live": "6"}]


# --------------------------------------------------------------------------- ignoreDifferences


def test_generated_application_ignore_differences_are_honoured(rendered, desired):
    rules = application_rules(rendered, CLUSTER)
    assert any(r.kind == "MachineSet" and "/spec/replicas" in r.json_pointers for r in rules)
    live = [served(o) for o in desired]
    ms = find(live, "MachineSet", "prod-aws-7xk2p-gpu-l4-us-east-1a", "openshift-machine-api")
    ms["spec"]["replicas"] = 3  # the MachineAutoscaler scaled the pool
    assert not compare(CLUSTER, desired, live, rules).drifted
    [obj] = drifted(compare(CLUSTER, desired, live, []))
    assert [f.path for f in obj.fields] == ["spec.replicas"]


def test_jq_and_managed_fields_manager_rules(desired):
    live = [served(o) for o in desired]
    cq = find(live, "ClusterQueue", "vision")
    cq["spec"]["preemption"]["withinClusterQueue"] = "LowerPriority"
    cq["spec"]["cohort"] = "elsewhere"
    cq["metadata"]["managedFields"].append(
        {
            "manager": "quota-tuner",
            "operation": "Update",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {"f:cohort": {}}},
        }
    )
    base = {"group": "kueue.x-k8s.io", "kind": "ClusterQueue", "name": "vision"}
    assert {f.path for o in drifted(compare(CLUSTER, desired, live, [])) for f in o.fields} == {
        "spec.cohort",
        "spec.preemption.withinClusterQueue",
    }
    rules = [
        IgnoreRule(**base, jq_path_expressions=(".spec.preemption.withinClusterQueue",)),
        IgnoreRule(**base, managed_fields_managers=("quota-tuner",)),
    ]
    assert not compare(CLUSTER, desired, live, rules).drifted
    # Scoped by name: the same drift on another queue is still drift.
    other = find(live, "ClusterQueue", "risk")
    other["spec"]["cohort"] = "elsewhere"
    assert [o.name for o in drifted(compare(CLUSTER, desired, live, rules))] == ["ClusterQueue.kueue.x-k8s.io risk"]


def test_jq_runs_as_del_by_real_jq():
    o = {"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}}
    assert jq_delete(o, '.spec.containers[] | select(.name == "b") | .image') == {
        "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b"}]}
    }
    # beyond any hand-written subset: functions, alternatives, recursive descent
    assert jq_delete(o, '.spec.containers[] | select(.name | startswith("a")) | .image') == {
        "spec": {"containers": [{"name": "a"}, {"name": "b", "image": "y"}]}
    }
    assert jq_delete(o, "..|.image?") == {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}


# --------------------------------------------------------------------------- reading exports, quantities


def test_typed_list_export_items_get_their_kind():
    objs = read_exports(FIXTURES / "clusterqueues.json")
    assert [(o["apiVersion"], o["kind"], o["metadata"]["name"]) for o in objs] == [
        ("kueue.x-k8s.io/v1beta1", "ClusterQueue", "legacy"),
        ("kueue.x-k8s.io/v1beta1", "ClusterQueue", "adhoc"),
    ]


def test_export_that_is_not_an_object_is_a_usage_error(rendered, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("just: data\n")
    assert main(["--repo", str(rendered), "drift", CLUSTER, "--live-from", str(bad)]) == 2
    assert "bad.yaml (document 1): not a Kubernetes object" in capsys.readouterr().err


def test_unrendered_cluster_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "clusters").mkdir()
    (tmp_path / "clusters" / "nowhere.yaml").write_text("metadata: {name: nowhere}\n")
    assert main(["--repo", str(tmp_path), "drift", "nowhere", "--live-from", str(tmp_path)]) == 2
    assert "overlays/nowhere is not rendered" in capsys.readouterr().err


@pytest.mark.parametrize(
    "a,b", [("1000m", "1"), ("1Gi", "1024Mi"), ("0.5", "500m"), ("1e3", "1k"), ("8", 8), ("1Ti", "1024Gi")]
)
def test_equal_quantities(a, b):
    assert quantity.same(a, b)


@pytest.mark.parametrize("a,b", [("1", "2"), ("1Gi", "1G"), ("1", "1x"), (True, 1)])
def test_different_quantities(a, b):
    assert not quantity.same(a, b)


def test_quantities_in_metadata_are_text(desired):
    want = copy.deepcopy(find(desired, "Namespace", "team-risk"))
    want["metadata"]["labels"]["size"] = "1000m"
    live = served(want)
    live["metadata"]["labels"]["size"] = "1"
    [obj] = drifted(compare(CLUSTER, [want], [live], []))
    assert (obj.ident, [f.path for f in obj.fields]) == (ident(want), ["metadata.labels.size"])


def test_unknown_cluster_is_named_as_unknown(repo, capsys):
    from generator.cli import main

    assert main(["--repo", str(repo), "drift", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "no spec for cluster(s) nosuch" in err and "render nosuch" not in err


def _with_rule(rendered: Path, tmp_path: Path, expr: str) -> Path:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(rendered, repo)
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "extra", "namespace": "openshift-gitops"},
        "spec": {
            "ignoreDifferences": [{"group": "kueue.x-k8s.io", "kind": "ClusterQueue", "jqPathExpressions": [expr]}]
        },
    }
    (repo / "overlays" / CLUSTER / "argocd" / "zz-extra.yaml").write_text(yamlio.dumps(app))
    return repo


def test_jq_rule_that_fails_on_an_object_is_skipped_with_a_warning(rendered, desired, tmp_path, capsys):
    live = [served(o) for o in desired]
    find(live, "ClusterQueue", "vision")["spec"]["cohort"] = "elsewhere"
    folder = export(live, tmp_path / "live")
    repo = _with_rule(rendered, tmp_path, ".spec | tostring")  # not a path: jq errors, as gojq does
    assert main(["--repo", str(repo), "drift", CLUSTER, "--live-from", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert "spec.cohort: desired" in out
    assert (
        "warning: ignoreDifferences jqPathExpression .spec | tostring skipped for ClusterQueue vision: jq: Invalid path expression"
        in err
    )


def test_jq_rule_that_does_not_parse_is_a_usage_error(rendered, desired, tmp_path, capsys):
    folder = export([served(o) for o in desired], tmp_path / "live")
    repo = _with_rule(rendered, tmp_path, ".spec.containers[] | select(.name == ")
    assert main(["--repo", str(repo), "drift", CLUSTER, "--live-from", str(folder)]) == 2
    assert "is not valid jq" in capsys.readouterr().err
