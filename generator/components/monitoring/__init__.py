"""Monitoring and alerting, rendered from the spec's `monitoring` section.

Where each object lives, and why (OpenShift's monitoring stack decides what reads what):
- platform Prometheus (openshift-monitoring) reads PrometheusRules, ServiceMonitors, PodMonitors
  and Probes only in namespaces labelled `openshift.io/cluster-monitoring: "true"`, and only it
  sees kube-state-metrics, node and DCGM series together: so those objects go into the DSCI
  monitoring namespace, labelled so;
- the platform Alertmanager reads AlertmanagerConfigs (once `enableUserAlertmanagerConfig` is
  on) only from namespaces *not* labelled so, and each one matches only alerts whose
  `namespace` label is its own: so they go into `monitoring.alertingNamespace`, and every alert
  carries that namespace (the series' own namespace moves to `source_namespace`).

The DSCInitialization's monitoring field is the dsci unit's; the DCGM exporter's ServiceMonitor
is the GPU operator ClusterPolicy's.
"""

from __future__ import annotations

from generator.components.base import Component
from generator.components.monitoring import alerts, config, probes, routing, scrape
from generator.core.resources import Obj, namespace

CLUSTER_MONITORING = {"openshift.io/cluster-monitoring": "true"}


def build(spec) -> list[Obj]:
    if not spec.monitoring.enabled:
        return []
    ns = spec.namespaces["monitoring"]
    objs: list[Obj] = []
    # The operator namespace is the operator unit's (already labelled for cluster monitoring).
    if ns != spec.namespaces["operator"]:
        objs.append(namespace(ns, labels=CLUSTER_MONITORING))
    objs += config.build(spec)
    objs += scrape.build(spec, ns)
    objs += probes.build(spec, ns)
    objs += alerts.build(spec, ns)
    objs += routing.build(spec)
    return objs


COMPONENT = Component(
    name="monitoring",
    description="Cluster and user workload monitoring config, ServiceMonitors/PodMonitors, Probes, "
    "PrometheusRules and AlertmanagerConfigs",
    build=build,
    # Thresholds, receivers, probes and which alerts apply (GPUs, Kueue, serving) are all per
    # cluster: a shared base would be patched away almost entirely.
    has_base=False,
)
