"""JSON Schema of the spec, exported from the model (editors complete and check specs with it)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

from pydantic.json_schema import GenerateJsonSchema

from generator.facts import catalogs, releases
from generator.facts.matrix import version_key
from generator.spec.model import Distribution, PlatformSpec
from generator.store.atomic import write_atomic

SCHEMA_PATH = "schemas/platform-spec.schema.json"


class _Generator(GenerateJsonSchema):
    def field_title_should_be_set(self, schema) -> bool:
        # pydantic leaves the title off a field that is a model ($ref); editors show the field's
        # own title ("Trusted CA bundle"), so every property carries one.
        return True

    def handle_ref_overrides(self, json_schema):
        # ...and keeps it, with the field's description, beside the $ref (2020-12 allows
        # siblings), even where it equals the referenced model's.
        return json_schema


def schema_text() -> str:
    schema = PlatformSpec.model_json_schema(by_alias=True, mode="validation", schema_generator=_Generator)
    _release_choices(schema["$defs"]["Distribution"])
    _unwrap(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "platform-spec.schema.json"
    schema["title"] = "OpenShift AI platform spec (rhoai-gitops)"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def _unwrap(node) -> None:
    """Descriptions from docstrings are wrapped for the source; editors wrap them themselves."""
    if isinstance(node, dict):
        if isinstance(node.get("description"), str):
            node["description"] = " ".join(node["description"].split())
        for key, value in node.items():
            if key not in ("enum", "const", "default"):
                _unwrap(value)
    elif isinstance(node, list):
        for item in node:
            _unwrap(item)


def choices(dist: str) -> dict[str, list[str]]:
    """What a spec of `dist` may name as distribution.version and .channel, from the release
    data: the supported releases, their generally available patch releases (bundle versions of
    every catalog), and the channels that ship a supported release in some catalog."""
    supported = releases.supported(dist)
    patches: set[str] = set()
    channels: set[str] = set()
    for key in catalogs.catalog_keys(dist):
        cat = catalogs.catalog(dist, key)
        for channel in cat.channels():
            ours = [b.version for b in cat.bundles(channel) if b.release in supported]
            patches.update(v for v in ours if re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", v))
            if ours:
                channels.add(channel)
    return {
        "releases": list(supported),
        "patches": sorted(patches, key=version_key),
        "channels": sorted(channels),
    }


def _version_schema(found: dict[str, list[str]]) -> dict:
    return {
        "anyOf": [
            {"enum": found["releases"], "title": "Release"},
            {"enum": found["patches"], "title": "Patch release"},
            {"type": "null"},
        ]
    }


def _channel_schema(found: dict[str, list[str]]) -> dict:
    return {"anyOf": [{"enum": found["channels"]}, {"type": "null"}]}


def _release_choices(distribution: dict) -> None:
    """distribution.version and .channel as enums of the release data, each distribution's
    under if/then on its name (a spec without a name is of the model's default): editors
    complete and check the named distribution's values only. The properties keep the model's
    type, so an unquoted `version: 2.20` (a number) is a type error, as it is to the CLI."""
    names = get_args(Distribution.model_fields["name"].annotation)
    default = Distribution.model_fields["name"].default
    distribution["allOf"] = [
        {
            "if": {"properties": {"name": {"const": name}}, **({} if name == default else {"required": ["name"]})},
            "then": {"properties": {"version": _version_schema(found), "channel": _channel_schema(found)}},
        }
        for name, found in ((name, choices(name)) for name in names)
    ]


def export(repo: Path, check: bool = False) -> int:
    path = repo / SCHEMA_PATH
    text = schema_text()
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{SCHEMA_PATH} is out of date: run `rhoai-gitops schemas export`")
            return 1
        print(f"{SCHEMA_PATH} is current")
        return 0
    write_atomic(path, text, parents=True)
    print(f"wrote {SCHEMA_PATH}")
    return 0
