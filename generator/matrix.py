"""The supported version/channel/API matrix, read from data/matrix.yaml (the one place it lives)."""

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


def versions(dist: str) -> list[str]:
    return list(distribution(dist)["versions"])


def channels(dist: str, version: str) -> list[str]:
    """Channels the operator package publishes for `version`, concrete names only."""
    found = []
    for pattern, span in distribution(dist)["channels"].items():
        if not _in_span(version, span):
            continue
        found.append(pattern.replace("{version}", version))
    return found


def _in_span(version: str, span: dict[str, str]) -> bool:
    v = version_key(version)
    if "from" in span and v < version_key(span["from"]):
        return False
    if "to" in span and v > version_key(span["to"]):
        return False
    return True


def has_component(dist: str, version: str, component: str) -> bool:
    since = matrix()["components"][component].get(dist)
    return since is not None and version_key(version) >= version_key(since)


def component_since(dist: str, component: str) -> str | None:
    return matrix()["components"][component].get(dist)


def has_feature(dist: str, version: str, feature: str) -> bool:
    since = matrix()["features"][feature].get(dist)
    return since is not None and version_key(version) >= version_key(since)


def operator(name: str) -> dict[str, Any]:
    return matrix()["operators"][name]


def mig_instances(profile: str) -> int | None:
    return matrix()["migProfiles"].get(profile)


def component_names() -> list[str]:
    return list(matrix()["components"])
