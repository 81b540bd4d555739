"""Blackbox Probes (monitoring.coreos.com/v1) for the URLs users hit: the dashboard route and the
model endpoints: those the spec lists and every deployment's (workloads.models, derived: no hand-kept
URL list). The prober is a blackbox exporter at `monitoring.probes.proberUrl`;
each Probe has a fixed job name, which the probe alerts select on."""

from __future__ import annotations

from generator.core.resources import Obj, obj
from generator.facts import matrix
from generator.spec.model_deployments import probed_endpoints

API = "monitoring.coreos.com/v1"
DASHBOARD_JOB = "rhoai-gitops-dashboard"
MODEL_ENDPOINTS_JOB = "rhoai-gitops-model-endpoints"


def dashboard_url(spec) -> str:
    """Where users reach the dashboard: behind the data science gateway on releases that serve
    a GatewayConfig (3.x), else its own Route in the applications namespace."""
    m = matrix.matrix().monitoring
    if spec.release.serves("GatewayConfig"):
        return f"https://{m.dashboard_gateway}.apps.{spec.cluster.base_domain}"
    route = m.dashboard_route[spec.distribution.name]
    return f"https://{route}-{spec.namespaces['applications']}.apps.{spec.cluster.base_domain}"


def probes_dashboard(spec) -> bool:
    wanted = spec.monitoring.probes.dashboard
    # Unset: probe when the host can be known. Set without a base domain is a spec error.
    return bool(spec.cluster.base_domain) if wanted is None else wanted


def _probe(spec, name: str, ns: str, job: str, urls: list[str]) -> Obj:
    p = spec.monitoring.probes
    return obj(
        API,
        "Probe",
        name,
        ns,
        spec={
            "jobName": job,
            "interval": p.interval,
            # http_2xx follows redirects: the dashboard's OAuth proxy answers with its login page.
            "module": "http_2xx",
            "prober": {"url": p.prober_url},
            "targets": {"staticConfig": {"static": list(urls)}},
        },
    )


def build(spec, ns: str) -> list[Obj]:
    out = []
    if probes_dashboard(spec):
        out.append(_probe(spec, "dashboard", ns, DASHBOARD_JOB, [dashboard_url(spec)]))
    urls = model_endpoints(spec)
    if urls:
        out.append(_probe(spec, "model-endpoints", ns, MODEL_ENDPOINTS_JOB, urls))
    return out


def model_endpoints(spec) -> list[str]:
    listed = list(spec.monitoring.probes.model_endpoints)
    return listed + [u for u in probed_endpoints(spec) if u not in listed]
