"""The hand-kept facts of data/matrix.yaml: what the upstream data cannot say (namespaces, page
flags and the components behind them, channel preferences, the other operators' channels...).
Per-release facts (kinds, fields, enums, channels, bundles) come from generator.releases and
generator.catalogs, derived from upstream data."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@lru_cache(maxsize=1)
def matrix() -> dict[str, Any]:
    text = resources.files("generator").joinpath("data/matrix.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def distribution(name: str) -> dict[str, Any]:
    return matrix()["distributions"][name]


def operator(name: str) -> dict[str, Any]:
    return matrix()["operators"][name]


def mig_instances(profile: str) -> int | None:
    return matrix()["migProfiles"].get(profile)
