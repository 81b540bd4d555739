"""Core Kubernetes kinds' schemas, from the strict schemas the `kubernetes-validate` package
bundles per Kubernetes version, written into a kubeconform-style folder.

The bundled files reference one shared `_definitions.json` by an absolute URI that neither
kubeconform nor a plain JSON Schema library resolves from a local folder, so each kind is
written self-contained: the definitions it reaches are copied under `$defs` and the
references rewritten to point there.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from generator.core.errors import UsageError
from generator.core.schemafiles import schema_file_name
from generator.facts import matrix
from generator.store.atomic import write_atomic

# How kinds' files and the definitions file itself refer to a definition.
_REF_PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/")


def kubernetes_version(openshift_version: str) -> str:
    versions = matrix.matrix().kubernetes_versions
    if openshift_version not in versions:
        known = ", ".join(versions)
        raise UsageError(
            f"OpenShift {openshift_version} has no Kubernetes version in generator/data/matrix.yaml "
            f"(kubernetesVersions knows {known})"
        )
    return versions[openshift_version]


def _bundle_dir(k8s: str):
    root = resources.files("kubernetes_validate").joinpath("kubernetes-json-schema")
    folder = root.joinpath(f"v{k8s}.0-local-strict")
    if not folder.is_dir():
        raise UsageError(f"the installed kubernetes-validate has no schemas for Kubernetes {k8s}: upgrade it")
    return folder


@cache
def _definitions(k8s: str) -> dict[str, Any]:
    return json.loads(_bundle_dir(k8s).joinpath("_definitions.json").read_text(encoding="utf-8"))["$defs"]


def _bundled_name(kind: str, group: str, version: str) -> str:
    # kubernetes-validate names files by the first label of the group only.
    first = group.split(".")[0]
    return f"{kind}-{first}-{version}.json".lower() if group else f"{kind}-{version}.json".lower()


def _rewrite(node: Any, reached: set[str]) -> Any:
    if isinstance(node, list):
        return [_rewrite(n, reached) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        prefix = next((p for p in _REF_PREFIXES if isinstance(v, str) and v.startswith(p)), None)
        if k == "$ref" and prefix:
            name = v[len(prefix) :]
            reached.add(name)
            out[k] = "#/$defs/" + name
        elif k == "description":
            continue  # descriptions are most of the bytes and validate nothing
        else:
            out[k] = _rewrite(v, reached)
    return out


def core_schema(kind: str, group: str, version: str, k8s: str) -> dict | None:
    """The self-contained strict schema of a core kind, or None when Kubernetes has no such kind."""
    path = _bundle_dir(k8s).joinpath(_bundled_name(kind, group, version))
    if not path.is_file():
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    api = f"{group}/{version}" if group else version
    # The bundle keys some kinds by the group's first label only (rbac.authorization.k8s.io and
    # rbac.example.com would share a file): the schema's own apiVersion enum decides.
    allowed = (schema.get("properties", {}).get("apiVersion") or {}).get("enum")
    if allowed and api not in allowed:
        return None
    defs = _definitions(k8s)
    reached: set[str] = set()
    body = _rewrite(schema, reached)
    done: dict[str, Any] = {}
    while reached - done.keys():
        for name in sorted(reached - done.keys()):
            done[name] = _rewrite(defs[name], reached)
    body["$defs"] = dict(sorted(done.items()))
    body["$schema"] = "http://json-schema.org/draft-07/schema#"
    body["x-rhoai-gitops-source"] = f"kubernetes-validate {k8s} strict"
    return body


def write_core_schemas(kinds: set[tuple[str, str, str]], k8s: str, out: Path) -> list[str]:
    """Write the schema of every core kind in `kinds` ((kind, group, version)) not yet in `out`;
    kinds Kubernetes does not know are left to the CRD schemas. Returns the names written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, group, version in sorted(kinds):
        name = schema_file_name(kind, group, version)
        target = out / name
        if target.exists():
            continue
        schema = core_schema(kind, group, version, k8s)
        if schema is None:
            continue
        write_atomic(target, json.dumps(schema, sort_keys=True) + "\n")
        written.append(name)
    return written
