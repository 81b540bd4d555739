"""How the hand-kept data files of generator/data/ (matrix.yaml, serving.yaml, argocd.yaml, ...)
are read: each as a typed model (strict types, unknown keys refused, read-only), validated once
when loaded, a broken file refused with its file, line, column, field path and what is wrong in
plain words. The modules of generator.facts that own a file define its model and its questions."""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic.alias_generators import to_camel

from generator.core.errors import SpecError, SpecErrors, format_path


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


_PATTERN_WORDS: dict[str, str] = {}


def plain_pattern(pattern: str, words: str) -> str:
    """`pattern`, which a message about a string that does not match it calls `words`."""
    _PATTERN_WORDS[pattern] = words
    return pattern


Version = Annotated[
    str, StringConstraints(pattern=plain_pattern(r"^[0-9]+(\.[0-9]+)*$", "a release version (2.25, 3.0)"))
]


class Section(BaseModel):
    """A section of a hand-kept file: strict types, unknown keys refused, read-only."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, alias_generator=to_camel)


class Sourced(Section):
    source: str | None = None
    """Where the facts come from (an upstream file, commit or document); None where the file
    gives the reason for a fact but cites nothing."""


M = TypeVar("M", bound=Section)
Inconsistencies = Callable[[Any], Iterable[tuple[tuple, str]]]


def shipped(name: str) -> Path:
    """The path of a hand-kept file the package ships (generator/data/<name>)."""
    return Path(str(resources.files("generator").joinpath(f"data/{name}")))


def load(path: Path, shown: str, model: type[M], inconsistencies: Inconsistencies | None = None) -> M:
    """The file at `path` as `model`; SpecErrors naming the file (as `shown`), line, column, field
    path and what is wrong where it does not fit. `inconsistencies` names (field path, what is
    wrong) where one part of a valid file names what another lacks."""
    loader = yaml.CSafeLoader(path.read_text(encoding="utf-8"))
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SpecErrors([SpecError(shown, line, column, "", f"not readable as YAML: {exc.problem}")]) from None
    finally:
        loader.dispose()
    errors = list(_duplicates(root, (), shown))
    if errors:
        raise SpecErrors(errors)
    try:
        found = model.model_validate(_tuples(data))
    except ValidationError as exc:
        raise SpecErrors(_errors(root, shown, model, exc)) from None
    if inconsistencies is not None:
        errors = [SpecError(shown, *_position(root, p), format_path(p), m) for p, m in inconsistencies(found)]
        if errors:
            raise SpecErrors(errors)
    return found


def _tuples(data: Any) -> Any:
    """YAML sequences as tuples: the model's lists are read-only."""
    if isinstance(data, dict):
        return {k: _tuples(v) for k, v in data.items()}
    if isinstance(data, list):
        return tuple(_tuples(v) for v in data)
    return data


def _errors(root: yaml.Node | None, shown: str, model: type[Section], exc: ValidationError) -> list[SpecError]:
    # A union of a literal (or a scalar) and a section reports a miss for each member: a mapping
    # was meant for the section, a scalar for the literal.
    tags = _section_names(Section)
    return [
        _error(root, shown, model, err)
        for err in exc.errors()
        if not (any(_literal_member(part) for part in err["loc"]) and isinstance(err["input"], dict | tuple))
        and not (err["loc"] and err["loc"][-1] in tags and not isinstance(err["input"], dict))
    ]


def _literal_member(part: Any) -> bool:
    return isinstance(part, str) and part.startswith("literal[")


def _section_names(cls: type[Section]) -> set[str]:
    return {cls.__name__}.union(*(_section_names(c) for c in cls.__subclasses__()))


def _error(root: yaml.Node | None, shown: str, model: type[Section], err: Any) -> SpecError:
    # Parts of the location that are no key of the file: the member of a union, a dict's key check.
    tags = _section_names(Section)
    path = tuple(
        p
        for p in err["loc"]
        if not (isinstance(p, str) and (p.startswith(("[", "function-")) or p in tags or _literal_member(p)))
    )
    kind = err["type"]
    if kind == "missing":
        message = f"{path[-1]} is missing: add it under {format_path(path[:-1]) or 'the top level'}"
        line, column = _position(root, path[:-1], at_key=True)
    elif kind == "extra_forbidden":
        message = f"unknown key {path[-1]!r}: {_known(model, path[:-1])}"
        line, column = _position(root, path, at_key=True)
    elif kind == "string_pattern_mismatch":
        words = _PATTERN_WORDS.get(err["ctx"]["pattern"], "in the form this field takes")
        message = f"{err['input']!r} is not {words}"
        line, column = _position(root, path)
    else:
        message = f"{err['msg'].replace('Input should be', 'should be')}, not {_shape(err['input'])}"
        line, column = _position(root, path)
    return SpecError(shown, line, column, format_path(path), message)


def _shape(value: Any) -> str:
    if isinstance(value, tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__} {value!r}"


def _known(model: type[Section], path: tuple) -> str:
    """The keys the section at `path` takes, in words."""
    annotation: Any = model
    for part in path:
        annotation = _inside(annotation, part)
    found = _model_in(annotation)
    if found is None:
        return "this section takes no such key"
    return "this section takes " + ", ".join(f.alias or n for n, f in found.model_fields.items())


def _inside(annotation: Any, part: Any) -> Any:
    """The type of what `part` names inside a value of type `annotation` (None: nothing)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = next((f for n, f in annotation.model_fields.items() if (f.alias or n) == part), None)
        return field.annotation if field is not None else None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is dict:
        return args[1]
    if origin is tuple:
        return args[0]
    # A union: the member that has the part.
    return next((found for arg in args if (found := _inside(arg, part)) is not None), None)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((found for arg in typing.get_args(annotation) if (found := _model_in(arg)) is not None), None)


def _position(root: yaml.Node | None, path: tuple, *, at_key: bool = False) -> tuple[int, int]:
    """(line, column), 1-based, of the deepest node of `path` the file has (its key's, at_key)."""
    node, at = root, root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            key, node = next(((k, v) for k, v in node.value if k.value == str(part)), (None, None))
            found = key if at_key else node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = found = node.value[part]
        else:
            node = found = None
        if found is None:
            break
        at = found
    if at is None:
        return 1, 1
    return at.start_mark.line + 1, at.start_mark.column + 1


def _duplicates(node: yaml.Node | None, path: tuple, shown: str) -> Iterator[SpecError]:
    """A key written twice in one mapping (a YAML reader keeps the last without a word)."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            here = (*path, key.value)
            if key.value in seen:
                where = (key.start_mark.line + 1, key.start_mark.column + 1)
                yield SpecError(shown, *where, format_path(here), f"{key.value!r} is written twice in this mapping")
            seen.add(key.value)
            yield from _duplicates(value, here, shown)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicates(item, (*path, i), shown)
