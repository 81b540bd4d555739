"""Mechanical edits of a spec's text (errors' `Fix`es), made with ruamel.yaml's round trip so the
user's comments, quoting, flow style and order stay as written; what `upgrade --write-spec`
writes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from generator.core.errors import REMOVE, Fix

# Block-sequence layouts seen in specs: `key:\n  - item` (the examples) and `key:\n- item`.
_LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4))
ABSENT = object()


@dataclass(frozen=True)
class Applied:
    fix: Fix
    old: Any  # the value written before (ABSENT: the key was not there)


def _yaml(layout: tuple[int, int, int]) -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 1 << 16  # never fold a long line the user wrote on one
    y.indent(mapping=layout[0], sequence=layout[1], offset=layout[2])
    return y


def _dump(y: YAML, data: Any) -> str:
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


def _layout(text: str) -> YAML:
    """The layout whose unchanged round trip reproduces the text (else the one closest to it),
    so that only the edited lines change."""
    best: tuple[int, YAML] = (1 << 30, _yaml(_LAYOUTS[0]))
    for layout in _LAYOUTS:
        y = _yaml(layout)
        again = _dump(y, y.load(text))
        if again == text:
            return y
        differing = sum(1 for a, b in zip(again.splitlines(), text.splitlines()) if a != b)
        if differing < best[0]:
            best = (differing, y)
    return best[1]


def _plain(value: Any) -> Any:
    """Round-trip nodes as plain data, for reports."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value


def apply(text: str, fixes: list[Fix]) -> tuple[str, list[Applied]]:
    """The text with each fix made; a fix whose field the text does not hold is not made (a
    removal of a value the defaults file writes: a person decides)."""
    try:
        y = _layout(text)
        data = y.load(text)
    except YAMLError:
        return text, []
    if not isinstance(data, CommentedMap):
        return text, []
    done: list[Applied] = []
    for fix in fixes:
        *parents, last = fix.path
        node = data
        for key in parents:
            child = node.get(key) if isinstance(node, dict) else None
            if child is None and fix.action != REMOVE and isinstance(node, dict):
                child = node[key] = CommentedMap()
            node = child
        if not isinstance(node, dict):
            continue
        if fix.action == REMOVE:
            if last not in node:
                continue
            done.append(Applied(fix, _plain(node[last])))
            del node[last]
            _prune(data, tuple(parents))
        else:
            old = node.get(last, ABSENT)
            if old == fix.value:
                continue
            done.append(Applied(fix, _plain(old) if old is not ABSENT else ABSENT))
            node[last] = fix.value
    return (_dump(y, data) if done else text), done


def _prune(data: CommentedMap, path: tuple) -> None:
    """Remove mappings a removal left empty, innermost first (`kserve:` with nothing under it
    would read as null)."""
    while path:
        node = data
        for key in path[:-1]:
            node = node[key]
        if isinstance(node.get(path[-1]), dict) and not node[path[-1]]:
            del node[path[-1]]
            path = path[:-1]
        else:
            return
