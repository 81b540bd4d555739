"""Validate objects against a kubeconform-style schema folder (compiled validators cached)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from generator.resources import Obj, group_of, ident_str, version_of
from generator.validate.schemas import schema_file_name


@dataclass(frozen=True)
class SchemaProblem:
    object: str  # Kind group ns/name
    path: str  # field path inside the object
    message: str

    def __str__(self) -> str:
        return f"{self.object}: {self.path or '(root)'}: {self.message}"


class MissingSchema(Exception):
    pass


class SchemaValidator:
    def __init__(self, folders: list[Path]):
        self.folders = folders
        self._cache: dict[str, jsonschema.protocols.Validator | None] = {}

    def _validator(self, o: Obj):
        name = schema_file_name(o.get("kind", ""), group_of(o), version_of(o))
        if name not in self._cache:
            self._cache[name] = None
            for folder in self.folders:
                path = folder / name
                if path.is_file():
                    schema = json.loads(path.read_text(encoding="utf-8"))
                    cls = jsonschema.validators.validator_for(schema)
                    self._cache[name] = cls(schema)
                    break
        return self._cache[name]

    def has_schema(self, o: Obj) -> bool:
        return self._validator(o) is not None

    def problems(self, o: Obj) -> list[SchemaProblem]:
        v = self._validator(o)
        if v is None:
            raise MissingSchema(f"no schema for {o.get('apiVersion')} {o.get('kind')}")
        out = []
        for err in sorted(v.iter_errors(o), key=lambda e: list(map(str, e.absolute_path))):
            path = ".".join(str(p) for p in err.absolute_path)
            out.append(SchemaProblem(ident_str(o), path, err.message))
        return out
