"""YAML syntax errors in a spec, said as the likely mistake and its fix, at the line to change.

The parser reports where it gave up (`expected <block end>, but found '<block mapping start>'`),
which is often the line after the mistake and always in its own terms. The mistakes people make
in a hand-written spec are few: a line indented to no level of its neighbours, a tab, a key
without its ':', an unquoted value holding ': ', a quote or bracket left open. Each is recognised
from the text around the parser's mark; anything else keeps the parser's words, minus its tokens.
"""

from __future__ import annotations

import re

from ruamel.yaml.error import MarkedYAMLError

from generator.core.errors import SpecError

# A line that starts a mapping entry: optional `- `, a plain or quoted key, then ':' and a space
# or the end of the line.
_KEY = re.compile(r"""^(\s*)(?:-\s+)*("[^"]*"|'[^']*'|[^\s:#'"][^:#]*?)\s*:(?:\s|$)""")
_TOKENS = {
    "<block end>": "the end of the block",
    "<block mapping start>": "a new key",
    "<block sequence start>": "a new list item",
    "<block entry>": "a list item ('- ')",
    "<stream end>": "the end of the file",
    "<scalar>": "a value",
    "<document start>": "a new document ('---')",
    "<document end>": "the end of the document",
    "<flow mapping end>": "'}'",
    "<flow sequence end>": "']'",
    "<flow entry>": "','",
    "<key>": "a key",
    "<value>": "a value",
    "<alias>": "an alias (*name)",
    "<anchor>": "an anchor (&name)",
    "<tag>": "a tag (!name)",
}


def explain(text: str, file: str, exc: MarkedYAMLError) -> SpecError:
    lines = text.split("\n")
    problem = exc.problem or exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1

    def error(at: int, col: int, message: str) -> SpecError:
        return SpecError(file, at, col, "", f"invalid YAML: {message}")

    # A tab anywhere in the indentation of the lines the parser looked at.
    for at in _around(lines, line, exc):
        tab = re.match(r"^( *)\t", lines[at - 1])
        if tab:
            return error(
                at,
                len(tab.group(1)) + 1,
                "a tab indents this line; YAML indents with spaces only: "
                "replace the tab with spaces (2 per level, as elsewhere in the file)",
            )
    if (exc.context_mark is not None and "end of stream" in problem) or "<stream end>" in problem:
        opened = exc.context_mark
        what = (exc.context or "").replace("while scanning a ", "").replace("while parsing a ", "")
        named, closer = {
            "quoted scalar": ("quoted text", "the closing quote"),
            "flow mapping": ("'{' mapping", "the closing '}'"),
            "flow sequence": ("'[' list", "the closing ']'"),
        }.get(what, ("construct", "its end"))
        return error(
            opened.line + 1,
            opened.column + 1,
            f"the {named} that starts here never ends: add {closer} where it should end",
        )
    previous = _previous_content(lines, line)
    if "could not find expected ':'" in problem and exc.context_mark is not None:
        at = exc.context_mark.line + 1
        return _missing_colon(error, lines, at)
    if "mapping values are not allowed" in problem:
        if (
            previous
            and not _KEY.match(lines[previous - 1])
            and _indent(lines[previous - 1]) <= _indent(lines[line - 1])
        ):
            return _missing_colon(error, lines, previous)
        if previous and _indent(lines[line - 1]) > _indent(lines[previous - 1]):
            want = _indent(lines[previous - 1])
            return error(
                line,
                1,
                f"this line is indented {_spaces(_indent(lines[line - 1]))}, more than the key "
                f"on line {previous} ({_spaces(want)}) whose value is already given: a key beside it "
                f"is indented {_spaces(want)} too",
            )
        return error(line, column, "a second ': ' in this value: put the value in quotes (key: \"a: b\")")
    if problem.startswith("expected <block end>"):
        return _stray_indent(error, lines, line)
    return error(line, column, _plain(problem) or "not valid YAML")


def _missing_colon(error, lines: list[str], at: int) -> SpecError:
    text = lines[at - 1]
    body = text.strip()
    key, _, rest = body.partition(" ")
    hint = f"write `{key}: {rest}`" if rest else f"write `{key}:`"
    return error(at, _indent(text) + 1, f"`{body}` has no ':' after its key: {hint}")


def _stray_indent(error, lines: list[str], at: int) -> SpecError:
    """A line whose indentation is deeper than its parent's keys but matches no sibling's."""
    mine = _indent(lines[at - 1])
    levels: dict[int, int] = {}  # indentation -> the nearest line above at that level
    limit = None
    for n in range(at - 1, 0, -1):
        text = lines[n - 1]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        ind = _indent(text)
        if limit is None or ind < limit:
            levels.setdefault(ind, n)
            limit = ind
        if ind == 0:
            break
    options = sorted(levels.items())
    # the nearest indentation deeper than the line's, then the nearest shallower one
    nearest = [(i, n) for i, n in options if i > mine][:1] + [(i, n) for i, n in options if i < mine][-1:]
    choices = " or ".join(f"as line {n} ({_spaces(i)})" for i, n in nearest) or "as the lines beside it"
    return error(
        at, 1, f"this line is indented {_spaces(mine)}, which lines up with no line above it: indent it {choices}"
    )


def _around(lines: list[str], line: int, exc: MarkedYAMLError) -> list[int]:
    marks = [line]
    if exc.context_mark is not None:
        marks.append(exc.context_mark.line + 1)
    previous = _previous_content(lines, line)
    if previous:
        marks.append(previous)
    return sorted({m for m in marks if 1 <= m <= len(lines)})


def _previous_content(lines: list[str], line: int) -> int | None:
    for n in range(line - 1, 0, -1):
        text = lines[n - 1]
        if text.strip() and not text.lstrip().startswith("#"):
            return n
    return None


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _spaces(n: int) -> str:
    return f"{n} space{'s' if n != 1 else ''}"


def _plain(problem: str) -> str:
    for token, words in _TOKENS.items():
        problem = problem.replace(f"'{token}'", words).replace(token, words)
    problem = re.sub(r"'?<([a-z ]+)>'?", r"\1", problem)  # a token not listed above: its name at least
    return problem.replace("while scanning a ", "").replace("while parsing a ", "").strip()
