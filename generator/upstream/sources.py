"""Where each upstream file came from: repository, ref, commit, path and licence.

The shared upstream data (`../shared/crds`, `../shared/upstream`) records its origins in
SOURCES.md tables; this module reads those tables so that the schemas the project ships can
name the same origins. A file no table names is an error: nothing is shipped without its
origin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True)
class Origin:
    repo: str
    ref: str
    commit: str  # "" where the upstream record names a tag or branch only
    path: str
    licence: str

    def row(self) -> list[str]:
        return [self.repo, self.ref, self.commit or "not recorded upstream", f"`{self.path}`", self.licence]


def _rows(text: str, header: str) -> list[list[str]]:
    """The body rows of the markdown table whose header line starts with `header`."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(header):
            rows = []
            for body in lines[i + 2 :]:
                if not body.startswith("|"):
                    break
                rows.append([cell.strip().strip("`").strip() for cell in body.strip().strip("|").split("|")])
            return rows
    raise ValueError(f"no table starting with {header!r}")


RHOAI_OPERATOR = "red-hat-data-services/rhods-operator"
ODH_OPERATOR = "opendatahub-io/opendatahub-operator"
RHOAI_DASHBOARD = "red-hat-data-services/odh-dashboard"
BASES = "config/crd/bases"


def _crd_base_path(file_name: str) -> str:
    """`datascienceclusters.datasciencecluster.opendatahub.io.yaml` -> the operator's
    `config/crd/bases/<group>_<plural>.yaml` (kubebuilder's naming)."""
    plural, _, group = file_name.removesuffix(".yaml").partition(".")
    return f"{BASES}/{group}_{plural}.yaml"


class Origins:
    def __init__(self, shared: Path):
        upstream = (shared / "upstream" / "SOURCES.md").read_text(encoding="utf-8")
        crds = (shared / "crds" / "SOURCES.md").read_text(encoding="utf-8")
        self._files: dict[str, Origin] = {}
        for rel, repo, ref, commit, path, licence, _blob in _rows(upstream, "| file | repo |"):
            licence = (
                "none stated upstream (generated from red-hat-data-services/rhods-operator, Apache-2.0)"
                if licence.startswith("none")
                else licence
            )
            self._files[rel] = Origin(repo, ref, commit, path, licence)
        for name, repo, path, ref, commit, licence, *_ in _rows(crds, "| file | repository |"):
            self._files[f"crds/{name}"] = Origin(repo, ref, commit, path, licence)
        self._releases = {(d, v): (op, dash) for d, v, op, dash in _rows(upstream, "| dist | version | operator ref |")}
        # Per-team workload files (`workload/<dist>/<version>/...`): one row per component and
        # release; its path cell is `<folder>/`{a.yaml, b.yaml} or `<folder>/`file.
        self._workload: dict[tuple[str, str], list[tuple[str, Origin]]] = {}
        for dist, ver, _what, repo, ref, commit, path, _note in _rows(upstream, "| dist | ver | what |"):
            ref = ref.strip("`").split("@")[0].split(" (")[0]
            for part in path.split("<br>"):
                folder, _, names = part.strip().strip("`").partition("`")
                for name in re.split(r",\s*", names.strip().strip("{}")):
                    if name:
                        self._workload.setdefault((dist, ver), []).append(
                            (name, Origin(repo, ref, commit, folder + name, "Apache-2.0"))
                        )
        m = re.search(r"openshift/api \(([^)]+)\), branch `([^`]+)`, commit (\w+),\s*`([^`]+)`", upstream)
        if m:
            # OpenShift's aggregated OpenAPI document, named only in SOURCES.md's prose.
            self._files["openshift-api/4.23/openapi.json.gz"] = Origin(
                "openshift/api", m.group(2), m.group(3), m.group(4), m.group(1)
            )
        m = re.search(r"argoproj-labs/argocd-operator \(([^)]+)\) tag (\S+), commit (\w+),\s*`([^`]+)`", upstream)
        if m:
            self._files["argocd-operator/0.18.0/argocds.argoproj.io.yaml"] = Origin(
                "argoproj-labs/argocd-operator", m.group(2), m.group(3), m.group(4), m.group(1)
            )
        m = re.search(r"openshift/api \(([^)]+)\), branch `([^`]+)`, commit (\w+),\s*`([^`]+)`", upstream)
        if m:
            self._files["openshift-api/4.23/openapi.json.gz"] = Origin(
                "openshift/api", m.group(2), m.group(3), m.group(4), m.group(1)
            )

    # Named only in SOURCES.md's prose ("3.0: opendatahub-operator v3.0.0 / rhods-operator
    # `rhoai-3.0`, dashboard v3.0.0"; OdhDashboardConfig 3.5 from dashboard v3.5.0).
    _PROSE: ClassVar[dict[tuple[str, str], tuple[str, str]]] = {
        ("rhoai", "3.0"): (RHOAI_OPERATOR, "rhoai-3.0"),
        ("odh", "3.0"): (ODH_OPERATOR, "v3.0.0"),
    }
    _DASHBOARD_3X: ClassVar[dict[str, str]] = {"3.0": "v3.0.0", "3.5": "v3.5.0"}

    def of(self, rel: str) -> Origin:
        """`rel`: `crds/<file>`, `<dist>/<version>/<file>` (platform CRDs),
        `<project>/<version>/<file>` (other operators) or `workload/<dist>/<version>/<file>`."""
        if rel in self._files:
            return self._files[rel]
        if rel.startswith("workload/"):
            return self._workload_origin(rel)
        dist, version, name = rel.split("/")
        if name.startswith("odhdashboardconfigs.") and version in self._DASHBOARD_3X:
            path = (
                "manifests/base/crd/odhdashboardconfigs.opendatahub.io.crd.yaml"
                if version == "3.5"
                else "manifests (path not recorded upstream)"
            )
            return Origin("opendatahub-io/odh-dashboard", self._DASHBOARD_3X[version], "", path, "Apache-2.0")
        if (dist, version) in self._PROSE:
            repo, ref = self._PROSE[(dist, version)]
            return Origin(repo, ref, "", _crd_base_path(name), "Apache-2.0")
        if (dist, version) not in self._releases:
            raise KeyError(f"no upstream SOURCES entry names {rel}")
        operator_ref, dashboard_ref = self._releases[(dist, version)]
        ref, _, commit = operator_ref.partition(" ")
        if name.startswith("odhdashboardconfigs."):
            return self._dashboard(dist, version, ref, commit, dashboard_ref)
        repo = RHOAI_OPERATOR if dist == "rhoai" else ODH_OPERATOR
        return Origin(repo, ref, commit, _crd_base_path(name), "Apache-2.0")

    def _workload_origin(self, rel: str) -> Origin:
        """A workload CRD `<plural>.<group>.yaml` is upstream's `<group>_<plural>.yaml` (kubebuilder's
        naming); runtimes and connection types keep their file names."""
        _, dist, version, *rest = rel.split("/")
        name = rest[-1]
        if len(rest) == 1:
            plural, _, group = name.removesuffix(".yaml").partition(".")
            name = f"{group}_{plural}.yaml"
        for upstream_name, origin in self._workload.get((dist, version), []):
            if upstream_name == name:
                return origin
        raise KeyError(f"no upstream SOURCES entry names {rel}")

    def _dashboard(self, dist: str, version: str, ref: str, commit: str, dashboard_ref: str) -> Origin:
        if dashboard_ref:
            # "opendatahub-io/odh-dashboard v2.21.2-incubation-release branch@<date> <sha> <path>"
            parts = dashboard_ref.split()
            sha = next((p for p in parts if re.fullmatch(r"[0-9a-f]{40}", p)), "")
            ref = parts[2] if parts[1] == "tag" else parts[1]
            return Origin(parts[0], ref, sha, parts[-1], "Apache-2.0")
        if version in ("2.14", "2.15"):
            return Origin(
                RHOAI_DASHBOARD,
                f"rhoai-{version}",
                "",
                "manifests/common/crd/odhdashboardconfigs.opendatahub.io.crd.yaml",
                "Apache-2.0",
            )
        return Origin(
            RHOAI_OPERATOR,
            ref,
            commit,
            "prefetched-manifests/dashboard/common/crd/odhdashboardconfigs.opendatahub.io.crd.yaml",
            "Apache-2.0",
        )
