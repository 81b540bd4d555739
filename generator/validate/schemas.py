"""CustomResourceDefinitions -> kubeconform-style JSON schemas, and validation against them.

Schema files are named `{kind}-{group}-{version}.json` in lower case (group's first label only,
as kubeconform's default `{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}`
template uses the full group; we use the full group too, which keeps the two HardwareProfile
kinds of different groups apart). Strict: every object schema that does not preserve unknown
fields gets `additionalProperties: false`, so an unknown field fails as it would with
`kubeconform -strict` (and as the API server would prune it).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from generator.core.errors import UsageError
from generator.core.schemafiles import schema_file_name
from generator.store.atomic import write_atomic

_FLAGS = re.compile(r"\(\?[imsU]+\)")


def portable_pattern(pattern: str) -> str:
    """A Go (RE2) pattern that Python's `re` also reads. RE2 lets `(?i)` stand anywhere and
    apply to the rest of its group; Python only allows it at the very start, so a later one
    becomes the scoped `(?i:...)` up to the end of its group (same meaning in both)."""
    out, i = "", 0
    while i < len(pattern):
        m = _FLAGS.match(pattern, i) if i > 0 else None
        if m:
            end = _group_end(pattern, m.end())
            out += pattern[i : m.end() - 1] + ":" + portable_pattern(pattern[m.end() : end]) + ")"
            i = end
            continue
        step = 2 if pattern[i] == "\\" else 1
        if pattern[i] == "[":
            step = _class_end(pattern, i) - i
        out += pattern[i : i + step]
        i += step
    return out


def _class_end(pattern: str, i: int) -> int:
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return min(j + 1, len(pattern))


def _group_end(pattern: str, i: int) -> int:
    """Index of the `)` closing the group that position `i` is in (or the pattern's end)."""
    depth = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return len(pattern)


def strict(node: Any) -> Any:
    """A copy of an OpenAPI v3 CRD schema made strict and plain-JSON-Schema readable."""
    if isinstance(node, list):
        return [strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: strict(v) for k, v in node.items() if k not in ("x-kubernetes-preserve-unknown-fields",)}
    if isinstance(node.get("pattern"), str):
        out["pattern"] = portable_pattern(node["pattern"])
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else out["type"]
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node and not preserve:
        out["additionalProperties"] = False
    return out


def crd_documents(sources: Iterable[Path]) -> list[dict]:
    """CRDs from files, folders, or `kubectl get crd -o yaml` List output."""
    found: list[dict] = []
    for src in sources:
        files = sorted(p for p in src.rglob("*") if p.suffix in (".yaml", ".yml", ".json")) if src.is_dir() else [src]
        for f in files:
            try:
                docs = list(
                    yaml.load_all(f.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
                )
            except (OSError, yaml.YAMLError) as exc:
                raise UsageError(f"{f}: cannot read CRD YAML: {exc}") from None
            for doc in docs:
                if not isinstance(doc, dict):
                    continue
                if doc.get("kind") == "List":
                    found += [
                        i
                        for i in doc.get("items", [])
                        if isinstance(i, dict) and i.get("kind") == "CustomResourceDefinition"
                    ]
                elif doc.get("kind") == "CustomResourceDefinition":
                    found.append(doc)
    return found


def crd_schemas(crd: dict) -> dict[str, dict]:
    """{file name: JSON schema} for every served version of one CRD."""
    spec = crd["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    out = {}
    for v in spec.get("versions", []):
        if not v.get("served", True):
            continue
        raw = (
            (v.get("schema") or {}).get("openAPIV3Schema")
            or spec.get("validation", {}).get("openAPIV3Schema")
            or {"type": "object"}
        )
        schema = strict(copy.deepcopy(raw))
        props = schema.setdefault("properties", {})
        props["apiVersion"] = {"type": "string", "enum": [f"{group}/{v['name']}"]}
        props["kind"] = {"type": "string", "enum": [kind]}
        # ObjectMeta is not in CRD schemas; the API server validates it itself.
        props["metadata"] = {"type": "object"}
        schema["type"] = "object"
        schema.setdefault("additionalProperties", False)
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        schema["x-rhoai-gitops-source"] = f"CRD {crd['metadata']['name']}"
        out[schema_file_name(kind, group, v["name"])] = schema
    return out


def import_crds(sources: Iterable[Path], out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for crd in crd_documents(sources):
        for name, schema in crd_schemas(crd).items():
            write_atomic(out / name, json.dumps(schema, indent=1, sort_keys=True) + "\n")
            written.append(name)
    return sorted(written)


def import_crds_command(args: argparse.Namespace) -> int:
    out = args.out or (args.repo / "schemas" / "crds")
    sources = [Path(s) for s in args.sources]
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    written = import_crds(sources, out)
    if not written:
        raise UsageError("no CustomResourceDefinition found in the given sources")
    print(f"wrote {len(written)} schema(s) to {out}")
    return 0
