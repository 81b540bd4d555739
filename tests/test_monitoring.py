"""Monitoring and alerting: the rendered rules are real PromQL (promtool check rules), every alert
fires on synthetic series (promtool unit tests in tests/promtool/), every monitoring object
validates strictly against the real prometheus-operator CRDs, the production overlay builds,
and a cluster with monitoring off gets no monitoring at all."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.build import build_units
from generator.core import yamlio
from generator.core.errors import SpecErrors
from generator.core.resources import Obj, group_of, ident
from generator.spec.loader import load_specs

from conftest import EXAMPLES, PROJECT, assert_valid, kustomize_objects, load_spec_text, render_to_disk, write_spec

PROMTOOL_DIR = PROJECT / "tests" / "promtool"
PROMTOOL_SPEC = PROMTOOL_DIR / "cluster.yaml"
RUNBOOKS = PROJECT / "docs" / "runbooks.md"
MONITORING_GROUP = "monitoring.coreos.com"
MONITORING_KINDS = {"ServiceMonitor", "PodMonitor", "PrometheusRule", "Probe", "AlertmanagerConfig"}

HEAD = """\
metadata:
  name: t
argocd:
  destination:
    inCluster: true
"""


def monitoring_of(text: str, source: str = "clusters/t.yaml") -> list[Obj]:
    return build_units(load_spec_text(text, source).spec)["monitoring"]


def of_kind(objs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def named(objs: list[Obj], kind: str, name: str) -> Obj:
    found = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{len(found)} {kind} {name}"
    return found[0]


def alert_names(objs: list[Obj]) -> list[str]:
    return [r["alert"] for o in of_kind(objs, "PrometheusRule") for g in o["spec"]["groups"] for r in g["rules"]]


def promtool_spec_objects() -> list[Obj]:
    return monitoring_of(PROMTOOL_SPEC.read_text(encoding="utf-8"), "tests/promtool/cluster.yaml")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("monitoring")
    shutil.copytree(PROJECT / "clusters", repo / "clusters")
    shutil.copytree(PROJECT / "schemas", repo / "schemas", ignore=shutil.ignore_patterns("crds"))
    shutil.copy(PROMTOOL_SPEC, repo / "clusters" / "promtool.yaml")
    render_to_disk(repo)
    return repo


@pytest.fixture(scope="session")
def promtool() -> str:
    found = shutil.which("promtool")
    if not found:
        pytest.skip(
            "promtool not found: it comes with Debian's `prometheus` package, which `make setup` "
            "(scripts/ensure-promtool) installs where apt-get runs as root"
        )
    return found


def write_rule_files(objs: list[Obj], folder: Path) -> list[Path]:
    """One file per PrometheusRule, holding its spec (the `groups:` document Prometheus reads),
    named after the object (the tests' `rule_files` refer to these names)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for o in of_kind(objs, "PrometheusRule"):
        path = folder / f"{o['metadata']['name']}.yaml"
        path.write_text(yamlio.dumps(o["spec"]), encoding="utf-8")
        out.append(path)
    return out


# --------------------------------------------------------------------------- promtool


def test_promtool_checks_every_rendered_rule_file(rendered, promtool, tmp_path):
    checked = 0
    for cluster in [*EXAMPLES, "promtool"]:
        folder = rendered / "overlays" / cluster / "monitoring"
        if not folder.is_dir():
            continue
        built = kustomize_objects(folder)
        files = write_rule_files(built, tmp_path / cluster)
        proc = subprocess.run([promtool, "check", "rules", *map(str, files)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        found = sum(int(n) for n in re.findall(r"SUCCESS: (\d+) rules found", proc.stdout + proc.stderr))
        assert found == len(alert_names(built)) > 0
        checked += len(files)
    # prod-aws and edge-baremetal and the promtool spec render rules; odh-sandbox has monitoring off.
    assert checked >= 9


def test_promtool_unit_tests_fire_every_alert(promtool, tmp_path):
    objs = promtool_spec_objects()
    write_rule_files(objs, tmp_path)
    tests = sorted(PROMTOOL_DIR.glob("*.test.yaml"))
    for t in tests:
        shutil.copy(t, tmp_path / t.name)
    proc = subprocess.run(
        [promtool, "test", "rules", *(t.name for t in tests)], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("SUCCESS") == len(tests)

    fired = set()
    for t in tests:
        for case in yaml.safe_load(t.read_text(encoding="utf-8"))["tests"]:
            fired |= {a["alertname"] for a in case.get("alert_rule_test", []) if a.get("exp_alerts")}
    assert set(alert_names(objs)) == fired, "every alert needs a unit test that fires it"


def test_a_changed_threshold_is_caught_by_the_unit_tests(promtool, tmp_path):
    # The unit tests pin the spec's thresholds: the same tests against rules rendered from
    # another threshold must fail, or they would not be testing the thresholds at all.
    text = PROMTOOL_SPEC.read_text(encoding="utf-8").replace("kueuePendingWorkloads: 5", "kueuePendingWorkloads: 6")
    write_rule_files(monitoring_of(text, "tests/promtool/cluster.yaml"), tmp_path)
    shutil.copy(PROMTOOL_DIR / "kueue.test.yaml", tmp_path)
    proc = subprocess.run([promtool, "test", "rules", "kueue.test.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "KueuePendingWorkloadsHigh" in proc.stdout + proc.stderr


# --------------------------------------------------------------------------- CRDs and builds


@pytest.mark.parametrize("cluster", [*EXAMPLES, "promtool"])
def test_monitoring_objects_validate_against_the_real_crds(rendered, crd_validator, cluster):
    spec = load_specs(rendered, [cluster])[0].spec
    objs = build_units(spec)["monitoring"]
    assert_valid(crd_validator, [o for o in objs if group_of(o) == MONITORING_GROUP])
    if cluster in ("prod-aws", "promtool"):
        assert {o["kind"] for o in objs if group_of(o) == MONITORING_GROUP} == MONITORING_KINDS


def test_prod_aws_monitoring_overlay_builds_to_its_objects(rendered, crd_validator):
    built = kustomize_objects(rendered / "overlays" / "prod-aws" / "monitoring")
    wanted = build_units(load_specs(rendered, ["prod-aws"])[0].spec)["monitoring"]
    assert sorted(map(ident, built)) == sorted(map(ident, wanted))
    assert {o["kind"] for o in built} >= MONITORING_KINDS
    assert_valid(crd_validator, [o for o in built if group_of(o) == MONITORING_GROUP])


def test_monitoring_disabled_renders_no_monitoring_and_dsci_removed(repo):
    spec = (repo / "clusters" / "prod-aws.yaml").read_text(encoding="utf-8")
    assert "\nmonitoring:\n  enabled: true\n" in spec
    write_spec(repo, "prod-aws", spec.replace("\nmonitoring:\n  enabled: true\n", "\nmonitoring:\n  enabled: false\n"))
    render_to_disk(repo, ["prod-aws"])
    overlay = repo / "overlays" / "prod-aws"
    assert not (overlay / "monitoring").exists()
    built = kustomize_objects(overlay)
    assert not [o for o in built if group_of(o) == MONITORING_GROUP]
    assert not [o for o in built if o["kind"] == "ConfigMap" and o["metadata"]["name"].endswith("monitoring-config")]
    dsci = [o for o in built if o["kind"] == "DSCInitialization"]
    assert len(dsci) == 1 and dsci[0]["spec"]["monitoring"] == {"managementState": "Removed"}


def test_monitoring_enabled_dsci_is_managed_in_the_namespace_the_objects_use(rendered):
    built = kustomize_objects(rendered / "overlays" / "prod-aws")
    dsci = next(o for o in built if o["kind"] == "DSCInitialization")
    assert dsci["spec"]["monitoring"] == {"managementState": "Managed", "namespace": "redhat-ods-monitoring"}
    placed = {o["metadata"]["namespace"] for o in built if o["kind"] in MONITORING_KINDS - {"AlertmanagerConfig"}}
    assert placed == {"redhat-ods-monitoring"}


# --------------------------------------------------------------------------- content


def test_openshift_monitoring_config_follows_the_spec():
    objs = monitoring_of(
        HEAD
        + (
            "monitoring:\n  retention: 30d\n  storage:\n    size: 200Gi\n    storageClass: gp3-csi\n"
            "  userWorkload:\n    retention: 7d\n"
        )
    )
    cluster = yamlio.loads(named(objs, "ConfigMap", "cluster-monitoring-config")["data"]["config.yaml"])
    assert cluster == {
        "enableUserWorkload": True,
        "prometheusK8s": {
            "retention": "30d",
            "volumeClaimTemplate": {
                "spec": {"storageClassName": "gp3-csi", "resources": {"requests": {"storage": "200Gi"}}}
            },
        },
    }
    uw = named(objs, "ConfigMap", "user-workload-monitoring-config")
    assert uw["metadata"]["namespace"] == "openshift-user-workload-monitoring"
    assert yamlio.loads(uw["data"]["config.yaml"]) == {"prometheus": {"retention": "7d"}}

    plain = monitoring_of(HEAD + "monitoring:\n  userWorkload:\n    enabled: false\n    retention: 7d\n")
    assert not [o for o in plain if o["metadata"]["name"] == "user-workload-monitoring-config"]
    config = yamlio.loads(named(plain, "ConfigMap", "cluster-monitoring-config")["data"]["config.yaml"])
    assert config == {"enableUserWorkload": False, "prometheusK8s": {"retention": "15d"}}


def test_receivers_are_secret_references_routed_by_severity():
    objs = monitoring_of(
        HEAD
        + (
            "monitoring:\n  alertingNamespace: sre-alerts\n  receivers:\n"
            "    - {name: pager, type: pagerduty, secretRef: {name: pd, key: routingKey}, severities: [critical]}\n"
            "    - {name: chat, type: slack, secretRef: {name: slack, key: url}, channel: '#ml', severities: [warning, critical]}\n"
            "    - {name: hook, type: webhook, secretRef: {name: hook, key: url}, severities: [info]}\n"
        )
    )
    configs = {o["metadata"]["name"]: o for o in of_kind(objs, "AlertmanagerConfig")}
    assert {o["metadata"]["namespace"] for o in configs.values()} == {"sre-alerts"}
    assert named(objs, "Namespace", "sre-alerts")
    receivers = {n: c["spec"]["receivers"][0] for n, c in configs.items()}
    assert receivers["pager"]["pagerdutyConfigs"] == [
        {"routingKey": {"name": "pd", "key": "routingKey"}, "sendResolved": True}
    ]
    assert receivers["chat"]["slackConfigs"] == [
        {"apiURL": {"name": "slack", "key": "url"}, "sendResolved": True, "channel": "#ml"}
    ]
    assert receivers["hook"]["webhookConfigs"] == [{"urlSecret": {"name": "hook", "key": "url"}, "sendResolved": True}]
    assert configs["chat"]["spec"]["route"]["matchers"] == [
        {"name": "severity", "matchType": "=~", "value": "critical|warning"}
    ]
    assert configs["pager"]["spec"]["route"] == {
        "receiver": "pager",
        "groupBy": ["alertname", "severity"],
        "matchers": [{"name": "severity", "matchType": "=~", "value": "critical"}],
    }
    assert not of_kind(objs, "Secret")
    # Every alert carries the alerting namespace, which the AlertmanagerConfigs' enforced
    # namespace matcher requires.
    for o in of_kind(objs, "PrometheusRule"):
        for rule in o["spec"]["groups"][0]["rules"]:
            assert rule["labels"]["namespace"] == "sre-alerts"
    config = yamlio.loads(named(objs, "ConfigMap", "cluster-monitoring-config")["data"]["config.yaml"])
    assert config["alertmanagerMain"] == {"enableUserAlertmanagerConfig": True}


def test_no_receivers_no_routing():
    objs = monitoring_of(HEAD)
    assert not of_kind(objs, "AlertmanagerConfig")
    assert not [o for o in of_kind(objs, "Namespace") if o["metadata"]["name"] == "rhoai-gitops-alerting"]
    config = yamlio.loads(named(objs, "ConfigMap", "cluster-monitoring-config")["data"]["config.yaml"])
    assert "alertmanagerMain" not in config


@pytest.mark.parametrize(
    "dist, channel, host",
    [
        ("rhoai", "stable", "https://rhods-dashboard-redhat-ods-applications.apps.c1.example.com"),
        ("odh", "fast", "https://odh-dashboard-opendatahub.apps.c1.example.com"),
    ],
)
def test_dashboard_probe_targets_the_distributions_route(dist, channel, host):
    objs = monitoring_of(
        HEAD + f"cluster:\n  baseDomain: c1.example.com\ndistribution:\n  name: {dist}\n  channel: {channel}\n"
    )
    probe = named(objs, "Probe", "dashboard")
    assert probe["spec"]["targets"] == {"staticConfig": {"static": [host]}}
    assert probe["spec"]["prober"] == {"url": "blackbox-exporter.openshift-monitoring.svc:9115"}
    assert "DataScienceDashboardUnreachable" in alert_names(objs)


def test_dashboard_probe_needs_a_base_domain():
    # Unset: no base domain, no probe (and no error: a minimal spec stays valid).
    objs = monitoring_of(HEAD)
    assert not of_kind(objs, "Probe")
    assert "DataScienceDashboardUnreachable" not in alert_names(objs)
    text = HEAD + "monitoring:\n  probes:\n    dashboard: true\n"
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(text, "clusters/t.yaml")
    messages = [str(e) for e in exc.value.errors]
    assert len(messages) == 1
    assert messages[0].startswith("clusters/t.yaml:8:16: monitoring.probes.dashboard: needs cluster.baseDomain")


def test_receiver_channel_and_alerting_namespace_rules():
    text = HEAD + (
        "monitoring:\n  alertingNamespace: redhat-ods-monitoring\n  receivers:\n"
        "    - name: pager\n      type: pagerduty\n      secretRef: {name: pd, key: k}\n      channel: '#x'\n"
    )
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(text, "clusters/t.yaml")
    messages = {str(e).split(": ")[1]: str(e) for e in exc.value.errors}
    assert set(messages) == {"monitoring.alertingNamespace", "monitoring.receivers[0].channel"}
    assert messages["monitoring.alertingNamespace"].startswith(
        "clusters/t.yaml:7:22: monitoring.alertingNamespace: 'redhat-ods-monitoring' is a platform namespace"
    )
    assert messages["monitoring.receivers[0].channel"] == (
        "clusters/t.yaml:12:16: monitoring.receivers[0].channel: only Slack receivers have a channel "
        "(monitoring.receivers[0].type (clusters/t.yaml:10))"
    )


def test_scrape_targets_and_alerts_follow_the_components():
    everything = promtool_spec_objects()
    assert {
        (o["kind"], o["metadata"]["name"]) for o in everything if o["kind"] in ("ServiceMonitor", "PodMonitor")
    } == {
        ("ServiceMonitor", "kueue-controller-manager"),
        ("PodMonitor", "kserve-queue-proxy"),
        ("PodMonitor", "modelmesh-runtimes"),
    }
    # Platform Prometheus may discover targets in the scraped namespaces, and only there.
    assert {o["metadata"]["namespace"] for o in of_kind(everything, "RoleBinding")} == {
        "redhat-ods-applications",
        "team-risk",
    }
    queue_proxy = named(everything, "PodMonitor", "kserve-queue-proxy")
    assert queue_proxy["spec"]["namespaceSelector"] == {"matchNames": ["team-risk"]}

    lean = monitoring_of(
        HEAD
        + (
            "components:\n  kueue:\n    managementState: Removed\n  modelmeshserving:\n    managementState: Removed\n"
            "  kserve:\n    deploymentMode: RawDeployment\n"
        )
    )
    assert not [o for o in lean if o["kind"] in ("ServiceMonitor", "PodMonitor", "Role", "RoleBinding")]
    names = alert_names(lean)
    assert "DataSciencePlatformOperatorDown" in names and "DataScienceDashboardDown" in names
    for gone in (
        "KueueControllerDown",
        "KueuePendingWorkloadsHigh",
        "ModelMeshControllerDown",
        "ModelServer5xxRatioHigh",
        "GPUNodeNotReady",
    ):
        assert gone not in names
    assert {o["metadata"]["name"] for o in of_kind(lean, "PrometheusRule")} == {"rhoai-gitops-availability"}


def test_every_alert_has_severity_summary_and_a_runbook_that_exists():
    runbook_anchors = {
        re.sub(r"[^a-z0-9-]", "", line[3:].strip().lower())
        for line in RUNBOOKS.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    }
    rules = [
        r for o in of_kind(promtool_spec_objects(), "PrometheusRule") for g in o["spec"]["groups"] for r in g["rules"]
    ]
    assert rules
    for r in rules:
        assert r["labels"]["severity"] in ("critical", "warning", "info")
        assert r["annotations"]["summary"] and r["annotations"]["description"]
        base, anchor = r["annotations"]["runbook_url"].split("#")
        assert base == "https://github.com/example/rhoai-gitops/blob/main/docs/runbooks.md"
        assert anchor == r["alert"].lower() and anchor in runbook_anchors, f"no runbook for {r['alert']}"
