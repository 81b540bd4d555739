"""User-facing errors: a position in a file, a field path and what was expected."""

from __future__ import annotations

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


@dataclass(frozen=True, order=True)
class SpecError:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    path: str  # dotted field path, e.g. gpuNodePools[0].replicas.max
    message: str
    fix: Fix | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


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
