"""User-facing errors: a position in a file, a field path and what was expected."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

REMOVE = "remove"


@dataclass(frozen=True)
class Fix:
    """The mechanical change that resolves an error: remove the field at `path`, or set it to
    `value` (what the message names). Errors without one need a person's judgement."""

    path: tuple
    action: str  # REMOVE or "set"
    value: Any = None

    def describe(self) -> str:
        where = format_path(self.path)
        return f"remove {where}" if self.action == REMOVE else f"set {where} to {self.value}"


# Characters that act on a terminal or a log instead of showing: C0 and C1 controls (a newline
# would start a forged `file:line:col:` line that CI annotations trust, ESC drives the terminal),
# DEL, Unicode's line and paragraph separators, and the bidirectional overrides that make text
# read other than it is. Shown escaped, as Python writes them, wherever user text is printed.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """`text` with every control character shown as an escape (`\\n`, `\\x1b`, `\\u202e`): one
    line, printed as it reads."""
    return _CONTROL.sub(_escaped, text)


def _escaped(m: re.Match) -> str:
    ch = m.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) <= 0xFF else f"\\u{ord(ch):04x}")


@dataclass(frozen=True, order=True)
class SpecError:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    path: str  # dotted field path, e.g. gpuNodePools[0].replicas.max
    message: str
    fix: Fix | None = field(default=None, compare=False)

    def __str__(self) -> str:
        # Escaped as a whole: the path holds the user's map keys and the message quotes values.
        where = f"{escape(self.file)}:{self.line}:{self.column}"
        return (
            f"{where}: {escape(self.path)}: {escape(self.message)}" if self.path else f"{where}: {escape(self.message)}"
        )


class SpecErrors(Exception):
    """One or more spec errors; the CLI prints them all and exits 2."""

    def __init__(self, errors: list[SpecError]):
        self.errors = sorted(set(errors))
        super().__init__("\n".join(str(e) for e in self.errors))


class UsageError(Exception):
    """Bad invocation or a missing tool: exit 2 with the message, never a traceback."""


def format_path(path: tuple) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
