"""Model registries: ModelRegistry instances in the DataScienceCluster's registries namespace at
the release's API version, the database by Secret reference (MySQL, PostgreSQL, or the operator's
own PostgreSQL where the release's CRD offers it), and the groups of the teams named given the
registry's user Role (which the operator creates, `registry-user-<name>`).

The proxy in front of the REST API is written in the form the release keeps: where the CRD has
`kubeRBACProxy` (3.x) the operator's webhook moves an `oauthProxy` there (data/workload.yaml
rewrites), so the bundle writes `kubeRBACProxy` and Argo CD stays in sync."""

from __future__ import annotations

from generator.components.access import RBAC, RBAC_GROUP
from generator.components.base import Component
from generator.core.resources import Obj, obj
from generator.facts.rewrites import rewrites
from generator.facts.workloads import MODEL_REGISTRY, WorkloadFacts
from generator.spec.rules import team_groups_of
from generator.workloads.fit import WorkloadFit, fitted_by

DEFAULT_PORTS = {"mysql": 3306, "postgres": 5432}
USER_ROLE = "registry-user-{name}"
# Says on the object that a field is written in the form a webhook rewrites it into, and why.
REWRITE = "rhoai-gitops.io/webhook-rewrite"


def proxy_field(facts: WorkloadFacts) -> str | None:
    """The proxy field the release's ModelRegistry takes and keeps (after its webhook's rewrite,
    data/rewrites.yaml), or None (releases of the istio era serve in-cluster only unless the
    mesh is set up for it)."""
    path = next((f"spec.{p}" for p in ("oauthProxy", "kubeRBACProxy") if facts.has(MODEL_REGISTRY, f"spec.{p}")), None)
    return rewritten(facts, path).removeprefix("spec.") if path else None


def rewritten(facts: WorkloadFacts, path: str) -> str:
    for r in rewrites():
        if r.kind == MODEL_REGISTRY and r.source_path == path and r.applies(facts):
            return r.target_path
    return path


def database(r) -> dict:
    db = r.database
    if db.generate:
        return {"generateDeployment": True}
    out = {"host": db.host, "port": db.port or DEFAULT_PORTS[db.type], "database": db.database, "username": db.username}
    if db.password_secret:
        out["passwordSecret"] = {"name": db.password_secret.name, "key": db.password_secret.key}
    return {k: v for k, v in out.items() if v is not None}


def fit(spec, f: WorkloadFit) -> list[Obj]:
    out: list[Obj] = []
    ns = spec.namespaces["modelRegistries"]
    api = f.facts.api_version(MODEL_REGISTRY)
    required = (f.facts.node(MODEL_REGISTRY, "spec") or {}).get("required", [])
    proxy = proxy_field(f.facts)
    for i, r in enumerate(spec.workloads.model_registries):
        at = ("workloads", "modelRegistries", i)
        o = obj(api, MODEL_REGISTRY, r.name, ns, spec={})
        f.put(o, "spec.rest", {})
        if "grpc" in required:
            f.put(o, "spec.grpc", {})
        if proxy:
            f.put(o, f"spec.{proxy}", {})
            if proxy != "oauthProxy" and f.facts.has(MODEL_REGISTRY, "spec.oauthProxy"):
                o["metadata"]["annotations"] = {
                    REWRITE: "spec.oauthProxy -> spec.kubeRBACProxy (the operator's webhook; generator/data/rewrites.yaml)"
                }
        f.put(o, f"spec.{r.database.type}", database(r), at + ("database",))
        out.append(o)
        groups = sorted({g for team in r.teams for g in team_groups_of(spec, team)})
        if groups:
            role = USER_ROLE.format(name=r.name)
            out.append(
                obj(
                    RBAC,
                    "RoleBinding",
                    f"{role}-teams",
                    ns,
                    roleRef={"apiGroup": RBAC_GROUP, "kind": "Role", "name": role},
                    subjects=[{"apiGroup": RBAC_GROUP, "kind": "Group", "name": g} for g in groups],
                )
            )
    return out


fitted = fitted_by(fit, lambda spec: spec.workloads.model_registries)


def build(spec) -> list[Obj]:
    return fitted(spec)[0]


COMPONENT = Component(
    name="model-registries",
    description="ModelRegistry instances and their teams' access",
    build=build,
    has_base=False,
    fitted=fitted,
)
