"""oc-mirror v2's ImageSetConfiguration (mirror.openshift.io/v2alpha1), as strictly as oc-mirror
reads it. No CRD or JSON schema exists upstream: this is the Go types of openshift/oc-mirror
`internal/pkg/api/v2alpha1/` (shared/upstream/oc-mirror-v2alpha1/, a test checks every JSON
name here against them) and the loader's rules:

- `internal/pkg/config/load.go`: YAML -> JSON, decoded with DisallowUnknownFields, so an unknown
  key anywhere is an error, and a value of the wrong JSON type is one too (Go's decoder refuses
  a number for a string field); a missing key is the Go zero value. `kind` must be
  ImageSetConfiguration and the `mirror` stanza present (`delete` is not allowed).
- `internal/pkg/config/validate.go` Validate(): no catalog twice (by its unique name), no package
  twice in a catalog, no channel twice in a package, min/maxVersion semantic versions
  (Masterminds/semver, which takes a leading v and missing minor/patch), package-level and
  channel-level version ranges never mixed, no release channel twice, blockedImages regular
  expressions, platform.platforms and platform.architectures never together.
- the catalog filter it hands the ranges to (sherine-k/catalog-filter, `>=min <=max`) selects no
  bundle from an empty range and fails the run (upstream example
  isc-operator-invalid-version-range.yaml), so minVersion > maxVersion is refused here.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.core import yamlio

API_VERSION = "mirror.openshift.io/v2alpha1"
KIND = "ImageSetConfiguration"


class Go(BaseModel):
    # DisallowUnknownFields + Go's typed decoding; zero values for missing keys.
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True, frozen=True)


class InstancePlatformFilter(Go):
    os: str = Field("", alias="os")
    architecture: str = Field("", alias="architecture")


class ReleaseChannel(Go):
    name: str = ""
    type: str = ""  # PlatformType: "ocp" | "okd" (UnmarshalJSON takes any string)
    min_version: str = Field("", alias="minVersion")
    max_version: str = Field("", alias="maxVersion")
    shortest_path: bool = Field(False, alias="shortestPath")
    full: bool = False


class Platform(Go):
    graph: bool = False
    channels: list[ReleaseChannel] = Field(default_factory=list)
    architectures: list[str] = Field(default_factory=list)
    platforms: list[InstancePlatformFilter] = Field(default_factory=list)
    release: str = ""
    kube_virt_container: bool = Field(False, alias="kubeVirtContainer")


class IncludeChannel(Go):
    name: str = ""
    min_version: str = Field("", alias="minVersion")
    max_version: str = Field("", alias="maxVersion")


class IncludePackage(Go):
    name: str = ""
    channels: list[IncludeChannel] = Field(default_factory=list)
    default_channel: str = Field("", alias="defaultChannel")
    min_version: str = Field("", alias="minVersion")
    max_version: str = Field("", alias="maxVersion")


class Operator(Go):
    packages: list[IncludePackage] = Field(default_factory=list)
    catalog: str = ""
    target_catalog: str = Field("", alias="targetCatalog")
    target_tag: str = Field("", alias="targetTag")
    full: bool = False
    skip_dependencies: bool = Field(False, alias="skipDependencies")
    target_catalog_source_template: str = Field("", alias="targetCatalogSourceTemplate")
    platforms: list[InstancePlatformFilter] = Field(default_factory=list)


class Chart(Go):
    name: str = ""
    version: str = ""
    path: str = ""
    image_paths: list[str] = Field(default_factory=list, alias="imagePaths")
    platforms: list[InstancePlatformFilter] = Field(default_factory=list)


class Repository(Go):
    url: str = Field("", alias="url")
    name: str = ""
    charts: list[Chart] = Field(default_factory=list)


class Helm(Go):
    repositories: list[Repository] = Field(default_factory=list)
    local: list[Chart] = Field(default_factory=list)


class AdditionalImage(Go):
    name: str = ""
    target_repo: str = Field("", alias="targetRepo")
    target_tag: str = Field("", alias="targetTag")
    platforms: list[InstancePlatformFilter] = Field(default_factory=list)


class BlockedImage(Go):
    name: str = ""


class SampleImage(Go):
    name: str = ""


class Mirror(Go):
    platform: Platform = Field(default_factory=Platform)
    operators: list[Operator] = Field(default_factory=list)
    additional_images: list[AdditionalImage] = Field(default_factory=list, alias="additionalImages")
    helm: Helm = Field(default_factory=Helm)
    blocked_images: list[BlockedImage] = Field(default_factory=list, alias="blockedImages")
    samples: list[SampleImage] = Field(default_factory=list)


class ImageSetConfiguration(Go):
    kind: Literal["ImageSetConfiguration"]
    api_version: str = Field("", alias="apiVersion")
    mirror: Mirror
    archive_size: int = Field(0, alias="archiveSize")


# Masterminds/semver v3 NewVersion (loose: optional v, minor and patch).
_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)(?:\.(?P<minor>0|[1-9]\d*))?(?:\.(?P<patch>0|[1-9]\d*))?"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


def semver(text: str) -> tuple | None:
    """The precedence key of a semantic version, or None when Masterminds/semver refuses it."""
    m = _SEMVER.match(text)
    if not m:
        return None
    core = tuple(int(m[g] or 0) for g in ("major", "minor", "patch"))
    if not m["pre"]:
        return core + ((1,),)
    return core + ((0, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in m["pre"].split("."))),)


class InvalidImageSetConfiguration(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _range(where: str, min_version: str, max_version: str) -> list[str]:
    out = []
    for name, value in (("minVersion", min_version), ("maxVersion", max_version)):
        if value and semver(value) is None:
            out.append(f"{where}: {name} {value!r} must respect semantic versioning notation")
    lo, hi = semver(min_version) if min_version else None, semver(max_version) if max_version else None
    if lo is not None and hi is not None and lo > hi:
        out.append(
            f"{where}: minVersion {min_version} is greater than maxVersion {max_version}: no bundle is in that range"
        )
    return out


def validate(isc: ImageSetConfiguration) -> list[str]:
    """oc-mirror's Validate() (and the catalog filter's range check) over a loaded configuration."""
    problems: list[str] = []
    catalogs: set[str] = set()
    for op in isc.mirror.operators:
        unique = f"{op.catalog}|{op.target_catalog}|{op.target_tag}"
        if unique in catalogs:
            problems.append(f"catalog {op.catalog!r}: duplicate found in configuration")
        catalogs.add(unique)
        packages: set[str] = set()
        for pkg in op.packages:
            where = f"catalog {op.catalog!r}: operator {pkg.name!r}"
            if pkg.name in packages:
                problems.append(f"catalog {op.catalog!r}: duplicate package entry {pkg.name!r}")
            packages.add(pkg.name)
            problems += _range(where, pkg.min_version, pkg.max_version)
            channels: set[str] = set()
            for ch in pkg.channels:
                if ch.name in channels:
                    problems.append(f"{where}: duplicate channel entry {ch.name!r}")
                channels.add(ch.name)
                problems += _range(f"{where}: channel {ch.name!r}", ch.min_version, ch.max_version)
                if (ch.min_version or ch.max_version) and (pkg.min_version or pkg.max_version):
                    problems.append(
                        f"{where}: mixing both filtering by minVersion/maxVersion and filtering by channel minVersion/maxVersion is not allowed"
                    )
    names = [c.name for c in isc.mirror.platform.channels]
    if len(names) != len(set(names)):
        problems.append("release channel: duplicate found in configuration")
    for img in isc.mirror.blocked_images:
        try:
            re.compile(img.name)
        except re.error as exc:
            problems.append(f"blocked image {img.name!r}: invalid regular expression: {exc}")
    if isc.mirror.platform.platforms and isc.mirror.platform.architectures:
        problems.append("platform.platforms and platform.architectures cannot be used together")
    return problems


def load(text: str) -> ImageSetConfiguration:
    """Read an ImageSetConfiguration the way `oc-mirror --v2 --config` does; raises
    InvalidImageSetConfiguration listing every problem."""
    data = yamlio.loads(text)
    if not isinstance(data, dict) or "kind" not in data:
        raise InvalidImageSetConfiguration(["configuration missing `kind`"])
    if data["kind"] != KIND:
        raise InvalidImageSetConfiguration([f"cannot parse {data['kind']!r} as {KIND!r}"])
    if "mirror" not in data:
        raise InvalidImageSetConfiguration(["configuration missing the `mirror` stanza"])
    if "delete" in data:
        raise InvalidImageSetConfiguration([f"delete: is not allowed in {KIND}"])
    try:
        isc = ImageSetConfiguration.model_validate(data)
    except ValidationError as exc:
        raise InvalidImageSetConfiguration(
            [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from None
    problems = validate(isc)
    if problems:
        raise InvalidImageSetConfiguration(problems)
    return isc
