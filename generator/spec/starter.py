"""`rhoai-gitops init NAME`: a commented starter spec that lints as written."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from generator.facts import catalogs, matrix
from generator.core.errors import UsageError
from generator.spec.loader import CLUSTERS_DIR, DEFAULTS_FILE, read_defaults
from generator.spec.model import DNS1123_LABEL, Cluster
from generator.core.secrets import carries_credentials
from generator.store.atomic import write_atomic

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
{repo_line}  targetRevision: main         # the branch this cluster follows
"""

DEFAULTS = """\
# Merged under every cluster spec in this folder (a spec's own values win). This repository's
# URL lives here and nowhere else: a fork changes this one line and re-renders.
argocd:
  repoURL: {url}
"""


def git_origin(repo: Path) -> str | None:
    """The URL of the repository's `origin` remote, if it has one."""
    try:
        proc = subprocess.run(["git", "-C", str(repo), "remote", "get-url", "origin"],
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    url = proc.stdout.strip()
    return url if proc.returncode == 0 and url else None


def _repo_url_in_defaults(repo: Path) -> bool:
    defaults = read_defaults(repo)
    argocd = (defaults[0] or {}).get("argocd") if defaults and isinstance(defaults[0], dict) else None
    return isinstance(argocd, dict) and bool(argocd.get("repoURL"))


def _repo_url(repo: Path, given: str | None) -> str:
    url = given or git_origin(repo)
    if not url:
        raise UsageError(
            "no repository URL for Argo CD: pass --repo-url URL (this repository as Argo CD clones it), "
            "or add a git remote `origin`, or set argocd.repoURL in clusters/_defaults.yaml"
        )
    if not re.match(r"^(https://|ssh://|git@)[^\s]+$", url):
        raise UsageError(f"{url!r} is not a repository URL Argo CD clones (https://, ssh:// or git@host:path)")
    if carries_credentials(url):
        raise UsageError(f"the repository URL carries credentials ({url.split('@')[0]}@...): give the URL without them; "
                         "Argo CD takes repository credentials as a Secret")
    return url


def write_starter(repo: Path, name: str, distribution: str, force: bool = False, repo_url: str | None = None) -> Path:
    """Write clusters/NAME.yaml. This repository's URL goes where every spec finds it: left to
    clusters/_defaults.yaml when that sets it, else into a new _defaults.yaml, else (a defaults
    file without it) into the spec."""
    if not re.match(DNS1123_LABEL, name) or len(name) > 63:
        raise UsageError(f"{name!r} is not a DNS-1123 label (lower case letters, digits, '-')")
    path = repo / CLUSTERS_DIR / f"{name}.yaml"
    if path.exists() and not force:
        raise UsageError(f"{path} exists; use --force to overwrite it")
    defaults_path = repo / CLUSTERS_DIR / DEFAULTS_FILE
    new_defaults = None
    if repo_url is None and _repo_url_in_defaults(repo):
        repo_line = "  # repoURL: set for every cluster in clusters/_defaults.yaml\n"
    elif defaults_path.exists():
        repo_line = f"  repoURL: {_repo_url(repo, repo_url)}\n"
    else:
        repo_line = "  # repoURL: set for every cluster in clusters/_defaults.yaml\n"
        new_defaults = DEFAULTS.format(url=_repo_url(repo, repo_url))
    version = matrix.distribution(distribution)["defaultVersion"]
    openshift = Cluster.model_fields["openshift_version"].default
    text = STARTER.format(
        name=name,
        distribution=distribution,
        version=version,
        channel=catalogs.preferred_channel(catalogs.catalog(distribution, openshift), version),
        repo_line=repo_line,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    if new_defaults is not None:
        write_atomic(defaults_path, new_defaults)
    write_atomic(path, text)
    return path
