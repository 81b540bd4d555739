"""The platform operators' OLM catalogs: channels, the bundles each channel ships, channel heads,
and from them how a cluster's operator Subscription is set up.

The catalogs are upstream data (generator/data/upstream/catalogs.json, derived by
`scripts/import-upstream`): RHOAI's differs per OpenShift version, ODH's community catalog is
one for all. A Subscription installs its channel's head unless `startingCSV` names an older
bundle, and with `installPlanApproval: Automatic` OLM then upgrades along the channel; so a
release can only be held on a channel whose head is newer with Manual approval.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from generator.core.schemafiles import data_dir
from generator.facts import matrix
from generator.facts.matrix import version_key

if TYPE_CHECKING:
    from generator.spec.model import PlatformSpec


def semver_key(version: str) -> tuple:
    """Semantic-version precedence: build metadata (+...) ignored, a pre-release (-...) below
    its release, numeric pre-release identifiers below alphanumeric ones."""
    core, _, pre = version.split("+")[0].partition("-")
    numbers = tuple(int(p) for p in core.split("."))
    if not pre:
        return numbers + ((1,),)
    return numbers + ((0, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))),)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return json.loads((data_dir() / "catalogs.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Bundle:
    name: str  # the CSV name, e.g. rhods-operator.2.22.2
    version: str

    @property
    def key(self) -> tuple:
        return semver_key(self.version)

    @property
    def release(self) -> str:
        return ".".join(self.version.split(".")[:2])


class Catalog:
    def __init__(self, dist: str, key: str):
        self.dist = dist
        self.key = key  # the OpenShift version of the catalog, or "*" for one catalog for all
        self._raw = _data()[dist]["catalogs"][key]
        self._sorted: dict[str, list[Bundle]] = {}

    def __repr__(self) -> str:
        return f"Catalog({self.dist}, {self.key})"

    @property
    def package(self) -> str:
        return _data()[self.dist]["package"]

    @property
    def default_channel(self) -> str:
        return self._raw["defaultChannel"]

    def describe(self) -> str:
        return f"the {self.package} catalog" + ("" if self.key == "*" else f" for OpenShift {self.key}")

    def channels(self) -> list[str]:
        return sorted(self._raw["channels"])

    def entries(self, channel: str) -> list[dict]:
        return self._raw["channels"].get(channel, [])

    def knows(self, name: str) -> bool:
        """The catalog has a bundle of that (CSV) name."""
        return name in self._raw["versions"]

    def bundle(self, name: str) -> Bundle:
        return Bundle(name, self._raw["versions"][name])

    def bundles(self, channel: str, release: str | None = None) -> list[Bundle]:
        """The channel's bundles (of one release), oldest first."""
        if channel not in self._sorted:
            self._sorted[channel] = sorted({self.bundle(e["name"]) for e in self.entries(channel)}, key=lambda b: b.key)
        return [b for b in self._sorted[channel] if release is None or b.release == release]

    def releases(self, channel: str) -> list[str]:
        return sorted({b.release for b in self.bundles(channel)}, key=version_key)

    def head(self, channel: str) -> Bundle | None:
        """The bundle OLM installs from the channel: the one no other entry replaces or skips
        (the newest, should the graph have several)."""
        entries = self.entries(channel)
        if not entries:
            return None
        superseded = {e.get("replaces") for e in entries} | {s for e in entries for s in e.get("skips", [])}
        heads = [self.bundle(e["name"]) for e in entries if e["name"] not in superseded]
        return max(heads or [self.bundle(e["name"]) for e in entries], key=lambda b: b.key)

    def newest(self, channel: str, release: str) -> Bundle | None:
        """The release's bundle that no other bundle of the release supersedes in the channel
        (the newest, should several remain)."""
        ours = [e for e in self.entries(channel) if self.bundle(e["name"]).release == release]
        superseded = {e.get("replaces") for e in ours} | {s for e in ours for s in e.get("skips", [])}
        left = [self.bundle(e["name"]) for e in ours if e["name"] not in superseded] or [
            self.bundle(e["name"]) for e in ours
        ]
        return max(left, key=lambda b: b.key) if left else None

    def channels_with(self, release: str) -> list[str]:
        return [c for c in self.channels() if self.bundles(c, release)]


def package(dist: str) -> str:
    return _data()[dist]["package"]


def catalog_keys(dist: str) -> list[str]:
    return list(_data()[dist]["catalogs"])


@cache
def catalog(dist: str, openshift_version: str) -> Catalog:
    """The catalog a cluster of `openshift_version` sees: its own where the data has it, else the
    nearest OpenShift version's (the older one on a tie)."""
    keys = catalog_keys(dist)
    if "*" in keys:
        return Catalog(dist, "*")
    if openshift_version in keys:
        return Catalog(dist, openshift_version)
    want = version_key(openshift_version)
    nearest = min(keys, key=lambda k: (abs(version_key(k)[1] - want[1]), version_key(k)))
    return catalog(dist, nearest)


@cache
def offered_releases(dist: str) -> frozenset[str]:
    """Releases with a generally available bundle (no pre-release such as 3.5.0-ea.2) in some
    channel of some catalog."""
    found: set[str] = set()
    for key in catalog_keys(dist):
        cat = catalog(dist, key)
        for channel in cat.channels():
            found.update(b.release for b in cat.bundles(channel) if "-" not in b.version.split("+")[0])
    return frozenset(found)


def openshift_versions(dist: str, release: str) -> list[str]:
    """The OpenShift versions whose catalog ships the release (["*"] for one catalog for all)."""
    return [k for k in catalog_keys(dist) if catalog(dist, k).channels_with(release)]


def max_openshift(cat: Catalog, bundle: str) -> str | None:
    """A bundle's olm.maxOpenShiftVersion, where it declares one."""
    return cat._raw.get("maxOpenShiftVersion", {}).get(bundle)


# --------------------------------------------------------------------------- the Subscription


def preferred_channel(cat: Catalog, release: str) -> str | None:
    """The channel a spec of `release` gets when it names none: the first of the
    distribution's preferences (matrix.yaml) that ships the release and whose head is of that
    release; else the first that ships it at all."""
    patterns = matrix.distribution(cat.dist).channel_preference
    major, _minor = release.split(".")
    candidates = [p.format(minor=release, major=major) for p in patterns]
    shipping = [c for c in candidates if cat.bundles(c, release)]
    for c in shipping:
        head = cat.head(c)
        if head is not None and head.release == release:
            return c
    return shipping[0] if shipping else None


@dataclass(frozen=True)
class Install:
    """How the operator Subscription lands on the spec's release."""

    catalog: Catalog
    channel: str
    starting_csv: str | None
    approval: str  # Automatic | Manual
    head: Bundle | None  # what the channel installs without a startingCSV
    beyond: bool  # the channel carries releases newer than the spec's: only Manual holds it


def install(spec: PlatformSpec) -> Install:
    """The Subscription settings for a valid spec: its channel (or the preferred one), a
    startingCSV where the channel's head is not of the spec's release (or where the spec pins
    a patch release), and Manual approval by default where only Manual holds the release."""
    dist = spec.distribution
    cat = catalog(dist.name, spec.cluster.openshift_version)
    release = spec.version
    channel = dist.channel or preferred_channel(cat, release) or cat.default_channel
    head = cat.head(channel)
    starting = dist.starting_csv
    if starting is None and spec.pinned_patch:
        starting = next((b.name for b in cat.bundles(channel, release) if b.version == spec.pinned_patch), None)
    beyond = head is not None and version_key(head.release) > version_key(release)
    if starting is None and beyond:
        newest = cat.newest(channel, release)
        starting = newest.name if newest else None
    approval = dist.install_plan_approval or ("Manual" if beyond else "Automatic")
    return Install(cat, channel, starting, approval, head, beyond)
