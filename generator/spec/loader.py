"""Read cluster specs from YAML with the position of every key and value.

The YAML is composed into nodes and turned into plain data here, by hand, so that nothing but
plain maps, lists and scalars can come out of it: custom tags are refused, duplicate keys are
refused, and alias expansion is bounded (alias bombs). Each value's (file, line, column) is
kept by field path so validation errors point at the offending line.

Composing is libyaml's (PyYAML's C binding) where it is available: ruamel's pure-Python scanner
was two thirds of a cold render. libyaml's resolver speaks YAML 1.1 (`yes` is a boolean), so
plain scalars are resolved here with ruamel's own YAML 1.2 table, and a document libyaml refuses
is composed again by ruamel, whose messages (and positions) are the ones users see. Both paths
give the same data and positions: tests/test_loader_fast.py proves it over a generated corpus.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import implicit_resolvers as _RUAMEL_RESOLVERS

try:
    import yaml as _pyyaml

    _FAST = bool(getattr(_pyyaml, "__with_libyaml__", False))
except ImportError:  # pragma: no cover - PyYAML is a dependency; its C part may be missing
    _FAST = False

from generator.core import secrets
from generator.core.errors import Fix, SpecError, SpecErrors, UsageError, format_path
from generator.facts import matrix, releases
from generator.spec import rules, yaml_hints
from generator.spec.model import LABEL_KEY, PATTERN_WORDS, PlatformSpec

CLUSTERS_DIR = "clusters"
DEFAULTS_FILE = "_defaults.yaml"
MAX_NODES = 100_000  # expanded nodes per document; real specs have a few hundred

TAG = "tag:yaml.org,2002:"
# YAML 1.2's booleans (an explicit !!bool tag must carry one of these).
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
MAX_SPEC_BYTES = 1 << 20  # a spec is a few KiB; this bounds what one file can make us read
SCALAR_TAGS = {TAG + t for t in ("str", "int", "float", "bool", "null")}


@dataclass(frozen=True)
class Position:
    file: str
    line: int
    column: int


# A node of either YAML composer (ruamel's or PyYAML's), told apart by its `id`.
Node = Any


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

    def error(self, path: tuple, message: str, *, at_key: bool = False, fix: Fix | None = None) -> SpecError:
        pos = self.key_of(path) if at_key else self.of(path)
        return SpecError(pos.file, pos.line, pos.column, format_path(path), message, fix)


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
        # Maps and lists being built, outermost first: an alias to one of them (`&A` ... `*A`
        # inside it, directly or through other anchors, or `<<: *A` in it) is a cycle, which
        # expands for ever; refused where the alias stands, never followed.
        self._open: set[int] = set()

    def pos(self, node: Node) -> Position:
        return Position(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: Node, path: tuple, message: str) -> None:
        p = self.pos(node)
        self.errors.append(SpecError(p.file, p.line, p.column, format_path(path), message))

    @contextmanager
    def _opened(self, node: Node) -> Iterator[None]:
        self._open.add(id(node))
        try:
            yield
        finally:
            self._open.discard(id(node))

    def build(self, node: Node, path: tuple, depth: int = 0, where: Node | None = None) -> Any:
        """`where`: the node to report a cycle at (the key whose value is an alias)."""
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge(node)
        if depth > 64:
            raise _TooLarge(node)
        # Nodes of either composer (ruamel's or PyYAML's): told apart by their `id`.
        kind = node.id
        if not (kind == "scalar" and node.tag == TAG + "null" and node.value == ""):
            self.positions.values.setdefault(path, self.pos(node))
        if kind in ("mapping", "sequence") and id(node) in self._open:
            self.fail(where or node, path, _cycle(node))
            return None
        if kind == "mapping":
            if node.tag not in (TAG + "map",):
                self.fail(node, path, f"tag {node.tag!r} is not allowed: only plain maps, lists and scalars")
                return None
            with self._opened(node):
                return self._mapping(node, path, depth)
        if kind == "sequence":
            if node.tag != TAG + "seq":
                self.fail(node, path, f"tag {node.tag!r} is not allowed: only plain maps, lists and scalars")
                return None
            # An item has no node of its own when it is an alias: a cycle there is reported at
            # the list, the only place the composer kept.
            with self._opened(node):
                return [self.build(item, path + (i,), depth + 1, where=node) for i, item in enumerate(node.value)]
        if kind == "scalar":
            return self._scalar(node, path)
        self.fail(node, path, "unsupported YAML node")
        return None

    def _mapping(self, node: Node, path: tuple, depth: int) -> dict:
        out: dict = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == TAG + "merge":
                # `<<: *anchor` merge keys: explicit keys of this mapping win.
                sources = value_node.value if value_node.id == "sequence" else [value_node]
                for src in sources:
                    if src.id != "mapping":
                        self.fail(value_node, path, "a merge key (<<) takes a mapping or a list of mappings")
                        continue
                    if id(src) in self._open:
                        self.fail(key_node, path, _cycle(src, merge=True))
                        continue
                    with self._opened(src):
                        for k, v in self._mapping(src, path, depth + 1).items():
                            merged.setdefault(k, v)
                continue
            if key_node.id != "scalar" or key_node.tag not in SCALAR_TAGS:
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
            out[key] = self.build(value_node, path + (key,), depth + 1, where=key_node)
        for k, v in merged.items():
            out.setdefault(k, v)
        return out

    def _scalar(self, node: Node, path: tuple) -> Any:
        tag, value = node.tag, node.value
        if tag not in SCALAR_TAGS:
            self.fail(node, path, f"tag {tag!r} is not allowed: only plain maps, lists and scalars")
            return None
        kind = tag[len(TAG) :]
        if kind == "str":
            if _SURROGATE.search(value):
                # "\ud800" escapes to half a character: no text a Kubernetes object can hold.
                self.fail(node, path, "holds an escaped lone surrogate (\\ud800-\\udfff), which is not Unicode text")
                return None
            return value
        self.positions.raw[path] = value
        if kind == "null" and value == "":
            # `key:` with nothing after it: ruamel marks the empty value at the next token (the
            # next line); the user's mistake is here, right after the colon.
            self.positions.values[path] = self._after_key.get(path, self.pos(node))
        if kind == "null":
            if value not in ("", "~", "null", "Null", "NULL"):
                self.fail(node, path, f"{value!r} is not null (~ or null)")
            return None
        if kind == "bool":
            if value not in _BOOLS:
                self.fail(node, path, f"{value!r} is not a boolean (true or false)")
                return None
            return _BOOLS[value]
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
            try:
                return float(value.replace("_", ""))
            except ValueError:
                self.fail(node, path, f"{value!r} is not a number")
                return None
        return value


def _cycle(node: Node, merge: bool = False) -> str:
    """What a cycle is, in the user's terms; the anchor's name where the composer kept it
    (ruamel's nodes do, and a document with errors is always composed by ruamel)."""
    anchor = getattr(node, "anchor", None)
    alias = f"*{anchor}" if isinstance(anchor, str) and anchor else "the alias"
    what = "map" if node.id == "mapping" else "list"
    line = node.start_mark.line + 1
    if merge:
        return (
            f"`<<: {alias}` merges the {what} of line {line}, which this merge is part of (an alias cycle, which never ends): "
            "merge another map, or write the keys out"
        )
    return (
        f"{alias} refers to the {what} of line {line}, which contains it (an alias cycle, which never ends): "
        "refer to a map or list outside it, or write the value out"
    )


class _TooLarge(Exception):
    def __init__(self, node: Node):
        self.node = node


def read_yaml(text: str, file: str) -> tuple[Any, Positions, list[SpecError]]:
    """Parse one YAML document into plain data and positions; errors are SpecErrors."""
    builder = _Builder(file)
    refused = _refused_text(text)
    if refused:
        line, col, message = refused
        return None, builder.positions, [SpecError(file, line, col, "", message)]
    nodes = _compose_fast(text) if _FAST and not _SLOW_PATH.search(text, 1 if text[:1] == "\ufeff" else 0) else None
    if nodes is not None:
        data, positions, errors = _build(nodes, builder)
        if data is not None and not errors:
            return data, positions, errors
        # A document with errors is read again by ruamel: its reading of broken YAML (an empty
        # document, a scalar for a document) is the one users see; this costs a bad file only.
        builder = _Builder(file)
    return _read_ruamel(text, file, builder)


def _refused_text(text: str) -> tuple[int, int, str] | None:
    """(line, column, message) for text no spec may hold whatever it parses to: another YAML
    version's directive, or a character YAML readers disagree on."""
    directive = _YAML_DIRECTIVE.search(text)
    if directive and directive.group(1) != "1.2":
        return (
            text.count("\n", 0, directive.start()) + 1,
            1,
            f"YAML {directive.group(1)} is not how specs are read: they are YAML 1.2 (where yes, no, "
            "on and off are text, not booleans); remove this line",
        )
    ambiguous = _AMBIGUOUS_BREAK.search(text)
    if ambiguous:
        return (
            *_line_col(text, ambiguous.start()),
            f"the invisible character {_AMBIGUOUS_BREAKS[ambiguous.group()]} is here: some YAML readers (editors, "
            "YAML 1.1 tools) take it for a line break and others for text, so they would read this value "
            "differently; write a space or a line break instead",
        )
    return None


def _read_ruamel(text: str, file: str, builder: _Builder) -> tuple[Any, Positions, list[SpecError]]:
    yaml = YAML(typ="safe", pure=True)
    try:
        with warnings.catch_warnings():
            # An anchor name used twice is YAML (an alias refers to the latest); ruamel warns of
            # it in a multi-line Python report on stderr, for a valid spec.
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            nodes = list(yaml.compose_all(text))
    except MarkedYAMLError as exc:
        return None, builder.positions, [yaml_hints.explain(text, file, exc)]
    except ReaderError as exc:
        line, col = _line_col(text, exc.position)
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        return (
            None,
            builder.positions,
            [
                SpecError(
                    file, line, col, "", f"character {chr(code)!r} (#x{code:04x}) is not allowed in YAML: remove it"
                )
            ],
        )
    except Exception as exc:  # ruamel raises a few unmarked errors (e.g. on some anchors)
        return None, builder.positions, [SpecError(file, 1, 1, "", f"invalid YAML: {exc}")]
    return _build(nodes, builder)


def _build(nodes: list, builder: _Builder) -> tuple[Any, Positions, list[SpecError]]:
    file = builder.file
    nodes = [n for n in nodes if n is not None]
    if len(nodes) != 1:
        return (
            None,
            builder.positions,
            [SpecError(file, 1, 1, "", f"expected exactly one YAML document, found {len(nodes)}")],
        )
    root = nodes[0]
    builder.positions.document = builder.pos(root)
    if root.id != "mapping":
        p = builder.pos(root)
        return (
            None,
            builder.positions,
            [
                SpecError(
                    file, p.line, p.column, "", "the document must be a mapping (key: value), not a list or a scalar"
                )
            ],
        )
    try:
        data = builder.build(root, ())
    except _TooLarge as exc:
        p = builder.pos(exc.node)
        return (
            None,
            builder.positions,
            [
                SpecError(
                    file,
                    p.line,
                    p.column,
                    "",
                    f"document expands to more than {MAX_NODES} nodes or is nested too deeply (alias bomb?)",
                )
            ],
        )
    return data, builder.positions, builder.errors


_SURROGATE = re.compile("[\ud800-\udfff]")


def _yaml12_resolvers() -> dict:
    """ruamel's YAML 1.2 implicit resolvers, by first character, as PyYAML's resolver takes them."""
    table: dict = {}
    for versions, tag, regexp, first in _RUAMEL_RESOLVERS:
        if (1, 2) in versions:
            for ch in first:
                table.setdefault(ch, []).append((tag, regexp))
    return table


if _FAST:

    class _FastLoader(_pyyaml.CSafeLoader):
        """libyaml's parser and composer; plain scalars resolved as YAML 1.2 (ruamel's table)."""

        yaml_implicit_resolvers = _yaml12_resolvers()

        def resolve(self, kind, value, implicit):
            # libyaml marks a `!`-tagged empty node (`key: !`) as neither plain nor quoted;
            # ruamel resolves it as a plain empty scalar (null), and so do we.
            if implicit == (False, False):
                implicit = (True, False)
            return super().resolve(kind, value, implicit)


# Where libyaml and ruamel read the same text differently, ruamel (the reference) reads it:
# libyaml accepts a tab after a plain scalar, which ruamel refuses, and drops a BOM inside the
# text; its anchor and alias names are narrower than YAML 1.2's (`&name:` is an anchor `name`
# then a colon to libyaml, the anchor `name:` to ruamel). Real specs hold none of them. (NEL, LS
# and PS, which libyaml also reads apart, are refused before either reads: _refused_text.)
_SLOW_PATH = re.compile(
    "[\t\ufeff]"  # (a BOM but the first character)
    "|(?:^|[\\s\\[\\]{},])[&*][A-Za-z0-9_-]*[^A-Za-z0-9_\\s\\[\\]{},-]",
    re.M,
)


def _compose_fast(text: str) -> list | None:
    """The document's nodes, composed by libyaml; None where it refuses the text (or anything
    else goes wrong), so that ruamel composes it again and says why."""
    try:
        loader = _FastLoader(text)
        try:
            nodes = []
            while loader.check_node():
                nodes.append(loader.get_node())
            return nodes
        finally:
            loader.dispose()
    except Exception:
        return None


# Line breaks in YAML 1.1, text in 1.2, and folded into a space inside quotes by the reader
# here: a spec holding one means one thing to the CLI and another to an editor's YAML 1.2
# reader and the JSON schema, so it is refused wherever it stands.
_AMBIGUOUS_BREAKS = {
    "\x85": "NEL (next line, U+0085)",
    "\u2028": "LS (line separator, U+2028)",
    "\u2029": "PS (paragraph separator, U+2029)",
}
_AMBIGUOUS_BREAK = re.compile("[\x85\u2028\u2029]")
_YAML_DIRECTIVE = re.compile(r"^%YAML[ \t]+(\S+)", re.M)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# --------------------------------------------------------------------------- defaults + validation


def deep_merge(
    under: Any, over: Any, under_pos: Positions, over_pos: Positions, out_pos: Positions, path: tuple = ()
) -> Any:
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
    tables: list[tuple[dict, dict]] = [(src.keys, dst.keys), (src.values, dst.values), (src.raw, dst.raw)]
    for table_src, table_dst in tables:
        for p, pos in table_src.items():
            if p[:n] == prefix:
                table_dst[p] = pos


def pydantic_errors(exc: ValidationError, positions: Positions, data: Any = None) -> list[SpecError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
            parent = loc[:-1]
            allowed = _allowed_fields(parent, _release_of(data))
            errors.append(positions.error(loc, f"{message}; allowed here: {allowed}", at_key=True))
            continue
        if loc and loc[-1] == "[key]":
            # A map key that is not one (a label key): at the key, named by its path, in words.
            key = loc[:-1]
            if err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == LABEL_KEY:
                message = (
                    "is not a label key: an optional DNS-subdomain prefix and `/`, then up to 63 letters, "
                    "digits, `-`, `_` or `.`, beginning and ending with a letter or digit"
                )
            errors.append(positions.error(key, message, at_key=True))
            continue
        if err["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "required field is missing"
        else:
            message = _in_users_terms(err, positions.raw.get(loc)) or message
            if (
                message == err["msg"]
                and "input" in err
                and err["type"] not in ("model_type", "dict_type")
                and not isinstance(err["input"], (dict, list))
            ):
                message = f"{message} (got {err['input']!r})"
        errors.append(positions.error(loc, message))
    return errors


def _in_users_terms(err: Mapping[str, Any], raw: str | None) -> str | None:
    """pydantic's type errors said the way YAML trips people: what YAML read, what to write."""
    kind, value = err["type"], err.get("input")
    written = raw if raw is not None else repr(value)
    if kind == "string_type" and isinstance(value, bool):
        return f'expected text, but YAML reads {written} as {str(value).lower()}: write it in quotes ("{written}")'
    if kind == "string_type" and isinstance(value, (int, float)):
        return f'expected text, but YAML reads {written} as the number {value!r}: write it in quotes ("{written}")'
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
    if kind == "string_pattern_mismatch":
        rule = PATTERN_WORDS.get(err.get("ctx", {}).get("pattern", ""))
        return f"{written} is not allowed here: write {rule}" if rule else None
    if kind == "string_too_long":
        return f"{written} is too long: at most {err['ctx']['max_length']} characters"
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


def _release_of(data: Any) -> releases.Release | None:
    """The release a spec's data names (or defaults to), where it is a supported one: what
    'allowed here' may offer is what that release has."""
    dist = data.get("distribution") if isinstance(data, dict) else None
    dist = dist if isinstance(dist, dict) else {}
    name = dist.get("name", "rhoai")
    if name not in ("rhoai", "odh"):
        return None
    version = dist.get("version") or matrix.distribution(name).default_version
    version = ".".join(str(version).split(".")[:2])
    return releases.release(name, version) if version in releases.supported(name) else None


def _allowed_fields(path: tuple, release: releases.Release | None = None) -> str:
    """The YAML names allowed at `path` of the spec, for 'unknown field' messages; under
    `components`, only the components the cluster's release has."""
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
    names = sorted(info.alias or n for n, info in model.model_fields.items())
    if path == ("components",) and release is not None:
        names = [n for n in names if releases.component_key(release, n) is not None]
    return ", ".join(names)


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


@dataclass(frozen=True)
class Modelled:
    """A spec read into its model, for a stage after loading (the release fit, build.py) whose
    errors are reported with the loader's: `reported` holds the paths the loader already
    reported while reading, where a value refused stands in the data as nothing."""

    spec: PlatformSpec
    positions: Positions
    reported: tuple[str, ...] = ()

    def unreported(self, found: Iterable[SpecError]) -> list[SpecError]:
        return _elsewhere(list(found), list(self.reported))


class RefusedSpecs(SpecErrors):
    """The loader's errors, with every spec of them that has a model (`modelled`): the release
    fit judges those too, so that every error of a spec is reported at once."""

    def __init__(self, errors: list[SpecError], modelled: list[Modelled]):
        super().__init__(errors)
        self.modelled = modelled


def load_spec_text(text: str, source: str, defaults: tuple[Any, Positions, bytes] | None = None) -> LoadedSpec:
    """Load one spec from text; raises SpecErrors with every problem found (RefusedSpecs once the
    spec has a model). Loading only loads: the release fit is a later stage (build.py)."""
    data, positions, errors = read_yaml(text, source)
    if data is None:
        raise SpecErrors(errors)
    # Secrets are looked for in the file as written: a value the defaults would override is
    # still in git.
    errors += secret_errors(data, positions)
    if defaults is not None:
        d_data, d_pos, _ = defaults
        merged_pos = Positions(document=positions.document)
        data = deep_merge(d_data, data, d_pos, positions, merged_pos)
        positions = merged_pos
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode())
    # A file's YAML errors do not hide its other errors: those elsewhere are reported with them.
    reported = [e.path for e in errors]
    try:
        spec = PlatformSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecErrors(errors + _elsewhere(pydantic_errors(exc, positions, data), reported)) from None
    stem = Path(source).stem
    found = rules.check(spec, positions)
    if Path(source).parent.name == CLUSTERS_DIR and spec.metadata.name != stem:
        found.append(
            positions.error(("metadata", "name"), f"must equal the file name {stem!r} (it names the overlay folder)")
        )
    found = errors + _elsewhere(found, reported)
    if found:
        raise RefusedSpecs(found, [Modelled(spec, positions, tuple(reported))])
    return LoadedSpec(spec=spec, source=source, positions=positions, digest=digest.hexdigest())


def _elsewhere(found: list[SpecError], reported: list[str]) -> list[SpecError]:
    """The errors not about a path already reported (or inside one): a value refused while
    reading stands in the data as nothing, and would be reported again as missing."""

    def inside(path: str, outer: str) -> bool:
        return path == outer or path.startswith((outer + ".", outer + "[")) or outer == ""

    return [e for e in found if not any(inside(e.path, r) for r in reported)]


def secret_errors(data: Any, positions: Positions) -> list[SpecError]:
    return [
        positions.error(
            path,
            f"{'is' if at_key else 'holds'} {why}: specs live in git and the bundle on every "
            "cluster; reference a Secret instead",
            at_key=at_key,
        )
        for path, at_key, why in secrets.findings(data)
    ]


def read_defaults(repo: Path) -> tuple[Any, Positions, bytes] | None:
    path = repo / CLUSTERS_DIR / DEFAULTS_FILE
    if not path.exists() and not path.is_symlink():
        return None
    raw = read_source(repo, path)
    source = f"{CLUSTERS_DIR}/{DEFAULTS_FILE}"
    data, positions, errors = read_yaml(decode(raw, source), source)
    if data is not None:
        errors += secret_errors(data, positions)
        metadata = data.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            errors.append(positions.error(("metadata",), "expected a mapping (key: value), or no metadata at all"))
        elif metadata and "name" in metadata:
            errors.append(
                positions.error(("metadata", "name"), "fleet defaults cannot set a cluster name", at_key=True)
            )
        else:
            errors += _defaults_types(data, positions)
    if errors:
        raise SpecErrors(errors)
    return data, positions, raw


def _defaults_types(data: dict, positions: Positions) -> list[SpecError]:
    """The defaults checked on their own, as a spec of nothing else would take them: a value
    every spec overrides is still in git, and still wrong (cross-field rules need a whole spec,
    so only fields, types and values are checked here)."""
    probe = {**data, "metadata": {**(data.get("metadata") or {}), "name": "defaults"}}
    try:
        PlatformSpec.model_validate(probe)
    except ValidationError as exc:
        return [e for e in pydantic_errors(exc, positions) if e.path != "metadata.name"]
    return []


def read_source(repo: Path, path: Path) -> bytes:
    """A spec file's bytes, or a SpecError saying why it cannot be one: a directory, a device, a
    link to a missing file or to one outside the repository (a merge request controls links),
    unreadable, or larger than MAX_SPEC_BYTES (read no further than that)."""
    source = path.relative_to(repo).as_posix() if path.is_relative_to(repo) else str(path)

    def refuse(message: str) -> SpecErrors:
        return SpecErrors([SpecError(source, 1, 1, "", message)])

    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.exists():
                raise refuse(f"is a symbolic link to {os.readlink(path)}, which does not exist")
            if not target.is_relative_to(repo.resolve()):
                raise refuse(
                    f"is a symbolic link to {target}, outside the repository: specs are read from the repository only"
                )
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise refuse("is a directory, not a spec file")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise refuse(f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise refuse(f"is larger than {MAX_SPEC_BYTES // 1024} KiB: not a spec")
    return raw


def decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line, column = _line_col(before, len(before))
        raise SpecErrors(
            [
                SpecError(
                    source, line, column, "", f"byte {raw[exc.start]:#04x} is not UTF-8 text: save the file as UTF-8"
                )
            ]
        ) from None


def spec_files(repo: Path, names: list[str] | None = None) -> list[Path]:
    """Cluster spec files, sorted; `names` selects clusters (unknown names are usage errors)."""
    folder = repo / CLUSTERS_DIR
    if not folder.is_dir():
        raise UsageError(f"no {CLUSTERS_DIR}/ folder in {repo} (use --repo DIR, or `rhoai-gitops init NAME`)")
    files = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    if not names:
        _refuse_strays(folder)
    if names:
        by_name = {p.stem: p for p in files}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise UsageError(
                f"no spec for cluster(s) {', '.join(missing)} in {folder} (have: {', '.join(by_name) or 'none'})"
            )
        files = [by_name[n] for n in names]
    return files


def _refuse_strays(folder: Path) -> None:
    """Files in clusters/ that look meant as specs but would be skipped without a word."""
    errors = []
    for p in sorted(folder.iterdir()):
        source = f"{CLUSTERS_DIR}/{p.name}"
        if p.suffix.lower() in (".yml", ".yaml") and p.suffix != ".yaml":
            errors.append(
                SpecError(
                    source,
                    1,
                    1,
                    "",
                    f"specs end in .yaml: rename it to {p.stem}.yaml, or move it out of {CLUSTERS_DIR}/",
                )
            )
        elif p.name.startswith("_") and p.suffix == ".yaml" and p.name != DEFAULTS_FILE:
            errors.append(
                SpecError(
                    source,
                    1,
                    1,
                    "",
                    f"only {DEFAULTS_FILE} may start with _ (it is merged under every "
                    f"spec); this file is not read: rename it, or move it out of {CLUSTERS_DIR}/",
                )
            )
    if errors:
        raise SpecErrors(errors)


def spec_files_and_errors(repo: Path, names: list[str] | None = None) -> tuple[list[Path], list[SpecError]]:
    """spec_files, but stray files are errors reported beside every spec's own (the specs are
    still read), not instead of them."""
    try:
        return spec_files(repo, names), []
    except SpecErrors as exc:
        return [p for p in sorted((repo / CLUSTERS_DIR).glob("*.yaml")) if not p.name.startswith("_")], list(exc.errors)


def load_specs(repo: Path, names: list[str] | None = None) -> list[LoadedSpec]:
    """Load the named (default: all) cluster specs; every error from every file, at once
    (RefusedSpecs, with every spec that has a model, those that loaded among them)."""
    # A defaults file that does not read is the one error: every spec would fail with it.
    defaults = read_defaults(repo)
    loaded, modelled = [], []
    paths, errors = spec_files_and_errors(repo, names)
    for path in paths:
        source = path.relative_to(repo).as_posix()
        try:
            loaded.append(load_spec_text(decode(read_source(repo, path), source), source, defaults))
        except RefusedSpecs as exc:
            errors.extend(exc.errors)
            modelled += exc.modelled
        except SpecErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise RefusedSpecs(errors, modelled + [Modelled(s.spec, s.positions) for s in loaded])
    return loaded
