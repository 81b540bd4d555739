"""Fleet mode: one ApplicationSet that makes the root Application of every cluster whose spec
says `argocd.fleet.enabled`, written to fleet/argocd/ with its AppProject and an Application
that keeps the folder itself in sync (so adding a cluster is a commit, not a kubectl run).

Git mode reads the clusters' spec files from the repository (files generator) and takes the
cluster name from each file's metadata.name; list mode writes the clusters into the
ApplicationSet, which also lets each cluster track its own targetRevision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator import __version__
from generator.argocd.applications import API, IN_CLUSTER, root_application, sync_policy
from generator.bundle import KUSTOMIZATION, Folder, kustomization
from generator.core.errors import SpecErrors
from generator.core.resources import COMPONENT_LABEL, MANAGED_BY, MANAGER, canonical, file_name, label, obj
from generator.spec.loader import LoadedSpec, Positions
from generator.spec.model import ArgoCD
from generator.spec.rules import where

ROOT = "fleet/argocd"
NAME = "rhoai-fleet"


@dataclass(frozen=True)
class FleetMember:
    """What the fleet needs of one cluster: small enough to keep in the render cache, so a
    fleet render does not have to parse every unchanged spec again."""

    name: str
    source: str
    digest: str
    argocd: ArgoCD

    @classmethod
    def of(cls, loaded: LoadedSpec) -> FleetMember:
        return cls(loaded.spec.name, loaded.source, loaded.digest, loaded.spec.argocd)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "source": self.source,
            "digest": self.digest,
            "argocd": self.argocd.model_dump(mode="json", by_alias=True),
        }

    @classmethod
    def from_json(cls, data: dict) -> FleetMember:
        return cls(data["name"], data["source"], data["digest"], ArgoCD.model_validate(data["argocd"]))


PositionsOf = Callable[[FleetMember], Positions]


def _shared_fields(generator: str) -> list[tuple[tuple, Callable[[Any], Any]]]:
    """Spec fields every fleet cluster must agree on: they are written once, in the
    ApplicationSet. In list mode each element carries its own targetRevision."""
    fields = [
        (("argocd", "fleet", "generator"), lambda a: a.fleet.generator),
        (("argocd", "namespace"), lambda a: a.namespace),
        (("argocd", "repoURL"), lambda a: a.repo_url),
        (("argocd", "syncPolicy"), lambda a: a.sync_policy),
    ]
    if generator == "git":
        fields.append((("argocd", "targetRevision"), lambda a: a.target_revision))
    return fields


def check_specs(specs: list[LoadedSpec]) -> None:
    """The fleet's agreement over loaded specs (what `lint` checks without rendering)."""
    fleet = [s for s in specs if s.spec.argocd.fleet.enabled]
    if fleet:
        by_source = {s.source: s for s in fleet}
        _check([FleetMember.of(s) for s in fleet], lambda m: by_source[m.source].positions)


def _destination(argocd: ArgoCD) -> tuple[tuple, str] | None:
    """The field naming a fleet cluster's destination explicitly, and the cluster it names.
    inCluster in fleet mode is the hub: the cluster the fleet's Argo CD (and its
    ApplicationSet) runs on."""
    d = argocd.destination
    if d.in_cluster:
        return ("argocd", "destination", "inCluster"), IN_CLUSTER
    if d.server:
        return ("argocd", "destination", "server"), d.server.rstrip("/")
    if d.name:
        return ("argocd", "destination", "name"), f"name:{d.name}"
    return None


def _check(members: list[FleetMember], positions_of: PositionsOf) -> None:
    first = members[0]
    errors = []
    # The fleet's Applications all live on the hub: two clusters whose destination is the same
    # cluster (inCluster twice: the hub) would deploy two platforms onto one.
    taken: dict[str, tuple[FleetMember, tuple]] = {}
    for m in members:
        found = _destination(m.argocd)
        if found is None:
            continue
        path, target = found
        if target in taken:
            other, other_path = taken[target]
            errors.append(
                positions_of(m).error(
                    path,
                    f"the same cluster as {other.name}'s destination ({where(positions_of(other), other_path)}): "
                    "in fleet mode every Application lives on the hub, and inCluster means the hub itself, so two fleet "
                    "clusters would deploy their platforms onto one cluster; give this one destination.server (its API "
                    "server) or destination.name",
                )
            )
        else:
            taken[target] = (m, path)
    for other in members[1:]:
        for path, get in _shared_fields(first.argocd.fleet.generator):
            if get(other.argocd) != get(first.argocd):
                errors.append(
                    positions_of(other).error(
                        path,
                        f"differs from {where(positions_of(first), path)}: fleet clusters share one ApplicationSet",
                    )
                )
    if errors:
        raise SpecErrors(errors)


def _own(o: dict) -> dict:
    label(o, MANAGED_BY, MANAGER)
    label(o, COMPONENT_LABEL, "fleet")
    return o


def objects(members: list[FleetMember]) -> list[dict]:
    argocd = members[0].argocd
    ns = argocd.namespace
    repo, revision = argocd.repo_url, argocd.target_revision
    policy = sync_policy(argocd, [])
    if argocd.fleet.generator == "git":
        cluster, cluster_revision = "{{ .metadata.name }}", revision
        generator = {
            "git": {
                "repoURL": repo,
                "revision": revision,
                "files": [{"path": m.source} for m in members],
            }
        }
    else:
        cluster, cluster_revision = "{{ .cluster }}", "{{ .targetRevision }}"
        generator = {
            "list": {"elements": [{"cluster": m.name, "targetRevision": m.argocd.target_revision} for m in members]}
        }
    root = root_application(
        cluster, project=NAME, namespace=ns, repo_url=repo, revision=cluster_revision, policy=policy
    )
    appset = obj(
        API,
        "ApplicationSet",
        NAME,
        ns,
        spec={
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [generator],
            "template": {"metadata": root["metadata"], "spec": root["spec"]},
            # Deleting the ApplicationSet must not cascade into every cluster's platform.
            "syncPolicy": {"preserveResourcesOnDeletion": True},
        },
    )
    project = obj(
        API,
        "AppProject",
        NAME,
        ns,
        spec={
            "description": "rhoai-gitops: the fleet's root Applications",
            "sourceRepos": [repo],
            "destinations": [{"server": IN_CLUSTER, "namespace": ns}],
            "clusterResourceWhitelist": [],
            "namespaceResourceWhitelist": [
                {"group": API.split("/")[0], "kind": kind} for kind in ("AppProject", "Application", "ApplicationSet")
            ],
        },
    )
    itself = obj(
        API,
        "Application",
        NAME,
        ns,
        spec={
            "project": NAME,
            "source": {"repoURL": repo, "targetRevision": revision, "path": ROOT},
            "destination": {"server": IN_CLUSTER, "namespace": ns},
            "syncPolicy": policy,
        },
    )
    return [canonical(_own(o)) for o in (project, appset, itself)]


def fleet_folders(members: list[FleetMember], positions_of: PositionsOf) -> list[Folder]:
    """fleet/argocd when any spec enables fleet mode (raises SpecErrors on disagreement).
    `members` are the clusters with argocd.fleet.enabled, in spec-file order; `positions_of`
    finds a member's spec positions (only needed to report a disagreement)."""
    if not members:
        return []
    _check(members, positions_of)
    source = ", ".join(m.source for m in members)
    digest = f"{__version__}:" + ":".join(m.digest for m in members)
    folder = Folder(root=ROOT, source=source, digest=digest)
    names = []
    for o in objects(members):
        names.append(file_name(o))
        folder.add_yaml(names[-1], o)
    folder.add_yaml(KUSTOMIZATION, kustomization(names))
    return [folder]
