"""Connections (S3, URI, OCI) as the dashboard and model serving read them: a Secret in a team
namespace with the dashboard's labels and the connection-type annotation of the release. The
Secret's values never pass through git: the External Secrets Operator makes it from a store the
spec names (`ExternalSecret`, its `target.template.metadata` carrying labels and annotations, the
non-secret settings as template data), or the team keeps it and the bundle only names it."""

from __future__ import annotations

from generator.components.base import Component
from generator.core.resources import Obj, obj
from generator.facts.workloads import CONNECTION_SETTING_KEYS, LEGACY_S3, WorkloadFacts, workload_facts

EXTERNAL_SECRET_API = "external-secrets.io/v1"
DASHBOARD = "opendatahub.io/dashboard"
# odh-model-controller copies Secrets labelled so into the serving storage config of the namespace.
MANAGED = "opendatahub.io/managed"
# The dashboard's annotation naming a Secret's connection type: `connection-type` ("s3") for the
# data connections of releases before connection types, `connection-type-ref` (the type's
# ConfigMap name) once the release ships connection types; model serving still reads the former
# on S3 connections, so those carry both.
LEGACY_TYPE = "opendatahub.io/connection-type"
TYPE_REF = "opendatahub.io/connection-type-ref"

SECRET_TYPES = {"oci-v1": "kubernetes.io/dockerconfigjson"}


def settings(c) -> dict[str, str]:
    """The connection's non-secret values, by Secret key."""
    out = {}
    for field, key in CONNECTION_SETTING_KEYS.items():
        value = getattr(c, field)
        if value is not None:
            out[key] = ",".join(value) if isinstance(value, list) else value
    return out


def metadata(facts: WorkloadFacts, c) -> dict[str, dict[str, str]]:
    labels = {DASHBOARD: "true"}
    if c.serving:
        labels[MANAGED] = "true"
    annotations = {"openshift.io/display-name": c.display_name or c.name}
    if c.description:
        annotations["openshift.io/description"] = c.description
    if facts.connection_types:
        annotations[TYPE_REF] = c.type
    if facts.is_s3(c.type):
        annotations[LEGACY_TYPE] = LEGACY_S3
    return {"labels": labels, "annotations": dict(sorted(annotations.items()))}


def external_secret(facts: WorkloadFacts, c) -> Obj:
    es = c.external_secret
    template = {
        "engineVersion": "v2",
        # the store's keys pass through; the template adds the settings and the metadata
        "mergePolicy": "Merge",
        "type": SECRET_TYPES.get(c.type, "Opaque"),
        "metadata": metadata(facts, c),
    }
    if settings(c):
        template["data"] = settings(c)
    return obj(
        EXTERNAL_SECRET_API,
        "ExternalSecret",
        c.name,
        c.namespace,
        spec={
            "refreshInterval": es.refresh_interval,
            "secretStoreRef": {"name": es.store.name, "kind": es.store.kind},
            "target": {"name": c.name, "creationPolicy": "Owner", "template": template},
            "dataFrom": [{"extract": {"key": es.remote_key}}],
        },
    )


def build(spec) -> list[Obj]:
    connections = spec.workloads.connections
    if not connections:
        return []
    facts = workload_facts(spec.distribution.name, spec.version)
    return [external_secret(facts, c) for c in connections if c.external_secret is not None]


def by_name(spec, namespace: str, name: str):
    return next((c for c in spec.workloads.connections if c.namespace == namespace and c.name == name), None)


COMPONENT = Component(
    name="team-connections",
    description="Connections of team namespaces (ExternalSecrets making the dashboard's connection Secrets)",
    build=build,
    has_base=False,
)
