"""OpenShift's own monitoring configuration: `cluster-monitoring-config` (platform Prometheus
retention and storage, user workload monitoring on/off, AlertmanagerConfig support) and
`user-workload-monitoring-config` (the user workload Prometheus's retention)."""

from __future__ import annotations

from generator.core import yamlio
from generator.core.resources import Obj, obj

CLUSTER_CONFIG = ("cluster-monitoring-config", "openshift-monitoring")
USER_WORKLOAD_CONFIG = ("user-workload-monitoring-config", "openshift-user-workload-monitoring")


def _config_map(name_ns: tuple[str, str], config: dict) -> Obj:
    name, ns = name_ns
    # The cluster monitoring operator reads exactly this key, as a YAML document.
    return obj("v1", "ConfigMap", name, ns, data={"config.yaml": yamlio.dumps(config)})


def cluster_monitoring(spec) -> Obj:
    m = spec.monitoring
    prometheus: dict = {"retention": m.retention}
    if m.storage:
        claim: dict = {"resources": {"requests": {"storage": m.storage.size}}}
        if m.storage.storage_class:
            claim = {"storageClassName": m.storage.storage_class, **claim}
        prometheus["volumeClaimTemplate"] = {"spec": claim}
    config: dict = {"enableUserWorkload": m.user_workload.enabled}
    if m.receivers:
        # Lets the platform Alertmanager route by the AlertmanagerConfigs in the alerting namespace.
        config["alertmanagerMain"] = {"enableUserAlertmanagerConfig": True}
    config["prometheusK8s"] = prometheus
    return _config_map(CLUSTER_CONFIG, config)


def build(spec) -> list[Obj]:
    out = [cluster_monitoring(spec)]
    uw = spec.monitoring.user_workload
    if uw.enabled and uw.retention:
        out.append(_config_map(USER_WORKLOAD_CONFIG, {"prometheus": {"retention": uw.retention}}))
    return out
