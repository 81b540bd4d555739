"""Per-release facts of the team-level kinds (pipeline servers, model registries, serving,
notebooks), the out-of-the-box serving-runtime Templates and connection types, read from
`generator/data/upstream/workload.json` (derived from `../shared/upstream/workload/` by
`scripts/import-upstream`; nothing here is written by hand).

`workload_facts(dist, version)` answers, for one release: which of these kinds it serves, at
which API versions (the storage version is the one the generator writes), the shipped schema of
each served version (with its CEL rules), which Templates the release ships by the names the
dashboard's `templateOrder` / `templateDisablement` use, and which connection types the
dashboard offers with their fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from generator.core.schemafiles import data_dir, schema_file_name
from generator.facts.releases import load_schema

DSPA = "DataSciencePipelinesApplication"
MODEL_REGISTRY = "ModelRegistry"
INFERENCE_SERVICE = "InferenceService"
SERVING_RUNTIME = "ServingRuntime"
CLUSTER_SERVING_RUNTIME = "ClusterServingRuntime"
LLM_INFERENCE_SERVICE = "LLMInferenceService"
LLM_INFERENCE_SERVICE_CONFIG = "LLMInferenceServiceConfig"
NOTEBOOK = "Notebook"
KINDS = (
    DSPA,
    MODEL_REGISTRY,
    INFERENCE_SERVICE,
    SERVING_RUNTIME,
    CLUSTER_SERVING_RUNTIME,
    LLM_INFERENCE_SERVICE,
    LLM_INFERENCE_SERVICE_CONFIG,
    NOTEBOOK,
)


# Releases before connection types (RHOAI 2.15, ODH 2.20 and earlier) have the dashboard's S3
# "data connection" only, with these keys (the same envVars its successor, the s3 type, uses).
LEGACY_S3 = "s3"
LEGACY_S3_KEYS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_S3_ENDPOINT",
    "AWS_DEFAULT_REGION",
    "AWS_S3_BUCKET",
)

# A connection's non-secret spec setting -> the Secret key (its connection type's field envVar)
# it fills; the rest of a connection's keys come from the store or the team's Secret.
CONNECTION_SETTING_KEYS = {
    "endpoint": "AWS_S3_ENDPOINT",
    "bucket": "AWS_S3_BUCKET",
    "region": "AWS_DEFAULT_REGION",
    "uri": "URI",
    "registry": "OCI_HOST",
    "access_type": "ACCESS_TYPE",
}


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return json.loads((data_dir() / "workload.json").read_text(encoding="utf-8"))


def releases(dist: str) -> list[str]:
    """Every release of `dist` the workload data covers."""
    return list(_data()["releases"].get(dist, {}))


@dataclass(frozen=True)
class KindFacts:
    kind: str
    group: str
    served: tuple[str, ...]
    storage: str
    scope: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.storage}"


@dataclass(frozen=True)
class RuntimeImage:
    container: str
    image: str = ""  # a literal reference, or
    param: str = ""  # the operator's image parameter (`$(vllm-cuda-image)`) it fills at install


@dataclass(frozen=True)
class RuntimeTemplate:
    """One out-of-the-box serving-runtime Template of a release."""

    name: str  # the Template's metadata.name: what templateOrder / templateDisablement name
    file: str  # its upstream file (`vllm-cuda-template.yaml`), the name people often use
    runtime_name: str  # the ServingRuntime's metadata.name
    platforms: tuple[str, ...]  # opendatahub.io/modelServingSupport: single, multi
    api_protocol: str  # opendatahub.io/apiProtocol: REST, gRPC ("" where not annotated)
    model_types: tuple[str, ...]  # opendatahub.io/model-type
    formats: tuple[str, ...]  # spec.supportedModelFormats[].name
    multi_model: bool
    images: tuple[RuntimeImage, ...]
    labels: dict[str, str]
    annotations: dict[str, str]
    serving_runtime: dict[str, Any]  # the ServingRuntime inside, as upstream ships it
    parameters: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ConnectionField:
    name: str
    env_var: str  # the Secret key
    type: str
    required: bool


@dataclass(frozen=True)
class ConnectionType:
    name: str  # the ConfigMap's name: the value of the Secret's connection-type annotation
    display_name: str
    category: tuple[str, ...]
    fields: tuple[ConnectionField, ...]

    def keys(self) -> list[str]:
        return [f.env_var for f in self.fields]

    def required_keys(self) -> list[str]:
        return [f.env_var for f in self.fields if f.required]


@dataclass(frozen=True)
class WorkloadFacts:
    dist: str
    version: str

    @property
    def _facts(self) -> dict[str, Any]:
        return _data()["releases"][self.dist][self.version]

    def __str__(self) -> str:
        return f"{self.dist} {self.version}"

    # ------------------------------------------------------------------ kinds

    def serves(self, kind: str) -> bool:
        return kind in self._facts["kinds"]

    def kind(self, kind: str) -> KindFacts | None:
        f = self._facts["kinds"].get(kind)
        return KindFacts(kind, f["group"], tuple(f["served"]), f["storage"], f["scope"]) if f else None

    def api_version(self, kind: str) -> str:
        """group/version the generator writes `kind` at: its CRD's storage version."""
        facts = self.kind(kind)
        if facts is None:
            raise KeyError(f"{self} has no {kind} CRD in the upstream data")
        return facts.api_version

    def served(self, kind: str) -> tuple[str, ...]:
        facts = self.kind(kind)
        return facts.served if facts else ()

    def storage(self, kind: str) -> str | None:
        facts = self.kind(kind)
        return facts.storage if facts else None

    def borrowed(self, kind: str) -> dict | None:
        """{"from": release, "checkedAgainst": release} where this release's upstream data lacks
        the kind's CRD and it takes the nearest earlier release's schemas."""
        return (self._facts.get("borrowed") or {}).get(kind)

    def schema(self, kind: str, version: str | None = None) -> dict | None:
        """The shipped schema of `kind` at `version` (default: the storage version), or None
        where the release has no such CRD or its schema is not shipped."""
        facts = self.kind(kind)
        if facts is None:
            return None
        blob = self._facts["schemas"].get(schema_file_name(kind, facts.group, version or facts.storage))
        return load_schema(blob) if blob else None

    def schema_files(self) -> dict[str, Path]:
        """Schema file name -> shipped file, every served version of every shipped kind."""
        folder = data_dir() / "schemas"
        return {name: folder / blob for name, blob in self._facts["schemas"].items()}

    def cel_rules(self, kind: str, version: str | None = None) -> list[tuple[str, str]]:
        """(field path, rule) of every x-kubernetes-validations rule the schema carries."""
        schema = self.schema(kind, version)
        return _rules(schema, "") if schema else []

    def node(self, kind: str, path: str, version: str | None = None) -> dict | None:
        """The schema node at a dotted path (`spec.objectStorage.externalStorage.region`, `[]`
        enters an array's items), or None where the CRD has no such field."""
        node = self.schema(kind, version)
        for part in [p for p in path.replace("[]", ".[]").split(".") if p]:
            if node is None:
                return None
            node = node.get("items") if part == "[]" else (node.get("properties") or {}).get(part)
        return node if isinstance(node, dict) else None

    def has(self, kind: str, path: str, version: str | None = None) -> bool:
        return self.node(kind, path, version) is not None

    def enum(self, kind: str, path: str, version: str | None = None) -> list | None:
        node = self.node(kind, path, version)
        return node.get("enum") if node else None

    # ------------------------------------------------------------------ runtimes

    @property
    def runtimes_collected(self) -> bool:
        """False where the upstream data has no runtime Templates for this release (the list is
        unknown, not empty)."""
        return bool(self._facts["runtimesCollected"])

    @property
    def runtime_templates(self) -> dict[str, RuntimeTemplate]:
        """Template name -> the out-of-the-box Template, as the release ships them."""
        return {name: _template(digest) for name, digest in self._facts["runtimeTemplates"].items()}

    # ------------------------------------------------------------------ connections

    @property
    def connection_types(self) -> dict[str, ConnectionType]:
        """Connection-type name -> its fields, as the release's dashboard ships them (empty for
        releases before connection types: only S3 data connections)."""
        return {name: _connection_type(digest) for name, digest in self._facts["connectionTypes"].items()}

    def known_connection_types(self) -> list[str]:
        """The connection types a spec may name: the release's, or `s3` (the dashboard's data
        connection) on releases before connection types."""
        return sorted(self._facts["connectionTypes"]) or [LEGACY_S3]

    def connection_keys(self, type_name: str) -> list[str]:
        """The Secret keys of a connection of `type_name` ([] for a type the release lacks)."""
        if not self._facts["connectionTypes"]:
            return list(LEGACY_S3_KEYS) if type_name == LEGACY_S3 else []
        known = self.connection_types.get(type_name)
        return known.keys() if known else []

    def is_s3(self, type_name: str) -> bool:
        """A connection of this type holds S3 settings (an endpoint)."""
        return "AWS_S3_ENDPOINT" in self.connection_keys(type_name)


def _rules(node: Any, path: str) -> list[tuple[str, str]]:
    if not isinstance(node, dict):
        return []
    out = [(path or ".", r["rule"]) for r in node.get("x-kubernetes-validations") or [] if "rule" in r]
    for key, sub in (node.get("properties") or {}).items():
        out += _rules(sub, f"{path}.{key}")
    if isinstance(node.get("items"), dict):
        out += _rules(node["items"], path + "[]")
    if isinstance(node.get("additionalProperties"), dict):
        out += _rules(node["additionalProperties"], path + "{}")
    return out


@cache
def _template(digest: str) -> RuntimeTemplate:
    t = _data()["templates"][digest]
    return RuntimeTemplate(
        name=t["name"],
        file=t["file"],
        runtime_name=t["runtimeName"],
        platforms=tuple(_listed(t.get("platforms"))),
        api_protocol=str(t.get("apiProtocol", "")),
        model_types=tuple(_listed(t.get("modelTypes"))),
        formats=tuple(f for f in t["formats"] if f),
        multi_model=t["multiModel"],
        images=tuple(RuntimeImage(**i) for i in t["images"]),
        labels=t["labels"],
        annotations=t["annotations"],
        serving_runtime=t["servingRuntime"],
        parameters=tuple(t.get("parameters", ())),
    )


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@cache
def _connection_type(digest: str) -> ConnectionType:
    c = _data()["connectionTypes"][digest]
    return ConnectionType(
        name=c["name"],
        display_name=c["displayName"],
        category=tuple(_listed(c["category"])),
        fields=tuple(
            ConnectionField(f["name"], f["envVar"], f.get("type", ""), bool(f.get("required", False)))
            for f in c["fields"]
        ),
    )


@cache
def workload_facts(dist: str, version: str) -> WorkloadFacts:
    if version not in _data()["releases"].get(dist, {}):
        raise KeyError(f"no workload data for {dist} {version}")
    return WorkloadFacts(dist, version)
