"""The checks Argo CD would otherwise only fail at sync time, run on the committed tree the way
Argo CD reads it: every path through kustomize, the waves as the built objects carry them.

- every Application's path exists and builds; its source is the spec's repo and revision; its
  destination is the spec's cluster; its project exists and allows the source repo, the
  destination and every kind and namespace the path renders;
- no object is managed by two Applications;
- with the bootstrap unit: the application controller's ClusterRole grants exactly the kinds
  and verbs the Applications sync (every one covered, nothing extra), bound to the controller;
- order: for every edge of the dependency graph (waves.py), the object that must come first
  is in an earlier wave of the same Application, or in an Application of an earlier wave; a
  CR's CRD provider is in the bundle; operator-provided CRs skip the dry run; and the wave
  waits for it: its kind has a health check, or its existence is all that is waited for.
"""

from __future__ import annotations

from collections import defaultdict
from fnmatch import fnmatchcase
from pathlib import Path

from generator.argocd import UNIT, bootstrap, facts, health, rbac, waves
from generator.argocd.applications import IN_CLUSTER, destination, overlay_path, root_name
from generator.argocd.facts import group_kind, kind_str
from generator.core.resources import Obj, annotation, ident, ident_str, is_namespaced
from generator.kustomize import BuildResult, build_many
from generator.validate.report import Finding

STAGE = "cross-object"


def _wave(o: Obj) -> int | None:
    try:
        return int(annotation(o, waves.WAVE) or "0")
    except ValueError:
        return None


def _permits(project: Obj, dest: dict, namespace: str) -> bool:
    for d in project["spec"].get("destinations") or []:
        if "server" in dest and not fnmatchcase(dest["server"], d.get("server", "")):
            continue
        if "name" in dest and not fnmatchcase(dest["name"], d.get("name", "")):
            continue
        if fnmatchcase(namespace, d.get("namespace", "")):
            return True
    return False


def _kind_allowed(entries: list[dict], o: Obj) -> bool:
    group, kind = group_kind(o)
    return any(fnmatchcase(group, e.get("group", "")) and fnmatchcase(kind, e.get("kind", "")) for e in entries)


class _Report:
    def __init__(self, cluster: str):
        self.cluster = cluster
        self.findings: list[Finding] = []

    def add(self, obj: str, path: str, message: str) -> None:
        self.findings.append(Finding(self.cluster, STAGE, obj, path, message))


def _check_project(report: _Report, app: Obj, project: Obj, objs: list[Obj]) -> None:
    name = ident_str(app)
    spec = project["spec"]
    repo = app["spec"]["source"]["repoURL"]
    if not any(fnmatchcase(repo, r) for r in spec.get("sourceRepos") or []):
        report.add(
            name, "spec.source.repoURL", f"project {project['metadata']['name']} does not allow source repo {repo}"
        )
    dest = {k: v for k, v in app["spec"]["destination"].items() if k in ("server", "name")}
    app_ns = app["spec"]["destination"].get("namespace", "")
    if not _permits(project, dest, app_ns):
        report.add(
            name,
            "spec.destination",
            f"project {project['metadata']['name']} does not allow destination {dest} namespace {app_ns!r}",
        )
    cluster_ok = spec.get("clusterResourceWhitelist") or []
    namespaced_ok = spec.get("namespaceResourceWhitelist")
    for o in objs:
        if is_namespaced(o):
            ns = o["metadata"].get("namespace", app_ns)
            if not _permits(project, dest, ns):
                report.add(
                    name, "", f"project {project['metadata']['name']} does not allow namespace {ns} ({ident_str(o)})"
                )
            if namespaced_ok is not None and not _kind_allowed(namespaced_ok, o):
                report.add(
                    name,
                    "",
                    f"project {project['metadata']['name']} does not allow namespaced kind {kind_str(group_kind(o))}",
                )
        elif not _kind_allowed(cluster_ok, o):
            report.add(
                name,
                "",
                f"project {project['metadata']['name']} does not allow cluster-scoped kind {kind_str(group_kind(o))}",
            )


def verify(repo: Path, spec, builds: dict[str, BuildResult]) -> list[Finding]:
    """Findings for one cluster. `builds` maps repo-relative paths to kustomize results; what is
    missing is built here (and added to it, so callers can share the builds)."""
    report = _Report(spec.name)
    root_path = overlay_path(spec.name, UNIT)
    if not (repo / root_path).is_dir():
        report.add(root_path, "", "missing: run `rhoai-gitops render`")
        return report.findings
    _build_missing(repo, [root_path], builds)
    root_build = builds[root_path]
    if not root_build.ok:
        report.add(root_path, "", f"kustomize build failed: {root_build.output}")
        return report.findings
    argo_objs = root_build.objects()
    projects = {o["metadata"]["name"]: o for o in argo_objs if o.get("kind") == "AppProject"}
    apps = [o for o in argo_objs if o.get("kind") == "Application"]
    root = next((a for a in apps if a["spec"].get("source", {}).get("path") == root_path), None)
    if spec.argocd.fleet.enabled:
        if root is not None:
            report.add(
                ident_str(root), "", "fleet mode: the ApplicationSet owns the root Application; this one would fight it"
            )
    elif root is None or root["metadata"]["name"] != root_name(spec.name):
        report.add(root_path, "", f"no root Application {root_name(spec.name)} with path {root_path}")

    paths = [a["spec"].get("source", {}).get("path", "") for a in apps]
    _build_missing(repo, [p for p in paths if p and (repo / p).is_dir()], builds)
    owners: dict[tuple, list[str]] = defaultdict(list)
    units: dict[str, list[Obj]] = {}
    app_wave: dict[str, int] = {}
    expected_dest = destination(spec)
    for app, path in zip(apps, paths):
        name = ident_str(app)
        src = app["spec"].get("source", {})
        if src.get("repoURL") != spec.argocd.repo_url:
            report.add(
                name,
                "spec.source.repoURL",
                f"{src.get('repoURL')} is not the spec's argocd.repoURL {spec.argocd.repo_url}",
            )
        if src.get("targetRevision") != spec.argocd.target_revision:
            report.add(
                name,
                "spec.source.targetRevision",
                f"{src.get('targetRevision')} is not the spec's argocd.targetRevision {spec.argocd.target_revision}",
            )
        is_root = path == root_path
        want = {"server": IN_CLUSTER, "namespace": spec.argocd.namespace} if is_root else expected_dest
        got = {k: v for k, v in app["spec"]["destination"].items() if is_root or k != "namespace"}
        if got != want:
            report.add(name, "spec.destination", f"{got} is not the spec's cluster {want}")
        if not path or not (repo / path).is_dir():
            report.add(name, "spec.source.path", f"{path or '(none)'} does not exist")
            continue
        result = builds[path]
        if not result.ok:
            report.add(name, "spec.source.path", f"{path} does not build: {result.output}")
            continue
        objs = result.objects()
        project = projects.get(app["spec"].get("project", ""))
        if project is None:
            report.add(name, "spec.project", f"project {app['spec'].get('project')} is not defined in {root_path}")
        else:
            _check_project(report, app, project, objs)
        for o in objs:
            owners[ident(o)].append(app["metadata"]["name"])
        if not is_root:
            units[app["metadata"]["name"]] = objs
            wave = _wave(app)
            if wave is None:
                report.add(name, f"metadata.annotations.{waves.WAVE}", "not an integer")
            app_wave[app["metadata"]["name"]] = wave or 0
    synced = [o for objs in units.values() for o in objs] + argo_objs
    if spec.argocd.bootstrap.enabled:
        _check_controller_rbac(repo, spec, report, synced, list(projects.values()), builds)
    for key, names in sorted(owners.items()):
        if len(names) > 1:
            group, kind, ns, nm = key
            what = f"{kind}.{group}" if group else kind
            report.add(
                f"{what} {ns + '/' if ns else ''}{nm}", "", f"managed by {len(names)} Applications: {', '.join(names)}"
            )
    _check_order(report, units, app_wave)
    return report.findings


def _check_controller_rbac(
    repo: Path, spec, report: _Report, synced: list[Obj], projects: list[Obj], builds: dict[str, BuildResult]
) -> None:
    """The controller's ClusterRole grants exactly what the Applications sync: every rendered
    kind with the verbs a sync needs, nothing else; it is bound to the controller; and every
    kind the AppProjects whitelist is one it may apply (the two lists stay in step)."""
    path = overlay_path(spec.name, bootstrap.BOOTSTRAP)
    if not (repo / path).is_dir():
        report.add(path, "", "missing: run `rhoai-gitops render`")
        return
    _build_missing(repo, [path], builds)
    if not builds[path].ok:
        report.add(path, "", f"kustomize build failed: {builds[path].output}")
        return
    objs = builds[path].objects()
    name = bootstrap.role_name(spec)
    role = next((o for o in objs if o.get("kind") == "ClusterRole" and o["metadata"]["name"] == name), None)
    if role is None:
        report.add(path, "", f"no ClusterRole {name} for the application controller")
        return
    have = rbac.granted(role)
    want = rbac.granted({"rules": rbac.rules(synced, spec.argocd.sync_policy.prune)})
    where = ident_str(role)
    for key in sorted(set(want) | set(have)):
        group, res, names = key
        what = (f"{res}.{group}" if group else res) + (f" {'/'.join(names)}" if names else "")
        missing, extra = want.get(key, set()) - have.get(key, set()), have.get(key, set()) - want.get(key, set())
        if missing:
            report.add(
                where,
                "rules",
                f"{what}: the Applications sync it but the controller may not {', '.join(sorted(missing))}",
            )
        if extra:
            report.add(where, "rules", f"{what}: grants {', '.join(sorted(extra))} beyond what the Applications sync")
    for project in projects:
        for field in ("clusterResourceWhitelist", "namespaceResourceWhitelist"):
            for entry in project["spec"].get(field) or []:
                grant = have.get((entry.get("group", ""), rbac.plural(entry.get("kind", "")), ()), set())
                if not set(rbac.APPLY) <= grant:
                    report.add(
                        ident_str(project),
                        f"spec.{field}",
                        f"whitelists {kind_str((entry.get('group', ''), entry.get('kind', '')))}, which the controller may not apply",
                    )
    ns, account = bootstrap.controller_account(spec)
    bound = [
        o
        for o in objs
        if o.get("kind") == "ClusterRoleBinding"
        and (o.get("roleRef") or {}).get("name") == name
        and {"kind": "ServiceAccount", "name": account, "namespace": ns} in (o.get("subjects") or [])
    ]
    if not bound:
        report.add(where, "", f"not bound to the application controller's ServiceAccount {ns}/{account}")


def _check_order(report: _Report, units: dict[str, list[Obj]], app_wave: dict[str, int]) -> None:
    g = waves.graph(units)
    crds = waves.crd_kinds(g.objects.values())
    for o in g.objects.values():
        if _wave(o) is None:
            report.add(ident_str(o), f"metadata.annotations.{waves.WAVE}", "not an integer")
        if waves.needs_operator(o, crds) and waves.SKIP_DRY_RUN not in (annotation(o, waves.SYNC_OPTIONS) or ""):
            report.add(
                ident_str(o),
                f"metadata.annotations.{waves.SYNC_OPTIONS}",
                f"needs {waves.SKIP_DRY_RUN}: its CRD is installed by an operator during the sync",
            )
    checked = health.by_kind().keys() | facts.ready_on_create()
    for gk in sorted({group_kind(g.objects[e.before]) for e in g.hard} - checked):
        report.add(
            kind_str(gk),
            "",
            "later waves wait for it, but Argo CD calls it Healthy the moment it exists: add a health check "
            "(generator/data/argocd.yaml healthChecks) or list it under readyOnCreate",
        )
    for u in g.unprovided:
        report.add(ident_str(g.objects[u.node]), "", u.message)
    for e in g.hard:
        a, b = g.objects[e.before], g.objects[e.after]
        (ua, _), (ub, _) = e.before, e.after
        if ua == ub:
            wa, wb = _wave(a) or 0, _wave(b) or 0
            if wa >= wb:
                report.add(
                    ident_str(b),
                    f"metadata.annotations.{waves.WAVE}",
                    f"wave {wb} is not after {ident_str(a)} (wave {wa}) in Application {ua}: {e.why}",
                )
        elif app_wave[ua] >= app_wave[ub]:
            report.add(
                ident_str(b),
                "",
                f"Application {ub} (wave {app_wave[ub]}) is not after Application {ua} (wave {app_wave[ua]}), "
                f"which holds {ident_str(a)}: {e.why}",
            )


def _build_missing(repo: Path, paths: list[str], builds: dict[str, BuildResult]) -> None:
    missing = sorted({p for p in paths if p not in builds})
    for path, result in zip(missing, build_many([repo / p for p in missing])):
        builds[path] = result
