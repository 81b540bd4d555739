"""Fleet mode: one ApplicationSet that makes the root Application of every cluster whose spec
says `argocd.fleet.enabled`, written to fleet/argocd/ with its AppProject and an Application
that keeps the folder itself in sync (so adding a cluster is a commit, not a kubectl run).

Git mode reads the clusters' spec files from the repository (files generator) and takes the
cluster name from each file's metadata.name; list mode writes the clusters into the
ApplicationSet, which also lets each cluster track its own targetRevision.
"""

from __future__ import annotations

from generator import __version__
from generator.argocd.applications import API, IN_CLUSTER, root_application, sync_policy
from generator.bundle import KUSTOMIZATION, Folder, kustomization
from generator.errors import SpecErrors
from generator.resources import COMPONENT_LABEL, MANAGED_BY, MANAGER, canonical, file_name, label, obj
from generator.spec.loader import LoadedSpec
from generator.spec.rules import where

ROOT = "fleet/argocd"
NAME = "rhoai-fleet"


def _shared_fields(generator: str) -> list[tuple[tuple, object]]:
    """Spec fields every fleet cluster must agree on: they are written once, in the
    ApplicationSet. In list mode each element carries its own targetRevision."""
    fields = [
        (("argocd", "fleet", "generator"), lambda s: s.argocd.fleet.generator),
        (("argocd", "namespace"), lambda s: s.argocd.namespace),
        (("argocd", "repoURL"), lambda s: s.argocd.repo_url),
        (("argocd", "syncPolicy"), lambda s: s.argocd.sync_policy),
    ]
    if generator == "git":
        fields.append((("argocd", "targetRevision"), lambda s: s.argocd.target_revision))
    return fields


def _check(members: list[LoadedSpec]) -> None:
    first = members[0]
    errors = []
    for other in members[1:]:
        for path, get in _shared_fields(first.spec.argocd.fleet.generator):
            if get(other.spec) != get(first.spec):
                errors.append(other.positions.error(
                    path,
                    f"differs from {where(first.positions, path)}: fleet clusters share one ApplicationSet",
                ))
    if errors:
        raise SpecErrors(errors)


def _own(o: dict) -> dict:
    label(o, MANAGED_BY, MANAGER)
    label(o, COMPONENT_LABEL, "fleet")
    return o


def objects(members: list[LoadedSpec]) -> list[dict]:
    spec = members[0].spec
    ns = spec.argocd.namespace
    repo, revision = spec.argocd.repo_url, spec.argocd.target_revision
    policy = sync_policy(spec, [])
    if spec.argocd.fleet.generator == "git":
        cluster, cluster_revision = "{{ .metadata.name }}", revision
        generator = {"git": {
            "repoURL": repo,
            "revision": revision,
            "files": [{"path": m.source} for m in members],
        }}
    else:
        cluster, cluster_revision = "{{ .cluster }}", "{{ .targetRevision }}"
        generator = {"list": {"elements": [
            {"cluster": m.spec.name, "targetRevision": m.spec.argocd.target_revision} for m in members
        ]}}
    root = root_application(cluster, project=NAME, namespace=ns, repo_url=repo, revision=cluster_revision, policy=policy)
    appset = obj(API, "ApplicationSet", NAME, ns, spec={
        "goTemplate": True,
        "goTemplateOptions": ["missingkey=error"],
        "generators": [generator],
        "template": {"metadata": root["metadata"], "spec": root["spec"]},
        # Deleting the ApplicationSet must not cascade into every cluster's platform.
        "syncPolicy": {"preserveResourcesOnDeletion": True},
    })
    project = obj(API, "AppProject", NAME, ns, spec={
        "description": "rhoai-gitops: the fleet's root Applications",
        "sourceRepos": [repo],
        "destinations": [{"server": IN_CLUSTER, "namespace": ns}],
        "clusterResourceWhitelist": [],
        "namespaceResourceWhitelist": [
            {"group": API.split("/")[0], "kind": kind} for kind in ("AppProject", "Application", "ApplicationSet")
        ],
    })
    itself = obj(API, "Application", NAME, ns, spec={
        "project": NAME,
        "source": {"repoURL": repo, "targetRevision": revision, "path": ROOT},
        "destination": {"server": IN_CLUSTER, "namespace": ns},
        "syncPolicy": policy,
    })
    return [canonical(_own(o)) for o in (project, appset, itself)]


def fleet_folders(specs: list[LoadedSpec]) -> list[Folder]:
    """fleet/argocd when any spec enables fleet mode (raises SpecErrors on disagreement)."""
    members = [s for s in specs if s.spec.argocd.fleet.enabled]
    if not members:
        return []
    _check(members)
    source = ", ".join(m.source for m in members)
    digest = f"{__version__}:" + ":".join(m.digest for m in members)
    folder = Folder(root=ROOT, source=source, digest=digest)
    names = []
    for o in objects(members):
        names.append(file_name(o))
        folder.add_yaml(names[-1], o)
    folder.add_yaml(KUSTOMIZATION, kustomization(names))
    return [folder]

