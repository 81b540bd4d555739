"""What drift reads from the schemas (list merge semantics, scope) and the known-type round
trip (canonical quantities and durations), checked against the Kubernetes and CRD schemas the
project ships and Go's formatting rules."""

from __future__ import annotations

import pytest
import yaml

from generator.core import quantity
from generator.core.resources import CLUSTER_SCOPED
from generator.diff import knowntypes, schema
from generator.facts import releases


def _at(kind: schema.KindSchema, path: str) -> schema.Node:
    node = kind
    for part in path.split("."):
        node = node.item() if part == "[]" else node.child(part)
        assert node is not None, path
    return node


@pytest.mark.parametrize(
    "api,kind,path,want",
    [
        ("apps/v1", "Deployment", "spec.template.spec.containers", ("map", ("name",))),
        ("apps/v1", "Deployment", "spec.template.spec.containers.[].env", ("map", ("name",))),
        ("apps/v1", "Deployment", "spec.template.spec.containers.[].ports", ("map", ("containerPort",))),
        ("apps/v1", "Deployment", "spec.template.spec.volumes", ("map", ("name",))),
        ("apps/v1", "Deployment", "spec.template.spec.tolerations", ("atomic", ())),
        ("apps/v1", "Deployment", "spec.template.spec.containers.[].args", ("atomic", ())),
        ("apps/v1", "Deployment", "metadata.finalizers", ("set", ())),
        ("v1", "Service", "spec.ports", ("map", ("port",))),
        ("kueue.x-k8s.io/v1beta1", "ClusterQueue", "spec.resourceGroups", ("atomic", ())),
        ("kueue.x-k8s.io/v1beta1", "ClusterQueue", "spec.resourceGroups.[].flavors", ("map", ("name",))),
        ("kueue.x-k8s.io/v1beta1", "ClusterQueue", "spec.resourceGroups.[].flavors.[].resources", ("map", ("name",))),
        ("kueue.x-k8s.io/v1beta1", "ClusterQueue", "metadata.finalizers", ("set", ())),
        ("machine.openshift.io/v1beta1", "MachineSet", "spec.template.spec.taints", ("atomic", ())),
    ],
)
def test_list_semantics_from_the_schemas(api, kind, path, want):
    lt = _at(schema.kind_schema(api, kind), path).list_type()
    assert (lt.kind, lt.keys) == want


def test_quantity_fields_of_built_in_kinds_only():
    deploy = schema.kind_schema("apps/v1", "Deployment")
    assert _at(deploy, "spec.template.spec.containers.[].resources.limits.cpu").quantity
    cq = schema.kind_schema("kueue.x-k8s.io/v1beta1", "ClusterQueue")
    assert not _at(cq, "spec.resourceGroups.[].flavors.[].resources.[].nominalQuota").quantity


def test_unknown_kind_has_no_schema():
    assert schema.kind_schema("example.com/v1", "Widget") is None


def test_every_kind_the_generator_treats_as_cluster_scoped_is_so_in_the_schemas():
    known = set(releases._data()["scopes"]) | set(
        yaml.safe_load((releases.data_dir().parent / "kubernetes-scopes.yaml").read_text(encoding="utf-8"))["cluster"]
    )
    # CLUSTER_SCOPED names kinds without their group: some group must serve the kind
    # cluster-scoped (NodeFeatureRule is cluster-scoped at nfd.k8s-sigs.io, namespaced at
    # nfd.openshift.io).
    for kind in CLUSTER_SCOPED:
        groups = [k.split("/")[0] for k in known if k.split("/")[1] == kind]
        assert any(schema.scope(g, kind) == schema.CLUSTER for g in groups), kind


@pytest.mark.parametrize(
    "group,kind,want",
    [
        ("", "Namespace", "Cluster"),
        ("", "ConfigMap", "Namespaced"),
        ("apps", "Deployment", "Namespaced"),
        ("rbac.authorization.k8s.io", "ClusterRole", "Cluster"),
        ("rbac.authorization.k8s.io", "Role", "Namespaced"),
        ("kueue.x-k8s.io", "ClusterQueue", "Cluster"),
        ("kueue.x-k8s.io", "LocalQueue", "Namespaced"),
        ("machine.openshift.io", "MachineSet", "Namespaced"),
        ("example.com", "Widget", None),
    ],
)
def test_scope(group, kind, want):
    assert schema.scope(group, kind) == want


@pytest.mark.parametrize(
    "value,canonical",
    [
        ("0.2", "200m"),
        (0.2, "200m"),
        ("1000m", "1"),
        ("1024Mi", "1Gi"),
        ("0.5Gi", "512Mi"),
        ("1025Ki", "1025Ki"),
        ("1000", "1k"),
        ("1500", "1500"),
        ("1e3", "1e3"),
        ("1.25G", "1250M"),
        ("1.5", "1500m"),
        ("0", "0"),
        ("500Ki", "500Ki"),
        ("1023", "1023"),
        ("x", None),
    ],
)
def test_canonical_quantity(value, canonical):
    assert quantity.canonical(value) == canonical


@pytest.mark.parametrize(
    "text,canonical",
    [
        ("8760h", "8760h0m0s"),
        ("8760h0m0s", "8760h0m0s"),
        ("90s", "1m30s"),
        ("1.5h", "1h30m0s"),
        ("500ms", "500ms"),
        ("1.5s", "1.5s"),
        ("0", "0s"),
        ("-1m", "-1m0s"),
        ("1us", "1µs"),
        ("2h45m", "2h45m0s"),
    ],
)
def test_canonical_duration(text, canonical):
    assert knowntypes.format_duration(knowntypes.parse_duration(text)) == canonical


@pytest.mark.parametrize("text", ["", "h", "1", "1d", "abc", "1.h2"])
def test_not_a_duration(text):
    assert knowntypes.parse_duration(text) is None


def test_built_in_round_trip_leaves_an_object_with_an_unknown_field():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "bogus": 1,
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": 0.2}}}]},
    }
    assert knowntypes.normalize(pod) == pod
    del pod["bogus"]
    assert knowntypes.normalize(pod)["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "200m"
