"""The platform's alerts, as PrometheusRules (monitoring.coreos.com/v1), one per concern.

Every alert has a `severity` label, a `summary`, a `description` and a `runbook_url`
(`monitoring.runbookBaseURL#<alert name in lower case>`, the runbooks in docs/runbooks.md), and
carries `namespace: <monitoring.alertingNamespace>` so that the AlertmanagerConfigs there route
it; the series' own namespace, where it has one, is kept as `source_namespace`.
Thresholds come from `monitoring.thresholds`.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.components.monitoring import probes
from generator.core.resources import Obj, obj
from generator.facts import matrix

API = "monitoring.coreos.com/v1"
# Long enough to ride out a rolling update or a node drain, short enough to page before users do.
UNAVAILABLE_FOR = "5m"
# A 5xx ratio over a 5m rate must hold this long, so that one bad batch does not page.
ERROR_RATIO_FOR = "10m"


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    for_: str
    severity: str
    summary: str
    description: str


def _selector(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def availability(spec) -> list[Alert]:
    dist = spec.distribution.name
    out = []
    for d in matrix.matrix().monitoring.deployments:
        if d.component is not None and not spec.running(d.component):
            continue
        name = d.name[dist]
        ns = (
            spec.component_namespace(d.component, d.namespace)
            if d.component is not None
            else spec.namespaces[d.namespace]
        )
        series = "kube_deployment_status_replicas_available" + _selector(namespace=ns, deployment=name)
        out.append(
            Alert(
                name=d.alert,
                # absent(): a Deployment that is gone (or was never created) is down too.
                expr=f"{series} < 1 or absent({series})",
                for_=UNAVAILABLE_FOR,
                severity=d.severity,
                summary=f"Deployment {ns}/{name} has no available replica",
                description=f"Deployment {ns}/{name} ({d.what}) has had no available replica for {UNAVAILABLE_FOR}.",
            )
        )
    if probes.probes_dashboard(spec):
        out.append(
            Alert(
                name="DataScienceDashboardUnreachable",
                expr=f"probe_success{_selector(job=probes.DASHBOARD_JOB)} == 0",
                for_=UNAVAILABLE_FOR,
                severity="critical",
                summary="The dashboard route {{ $labels.instance }} fails its blackbox probe",
                description="Users cannot reach the dashboard at {{ $labels.instance }}: the probe has failed for "
                f"{UNAVAILABLE_FOR} (route, router, OAuth proxy or the dashboard itself).",
            )
        )
    if probes.model_endpoints(spec):
        out.append(
            Alert(
                name="ModelEndpointUnreachable",
                expr=f"probe_success{_selector(job=probes.MODEL_ENDPOINTS_JOB)} == 0",
                for_=UNAVAILABLE_FOR,
                severity="warning",
                summary="Model endpoint {{ $labels.instance }} fails its blackbox probe",
                description=f"The model endpoint {{{{ $labels.instance }}}} has failed its probe for {UNAVAILABLE_FOR}.",
            )
        )
    return out


def gpu(spec) -> list[Alert]:
    if not spec.gpu_node_pools:
        return []
    t = spec.monitoring.thresholds
    # kube-state-metrics names extended resources with `/`, `.` and `-` as `_`; MIG slices
    # under the mixed strategy are nvidia.com/mig-<slice>, not nvidia.com/gpu.
    gpu_nodes = 'kube_node_status_capacity{resource=~"nvidia_com_gpu|nvidia_com_mig_.+"} > 0'
    return [
        Alert(
            name="GPUNodeNotReady",
            expr=f'kube_node_status_condition{{condition="Ready",status="true"}} == 0 and on (node) {gpu_nodes}',
            for_=UNAVAILABLE_FOR,
            severity="warning",
            summary="GPU node {{ $labels.node }} is not Ready",
            description="GPU node {{ $labels.node }} has not been Ready for "
            + UNAVAILABLE_FOR
            + ": its pool runs short of GPUs and Kueue quotas may no longer be backed by nodes.",
        ),
        Alert(
            name="GPUUtilizationSaturated",
            expr=f"avg by (modelName) (DCGM_FI_DEV_GPU_UTIL) >= {t.gpu_utilization_percent}",
            for_=f"{t.gpu_saturation_minutes}m",
            severity="warning",
            summary="{{ $labels.modelName }} GPUs are {{ $value | humanize }}% busy on average",
            description=f"The average utilization of every {{{{ $labels.modelName }}}} GPU has been at least "
            f"{t.gpu_utilization_percent}% for {t.gpu_saturation_minutes}m: work is queueing for GPUs; "
            "consider raising the pool's replicas.max.",
        ),
    ]


def kueue(spec) -> list[Alert]:
    if not spec.running("kueue"):
        return []
    t = spec.monitoring.thresholds
    by = "by (cluster_queue, flavor, resource)"
    return [
        Alert(
            name="KueuePendingWorkloadsHigh",
            expr=f"sum by (cluster_queue) (kueue_pending_workloads) > {t.kueue_pending_workloads}",
            for_=f"{t.kueue_pending_minutes}m",
            severity="warning",
            summary="ClusterQueue {{ $labels.cluster_queue }} has {{ $value }} pending workloads",
            description=f"More than {t.kueue_pending_workloads} workloads have been pending in ClusterQueue "
            f"{{{{ $labels.cluster_queue }}}} for {t.kueue_pending_minutes}m.",
        ),
        Alert(
            name="KueueClusterQueueQuotaExhausted",
            # Resources with no nominal quota (0, e.g. GPUs on the CPU flavor) cannot be exhausted.
            expr=f"max {by} (kueue_cluster_queue_resource_usage) / max {by} (kueue_cluster_queue_nominal_quota > 0) "
            f">= {t.quota_usage_ratio}",
            for_=f"{t.quota_minutes}m",
            severity="warning",
            summary="ClusterQueue {{ $labels.cluster_queue }} uses {{ $value | humanizePercentage }} of its "
            "{{ $labels.resource }} quota on flavor {{ $labels.flavor }}",
            description=f"ClusterQueue {{{{ $labels.cluster_queue }}}} has used at least {t.quota_usage_ratio:.0%} of "
            f"its nominal {{{{ $labels.resource }}}} quota on flavor {{{{ $labels.flavor }}}} for {t.quota_minutes}m: "
            "new workloads wait unless they can borrow from the cohort.",
        ),
    ]


def model_serving(spec) -> list[Alert]:
    if not spec.serverless:
        return []
    ratio = spec.monitoring.thresholds.model_server_error_ratio
    by = "by (namespace_name, service_name)"
    errors = 'rate(revision_request_count{response_code_class="5xx"}[5m])'
    requests = "rate(revision_request_count[5m])"
    return [
        Alert(
            name="ModelServer5xxRatioHigh",
            expr=f"sum {by} ({errors}) / sum {by} ({requests}) > {ratio}",
            for_=ERROR_RATIO_FOR,
            severity="warning",
            summary="Model server {{ $labels.namespace_name }}/{{ $labels.service_name }} answers "
            "{{ $value | humanizePercentage }} of requests with 5xx",
            description=f"More than {ratio:.0%} of the requests to {{{{ $labels.namespace_name }}}}/"
            f"{{{{ $labels.service_name }}}} have failed with a 5xx status for {ERROR_RATIO_FOR}.",
        ),
    ]


# PrometheusRule name suffix -> the alerts it holds.
GROUPS = {
    "availability": availability,
    "gpu": gpu,
    "kueue": kueue,
    "model-serving": model_serving,
}


def rule(spec, alert: Alert) -> dict:
    m = spec.monitoring
    return {
        "alert": alert.name,
        "expr": alert.expr,
        "for": alert.for_,
        "labels": {
            "severity": alert.severity,
            "namespace": m.alerting_namespace,
            "source_namespace": "{{ $labels.namespace }}",
        },
        "annotations": {
            "summary": alert.summary,
            "description": alert.description,
            "runbook_url": f"{spec.runbook_url}#{alert.name.lower()}",
        },
    }


def build(spec, ns: str) -> list[Obj]:
    out = []
    for suffix, make in GROUPS.items():
        found = make(spec)
        if found:
            name = f"rhoai-gitops-{suffix}"
            out.append(
                obj(
                    API,
                    "PrometheusRule",
                    name,
                    ns,
                    spec={
                        "groups": [{"name": f"rhoai-gitops.{suffix}", "rules": [rule(spec, a) for a in found]}],
                    },
                )
            )
    return out
