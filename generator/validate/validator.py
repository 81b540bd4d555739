"""Validate objects against a kubeconform-style schema folder.

Each schema file is compiled once into a fastjsonschema function (generated Python, an order of
magnitude faster than interpreting the schema), which answers "valid?" for the common case; only
an object that fails is run through jsonschema, which lists every error with its field path.
Neither checks `format` (kubeconform does not either), so both agree.

Generating the function for a big CRD (Argo CD's ApplicationSet, KServe's InferenceService) takes
seconds, so with a cache folder the compiled code is kept there (marshalled, keyed by the schema's
bytes and the Python and fastjsonschema versions) and loads in milliseconds on the next run.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from generator.core.resources import Obj, group_of, ident_str, version_of
from generator.core.schemafiles import schema_file_name
from generator.store.atomic import write_atomic


@dataclass(frozen=True)
class SchemaProblem:
    object: str  # Kind group ns/name
    path: str  # field path inside the object
    message: str

    def __str__(self) -> str:
        return f"{self.object}: {self.path or '(root)'}: {self.message}"


class MissingSchema(Exception):
    pass


_FIRST_FUNCTION = re.compile(r"^def (\w+)\(", re.M)


@dataclass
class _Compiled:
    source: str  # the schema file
    schema: dict
    fast: Callable[[Any], Any] | None  # None: fastjsonschema cannot read this schema
    full: jsonschema.protocols.Validator


def _compile(path: Path, cache: Path | None) -> _Compiled:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, str(cache) if cache else None)
    if key not in _COMPILED:
        schema = json.loads(path.read_text(encoding="utf-8"))
        full = jsonschema.validators.validator_for(schema)(schema)
        _COMPILED[key] = _Compiled(str(path), schema, _fast(schema, cache), full)
    return _COMPILED[key]


def _fast(schema: dict, cache: Path | None) -> Callable[[Any], Any] | None:
    key = hashlib.sha256(json.dumps([schema, fastjsonschema.VERSION, sys.version], sort_keys=True).encode()).hexdigest()
    cached = cache / f"{key}.marshal" if cache else None
    entry: str | None = None
    code = None
    if cached and cached.is_file():
        try:
            entry, code = marshal.loads(cached.read_bytes())
        except (ValueError, EOFError, TypeError):
            entry = code = None
    if code is None:
        try:
            source = fastjsonschema.compile_to_code(schema, use_formats=False)
        # re.error: fastjsonschema turns every `$` of a pattern into `\Z`, inside a character class too, which Python's re
        # refuses (the Gateway API fields of the LLMInferenceService CRDs); the full validator checks those schemas.
        except (fastjsonschema.JsonSchemaDefinitionException, ValueError, RecursionError, re.error):
            return None
        # The schema's own function is generated first; the rest are its $refs.
        first = _FIRST_FUNCTION.search(source)
        if first is None:
            return None
        entry = first.group(1)
        code = compile(source, f"<schema {key[:12]}>", "exec")
        if cached:
            write_atomic(cached, marshal.dumps((entry, code)), parents=True)
    assert entry is not None  # set with code, read or compiled
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace[entry]


def field_path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out


# Where schemas are found: a kubeconform-style folder of `<kind>-<group>-<version>.json` files,
# or a mapping from such names to files (the shipped upstream schemas, deduplicated on disk).
SchemaSource = Path | Mapping[str, Path]

# Compiled schemas by file, shared by every validator of the process (the same shipped schema
# serves many releases).
_COMPILED: dict[tuple, _Compiled] = {}


def _resolve(sources: list[SchemaSource], name: str) -> Path | None:
    for source in sources:
        path = source.get(name) if isinstance(source, Mapping) else source / name
        if path is not None and path.is_file():
            return path
    return None


class SchemaValidator:
    def __init__(self, folders: list[SchemaSource], cache: Path | None = None):
        self.folders = list(folders)
        self.cache = cache
        self._cache: dict[str, _Compiled | None] = {}

    def schema_name(self, o: Obj) -> str:
        return schema_file_name(o.get("kind", ""), group_of(o), version_of(o))

    def _compiled(self, o: Obj) -> _Compiled | None:
        name = self.schema_name(o)
        if name not in self._cache:
            path = _resolve(self.folders, name)
            self._cache[name] = None if path is None else _compile(path, self.cache)
        return self._cache[name]

    def has_schema(self, o: Obj) -> bool:
        return self._compiled(o) is not None

    def schema(self, o: Obj) -> dict | None:
        """The schema `o` is validated against (None without one)."""
        c = self._compiled(o)
        return c.schema if c else None

    def problems(self, o: Obj) -> list[SchemaProblem]:
        c = self._compiled(o)
        if c is None:
            raise MissingSchema(f"no schema for {o.get('apiVersion')} {o.get('kind')} ({self.schema_name(o)})")
        fast_error = None
        if c.fast is not None:
            try:
                c.fast(o)
                return []
            except fastjsonschema.JsonSchemaValueException as exc:
                fast_error = exc
        found = sorted(
            (SchemaProblem(ident_str(o), field_path(e.absolute_path), e.message) for e in c.full.iter_errors(o)),
            key=lambda p: (p.path, p.message),
        )
        if not found and fast_error is not None:
            # Both engines read the same schema; should they ever disagree, the fast one's
            # message still names the field.
            found = [
                SchemaProblem(
                    ident_str(o), (fast_error.name or "").removeprefix("data").lstrip("."), fast_error.message
                )
            ]
        return found
