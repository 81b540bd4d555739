"""A cluster's Argo CD objects: its AppProject, one Application per unit, and the root
Application (app-of-apps) whose path is the folder holding them all.

Everything that names the repository (repoURL, targetRevision) comes from the spec, so a fork
changes two lines of its specs and nothing else.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from generator.argocd import UNIT, facts, waves
from generator.argocd.facts import group_kind
from generator.core.resources import COMPONENT_LABEL, MANAGED_BY, MANAGER, Obj, annotate, is_namespaced, label, obj

API = "argoproj.io/v1alpha1"
IN_CLUSTER = "https://kubernetes.default.svc"
CLUSTER_LABEL = "rhoai-gitops.io/cluster"


def project_name(spec) -> str:
    return spec.argocd.project or f"rhoai-{spec.name}"


def app_name(spec, unit: str) -> str:
    return f"{spec.name}-{unit}"


def root_name(cluster: str) -> str:
    return f"{cluster}-root"


def overlay_path(cluster: str, unit: str) -> str:
    return f"overlays/{cluster}/{unit}"


def destination(spec) -> dict[str, str]:
    """Where the cluster's objects go, as Argo CD names it (server URL or registered name)."""
    d = spec.argocd.destination
    if d.name:
        return {"name": d.name}
    if d.in_cluster:
        return {"server": IN_CLUSTER}
    # A spec without any destination is refused by the rules; the bases' default spec has
    # none, and its Argo CD unit is never written, so in-cluster stands in.
    return {"server": d.server or spec.cluster.api_server or IN_CLUSTER}


def sync_policy(argocd, options: list[str]) -> dict[str, Any]:
    sp = argocd.sync_policy
    out: dict[str, Any] = {}
    if sp.automated:
        out["automated"] = {"prune": sp.prune, "selfHeal": sp.self_heal}
    out["retry"] = {
        "limit": sp.retry.limit,
        "backoff": {
            "duration": sp.retry.backoff.duration,
            "factor": sp.retry.backoff.factor,
            "maxDuration": sp.retry.backoff.max_duration,
        },
    }
    if options:
        out["syncOptions"] = options
    return out


def _owned(o: Obj, cluster: str) -> Obj:
    label(o, MANAGED_BY, MANAGER)
    label(o, COMPONENT_LABEL, UNIT)
    label(o, CLUSTER_LABEL, cluster)
    return o


def home_namespace(spec, objs: list[Obj]) -> str:
    """The Application's destination namespace: the namespace the unit creates, else the one
    most of its objects live in, else (cluster-scoped objects only) the operator namespace."""
    for o in objs:
        if o.get("kind") == "Namespace" and o.get("apiVersion") == "v1":
            return o["metadata"]["name"]
    counts = Counter(o["metadata"]["namespace"] for o in objs if o["metadata"].get("namespace"))
    if counts:
        top = max(counts.values())
        return min(ns for ns, c in counts.items() if c == top)
    return spec.namespaces["operator"]


def _unwritten(entry: dict, objs: list[Obj]) -> dict:
    """The entry without the pointers it ignores only while the bundle does not write them."""
    only = facts.ignored_unless_written()
    written = {
        (*group_kind(o), p) for o in objs for (g, k, p) in only if group_kind(o) == (g, k) and _has_pointer(o, p)
    }
    if "jsonPointers" not in entry:
        return entry
    return {
        **entry,
        "jsonPointers": [p for p in entry["jsonPointers"] if (entry["group"], entry["kind"], p) not in written],
    }


def _has_pointer(o: Obj, pointer: str) -> bool:
    node: Any = o
    for part in pointer.strip("/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def application(spec, unit: str, objs: list[Obj], wave: int, created: set[str]) -> Obj:
    kinds = {group_kind(o) for o in objs}
    ns = home_namespace(spec, objs)
    ignore = [_unwritten(e, objs) for e in facts.ignore_differences() if (e["group"], e["kind"]) in kinds]
    ignore = [
        e for e in ignore if e.get("jsonPointers") or e.get("jqPathExpressions") or e.get("managedFieldsManagers")
    ]
    options = []
    if ns not in created:
        options.append("CreateNamespace=true")
    if kinds & facts.server_side_apply():
        options.append("ServerSideApply=true")
    if ignore:
        options.append("RespectIgnoreDifferences=true")
    body: dict[str, Any] = {
        "project": project_name(spec),
        "source": {
            "repoURL": spec.argocd.repo_url,
            "targetRevision": spec.argocd.target_revision,
            "path": overlay_path(spec.name, unit),
        },
        "destination": {**destination(spec), "namespace": ns},
        "syncPolicy": sync_policy(spec.argocd, options),
    }
    if ignore:
        body["ignoreDifferences"] = ignore
    # No resources-finalizer: deleting an Application must orphan its objects, never cascade
    # into deleting the DataScienceCluster or the operators.
    app = _owned(obj(API, "Application", app_name(spec, unit), spec.argocd.namespace, spec=body), spec.name)
    # Wave 0 is the AppProject's: every Application needs it.
    annotate(app, waves.WAVE, str(wave + 1))
    return app


def root_application(
    cluster: str, *, project: str, namespace: str, repo_url: str | None, revision: str, policy: dict[str, Any]
) -> Obj:
    """The app-of-apps; also the ApplicationSet's template in fleet mode (with placeholders)."""
    body = {
        "project": project,
        "source": {"repoURL": repo_url, "targetRevision": revision, "path": overlay_path(cluster, UNIT)},
        # Applications live beside Argo CD, whichever cluster they deploy to.
        "destination": {"server": IN_CLUSTER, "namespace": namespace},
        "syncPolicy": policy,
    }
    return _owned(obj(API, "Application", root_name(cluster), namespace, spec=body), cluster)


def app_project(spec, units: dict[str, list[Obj]], apps: list[Obj]) -> Obj:
    objs = [o for u, items in units.items() if u != UNIT for o in items]
    dest = destination(spec)
    namespaces = {o["metadata"]["namespace"] for o in objs if o["metadata"].get("namespace")}
    namespaces |= {o["metadata"]["name"] for o in objs if o.get("kind") == "Namespace" and o.get("apiVersion") == "v1"}
    namespaces |= {a["spec"]["destination"]["namespace"] for a in apps}
    destinations = [{**dest, "namespace": ns} for ns in sorted(namespaces)]
    # The root Application and its children live in Argo CD's namespace on Argo CD's cluster.
    home = {"server": IN_CLUSTER, "namespace": spec.argocd.namespace}
    if home not in destinations:
        destinations.append(home)
    cluster_kinds = sorted({group_kind(o) for o in objs if not is_namespaced(o)})
    namespaced_kinds = sorted(
        {group_kind(o) for o in objs if is_namespaced(o)}
        | {(API.split("/")[0], "Application"), (API.split("/")[0], "AppProject")}
    )
    body = {
        "description": f"rhoai-gitops: everything the {spec.name} cluster's Applications may sync",
        "sourceRepos": [spec.argocd.repo_url],
        "destinations": destinations,
        "clusterResourceWhitelist": [{"group": g, "kind": k} for g, k in cluster_kinds],
        "namespaceResourceWhitelist": [{"group": g, "kind": k} for g, k in namespaced_kinds],
    }
    project = _owned(obj(API, "AppProject", project_name(spec), spec.argocd.namespace, spec=body), spec.name)
    annotate(project, waves.WAVE, "0")
    return project


def add_unit(spec, units: dict[str, list[Obj]], p: waves.Plan | None = None) -> None:
    """The pass: adds the `argocd` unit (AppProject, Applications, root Application); `p`: the
    units' wave plan when the caller has it."""
    p = p or waves.plan(units)
    created = {
        o["metadata"]["name"]
        for u, objs in units.items()
        if u != UNIT
        for o in objs
        if o.get("kind") == "Namespace" and o.get("apiVersion") == "v1"
    }
    apps = [
        application(spec, unit, objs, p.unit_waves[unit], created)
        for unit, objs in units.items()
        if unit != UNIT and objs
    ]
    out = [app_project(spec, units, apps), *apps]
    if not spec.argocd.fleet.enabled:
        # In fleet mode the ApplicationSet owns the root Application (fleet/argocd/).
        out.append(
            root_application(
                spec.name,
                project=project_name(spec),
                namespace=spec.argocd.namespace,
                repo_url=spec.argocd.repo_url,
                revision=spec.argocd.target_revision,
                policy=sync_policy(spec.argocd, []),
            )
        )
    units[UNIT] = out
