"""Read cluster specs from YAML with the position of every key and value.

The YAML is composed into nodes with ruamel.yaml and turned into plain data here, by hand, so
that nothing but plain maps, lists and scalars can come out of it: custom tags are refused,
duplicate keys are refused, and alias expansion is bounded (alias bombs). Each value's
(file, line, column) is kept by field path so validation errors point at the offending line.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import SpecError, SpecErrors, format_path
from generator.spec.model import PlatformSpec

CLUSTERS_DIR = "clusters"
DEFAULTS_FILE = "_defaults.yaml"
MAX_NODES = 100_000  # expanded nodes per document; real specs have a few hundred

TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = {TAG + t for t in ("str", "int", "float", "bool", "null")}


@dataclass(frozen=True)
class Position:
    file: str
    line: int
    column: int


@dataclass
class Positions:
    """Field path (tuple of keys and indexes) -> where its key and its value stand."""

    keys: dict[tuple, Position] = field(default_factory=dict)
    values: dict[tuple, Position] = field(default_factory=dict)
    document: Position | None = None
    # Field path -> the scalar as written, where YAML read it as something other than text
    # (`2.20` is the number 2.2): messages quote what the user wrote.
    raw: dict[tuple, str] = field(default_factory=dict)

    def of(self, path: tuple) -> Position:
        """The best position for an error about `path`: its value, else its key, else the
        nearest ancestor that was written down (a missing field points at its parent)."""
        path = tuple(path)
        while True:
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            if not path:
                return self.document or Position("<unknown>", 1, 1)
            path = path[:-1]

    def key_of(self, path: tuple) -> Position:
        return self.keys.get(tuple(path)) or self.of(path)

    def error(self, path: tuple, message: str, *, at_key: bool = False) -> SpecError:
        pos = self.key_of(path) if at_key else self.of(path)
        return SpecError(pos.file, pos.line, pos.column, format_path(path), message)


@dataclass
class LoadedSpec:
    spec: PlatformSpec
    source: str  # path relative to the repo, e.g. clusters/prod.yaml
    positions: Positions
    # sha256 of the composed data (spec over defaults), recorded in the overlay's index: edits
    # that do not change what the spec says (comments, line endings, a BOM, anchors) keep it.
    digest: str

    @property
    def name(self) -> str:
        return self.spec.metadata.name


# --------------------------------------------------------------------------- YAML -> data


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.positions = Positions()
        self.count = 0
        self.errors: list[SpecError] = []
        self._after_key: dict[tuple, Position] = {}  # path -> just after its key's colon

    def pos(self, node: Node) -> Position:
        return Position(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: Node, path: tuple, message: str) -> None:
        p = self.pos(node)
        self.errors.append(SpecError(p.file, p.line, p.column, format_path(path), message))

    def build(self, node: Node, path: tuple, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge(node)
        if depth > 64:
            raise _TooLarge(node)
        if not (isinstance(node, ScalarNode) and node.tag == TAG + "null" and node.value == ""):
            self.positions.values.setdefault(path, self.pos(node))
        if isinstance(node, MappingNode):
            if node.tag not in (TAG + "map",):
                self.fail(node, path, f"tag {node.tag!r} is not allowed: only plain maps, lists and scalars")
                return None
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            if node.tag != TAG + "seq":
                self.fail(node, path, f"tag {node.tag!r} is not allowed: only plain maps, lists and scalars")
                return None
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        self.fail(node, path, "unsupported YAML node")
        return None

    def _mapping(self, node: MappingNode, path: tuple, depth: int) -> dict:
        out: dict = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == TAG + "merge":
                # `<<: *anchor` merge keys: explicit keys of this mapping win.
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for src in sources:
                    if not isinstance(src, MappingNode):
                        self.fail(value_node, path, "a merge key (<<) takes a mapping or a list of mappings")
                        continue
                    for k, v in self._mapping(src, path, depth + 1).items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag not in SCALAR_TAGS:
                self.fail(key_node, path, "keys must be plain scalars")
                continue
            key = key_node.value if key_node.tag == TAG + "str" else self._scalar(key_node, path)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                first = self.positions.keys[path + (key,)]
                self.fail(key_node, path + (key,), f"duplicate key (first at line {first.line}, column {first.column})")
                continue
            self.positions.keys[path + (key,)] = self.pos(key_node)
            end = key_node.end_mark
            self._after_key[path + (key,)] = Position(self.file, end.line + 1, end.column + 2)
            out[key] = self.build(value_node, path + (key,), depth + 1)
        for k, v in merged.items():
            out.setdefault(k, v)
        return out

    def _scalar(self, node: ScalarNode, path: tuple) -> Any:
        tag, value = node.tag, node.value
        if tag not in SCALAR_TAGS:
            self.fail(node, path, f"tag {tag!r} is not allowed: only plain maps, lists and scalars")
            return None
        kind = tag[len(TAG):]
        if kind == "str":
            return value
        self.positions.raw[path] = value
        if kind == "null" and value == "":
            # `key:` with nothing after it: ruamel marks the empty value at the next token (the
            # next line); the user's mistake is here, right after the colon.
            self.positions.values[path] = self._after_key.get(path, self.pos(node))
        if kind == "null":
            return None
        if kind == "bool":
            return value.lower() == "true"
        if kind == "int":
            text = value.replace("_", "")
            try:
                return int(text, 10)
            except ValueError:
                try:
                    return int(text, 0)
                except ValueError:
                    self.fail(node, path, f"{value!r} is not an integer")
                    return None
        if kind == "float":
            low = value.lower()
            if low in (".inf", "+.inf"):
                return math.inf
            if low == "-.inf":
                return -math.inf
            if low == ".nan":
                return math.nan
            return float(value.replace("_", ""))
        return value


class _TooLarge(Exception):
    def __init__(self, node: Node):
        self.node = node


def read_yaml(text: str, file: str) -> tuple[Any, Positions, list[SpecError]]:
    """Parse one YAML document into plain data and positions; errors are SpecErrors."""
    builder = _Builder(file)
    yaml = YAML(typ="safe", pure=True)
    try:
        nodes = list(yaml.compose_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        return None, builder.positions, [SpecError(file, line, col, "", f"invalid YAML: {problem}")]
    except Exception as exc:  # ruamel raises a few unmarked errors (e.g. on some anchors)
        return None, builder.positions, [SpecError(file, 1, 1, "", f"invalid YAML: {exc}")]
    nodes = [n for n in nodes if n is not None]
    if len(nodes) != 1:
        return None, builder.positions, [SpecError(file, 1, 1, "", f"expected exactly one YAML document, found {len(nodes)}")]
    root = nodes[0]
    builder.positions.document = builder.pos(root)
    if not isinstance(root, MappingNode):
        p = builder.pos(root)
        return None, builder.positions, [SpecError(file, p.line, p.column, "", "the document must be a mapping (key: value), not a list or a scalar")]
    try:
        data = builder.build(root, ())
    except _TooLarge as exc:
        p = builder.pos(exc.node)
        return None, builder.positions, [SpecError(file, p.line, p.column, "", f"document expands to more than {MAX_NODES} nodes or is nested too deeply (alias bomb?)")]
    return data, builder.positions, builder.errors


# --------------------------------------------------------------------------- defaults + validation


def deep_merge(under: Any, over: Any, under_pos: Positions, over_pos: Positions, out_pos: Positions, path: tuple = ()) -> Any:
    """`over` wins; maps merge key by key, anything else is replaced whole."""
    if isinstance(under, dict) and isinstance(over, dict):
        result = {}
        for key in list(under) + [k for k in over if k not in under]:
            sub = path + (key,)
            if key in over and key in under:
                result[key] = deep_merge(under[key], over[key], under_pos, over_pos, out_pos, sub)
                if sub in over_pos.keys:
                    out_pos.keys[sub] = over_pos.keys[sub]
            elif key in over:
                result[key] = over[key]
                _copy_positions(over_pos, out_pos, sub)
            else:
                result[key] = under[key]
                _copy_positions(under_pos, out_pos, sub)
        if path in over_pos.values:
            out_pos.values[path] = over_pos.values[path]
        return result
    _copy_positions(over_pos, out_pos, path)
    return over


def _copy_positions(src: Positions, dst: Positions, prefix: tuple) -> None:
    n = len(prefix)
    for table_src, table_dst in ((src.keys, dst.keys), (src.values, dst.values), (src.raw, dst.raw)):
        for p, pos in table_src.items():
            if p[:n] == prefix:
                table_dst[p] = pos


def pydantic_errors(exc: ValidationError, positions: Positions) -> list[SpecError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
            parent = loc[:-1]
            errors.append(positions.error(loc, f"{message}; allowed here: {_allowed_fields(parent)}", at_key=True))
            continue
        if err["type"] == "missing":
            message = "required field is missing"
        else:
            message = _in_users_terms(err, positions.raw.get(loc)) or message
            if (message == err["msg"] and "input" in err and err["type"] not in ("model_type", "dict_type")
                    and not isinstance(err["input"], (dict, list))):
                message = f"{message} (got {err['input']!r})"
        errors.append(positions.error(loc, message))
    return errors


def _in_users_terms(err: dict, raw: str | None) -> str | None:
    """pydantic's type errors said the way YAML trips people: what YAML read, what to write."""
    kind, value = err["type"], err.get("input")
    written = raw if raw is not None else repr(value)
    if kind == "string_type" and isinstance(value, bool):
        return f"expected text, but YAML reads {written} as {str(value).lower()}: write it in quotes (\"{written}\")"
    if kind == "string_type" and isinstance(value, (int, float)):
        return f"expected text, but YAML reads {written} as the number {value!r}: write it in quotes (\"{written}\")"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if value is None:
            return "is empty: give it fields (key: value) below it, or remove the line"
        return f"expected a mapping (key: value), not {_yaml_kind(value)}"
    if kind == "list_type":
        return f"expected a list ([a, b], or one `- item` per line), not {_yaml_kind(value)}"
    if kind in ("int_type", "int_parsing") and isinstance(value, str):
        return f"expected a whole number, not the text {value!r}: remove the quotes"
    if kind in ("int_type", "int_from_float"):
        return f"expected a whole number, not {written}"
    if kind == "bool_type":
        return f"expected true or false, not {written}"
    return None


def _yaml_kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return str(value).lower()
    return f"{type(value).__name__ if not isinstance(value, str) else 'the text'} {value!r}"


def _allowed_fields(path: tuple) -> str:
    """The YAML names allowed at `path` of the spec, for 'unknown field' messages."""
    model: Any = PlatformSpec
    for part in path:
        if isinstance(part, int):
            continue
        found = None
        for name, info in model.model_fields.items():
            alias = info.alias or name
            if alias == part:
                found = info.annotation
                break
        model = _model_of(found)
        if model is None:
            return "?"
    return ", ".join(sorted(info.alias or n for n, info in model.model_fields.items()))


def _model_of(annotation: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation) or ():
        m = _model_of(arg)
        if m is not None:
            return m
    return None


def load_spec_text(text: str, source: str, defaults: tuple[Any, Positions, bytes] | None = None) -> LoadedSpec:
    """Load one spec from text; raises SpecErrors with every problem found."""
    from generator.spec import rules

    data, positions, errors = read_yaml(text, source)
    if errors:
        raise SpecErrors(errors)
    if defaults is not None:
        d_data, d_pos, _ = defaults
        merged_pos = Positions(document=positions.document)
        data = deep_merge(d_data, data, d_pos, positions, merged_pos)
        positions = merged_pos
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    try:
        spec = PlatformSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecErrors(pydantic_errors(exc, positions)) from None
    stem = Path(source).stem
    found = rules.check(spec, positions)
    if Path(source).parent.name == CLUSTERS_DIR and spec.metadata.name != stem:
        found.append(positions.error(("metadata", "name"), f"must equal the file name {stem!r} (it names the overlay folder)"))
    if found:
        raise SpecErrors(found)
    return LoadedSpec(spec=spec, source=source, positions=positions, digest=digest.hexdigest())


def read_defaults(repo: Path) -> tuple[Any, Positions, bytes] | None:
    path = repo / CLUSTERS_DIR / DEFAULTS_FILE
    if not path.exists():
        return None
    raw = path.read_bytes()
    source = f"{CLUSTERS_DIR}/{DEFAULTS_FILE}"
    data, positions, errors = read_yaml(_decode(raw, source), source)
    if errors:
        raise SpecErrors(errors)
    if isinstance(data, dict) and "metadata" in data and "name" in (data["metadata"] or {}):
        raise SpecErrors([positions.error(("metadata", "name"), "fleet defaults cannot set a cluster name", at_key=True)])
    return data, positions, raw


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecErrors([SpecError(source, 1, 1, "", f"not UTF-8 text: {exc}")]) from None


def spec_files(repo: Path, names: list[str] | None = None) -> list[Path]:
    """Cluster spec files, sorted; `names` selects clusters (unknown names are usage errors)."""
    from generator.errors import UsageError

    folder = repo / CLUSTERS_DIR
    if not folder.is_dir():
        raise UsageError(f"no {CLUSTERS_DIR}/ folder in {repo} (use --repo DIR, or `rhoai-gitops init NAME`)")
    files = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    if names:
        by_name = {p.stem: p for p in files}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise UsageError(f"no spec for cluster(s) {', '.join(missing)} in {folder} (have: {', '.join(by_name) or 'none'})")
        files = [by_name[n] for n in names]
    return files


def load_specs(repo: Path, names: list[str] | None = None) -> list[LoadedSpec]:
    """Load the named (default: all) cluster specs; every error from every file, at once."""
    errors: list[SpecError] = []
    try:
        defaults = read_defaults(repo)
    except SpecErrors as exc:
        errors.extend(exc.errors)
        defaults = None
    loaded = []
    for path in spec_files(repo, names):
        source = path.relative_to(repo).as_posix()
        try:
            loaded.append(load_spec_text(_decode(path.read_bytes(), source), source, defaults))
        except SpecErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise SpecErrors(errors)
    return loaded
