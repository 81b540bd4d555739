"""Pipeline servers: one DataSciencePipelinesApplication per team namespace that asks, at the
release's API version (v1alpha1-only releases, v1) and with only the fields its CRD has. Object
storage by reference (a connection, or endpoint, bucket and an existing Secret's name and keys);
the database is the operator's MariaDB or an external one whose password a Secret holds."""

from __future__ import annotations

from urllib.parse import urlsplit

from generator.components.base import Component
from generator.core.resources import Obj, obj
from generator.facts.workloads import DSPA
from generator.workloads import connections
from generator.workloads.fit import WorkloadFit, fitted_by

DSP_VERSION = "v2"  # Argo-based pipelines; the Tekton-era v1 is gone from every supported release


def storage(spec, p) -> dict | None:
    """(endpoint, bucket, region, credentials Secret, access key key, secret key key) of a
    pipeline server, from its connection or its own settings; None when incomplete (a spec rule
    says what is missing)."""
    s = p.object_storage
    if s.connection:
        c = connections.by_name(spec, p.namespace, s.connection)
        if c is None:
            return None
        endpoint, bucket, region = c.endpoint, s.bucket or c.bucket, s.region or c.region
        secret, access, secret_key = c.name, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"
    else:
        if s.credentials_secret is None:
            return None
        endpoint, bucket, region = s.endpoint, s.bucket, s.region
        ref = s.credentials_secret
        secret, access, secret_key = ref.name, ref.access_key_id_key, ref.secret_access_key_key
    if not endpoint or not bucket:
        return None
    return {
        "endpoint": endpoint,
        "bucket": bucket,
        "region": region,
        "secret": secret,
        "accessKey": access,
        "secretKey": secret_key,
    }


def external_storage(found: dict, base_path: str | None) -> dict:
    url = urlsplit(found["endpoint"] if "://" in found["endpoint"] else "https://" + found["endpoint"])
    out = {
        "host": url.hostname or found["endpoint"],
        "scheme": url.scheme,
        "bucket": found["bucket"],
        "s3CredentialsSecret": {
            "secretName": found["secret"],
            "accessKey": found["accessKey"],
            "secretKey": found["secretKey"],
        },
    }
    if url.port:
        out["port"] = str(url.port)
    if found["region"]:
        out["region"] = found["region"]
    if base_path:
        out["basePath"] = base_path
    return out


def database(p) -> dict:
    ext = p.database.external
    if ext is not None:
        return {
            "externalDB": {
                "host": ext.host,
                "port": str(ext.port),
                "username": ext.username,
                "pipelineDBName": ext.database,
                "passwordSecret": {"name": ext.password_secret.name, "key": ext.password_secret.key},
            }
        }
    maria = p.database.mariadb
    return {"mariaDB": {"deploy": True, "pvcSize": maria.pvc_size if maria else "10Gi"}}


def fit(spec, f: WorkloadFit) -> list[Obj]:
    out = []
    api = f.facts.api_version(DSPA)
    for i, p in enumerate(spec.workloads.pipeline_servers):
        at = ("workloads", "pipelineServers", i)
        o = obj(api, DSPA, p.name, p.namespace, spec={})
        f.put(o, "spec.dspVersion", DSP_VERSION)
        found = storage(spec, p)
        if found is not None:
            f.put(
                o,
                "spec.objectStorage.externalStorage",
                external_storage(found, p.object_storage.base_path),
                at + ("objectStorage",),
            )
        f.put(o, "spec.database", database(p), at + ("database",))
        if p.pipeline_store is not None:
            f.put(o, "spec.apiServer.pipelineStore", p.pipeline_store, at + ("pipelineStore",))
        if p.sample_pipeline is not None:
            f.put(o, "spec.apiServer.enableSamplePipeline", p.sample_pipeline, at + ("samplePipeline",))
        out.append(o)
    return out


fitted = fitted_by(fit, lambda spec: spec.workloads.pipeline_servers)


def build(spec) -> list[Obj]:
    return fitted(spec)[0]


COMPONENT = Component(
    name="team-pipelines",
    description="Pipeline servers (DataSciencePipelinesApplications) of team namespaces",
    build=build,
    has_base=False,
    fitted=fitted,
)
