"""The hand-kept facts of data/matrix.yaml: what the upstream data cannot say (namespaces, page
flags and the components behind them, channel preferences, the other operators' channels...),
as a typed model validated once when first asked for. Callers ask typed questions (attributes of
`matrix()`, or the functions below); nothing else reads the file. Where matrix.yaml cites where a
fact comes from (an upstream file, commit or document), its entry carries it as `source`.
Per-release facts (kinds, fields, enums, channels, bundles) come from generator.facts.releases and
generator.facts.catalogs, derived from upstream data."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from generator.facts import handkept
from generator.facts.handkept import Section, Sourced, Version, version_key

SHIPPED = "generator/data/matrix.yaml"


# --------------------------------------------------------------------------- the model

Names = tuple[str, ...]


class Namespaces(Section):
    operator: str
    applications: str
    workbenches: str
    monitoring: str
    model_registries: str

    def by_role(self) -> dict[str, str]:
        """{role: namespace}, roles as the spec and the monitoring facts name them (modelRegistries)."""
        return self.model_dump(by_alias=True)


class Distribution(Sourced):
    display_name: str
    namespaces: Namespaces
    admin_groups: Names
    default_version: Version
    base_versions: dict[str, Version]
    """Release line -> the release its shared base (base/<dist>-<line>/) is built from."""
    lines: Names
    channel_preference: Names


class SetTo(Section):
    value: str = Field(alias="set")


class Replacement(Section):
    lines: Names
    fix: Literal["remove"] | SetTo | None = None
    text: str


class NoOp(Section):
    spec: str
    value: str
    why: str


class ApiVersions(Section):
    feature_store: str = Field(alias="FeatureStore")


class KueueLabels(Sourced):
    since: Version
    labels: dict[str, str]


class SourceCatalog(Section):
    display_name: str
    publisher: str
    index: str
    """The index image, {openshiftVersion} standing for the cluster's OpenShift minor."""


class Package(Section):
    catalog: str
    registries: Names


class Operator(Sourced):
    package: str
    channel: str
    namespace: str


class NfdOperator(Operator):
    operand_image: str


class GpuOperator(Operator):
    channels: Names
    kernel_module_type_channels: Names


class GitopsOperator(Operator):
    instance: str
    env: dict[str, str]


class KueueFrameworks(Section):
    always: Names
    by_component: dict[str, Names]


class KueueOperator(Operator):
    frameworks: KueueFrameworks


class Operators(Section):
    serverless: Operator
    servicemesh: Operator
    nfd: NfdOperator
    gpu: GpuOperator
    authorino: Operator
    gitops: GitopsOperator
    kueue: KueueOperator

    def items(self) -> Iterator[tuple[str, Operator]]:
        for name in type(self).model_fields:
            yield name, getattr(self, name)

    def __contains__(self, name: object) -> bool:
        return name in type(self).model_fields


class Approver(Sourced):
    image: str
    name: str


class AcceleratorProfiles(Sourced):
    lines: Names


class Mig(Sourced):
    gpu_families: dict[str, Names]
    """GPU family -> the GFD product label patterns of its GPUs (case-insensitive), first match wins."""
    layouts: dict[str, dict[str, dict[str, int]]]
    """Layout name -> GPU family (or `*`) -> {slice profile: count per GPU}."""


class AvailabilityAlert(Section):
    alert: str
    what: str
    component: str | None = None
    namespace: str
    """A role of distributions.<name>.namespaces."""
    name: dict[str, str]
    """Distribution -> the Deployment's name."""
    severity: Literal["critical", "warning"]


class Monitoring(Sourced):
    dashboard_route: dict[str, str]
    dashboard_gateway: str
    deployments: tuple[AvailabilityAlert, ...]


class KnownTypeField(Section):
    field: str
    type: str


class Matrix(Section):
    distributions: dict[str, Distribution]
    dashboard_flags: dict[str, Names]
    dashboard_kind_flags: dict[str, str]
    precreated: Names
    dsc_component_names: dict[str, Names]
    no_op_where_absent: tuple[NoOp, ...]
    replaced_by: dict[str, Replacement]
    operator_env: dict[str, str]
    api_versions: ApiVersions
    kueue_namespace_labels: dict[str, tuple[KueueLabels, ...]]
    source_catalogs: dict[str, SourceCatalog]
    packages: dict[str, Package]
    operators: Operators
    approver: Approver
    accelerator_profiles: AcceleratorProfiles
    mig: Mig
    kubernetes_versions: dict[Version, Version]
    platform_namespaces: Names
    monitoring: Monitoring
    public_git_hosts: Names
    argocd_known_type_fields: dict[str, tuple[KnownTypeField, ...]]


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=1)
def matrix() -> Matrix:
    """The shipped matrix.yaml, validated (once per process)."""
    return load(handkept.shipped("matrix.yaml"), SHIPPED)


def load(path: Path, shown: str | None = None) -> Matrix:
    """matrix.yaml at `path` as the model; SpecErrors naming the file (as `shown`), line, field
    path and what is wrong where it does not fit."""
    return handkept.load(path, shown or str(path), Matrix, _inconsistencies)


def _inconsistencies(m: Matrix) -> Iterator[tuple[tuple, str]]:
    """(field path, what is wrong) where one section names what another lacks."""
    dists = set(m.distributions)
    for name, op in m.operators.items():
        if op.package not in m.packages:
            yield ("operators", name, "package"), f"package {op.package!r} is not in `packages`: add its catalog there"
    for name, pkg in m.packages.items():
        if pkg.catalog not in m.source_catalogs:
            yield ("packages", name, "catalog"), f"catalog {pkg.catalog!r} is not in `sourceCatalogs`"
    for name, dist in m.distributions.items():
        for line in dist.base_versions:
            if line not in dist.lines:
                yield ("distributions", name, "baseVersions", line), f"line {line!r} is not in its `lines`"
        if dist.default_version.split(".")[0] not in dist.lines:
            yield ("distributions", name, "defaultVersion"), "its release line is not in its `lines`"
    for name in m.kueue_namespace_labels:
        if name not in dists:
            yield ("kueueNamespaceLabels", name), f"{name!r} is not a distribution"
    if set(m.monitoring.dashboard_route) != dists:
        yield ("monitoring", "dashboardRoute"), f"names a route for each distribution ({', '.join(sorted(dists))})"
    roles = {f.alias or n for n, f in Namespaces.model_fields.items()}
    for i, d in enumerate(m.monitoring.deployments):
        if set(d.name) != dists:
            yield (
                ("monitoring", "deployments", i, "name"),
                f"names the Deployment for each distribution ({', '.join(sorted(dists))})",
            )
        if d.namespace not in roles:
            yield ("monitoring", "deployments", i, "namespace"), f"is one of {', '.join(sorted(roles))}"
    families = set(m.mig.gpu_families) | {"*"}
    for layout, per_family in m.mig.layouts.items():
        for family in per_family:
            if family not in families:
                yield ("mig", "layouts", layout, family), f"{family!r} is not a family of `mig.gpuFamilies` (nor `*`)"


# --------------------------------------------------------------------------- questions


def distribution(name: str) -> Distribution:
    found = matrix().distributions.get(name)
    if found is None:
        raise KeyError(f"distribution {name!r} is not in {SHIPPED} `distributions`")
    return found


def operator(name: str) -> Operator:
    """One of the operators the platform depends on (operators.<name>)."""
    if name not in matrix().operators:
        raise KeyError(f"operator {name!r} is not in {SHIPPED} `operators`")
    return getattr(matrix().operators, name)


def package(name: str) -> Package:
    """An OLM package's source catalog and registries (matrix.yaml `packages`)."""
    found = matrix().packages.get(name)
    if found is None:
        raise KeyError(
            f"OLM package {name!r} is not in {SHIPPED} `packages`: add which source catalog ships it "
            "and the registries its images come from"
        )
    return found


def source_catalog(name: str) -> SourceCatalog:
    """One of OperatorHub's default catalogs (matrix.yaml `sourceCatalogs`)."""
    return matrix().source_catalogs[name]


def catalog_index(name: str, openshift_version: str) -> str:
    """The index image of a source catalog for an OpenShift version."""
    return source_catalog(name).index.replace("{openshiftVersion}", openshift_version)


def mig_layout(profile: str, product: str) -> dict[str, int] | None:
    """The slices one GPU of `product` is cut into by the MIG layout `profile` ({"1g.10gb": 7}),
    or None when NVIDIA's default config has no such layout for that GPU."""
    mig = matrix().mig
    layouts = mig.layouts.get(profile)
    if layouts is None:
        return None
    family = next(
        (
            f
            for f, patterns in mig.gpu_families.items()
            if any(fnmatch.fnmatch(product.upper(), p.upper()) for p in patterns)
        ),
        None,
    )
    found = layouts[family] if family is not None and family in layouts else layouts.get("*")
    return dict(found) if found else None


def mig_profiles() -> list[str]:
    return list(matrix().mig.layouts)


def kueue_namespace_labels(dist: str, version: str) -> dict[str, str]:
    """The labels that make a team namespace Kueue-managed on this release ({} where its Kueue
    reads none and goes by each workload's queue-name label)."""
    found: dict[str, str] = {}
    for entry in matrix().kueue_namespace_labels.get(dist, ()):
        if version_key(version) >= version_key(entry.since):
            found = dict(entry.labels)
    return found
