"""User-facing errors: a position in a file, a field path and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class SpecError:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    path: str  # dotted field path, e.g. gpuNodePools[0].replicas.max
    message: str

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
