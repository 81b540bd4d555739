"""JSON Schema of the spec, exported from the model (editors complete and check specs with it)."""

from __future__ import annotations

import json
from pathlib import Path

from generator.spec.model import PlatformSpec

SCHEMA_PATH = "schemas/platform-spec.schema.json"


def schema_text() -> str:
    schema = PlatformSpec.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "platform-spec.schema.json"
    schema["title"] = "OpenShift AI platform spec (rhoai-gitops)"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    print(f"wrote {SCHEMA_PATH}")
    return 0
