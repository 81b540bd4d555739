"""Alert routing: one AlertmanagerConfig (monitoring.coreos.com/v1alpha1, the version the
upstream CRD serves) per receiver, in the alerting namespace. Credentials are references to
keys of Secrets in that namespace, created outside this repository: the generator never sees
a routing key or webhook URL."""

from __future__ import annotations

from generator.core.resources import Obj, namespace, obj

API = "monitoring.coreos.com/v1alpha1"


def _secret(ref) -> dict:
    return {"name": ref.name, "key": ref.key}


def receiver(r) -> dict:
    out: dict = {"name": r.name}
    if r.type == "pagerduty":
        out["pagerdutyConfigs"] = [{"routingKey": _secret(r.secret_ref), "sendResolved": True}]
    elif r.type == "slack":
        slack: dict = {"apiURL": _secret(r.secret_ref), "sendResolved": True}
        if r.channel:
            slack["channel"] = r.channel
        out["slackConfigs"] = [slack]
    else:
        out["webhookConfigs"] = [{"urlSecret": _secret(r.secret_ref), "sendResolved": True}]
    return out


def severity_matcher(severities: list[str]) -> dict:
    # Always a regex (Alertmanager anchors it, so "critical" matches only critical): kustomize
    # writes a bare `=` unquoted, which YAML 1.1 loaders (PyYAML, so our own) refuse.
    return {"name": "severity", "matchType": "=~", "value": "|".join(sorted(set(severities)))}


def alertmanager_config(r, ns: str) -> Obj:
    return obj(
        API,
        "AlertmanagerConfig",
        r.name,
        ns,
        spec={
            # The operator adds a namespace=<ns> matcher to this route: every platform alert
            # carries that label (alerts.py), alerts of other tenants never do.
            "route": {
                "receiver": r.name,
                "groupBy": ["alertname", "severity"],
                "matchers": [severity_matcher(r.severities)],
            },
            "receivers": [receiver(r)],
        },
    )


def build(spec) -> list[Obj]:
    m = spec.monitoring
    if not m.receivers:
        return []
    return [namespace(m.alerting_namespace)] + [alertmanager_config(r, m.alerting_namespace) for r in m.receivers]
