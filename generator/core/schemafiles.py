"""Where the package's shipped upstream data lives, and what its schema files are called.

Schema files are named `{kind}-{group}-{version}.json` in lower case (the full group, which keeps
the two HardwareProfile kinds of different groups apart; see validate/schemas.py)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

UPSTREAM = "data/upstream"


def data_dir() -> Path:
    """The shipped upstream data (releases.json, catalogs.json, schemas/), inside the package."""
    return Path(str(resources.files("generator").joinpath(UPSTREAM)))


def schema_file_name(kind: str, group: str, version: str) -> str:
    g = f"-{group}" if group else ""
    return f"{kind}{g}-{version}.json".lower()
