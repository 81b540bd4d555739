"""ServiceMonitors and PodMonitors (monitoring.coreos.com/v1) for the components whose metrics
the alerts read, plus the RBAC platform Prometheus needs to discover targets outside the
namespaces OpenShift grants it.

- Kueue controller (kueue Managed, or Unmanaged: the Red Hat build of Kueue's): `kueue_pending_workloads`, `kueue_cluster_queue_*`.
- KServe Serverless predictors (queue-proxy sidecar, `revision_request_count`) and ModelMesh
  runtimes, in the namespaces models run in: the Kueue teams' namespaces.

The NVIDIA DCGM exporter is scraped through the ClusterPolicy's own ServiceMonitor.
"""

from __future__ import annotations

from generator.core.resources import Obj, obj

API = "monitoring.coreos.com/v1"
PROMETHEUS_SA = ("prometheus-k8s", "openshift-monitoring")
DISCOVERY_ROLE = "rhoai-gitops-prometheus-k8s"
TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token"


def model_namespaces(spec) -> list[str]:
    if not spec.quotas:
        return []
    return sorted({ns for team in spec.quotas.teams for ns in team.namespaces})


def kueue_monitor(spec, ns: str) -> Obj:
    return obj(
        API,
        "ServiceMonitor",
        "kueue-controller-manager",
        ns,
        spec={
            "selector": {"matchLabels": {"app.kubernetes.io/name": "kueue", "control-plane": "controller-manager"}},
            "namespaceSelector": {"matchNames": [spec.component_namespace("kueue", "applications")]},
            "endpoints": [
                {
                    "port": "https",
                    "scheme": "https",
                    "path": "/metrics",
                    # The metrics endpoint authorizes the scraper's token (kube-rbac-proxy style) ...
                    "bearerTokenFile": TOKEN_FILE,
                    # ... and serves a certificate from Kueue's own internal CA, which no bundle on the
                    # cluster vouches for.
                    "tlsConfig": {"insecureSkipVerify": True},
                }
            ],
        },
    )


def pod_monitor(name: str, ns: str, selector: dict, port: str, namespaces: list[str]) -> Obj:
    return obj(
        API,
        "PodMonitor",
        name,
        ns,
        spec={
            "selector": selector,
            "namespaceSelector": {"matchNames": namespaces},
            "podMetricsEndpoints": [{"port": port, "path": "/metrics"}],
        },
    )


def discovery_rbac(ns: str) -> list[Obj]:
    """Platform Prometheus lists pods, services and endpoints only where a Role lets it."""
    role = obj(
        "rbac.authorization.k8s.io/v1",
        "Role",
        DISCOVERY_ROLE,
        ns,
        rules=[
            {"apiGroups": [""], "resources": ["services", "endpoints", "pods"], "verbs": ["get", "list", "watch"]},
        ],
    )
    sa, sa_ns = PROMETHEUS_SA
    binding = obj(
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        DISCOVERY_ROLE,
        ns,
        roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": DISCOVERY_ROLE},
        subjects=[{"kind": "ServiceAccount", "name": sa, "namespace": sa_ns}],
    )
    return [role, binding]


def build(spec, ns: str) -> list[Obj]:
    out: list[Obj] = []
    scraped: list[str] = []
    if spec.running("kueue"):
        out.append(kueue_monitor(spec, ns))
        scraped.append(spec.component_namespace("kueue", "applications"))
    models = model_namespaces(spec)
    if models and spec.serverless:
        # The queue-proxy sidecar of every Knative revision counts requests by response code.
        out.append(
            pod_monitor(
                "kserve-queue-proxy",
                ns,
                {"matchExpressions": [{"key": "serving.kserve.io/inferenceservice", "operator": "Exists"}]},
                "http-usermetric",
                models,
            )
        )
    if models and spec.managed("modelmeshserving"):
        out.append(
            pod_monitor(
                "modelmesh-runtimes",
                ns,
                {"matchLabels": {"modelmesh-service": "modelmesh-serving"}},
                "prometheus",
                models,
            )
        )
    if models and (spec.serverless or spec.managed("modelmeshserving")):
        scraped += models
    for target in sorted(set(scraped)):
        out += discovery_rbac(target)
    return out
