"""Team access: who works where, and with which queue and hardware.

Per team (quotas.teams): its groups bound in each of its namespaces with the role the spec gives
(admin, edit or view: the cluster's own aggregated roles); every group of the team allowed to see
the team's LocalQueue and the workloads queued there (kueue.x-k8s.io is in none of the default
roles) and its own ClusterQueue (what the dashboard shows as the project's quota); allowed to
read the HardwareProfiles of the pools the team has quota on (and the CPU-only one); and an
OpenShift Group (user.openshift.io/v1) for each group whose members the spec lists, on clusters
without an identity provider's group sync.

The platform's admin groups (auth.adminGroups) get admin in every team namespace and may read the
cluster-wide Kueue objects (ClusterQueues, flavors, cohorts, priorities, every workload) they
answer for.
"""

from __future__ import annotations

from generator.capacity import pools as capacity
from generator.components import profiles
from generator.components.base import Component
from generator.core.resources import Obj, obj

RBAC = "rbac.authorization.k8s.io/v1"
RBAC_GROUP = "rbac.authorization.k8s.io"
KUEUE_GROUP = "kueue.x-k8s.io"
READ = ["get", "list", "watch"]
QUEUE_USER = "team-queue-user"
PLATFORM_ADMIN = "platform-admin"


def _groups(names) -> list[dict]:
    return [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": n} for n in names]


def _binding(kind: str, name: str, ns: str | None, role_kind: str, role: str, groups) -> Obj:
    return obj(
        RBAC,
        kind,
        name,
        ns,
        roleRef={"apiGroup": RBAC_GROUP, "kind": role_kind, "name": role},
        subjects=_groups(groups),
    )


def team_profiles(spec, team) -> list[str]:
    """The HardwareProfiles the bundle renders that the team can get admitted with: the CPU one
    and those of resources it has quota of on a pool."""
    rendered = {o["metadata"]["name"] for o in profiles.build(spec) if o["kind"] == "HardwareProfile"}
    quota = {(q.pool, q.resource) for q in capacity.gpu_quotas(spec) if q.team == team.name}
    usable = {profiles.CPU_PROFILE} | {
        p.name for p in profiles.gpu_profiles(spec) if (p.pool.name, p.resource) in quota
    }
    return sorted(rendered & usable)


def team_objects(spec, team) -> list[Obj]:
    groups = [g.name for g in team.groups]
    out: list[Obj] = []
    for ns in team.namespaces:
        for role in ("admin", "edit", "view"):
            holders = [g.name for g in team.groups if g.role == role]
            if holders:
                out.append(_binding("RoleBinding", f"team-{role}", ns, "ClusterRole", role, holders))
        if groups:
            out.append(
                obj(
                    RBAC,
                    "Role",
                    QUEUE_USER,
                    ns,
                    rules=[
                        {"apiGroups": [KUEUE_GROUP], "resources": ["localqueues", "workloads"], "verbs": list(READ)}
                    ],
                )
            )
            out.append(_binding("RoleBinding", QUEUE_USER, ns, "Role", QUEUE_USER, groups))
        if spec.admin_groups:
            out.append(_binding("RoleBinding", PLATFORM_ADMIN, ns, "ClusterRole", "admin", spec.admin_groups))
    if not groups:
        return out
    # resourceNames limit get and watch; list cannot be limited by name, so it is not granted.
    queue = f"rhoai-gitops-team-{team.name}-queue"
    out.append(
        obj(
            RBAC,
            "ClusterRole",
            queue,
            rules=[
                {
                    "apiGroups": [KUEUE_GROUP],
                    "resources": ["clusterqueues"],
                    "verbs": ["get", "watch"],
                    "resourceNames": [team.name],
                }
            ],
        )
    )
    out.append(_binding("ClusterRoleBinding", queue, None, "ClusterRole", queue, groups))
    usable = team_profiles(spec, team)
    if usable:
        apps = spec.namespaces["applications"]
        group = spec.release.api_version("HardwareProfile").split("/")[0]
        name = f"team-{team.name}-hardware-profiles"
        out.append(
            obj(
                RBAC,
                "Role",
                name,
                apps,
                rules=[
                    {
                        "apiGroups": [group],
                        "resources": ["hardwareprofiles"],
                        "verbs": ["get", "watch"],
                        "resourceNames": usable,
                    }
                ],
            )
        )
        out.append(_binding("RoleBinding", name, apps, "Role", name, groups))
    return out


def groups(spec) -> list[Obj]:
    """OpenShift Groups whose members the spec lists (once each: a spec rule)."""
    out = {}
    for team in spec.quotas.teams:
        for g in team.groups:
            if g.members is not None and g.name not in out:
                out[g.name] = obj("user.openshift.io/v1", "Group", g.name, users=list(g.members))
    return [out[n] for n in sorted(out)]


def build(spec) -> list[Obj]:
    if not (spec.quotas and spec.quotas.teams):
        return []
    out = groups(spec)
    for team in spec.quotas.teams:
        out += team_objects(spec, team)
    if spec.admin_groups:
        name = "rhoai-gitops-platform-admin-kueue"
        out.append(
            obj(
                RBAC,
                "ClusterRole",
                name,
                rules=[
                    {
                        "apiGroups": [KUEUE_GROUP],
                        "verbs": list(READ),
                        "resources": [
                            "clusterqueues",
                            "cohorts",
                            "localqueues",
                            "resourceflavors",
                            "workloadpriorityclasses",
                            "workloads",
                        ],
                    }
                ],
            )
        )
        out.append(_binding("ClusterRoleBinding", name, None, "ClusterRole", name, spec.admin_groups))
    return out


COMPONENT = Component(
    name="team-access",
    description="Team access: role bindings of each team's groups, its queue and hardware profiles, OpenShift Groups, platform admins",
    build=build,
    has_base=False,
)
