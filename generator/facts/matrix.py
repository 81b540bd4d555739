"""The hand-kept facts of data/matrix.yaml: what the upstream data cannot say (namespaces, page
flags and the components behind them, channel preferences, the other operators' channels...).
Per-release facts (kinds, fields, enums, channels, bundles) come from generator.facts.releases and
generator.facts.catalogs, derived from upstream data."""

from __future__ import annotations

import fnmatch
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


def package(name: str) -> dict[str, Any]:
    """An OLM package's source catalog and registries (matrix.yaml `packages`)."""
    found = matrix()["packages"].get(name)
    if found is None:
        raise KeyError(
            f"OLM package {name!r} is not in generator/data/matrix.yaml `packages`: add which source catalog ships it "
            "and the registries its images come from"
        )
    return found


def source_catalog(name: str) -> dict[str, Any]:
    """One of OperatorHub's default catalogs (matrix.yaml `sourceCatalogs`)."""
    return matrix()["sourceCatalogs"][name]


def catalog_index(name: str, openshift_version: str) -> str:
    """The index image of a source catalog for an OpenShift version."""
    return source_catalog(name)["index"].replace("{openshiftVersion}", openshift_version)


def mig_layout(profile: str, product: str) -> dict[str, int] | None:
    """The slices one GPU of `product` is cut into by the MIG layout `profile` ({"1g.10gb": 7}),
    or None when NVIDIA's default config has no such layout for that GPU."""
    layouts = matrix()["migLayouts"].get(profile)
    if layouts is None:
        return None
    family = next(
        (
            f
            for f, patterns in matrix()["gpuFamilies"].items()
            if any(fnmatch.fnmatch(product.upper(), p.upper()) for p in patterns)
        ),
        None,
    )
    found = layouts.get(family) if family in layouts else layouts.get("*")
    return dict(found) if found else None


def mig_profiles() -> list[str]:
    return list(matrix()["migLayouts"])


def kueue_namespace_labels(dist: str, version: str) -> dict[str, str]:
    """The labels that make a team namespace Kueue-managed on this release ({} where its Kueue
    reads none and goes by each workload's queue-name label)."""
    found: dict[str, str] = {}
    for entry in matrix()["kueueNamespaceLabels"].get(dist, []):
        if version_key(version) >= version_key(entry["since"]):
            found = dict(entry["labels"])
    return found
