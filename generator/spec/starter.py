"""`rhoai-gitops init NAME`: a commented starter spec that lints as written."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from generator.core.errors import SpecErrors, UsageError
from generator.core.secrets import carries_credentials
from generator.facts import catalogs, matrix, releases
from generator.spec.loader import CLUSTERS_DIR, DEFAULTS_FILE, Positions, load_spec_text, read_defaults, read_yaml
from generator.spec.model import DNS1123_LABEL, Cluster
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
  openshiftVersion: "{openshift}"   # picks the OLM catalog the channel and bundles are checked against
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
        proc = subprocess.run(
            ["git", "-C", str(repo), "remote", "get-url", "origin"], capture_output=True, text=True, timeout=10
        )
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
        raise UsageError(
            f"the repository URL carries credentials ({url.split('@')[0]}@...): give the URL without them; "
            "Argo CD takes repository credentials as a Secret"
        )
    return url


def write_starter(
    repo: Path,
    name: str,
    distribution: str,
    force: bool = False,
    repo_url: str | None = None,
    version: str | None = None,
    openshift: str | None = None,
) -> Path:
    """Write clusters/NAME.yaml. This repository's URL goes where every spec finds it: left to
    clusters/_defaults.yaml when that sets it, else into a new _defaults.yaml, else (a defaults
    file without it) into the spec. The release and the OpenShift version are written out, so
    nothing the catalog checks rests on a default the reader cannot see."""
    if not re.match(DNS1123_LABEL, name) or len(name) > 63:
        raise UsageError(
            f"{name!r} is not a cluster name: use lower-case letters, digits and '-', "
            "starting and ending with a letter or digit, at most 63 characters"
        )
    version = version or matrix.distribution(distribution).default_version
    openshift = openshift or Cluster.model_fields["openshift_version"].default
    _check_release(distribution, version, openshift)
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
    text = STARTER.format(
        name=name,
        distribution=distribution,
        version=version,
        openshift=openshift,
        channel=catalogs.preferred_channel(catalogs.catalog(distribution, openshift), version),
        repo_line=repo_line,
    )
    _lints_as_written(text, name, defaults_path, new_defaults)
    path.parent.mkdir(parents=True, exist_ok=True)
    if new_defaults is not None:
        write_atomic(defaults_path, new_defaults)
    write_atomic(path, text)
    return path


def _check_release(distribution: str, version: str, openshift: str) -> None:
    """Refuse, before anything is written, a release or OpenShift version the starter could not
    lint with: unsupported, or not shipped by that OpenShift version's catalog."""
    supported = releases.supported(distribution)
    if version not in supported:
        raise UsageError(
            f"--version {version!r}: not a supported {distribution} release; supported: {', '.join(supported)}"
        )
    if not re.fullmatch(r"4\.[0-9]+", openshift):
        raise UsageError(f"--openshift-version {openshift!r}: write major.minor, such as 4.18")
    shipping = catalogs.openshift_versions(distribution, version)
    if catalogs.preferred_channel(catalogs.catalog(distribution, openshift), version) is None:
        raise UsageError(
            f"{distribution} {version} is not in the OLM catalog of OpenShift {openshift}; "
            f"OpenShift versions whose catalog ships it: {', '.join(shipping) or 'none'}"
        )


def _lints_as_written(text: str, name: str, defaults_path: Path, new_defaults: str | None) -> None:
    """The starter is checked as `lint` will check it, over the defaults it will sit on, before a
    byte is written: a starter that does not lint is this command's bug, not the user's."""
    defaults: tuple[Any, Positions, bytes] | None
    if new_defaults is not None:
        data, positions, _ = read_yaml(new_defaults, defaults_path.name)
        defaults = (data, positions, new_defaults.encode())
    else:
        defaults = read_defaults(defaults_path.parents[1])
    try:
        load_spec_text(text, f"{CLUSTERS_DIR}/{name}.yaml", defaults)
    except SpecErrors as exc:
        raise UsageError("the starter would not lint here:\n" + "\n".join(str(e) for e in exc.errors)) from None
