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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import fastjsonschema
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


_FIRST_FUNCTION = re.compile(r"^def (\w+)\(", re.M)


@dataclass
class _Compiled:
    source: str  # the schema file
    fast: Callable[[Any], Any] | None  # None: fastjsonschema cannot read this schema
    full: jsonschema.protocols.Validator


def _fast(schema: dict, cache: Path | None) -> Callable[[Any], Any] | None:
    key = hashlib.sha256(
        json.dumps([schema, fastjsonschema.VERSION, sys.version], sort_keys=True).encode()
    ).hexdigest()
    cached = cache / f"{key}.marshal" if cache else None
    entry = code = None
    if cached and cached.is_file():
        try:
            entry, code = marshal.loads(cached.read_bytes())
        except (ValueError, EOFError, TypeError):
            entry = code = None
    if code is None:
        try:
            source = fastjsonschema.compile_to_code(schema, use_formats=False)
        except (fastjsonschema.JsonSchemaDefinitionException, ValueError, RecursionError):
            return None
        # The schema's own function is generated first; the rest are its $refs.
        entry = _FIRST_FUNCTION.search(source).group(1)
        code = compile(source, f"<schema {key[:12]}>", "exec")
        if cached:
            cache.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp")
            tmp.write_bytes(marshal.dumps((entry, code)))
            tmp.replace(cached)
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace[entry]


def field_path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out


class SchemaValidator:
    def __init__(self, folders: list[Path], cache: Path | None = None):
        self.folders = list(folders)
        self.cache = cache
        self._cache: dict[str, _Compiled | None] = {}

    def schema_name(self, o: Obj) -> str:
        return schema_file_name(o.get("kind", ""), group_of(o), version_of(o))

    def _compiled(self, o: Obj) -> _Compiled | None:
        name = self.schema_name(o)
        if name not in self._cache:
            self._cache[name] = None
            for folder in self.folders:
                path = folder / name
                if path.is_file():
                    schema = json.loads(path.read_text(encoding="utf-8"))
                    full = jsonschema.validators.validator_for(schema)(schema)
                    self._cache[name] = _Compiled(str(path), _fast(schema, self.cache), full)
                    break
        return self._cache[name]

    def has_schema(self, o: Obj) -> bool:
        return self._compiled(o) is not None

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
            found = [SchemaProblem(ident_str(o), fast_error.path.removeprefix("data").lstrip("."), fast_error.message)]
        return found
