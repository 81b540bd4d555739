"""`schemas import` (CRDs -> strict kubeconform-style schemas), core kinds from
kubernetes-validate, and the two-engine validator."""

from __future__ import annotations

import json
import re

import pytest

from generator.cli import main
from generator.core.errors import UsageError
from generator.facts import releases
from generator.validate.core import core_schema, kubernetes_version, write_core_schemas
from generator.validate.schemas import portable_pattern
from generator.validate.validator import SchemaValidator


@pytest.mark.upstream
def test_import_writes_every_served_version_strict(crd_schema_dir):
    names = {p.name for p in crd_schema_dir.glob("*.json")}
    # Kueue serves v1beta1 and v1beta2; the two HardwareProfile kinds stay apart by group.
    assert {"clusterqueue-kueue.x-k8s.io-v1beta1.json", "clusterqueue-kueue.x-k8s.io-v1beta2.json"} <= names
    assert {
        "hardwareprofile-infrastructure.opendatahub.io-v1.json",
        "hardwareprofile-dashboard.opendatahub.io-v1alpha1.json",
    } <= names
    cq = json.loads((crd_schema_dir / "clusterqueue-kueue.x-k8s.io-v1beta1.json").read_text())
    assert cq["additionalProperties"] is False and cq["properties"]["spec"]["additionalProperties"] is False


def test_import_cli_refuses_a_folder_without_crds(tmp_path, capsys):
    (tmp_path / "not-a-crd.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    assert main(["--repo", str(tmp_path), "schemas", "import", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "no CustomResourceDefinition" in capsys.readouterr().err


@pytest.mark.parametrize(
    "go, text, matches",
    [
        ("^(?i)(abort|warn)?$", "WARN", True),
        ("^((?i)sun|mon)day$", "SUNday", True),
        ("^((?i)sun|mon)day$", "sunDAY", False),  # the flag ends with its group, as in RE2
        ("(?i)abc", "ABC", True),
    ],
)
def test_go_inline_flags_become_scoped(go, text, matches):
    assert bool(re.match(portable_pattern(go), text)) is matches


def test_prometheus_patterns_compile_after_import():
    # Upstream prometheus-operator CRDs put `(?i)` mid-pattern, which Python's re refuses (the
    # shipped schemas went through the same import).
    v = SchemaValidator([releases.common_schema_files()])
    rule = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "r"},
        "spec": {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up == 0"}]}]},
    }
    assert v.problems(rule) == []


def test_core_kinds_are_strict_and_self_contained(tmp_path):
    assert kubernetes_version("4.18") == "1.31"
    with pytest.raises(UsageError, match=r"4\.99"):
        kubernetes_version("4.99")
    written = write_core_schemas(
        {
            ("ConfigMap", "", "v1"),
            ("ClusterRole", "rbac.authorization.k8s.io", "v1"),
            ("ClusterQueue", "kueue.x-k8s.io", "v1beta1"),
        },
        "1.31",
        tmp_path,
    )
    # ClusterQueue is no core kind: its schema comes from the imported CRD instead.
    assert written == ["clusterrole-rbac.authorization.k8s.io-v1.json", "configmap-v1.json"]
    text = (tmp_path / "configmap-v1.json").read_text()
    assert "_definitions.json" not in text
    v = SchemaValidator([tmp_path])
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labelz": {}}, "data": {"a": 1}}
    problems = {(p.path, p.message) for p in v.problems(cm)}
    assert ("metadata", "Additional properties are not allowed ('labelz' was unexpected)") in problems
    assert any(path == "data.a" for path, _ in problems)
    # A group that only shares its first label with a core group is not that core kind.
    assert core_schema("ClusterRole", "rbac.example.com", "v1", "1.31") is None


def test_compiled_validators_are_cached_and_agree(tmp_path):
    shipped = releases.common_schema_files()
    cache = tmp_path / "cache"
    queue = {
        "apiVersion": "kueue.x-k8s.io/v1beta1",
        "kind": "LocalQueue",
        "metadata": {"name": "q", "namespace": "n"},
        "spec": {"clusterQueue": "cq", "extra": True},
    }
    first = SchemaValidator([shipped], cache=cache).problems(queue)
    assert len(list(cache.glob("*.marshal"))) == 1
    second = SchemaValidator([shipped], cache=cache).problems(queue)
    assert first == second and [p.path for p in first] == ["spec"] and "'extra' was unexpected" in first[0].message
    queue["spec"].pop("extra")
    assert SchemaValidator([shipped], cache=cache).problems(queue) == []
