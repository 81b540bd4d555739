"""Derive the project's per-release data from the shared upstream data.

Run by maintainers when a release ships (`scripts/import-upstream [../shared]`); a test checks
that the committed data equals a fresh derivation whenever `../shared` is present. Writes
`generator/data/upstream/`:

- `schemas/`: every CRD schema the generator validates against, converted by the project's own
  import (`generator.validate.schemas.crd_schemas`: strict, RE2 patterns made portable), with
  descriptions dropped and `status` left open (the bundle never writes status), deduplicated by
  content across releases: `<kind>-<group>-<version>.<digest>.json`.
- `releases.json`: per distribution and release, the kinds its operator bundle serves (group,
  served versions, storage version), which shipped schema each rendered kind validates against,
  and what the CRDs say in prose only (fields described as ignored or deprecated); `common`: the
  schemas of every other operator's kinds the bundle renders; `scopes`: `group/Kind` ->
  `Cluster` or `Namespaced` for every CRD of the upstream data (drift clears the namespace of
  cluster-scoped kinds, as Argo CD does).
- `workload.json`: per distribution and release, the team-level kinds (pipeline servers, model
  registries, serving, notebooks: group, served versions, storage version, which shipped schema
  each validates against), the out-of-the-box serving-runtime Templates (name, the dashboard's
  annotations, the ServingRuntime inside, its images and model formats) and connection types
  (name, fields), each stored once by digest; read by `generator.facts.workloads`.
- `catalogs.json`: the operator packages' OLM catalogs (channels, entries with replaces / skips /
  skipRange, bundle versions), per OpenShift version where the catalog differs by it, 2.x on.
- `SOURCES.md`: for each shipped schema, the upstream repository, ref, commit, path and licence.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from generator import releasenotes
from generator.store.atomic import write_atomic
from generator.upstream.sources import Origins
from generator.validate.schemas import crd_schemas

OUT = Path(__file__).resolve().parents[1] / "data" / "upstream"

# The platform's own CRDs whose objects the generator renders: validated per release.
RELEASE_CRDS = (
    "datascienceclusters.datasciencecluster.opendatahub.io",
    "dscinitializations.dscinitialization.opendatahub.io",
    "odhdashboardconfigs.opendatahub.io",
    "auths.services.platform.opendatahub.io",
    "hardwareprofiles.infrastructure.opendatahub.io",
)

# CRDs of `../shared/crds` that are not shipped as common schemas, and why.
NOT_COMMON = {
    "inferenceservices.serving.kserve.io": "users write InferenceServices; the bundle renders none",
    "servingruntimes.serving.kserve.io": "users write ServingRuntimes; the bundle renders none",
    "rayclusters.ray.io": "users write RayClusters; the bundle renders none",
    "notebooks.kubeflow.org": "workbenches create Notebooks; the bundle renders none",
    **dict.fromkeys(RELEASE_CRDS, "validated per release (platform-crds/<dist>/<version>/)"),
}

# OpenShift's own API-server kinds the bundle renders (not CRDs; OpenAPI v2 definitions of
# openshift/api): definition -> (group, version, kind, plural, scope).
OPENSHIFT_OPENAPI = "openshift-api/4.23/openapi.json.gz"
OPENSHIFT_KINDS = {
    "com.github.openshift.api.user.v1.Group": ("user.openshift.io", "v1", "Group", "groups", "Cluster"),
    # Workbench images and serving-runtime templates (workloads.workbenchImages / servingRuntimes).
    "com.github.openshift.api.image.v1.ImageStream": (
        "image.openshift.io",
        "v1",
        "ImageStream",
        "imagestreams",
        "Namespaced",
    ),
    "com.github.openshift.api.template.v1.Template": (
        "template.openshift.io",
        "v1",
        "Template",
        "templates",
        "Namespaced",
    ),
    # Its CRD is not in the shared data; a cluster singleton like every config.openshift.io kind.
    "com.github.openshift.api.config.v1.OperatorHub": (
        "config.openshift.io",
        "v1",
        "OperatorHub",
        "operatorhubs",
        "Cluster",
    ),
}

# Bundles before 2.0 (RHOAI 1.x, ODH 1.x) are outside every supported upgrade path.
MIN_BUNDLE_MAJOR = 2

_IGNORED = re.compile(r"^\s*Ignored\b")
# `- "Managed"   : present for backwards compatibility ... The operator will reject this value.`
_VALUE_PROSE = re.compile(r'-\s*"([^"]+)"\s*:\s*(.*?)(?=-\s*"[^"]+"\s*:|\Z)', re.S)
_REJECTED = re.compile(r"(?i)\bwill reject\b|\bnot supported\b")
_DEPRECATED = re.compile(r"(?i)^\s*(##\s*)?deprecated\b")


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version))


# --------------------------------------------------------------------------- schemas


def _compact(node: Any) -> Any:
    """The schema without its prose: a `description` keyword holds a string (a property named
    description holds a schema, and stays)."""
    if isinstance(node, dict):
        return {k: _compact(v) for k, v in node.items() if not (k == "description" and isinstance(v, str))}
    if isinstance(node, list):
        return [_compact(v) for v in node]
    return node


def shippable(schema: dict) -> dict:
    out = _compact(schema)
    if "status" in out.get("properties", {}):
        out["properties"]["status"] = {"type": "object"}
    return out


def _text(schema: dict) -> str:
    return json.dumps(schema, sort_keys=True, separators=(",", ":")) + "\n"


def blob_name(schema_name: str, text: str) -> str:
    return f"{schema_name.removesuffix('.json')}.{hashlib.sha256(text.encode()).hexdigest()[:10]}.json"


def _prose_notes(node: Any, path: str, notes: dict[str, Any]) -> None:
    """What a CRD says only in prose: fields it calls ignored or deprecated, enum values it says
    the operator rejects at runtime."""
    if not isinstance(node, dict):
        return
    text = node.get("description") or ""
    if path and _IGNORED.search(text):
        notes["ignored"].append(path)
    elif path and _DEPRECATED.search(text):
        notes["deprecated"].append(path)
    if "enum" in node:
        rejected = [v for v, prose in _VALUE_PROSE.findall(text) if v in node["enum"] and _REJECTED.search(prose)]
        if rejected:
            notes["rejected"][path] = rejected
    for key, sub in (node.get("properties") or {}).items():
        _prose_notes(sub, f"{path}.{key}" if path else key, notes)
    if isinstance(node.get("items"), dict):
        _prose_notes(node["items"], path + "[]", notes)


def _load(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class Shipper:
    """Collects shipped schemas (deduplicated) and where each came from."""

    def __init__(self, origins: Origins):
        self.origins = origins
        self.blobs: dict[str, str] = {}  # blob file -> text
        self.sources: dict[str, set[tuple]] = {}  # blob file -> {(used by, upstream file, origin row)}

    def add(self, crd: dict, rel: str, used_by: str) -> dict[str, str]:
        out = {}
        for name, schema in crd_schemas(crd).items():
            out.update(self.add_schema(name, schema, rel, used_by))
        return out

    def add_schema(self, name: str, schema: dict, rel: str, used_by: str) -> dict[str, str]:
        origin = self.origins.of(rel)
        text = _text(shippable(schema))
        blob = blob_name(name, text)
        self.blobs[blob] = text
        self.sources.setdefault(blob, set()).add((used_by, rel, tuple(origin.row())))
        return {name: blob}


def _kind_facts(crd: dict) -> dict:
    spec = crd["spec"]
    served = [v["name"] for v in spec["versions"] if v.get("served", True)]
    storage = next((v["name"] for v in spec["versions"] if v.get("storage")), served[-1])
    return {"group": spec["group"], "served": served, "storage": storage, "scope": spec.get("scope", "Namespaced")}


def release_data(shared: Path, shipper: Shipper) -> dict:
    out: dict[str, dict] = {}
    root = shared / "upstream" / "platform-crds"
    for dist_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        dist = dist_dir.name
        releases: dict[str, dict] = {}
        for rel_dir in sorted((p for p in dist_dir.iterdir() if p.is_dir()), key=lambda p: version_key(p.name)):
            kinds: dict[str, Any] = {}
            schemas: dict[str, Any] = {}
            prose: dict[str, dict] = {"ignored": {}, "deprecated": {}, "rejected": {}}
            for f in sorted(rel_dir.glob("*.yaml")):
                crd = _load(f)
                kind = crd["spec"]["names"]["kind"]
                kinds[kind] = _kind_facts(crd)
                if crd["metadata"]["name"] not in RELEASE_CRDS:
                    continue
                schemas.update(shipper.add(crd, f"{dist}/{rel_dir.name}/{f.name}", f"{dist} {rel_dir.name}"))
                for v in crd["spec"]["versions"]:
                    notes: dict[str, Any] = {"ignored": [], "deprecated": [], "rejected": {}}
                    spec = ((v.get("schema") or {}).get("openAPIV3Schema", {}).get("properties") or {}).get("spec")
                    _prose_notes(spec, "spec", notes)
                    for note, found in notes.items():
                        if found:
                            prose[note][f"{kind}/{v['name']}"] = found
            releases[rel_dir.name] = {
                "kinds": dict(sorted(kinds.items())),
                "schemas": dict(sorted(schemas.items())),
                **prose,
            }
        _borrow_missing(releases, shipper)
        out[dist] = releases
    return out


def _fields(schema: dict, path: str = "") -> set[tuple[str, str]]:
    """(field path, enum) of every field of a converted schema."""
    out = {(path, json.dumps(schema.get("enum")))}
    for name, sub in (schema.get("properties") or {}).items():
        out |= _fields(sub, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        out |= _fields(schema["items"], path + "[]")
    return out


def _borrow_missing(
    releases: dict[str, dict],
    shipper: Shipper,
    kinds: tuple[str, ...] = ("OdhDashboardConfig", "Auth", "HardwareProfile"),
) -> None:
    """Fill a rendered kind a release's upstream data lacks although releases before and after it
    have it: the dashboard's CRD ships with its manifests, not the operator bundle (upstream has
    it for every 2.x release but for 3.x only at 3.0 and 3.5), and RHOAI 3.0's bundle CRDs are
    missing. The release takes the nearest earlier release's schemas (every version it serves)
    when each of them has no field (or enum value) the nearest later release's lacks: nothing it
    allows was taken away around it. Recorded as `borrowed`."""
    ordered = list(releases)
    for kind in kinds:
        native = [v for v in ordered if kind in releases[v]["kinds"]]
        for version in ordered:
            facts = releases[version]
            if kind in facts["kinds"]:
                continue
            before = [v for v in native if version_key(v) < version_key(version)]
            after = [v for v in native if version_key(v) > version_key(version)]
            if not before or not after:
                continue
            older, newer = releases[before[-1]], releases[after[0]]
            names = {
                n: b
                for n, b in older["schemas"].items()
                if n.startswith(f"{kind.lower()}-{older['kinds'][kind]['group']}-")
            }
            if not all(
                n in newer["schemas"]
                and _fields(json.loads(shipper.blobs[b])) <= _fields(json.loads(shipper.blobs[newer["schemas"][n]]))
                for n, b in names.items()
            ):
                continue
            facts["kinds"] = dict(sorted({**facts["kinds"], kind: dict(older["kinds"][kind])}.items()))
            facts["schemas"] = dict(sorted({**facts["schemas"], **names}.items()))
            facts.setdefault("borrowed", {})[kind] = {"from": before[-1], "checkedAgainst": after[0]}
            # what the lender's CRD says of its fields (ignored, deprecated) comes with its schema
            for note in ("ignored", "deprecated", "rejected"):
                lent = {k: v for k, v in older.get(note, {}).items() if k.startswith(f"{kind}/")}
                if lent:
                    facts[note] = dict(sorted({**facts[note], **lent}.items()))


def scope_data(shared: Path) -> dict[str, str]:
    """`group/Kind` -> scope of every CRD in the shared data (platform CRDs of every release,
    other operators' CRDs)."""
    out: dict[str, str] = {}
    roots = [
        shared / "crds",
        shared / "upstream" / "other-crds",
        shared / "upstream" / "platform-crds",
        shared / "upstream" / "workload",
    ]
    for f in sorted(f for root in roots for f in root.rglob("*.yaml")):
        crd = _load(f)
        if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
            continue
        spec = crd["spec"]
        out[f"{spec['group']}/{spec['names']['kind']}"] = spec.get("scope", "Namespaced")
    for group, _version, kind, _plural, scope in OPENSHIFT_KINDS.values():
        out[f"{group}/{kind}"] = scope
    return dict(sorted(out.items()))


def common_data(shared: Path, shipper: Shipper) -> dict[str, str]:
    found: dict[str, str] = {}
    for f in sorted((shared / "crds").glob("*.yaml")):
        crd = _load(f)
        if crd["metadata"]["name"] in NOT_COMMON:
            continue
        found.update(shipper.add(crd, f"crds/{f.name}", "every release"))
    other = shared / "upstream" / "other-crds"
    for f in sorted(other.rglob("*.yaml")):
        rel = f.relative_to(other).as_posix()
        found.update(shipper.add(_load(f), rel, "every release"))
    found.update(openshift_schemas(other / OPENSHIFT_OPENAPI, shipper))
    return dict(sorted(found.items()))


def _inline(node: Any, defs: dict) -> Any:
    """A definition with its $refs inlined; ObjectMeta stays open (the API server checks it)."""
    if isinstance(node, list):
        return [_inline(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/definitions/")
        if name.endswith(".meta.v1.ObjectMeta"):
            return {"type": "object"}
        return _inline(defs[name], defs)
    return {k: _inline(v, defs) for k, v in node.items()}


def openshift_schemas(path: Path, shipper: Shipper) -> dict[str, str]:
    """OPENSHIFT_KINDS from OpenShift's OpenAPI v2, each put in the shape of a one-version CRD so
    that the same import (crd_schemas: strict, apiVersion and kind pinned) converts it."""
    import gzip

    defs = json.loads(gzip.decompress(path.read_bytes()))["definitions"]
    found: dict[str, str] = {}
    for name, (group, version, kind, plural, scope) in sorted(OPENSHIFT_KINDS.items()):
        schema = _inline(defs[name], defs)
        # The API server writes status; a manifest never carries it (OpenAPI marks it required).
        required = [r for r in schema.get("required", []) if r != "status"]
        schema = {k: v for k, v in schema.items() if k != "required"} | ({"required": required} if required else {})
        crd = {
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {
                "group": group,
                "names": {"kind": kind, "plural": plural},
                "scope": scope,
                "versions": [{"name": version, "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}],
            },
        }
        found.update(shipper.add(crd, OPENSHIFT_OPENAPI, "every release"))
    return found


# --------------------------------------------------------------------------- workload

# The team-level kinds whose CRDs `../shared/upstream/workload/<dist>/<version>/` holds.
WORKLOAD_KINDS = (
    "DataSciencePipelinesApplication",
    "ModelRegistry",
    "InferenceService",
    "ServingRuntime",
    "ClusterServingRuntime",
    "LLMInferenceService",
    "LLMInferenceServiceConfig",
    "Notebook",
)

# Workload kinds whose schemas are not shipped, and why (their served and storage versions are).
WORKLOAD_SCHEMAS_NOT_SHIPPED = {
    "Notebook": "workbenches create Notebooks from the dashboard; the bundle renders none (1 MB of schemas)",
}

# Template annotations the dashboard reads to place a runtime (`opendatahub.io/...`), and the
# ServingRuntime's own (accelerators, runtime version).
_TEMPLATE_KEYS = {"modelServingSupport": "platforms", "apiProtocol": "apiProtocol", "model-type": "modelTypes"}
_PARAM = re.compile(r"^\$\(([^)]+)\)$")


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]


def runtime_template(doc: dict, file: str) -> dict:
    """What the project needs of one out-of-the-box Template: its name (the dashboard's
    templateOrder / templateDisablement name it), the dashboard's annotations, and the
    ServingRuntime inside (whole: enough to render what the dashboard would create)."""
    meta = doc.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    runtime = next(o for o in doc.get("objects") or [] if o.get("kind") == "ServingRuntime")
    containers = (runtime.get("spec") or {}).get("containers") or []
    images = []
    for c in containers:
        image = str(c.get("image", ""))
        m = _PARAM.match(image)
        images.append({"container": c.get("name", ""), **({"param": m.group(1)} if m else {"image": image})})
    out = {
        "file": file,
        "name": meta["name"],
        "labels": meta.get("labels") or {},
        "annotations": annotations,
        "servingRuntime": runtime,
        "runtimeName": (runtime.get("metadata") or {}).get("name", ""),
        "images": images,
        "formats": [f.get("name") for f in (runtime.get("spec") or {}).get("supportedModelFormats") or []],
        "multiModel": bool((runtime.get("spec") or {}).get("multiModel", False)),
    }
    for key, field in _TEMPLATE_KEYS.items():
        if f"opendatahub.io/{key}" in annotations:
            out[field] = _json_or_text(annotations[f"opendatahub.io/{key}"])
    if doc.get("parameters"):
        out["parameters"] = doc["parameters"]
    return out


def connection_type(doc: dict) -> dict:
    """One out-of-the-box connection type: its name (the Secret's type annotation names it),
    display name, category and fields (the Secret keys are the fields' envVars)."""
    meta = doc.get("metadata") or {}
    data = doc.get("data") or {}
    fields = [
        {k: f[k] for k in ("name", "envVar", "type", "required") if k in f}
        for f in _json_or_text(data.get("fields", "[]")) or []
        if isinstance(f, dict) and f.get("envVar")
    ]
    return {
        "name": meta["name"],
        "displayName": (meta.get("annotations") or {}).get("openshift.io/display-name", meta["name"]),
        "category": _json_or_text(data.get("category", "[]")),
        "fields": fields,
    }


def workload_data(shared: Path, shipper: Shipper) -> dict:
    """Per distribution and release: the team-level kinds served (group, served versions,
    storage), their schemas (shipped, with their CEL rules, deduplicated with every other
    schema), the out-of-the-box runtime Templates and connection types (each stored once,
    by digest, and named per release)."""
    root = shared / "upstream" / "workload"
    templates: dict[str, dict] = {}
    connection_types: dict[str, dict] = {}
    out: dict[str, dict] = {}
    for dist_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        dist = dist_dir.name
        rels: dict[str, dict] = {}
        for rel_dir in sorted((p for p in dist_dir.iterdir() if p.is_dir()), key=lambda p: version_key(p.name)):
            kinds, schemas, runtimes, conns = {}, {}, {}, {}
            for f in sorted(rel_dir.glob("*.yaml")):
                crd = _load(f)
                kinds[crd["spec"]["names"]["kind"]] = _kind_facts(crd)
                if crd["spec"]["names"]["kind"] in WORKLOAD_SCHEMAS_NOT_SHIPPED:
                    continue
                schemas.update(shipper.add(crd, f"workload/{dist}/{rel_dir.name}/{f.name}", f"{dist} {rel_dir.name}"))
            for f in sorted((rel_dir / "runtimes").glob("*.yaml")):
                entry = runtime_template(_load(f), f.name)
                templates[_digest(entry)] = entry
                runtimes[entry["name"]] = _digest(entry)
            for f in sorted((rel_dir / "connection-types").glob("*.yaml")):
                entry = connection_type(_load(f))
                connection_types[_digest(entry)] = entry
                conns[entry["name"]] = _digest(entry)
            rels[rel_dir.name] = {
                "kinds": dict(sorted(kinds.items())),
                "schemas": dict(sorted(schemas.items())),
                "runtimeTemplates": dict(sorted(runtimes.items())),
                "runtimesCollected": (rel_dir / "runtimes").is_dir() and bool(runtimes),
                "connectionTypes": dict(sorted(conns.items())),
            }
        _borrow_missing(rels, shipper, WORKLOAD_KINDS)
        out[dist] = rels
    return {
        "releases": out,
        "templates": dict(sorted(templates.items())),
        "connectionTypes": dict(sorted(connection_types.items())),
    }


# --------------------------------------------------------------------------- catalogs


def _bundle_version(name: str, bundles: dict) -> str:
    if name in bundles:
        return bundles[name]["version"]
    return re.sub(r"^[^.]+\.v?", "", name)


def _catalog(raw: dict) -> dict:
    bundles = raw.get("bundles", {})
    channels: dict[str, list] = {}
    versions: dict[str, str] = {}
    for channel, entries in sorted(raw["channels"].items()):
        kept = []
        for entry in entries:
            v = _bundle_version(entry["name"], bundles)
            if version_key(v)[0] < MIN_BUNDLE_MAJOR:
                continue
            versions[entry["name"]] = v
            kept.append({k: entry[k] for k in ("name", "replaces", "skips", "skipRange") if k in entry})
        # A channel of older releases only stays, empty: "it ships no supported release" is a
        # better answer than "no such channel".
        channels[channel] = kept
    out = {"defaultChannel": raw["defaultChannel"], "channels": channels, "versions": dict(sorted(versions.items()))}
    if any(b.get("maxOpenShiftVersion") for b in bundles.values()):
        out["maxOpenShiftVersion"] = {
            n: b["maxOpenShiftVersion"] for n, b in sorted(bundles.items()) if b.get("maxOpenShiftVersion")
        }
    return out


def catalog_data(shared: Path) -> dict:
    olm = shared / "upstream" / "olm"
    rhoai = json.loads((olm / "rhods-operator-catalogs.json").read_text(encoding="utf-8"))
    odh = json.loads((olm / "opendatahub-operator-catalog.json").read_text(encoding="utf-8"))
    return {
        "rhoai": {
            "package": next(iter(rhoai.values()))["package"],
            "source": "red-hat-data-services/RHOAI-Build-Config commit f4889bc674df16ef267ef00b2329326934935e76, pcc/catalog-v4.*.yaml",
            "catalogs": {ocp: _catalog(c) for ocp, c in sorted(rhoai.items(), key=lambda kv: version_key(kv[0]))},
        },
        "odh": {
            "package": odh["package"],
            "source": "redhat-openshift-ecosystem/community-operators-prod commit 699495f2ff526f9679a0d9d54688f09c683eff2c, "
            "operators/opendatahub-operator/catalog-templates/basic-template.yaml",
            # community-operators is one catalog for every OpenShift version
            "catalogs": {"*": _catalog(odh)},
        },
    }


# --------------------------------------------------------------------------- SOURCES.md


SOURCES_HEAD = """\
# Shipped upstream schemas: where each comes from

Generated by `scripts/import-upstream` from the shared upstream data; do not edit. Each file in
`schemas/` is one served version of an upstream CustomResourceDefinition, converted by the
project's own import (`generator/validate/schemas.py`: strict objects, RE2 patterns made
portable; descriptions dropped, `status` left open) and named `<kind>-<group>-<version>.<first
10 hex of the SHA-256 of its content>.json`, so a schema identical across releases is stored once.
`releases.json` says which release validates against which file (a release whose upstream data
lacks a kind that the releases before and after it have borrows the earlier one's, listed there
under `borrowed`). The upstream files themselves are
byte-for-byte copies kept in the steering repository's `shared/` folder (its SOURCES.md files
record how each was fetched). All upstream repositories are Apache-2.0 licensed, except where the
licence column says otherwise. OLM catalog data in `catalogs.json`: {catalogs}.

| shipped file | used by | upstream file | repository | ref | commit | path | licence |
|---|---|---|---|---|---|---|---|
"""


def _used_by(uses: list[str]) -> str:
    """`rhoai 2.13`, `rhoai 2.14` -> `rhoai 2.13, 2.14`; "every release" stays."""
    by_dist: dict[str, list[str]] = {}
    for use in uses:
        dist, _, version = use.partition(" ")
        by_dist.setdefault(dist, []).append(version)
    parts = []
    for dist, versions in by_dist.items():
        if dist == "every":
            parts.append("every release")
            continue
        parts.append(f"{dist} {', '.join(sorted(set(versions), key=version_key))}")
    return ", ".join(parts)


def sources_md(shipper: Shipper, catalogs: dict) -> str:
    lines = [SOURCES_HEAD.format(catalogs="; ".join(f"{d}: {c['source']}" for d, c in catalogs.items()))]
    for blob in sorted(shipper.sources):
        by_origin: dict[tuple, list[tuple[str, str]]] = {}
        for used_by, rel, origin in shipper.sources[blob]:
            by_origin.setdefault(origin, []).append((used_by, rel))
        for origin, uses in sorted(by_origin.items()):
            uses.sort(key=lambda u: (u[0].split(" ")[0], version_key(u[0].partition(" ")[2] or "0")))
            rels = sorted({rel for _, rel in uses})
            lines.append(
                f"| `{blob}` | {_used_by([u for u, _ in uses])} | {', '.join(f'`{r}`' for r in rels)} | "
                + " | ".join(origin)
                + " |\n"
            )
    return "".join(lines)


# --------------------------------------------------------------------------- all together


def derive(shared: Path) -> dict[str, str]:
    """Every file of generator/data/upstream/ as relpath -> text."""
    shipper = Shipper(Origins(shared))
    releases = release_data(shared, shipper)
    common = common_data(shared, shipper)
    catalogs = catalog_data(shared)
    workload = workload_data(shared, shipper)
    files = {f"schemas/{name}": text for name, text in shipper.blobs.items()}
    files["workload.json"] = json.dumps(workload, indent=1, sort_keys=True) + "\n"
    scopes = scope_data(shared)
    files["releases.json"] = (
        json.dumps({"common": common, "releases": releases, "scopes": scopes}, indent=1, sort_keys=True) + "\n"
    )
    files["catalogs.json"] = json.dumps(catalogs, indent=1, sort_keys=True) + "\n"
    files["SOURCES.md"] = sources_md(shipper, catalogs)
    return files


def write(files: dict[str, str], out: Path = OUT) -> tuple[int, int]:
    """Write `files` under `out`, removing shipped schemas no longer derived. Returns
    (written, removed)."""
    written = removed = 0
    (out / "schemas").mkdir(parents=True, exist_ok=True)
    for old in (out / "schemas").glob("*.json"):
        if f"schemas/{old.name}" not in files:
            old.unlink()
            removed += 1
    for rel, text in files.items():
        path = out / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        write_atomic(path, text)
        written += 1
    return written, removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="import-upstream", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "shared",
        nargs="?",
        default=str(Path(__file__).resolve().parents[3] / "shared"),
        help="the shared upstream data folder (default: ../shared next to the checkout)",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the committed data differs from a fresh derivation"
    )
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / "upstream" / "platform-crds").is_dir():
        print(f"import-upstream: no upstream data at {shared}", file=sys.stderr)
        return 2
    files = derive(shared)
    if args.check:
        stale = sorted(
            rel
            for rel, text in files.items()
            if not (OUT / rel).is_file() or (OUT / rel).read_text(encoding="utf-8") != text
        )
        extra = sorted(
            f"schemas/{p.name}" for p in (OUT / "schemas").glob("*.json") if f"schemas/{p.name}" not in files
        )
        for rel in stale + extra:
            print(f"out of date: generator/data/upstream/{rel}")
        return 1 if stale or extra else 0
    written, removed = write(files)
    print(f"generator/data/upstream: {len(files)} files ({written} written, {removed} removed)")
    # The docs' per-release tables are generated from the same data.
    doc = OUT.parents[2] / releasenotes.TABLES_DOC
    if doc.is_file():
        text = doc.read_text(encoding="utf-8")
        new = releasenotes.readme_with_tables(text)
        if new != text:
            write_atomic(doc, new)
            print(f"{releasenotes.TABLES_DOC}: per-release tables updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
