"""`rhoai-gitops init NAME`: a commented starter spec that lints as written."""

from __future__ import annotations

import re
from pathlib import Path

from generator import catalogs, matrix
from generator.errors import UsageError
from generator.spec.loader import CLUSTERS_DIR
from generator.spec.model import DNS1123_LABEL, Cluster

STARTER = """\
# yaml-language-server: $schema=../schemas/platform-spec.schema.json
# Platform spec for cluster {name}. Everything not written here takes the generator's
# defaults; `rhoai-gitops lint {name}` checks it, `rhoai-gitops render {name}` expands it.
metadata:
  name: {name}            # also the folder overlays/{name}/
  labels:
    env: dev              # policies key off env (production needs Manual approval, monitoring)

cluster:
  platform: ocp           # ocp | osd | rosa
  provider: aws           # aws | gcp | azure | baremetal
  apiServer: https://api.{name}.example.com:6443   # Argo CD destination
  # infrastructureId, region and machineSets are needed once gpuNodePools get MachineSets
  # A disconnected cluster (`rhoai-gitops mirror {name}` then says what oc-mirror must copy):
  # disconnected:
  #   mirrorRegistry: mirror.example.com:8443/ocp   # oc-mirror's docker:// destination
  # Behind a proxy (no credentials in the URLs; the proxy's CA goes to trustedCABundle):
  # proxy:
  #   httpsProxy: http://proxy.example.com:3128
  #   noProxy: [.svc, .cluster.local]

distribution:
  name: {distribution}          # rhoai | odh
  version: "{version}"          # a release, or a patch release such as "{version}.0"
  channel: {channel}    # must ship the release; default: one that stops at it, where one exists
  # installPlanApproval: default Automatic where the channel stops at the release, else Manual
  # (Manual: upgrades wait for an approved InstallPlan; only Manual holds a release on a
  # channel that carries newer ones)

components:
  kserve:
    deploymentMode: RawDeployment   # Serverless also needs serviceMesh + kserve.serving Managed
    serving:
      managementState: Removed
  # every component: managementState Managed | Removed

serviceMesh:
  managementState: Removed

auth:
  adminGroups: [rhoai-admins]
  allowedGroups: [system:authenticated]

argocd:
  repoURL: https://github.com/example/rhoai-gitops.git   # your fork
  targetRevision: main
"""


def write_starter(repo: Path, name: str, distribution: str, force: bool = False) -> Path:
    if not re.match(DNS1123_LABEL, name) or len(name) > 63:
        raise UsageError(f"{name!r} is not a DNS-1123 label (lower case letters, digits, '-')")
    path = repo / CLUSTERS_DIR / f"{name}.yaml"
    if path.exists() and not force:
        raise UsageError(f"{path} exists; use --force to overwrite it")
    version = matrix.distribution(distribution)["defaultVersion"]
    openshift = Cluster.model_fields["openshift_version"].default
    text = STARTER.format(
        name=name,
        distribution=distribution,
        version=version,
        channel=catalogs.preferred_channel(catalogs.catalog(distribution, openshift), version),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
