"""Per-release facts, read from the data the upstream import derived (generator/data/upstream/).

A `Release` answers what one release of a distribution serves: which kinds, at which API
version, and, from that release's own CRD schemas, which fields a platform object has, their
enums and defaults, which fields are immutable (a `self == oldSelf` rule) and which the CRD
describes as ignored. Nothing here is written by hand: `scripts/import-upstream` derives it from
the upstream CRDs, so a new release is a data refresh.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from generator.core.schemafiles import data_dir, schema_file_name
from generator.facts import catalogs, matrix
from generator.facts.matrix import version_key

_IMMUTABLE = re.compile(r"^\s*self\s*==\s*oldSelf\s*$")


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return json.loads((data_dir() / "releases.json").read_text(encoding="utf-8"))


@cache
def load_schema(blob: str) -> dict:
    return json.loads((data_dir() / "schemas" / blob).read_text(encoding="utf-8"))


def releases(dist: str) -> list[str]:
    """Every release of `dist` the upstream data has, oldest first."""
    return sorted(_data()["releases"].get(dist, {}), key=version_key)


@cache
def _supported(dist: str) -> tuple[str, ...]:
    lines = matrix.distribution(dist).lines
    offered = catalogs.offered_releases(dist)
    return tuple(v for v in releases(dist) if v.split(".")[0] in lines and v in offered)


def supported(dist: str) -> list[str]:
    """The releases the generator renders for: those of the distribution's supported lines
    (matrix.yaml) that its OLM catalog offers."""
    return list(_supported(dist))


def common_schema_files() -> dict[str, Path]:
    """Schema file name -> shipped file, for every non-platform kind the bundle renders."""
    folder = data_dir() / "schemas"
    return {name: folder / blob for name, blob in _data()["common"].items()}


@cache
def release(dist: str, version: str) -> Release:
    if version not in _data()["releases"].get(dist, {}):
        raise KeyError(f"no upstream data for {dist} {version}")
    return Release(dist, version)


@dataclass(frozen=True)
class Release:
    dist: str
    version: str  # major.minor

    @property
    def _facts(self) -> dict[str, Any]:
        return _data()["releases"][self.dist][self.version]

    def __str__(self) -> str:
        return f"{self.dist} {self.version}"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    # ------------------------------------------------------------------ kinds

    def serves(self, kind: str) -> bool:
        return kind in self._facts["kinds"]

    def api_version(self, kind: str) -> str:
        """group/version the generator writes `kind` at: its CRD's storage version."""
        facts = self._facts["kinds"][kind]
        return f"{facts['group']}/{facts['storage']}"

    def schema(self, kind: str) -> dict | None:
        """The release's own schema of `kind` at the version the generator writes."""
        if not self.serves(kind):
            return None
        facts = self._facts["kinds"][kind]
        blob = self._facts["schemas"].get(schema_file_name(kind, facts["group"], facts["storage"]))
        return load_schema(blob) if blob else None

    def schema_files(self) -> dict[str, Path]:
        """Schema file name -> shipped file, for the release's platform kinds (every served
        version)."""
        folder = data_dir() / "schemas"
        return {name: folder / blob for name, blob in self._facts["schemas"].items()}

    # ------------------------------------------------------------------ fields

    def node(self, kind: str, path: str) -> dict | None:
        """The schema node at a dotted path (`spec.components.kserve.nim`; `[]` enters an
        array's items, `{}` a map's values), or None where the release's CRD has no such field."""
        return self._walk(kind, _parts(path))

    def _walk(self, kind: str, parts: list[str]) -> dict | None:
        node = self.schema(kind)
        for part in parts:
            if node is None:
                return None
            if part == "[]":
                node = node.get("items") if isinstance(node.get("items"), dict) else None
            elif part == "{}":
                node = node.get("additionalProperties") if isinstance(node.get("additionalProperties"), dict) else None
            else:
                node = (node.get("properties") or {}).get(part)
        return node

    def has(self, kind: str, path: str) -> bool:
        return self.node(kind, path) is not None

    def enum(self, kind: str, path: str) -> list | None:
        node = self.node(kind, path)
        return list(node["enum"]) if node and "enum" in node else None

    def default(self, kind: str, path: str) -> Any:
        node = self.node(kind, path)
        return node.get("default") if node else None

    def rejects(self, kind: str, path: str) -> list:
        """Values the field's enum lists but its CRD says the operator refuses at runtime."""
        if not self.serves(kind):
            return []
        return list(self._facts["rejected"].get(f"{kind}/{self._facts['kinds'][kind]['storage']}", {}).get(path, []))

    def takes(self, kind: str, path: str, value: Any) -> bool:
        """The field exists, its enum (if any) lists `value`, and the operator does not refuse it."""
        node = self.node(kind, path)
        return (
            node is not None and ("enum" not in node or value in node["enum"]) and value not in self.rejects(kind, path)
        )

    def borrowed(self, kind: str) -> dict | None:
        """Where the schema of a kind the release's upstream data lacks comes from."""
        return self._facts.get("borrowed", {}).get(kind)

    def immutable(self, kind: str, path: str) -> bool:
        """The field, or an object holding it, carries the rule `self == oldSelf`: the API
        server refuses any update that changes it."""
        parts = _parts(path)
        for i in range(1, len(parts) + 1):
            node = self._walk(kind, parts[:i])
            if node and any(_IMMUTABLE.match(r.get("rule", "")) for r in node.get("x-kubernetes-validations", [])):
                return True
        return False

    def ignored(self, kind: str, path: str) -> bool:
        """The CRD describes the field (or an object holding it) as ignored."""
        return self._noted("ignored", kind, path)

    def deprecated(self, kind: str, path: str) -> bool:
        return self._noted("deprecated", kind, path)

    def _noted(self, note: str, kind: str, path: str) -> bool:
        if not self.serves(kind):
            return False
        noted = self._facts[note].get(f"{kind}/{self._facts['kinds'][kind]['storage']}", [])
        return any(path == p or path.startswith((p + ".", p + "[")) for p in noted)

    # ------------------------------------------------------------------ DataScienceCluster

    def components(self) -> list[str]:
        """The DataScienceCluster's components (keys of spec.components), sorted."""
        node = self.node("DataScienceCluster", "spec.components")
        return sorted((node or {}).get("properties", {}))


def _parts(path: str) -> list[str]:
    """`spec.items[].name` -> ["spec", "items", "[]", "name"]."""
    return re.findall(r"\[\]|\{\}|[^.\[\]{}]+", path)


def first_with(dist: str, kind: str, path: str, value: Any = None) -> str | None:
    """The first supported release whose `kind` has `path` (taking `value`, where it has an
    enum), for messages such as "2.20 and later have it"."""
    for version in supported(dist):
        if release(dist, version).takes(kind, path, value):
            return version
    return None


def component_key(rel: Release, component: str) -> str | None:
    """The name the release's DataScienceCluster gives a spec component (matrix.yaml
    dscComponentNames), or None when it has no such component."""
    names = matrix.matrix().dsc_component_names.get(component, (component,))
    have = set(rel.components())
    return next((n for n in names if n in have), None)
