"""What oc-mirror must copy for a set of clusters: the ImageSetConfiguration
(mirror.openshift.io/v2alpha1) of `rhoai-gitops mirror`.

Everything comes from the rendered bundle, never from a list kept beside it: each Subscription
the clusters' bundles contain is one package of the catalog that ships it (matrix.yaml
`packages`), at that cluster's OpenShift version's index image; so an operator any unit installs
is mirrored without a change here. Per Subscription:

- its channel, and where the catalog data knows the package (the platform operator,
  generator/facts/catalogs.py) the version range OLM will install: from the pinned bundle
  (startingCSV) or the channel head, up to that bundle when the Subscription holds it (Manual
  approval), else up to the channel head, which Automatic approval upgrades to;
- for a planned upgrade (`--to`), every bundle on the OLM path (generator/upgrade/olmpath.py), per
  channel the path uses: oc-mirror selects min..max within each channel; and everything the
  target render pulls (the end state `upgrade` plans, generator/upgrade/plan.py): each Subscription
  of it at the target's OpenShift version (an operator only the target installs, such as the
  Kueue operator on 3.x) and each image it names;
- defaultChannel: the channel the clusters subscribe to (oc-mirror needs one that survives the
  filter, and a filtered catalog without the package's default channel is invalid).

Packages the catalog data does not cover get their channel alone: oc-mirror mirrors its head,
which is what a Subscription without startingCSV installs. Clusters' entries for the same
catalog image and package merge (the widest range per channel). Images the bundle names itself
(images.referenced: operand overrides, pod templates) are additionalImages, pinned as written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from generator import images
from generator.build import build_units
from generator.components.olm import source_catalog
from generator.core import yamlio
from generator.core.errors import UsageError
from generator.facts import catalogs, matrix
from generator.mirror.ocmirror import API_VERSION, KIND
from generator.spec.loader import LoadedSpec
from generator.spec.model import PlatformSpec
from generator.upgrade.olmpath import NoUpgradePath, upgrade_path


@dataclass
class Span:
    """The bundles one channel needs: min..max (None: the channel head, as oc-mirror reads a
    missing bound)."""

    low: tuple | None = None
    low_text: str = ""
    high: tuple | None = None
    high_text: str = ""
    head: bool = False  # the channel's head is needed (no upper bound)

    def add(self, version: str | None) -> None:
        if version is None:
            self.head = True
            return
        key = catalogs.semver_key(version)
        if self.low is None or key < self.low:
            self.low, self.low_text = key, version
        if self.high is None or key > self.high:
            self.high, self.high_text = key, version

    def entry(self, name: str) -> dict:
        out: dict = {"name": name}
        if self.low is not None:
            out["minVersion"] = self.low_text
        if self.high is not None and not self.head:
            out["maxVersion"] = self.high_text
        return out


@dataclass
class Package:
    channels: dict[str, Span] = field(default_factory=dict)
    subscribed: Counter = field(default_factory=Counter)  # channel -> clusters on it

    def span(self, channel: str) -> Span:
        return self.channels.setdefault(channel, Span())

    def entry(self, name: str) -> dict:
        default = min(self.subscribed, key=lambda c: (-self.subscribed[c], c))
        return {
            "name": name,
            "defaultChannel": default,
            "channels": [self.channels[c].entry(c) for c in sorted(self.channels)],
        }


@dataclass
class Plan:
    clusters: list[str]
    sources: list[str]
    registries: list[str]  # the clusters' mirror registries
    config: dict


def _catalog_of(spec, package: str) -> catalogs.Catalog | None:
    """The catalog data of the package, where the project has it (the platform operator)."""
    dist = spec.distribution.name
    return catalogs.catalog(dist, spec.cluster.openshift_version) if package == catalogs.package(dist) else None


def _subscription_bundles(spec, sub: dict, upgrade_to: str | None) -> dict[str, list[str | None]]:
    """channel -> the versions of the bundles the Subscription needs there (None: the head)."""
    s = sub["spec"]
    channel, cat = s["channel"], _catalog_of(spec, s["name"])
    head = cat.head(channel) if cat is not None else None
    if cat is None or head is None:
        return {channel: [None]}
    start = s.get("startingCSV") or head.name
    held = s.get("installPlanApproval") == "Manual"
    out: dict[str, list[str | None]] = {
        channel: [cat.bundle(start).version, cat.bundle(start).version if held else head.version]
    }
    if upgrade_to:
        target = ".".join(upgrade_to.split(".")[:2])
        try:
            path = upgrade_path(cat, start, target, start_channel=channel)
        except NoUpgradePath as exc:
            raise UsageError(f"{spec.name}: --to {upgrade_to}: {exc.reason}") from None
        for hop in path.hops:
            out.setdefault(hop.channel, []).extend(
                [cat.bundle(hop.from_bundle).version, cat.bundle(hop.to_bundle).version]
            )
    return out


def plan(
    loaded: list[LoadedSpec], upgrade_to: str | None = None, targets: dict[str, PlatformSpec] | None = None
) -> Plan:
    """`targets`: cluster name -> its spec at `upgrade_to` (upgrade.end_state_spec), whose
    render is mirrored too."""
    # (catalog index image) -> package -> Package
    operators: dict[str, dict[str, Package]] = {}
    extra: set[str] = set()

    def add(spec: PlatformSpec, path_to: str | None, subscribed: bool) -> None:
        objs = [o for objs in build_units(spec).values() for o in objs]
        for sub in (o for o in objs if o.get("kind") == "Subscription"):
            package = sub["spec"]["name"]
            index = matrix.catalog_index(source_catalog(package), spec.cluster.openshift_version)
            entry = operators.setdefault(index, {}).setdefault(package, Package())
            if subscribed or not entry.subscribed:
                entry.subscribed[sub["spec"]["channel"]] += 1
            for channel, versions in _subscription_bundles(spec, sub, path_to).items():
                for version in versions:
                    entry.span(channel).add(version)
        extra.update(images.referenced(objs))

    for item in loaded:
        add(item.spec, upgrade_to, True)
        if targets and item.spec.name in targets:
            # the default channel stays what the cluster subscribes to today, where it has one
            add(targets[item.spec.name], None, False)
    mirror: dict = {}
    if operators:
        mirror["operators"] = [
            {"catalog": index, "packages": [pkgs[name].entry(name) for name in sorted(pkgs)]}
            for index, pkgs in sorted(operators.items())
        ]
    if extra:
        mirror["additionalImages"] = [{"name": ref} for ref in sorted(extra)]
    config = {"kind": KIND, "apiVersion": API_VERSION, "mirror": mirror}
    registries = sorted({s.spec.cluster.disconnected.mirror_registry for s in loaded if s.spec.cluster.disconnected})
    return Plan([s.spec.name for s in loaded], [s.source for s in loaded], registries, config)


def document(p: Plan, upgrade_to: str | None = None) -> str:
    """The ImageSetConfiguration as YAML, headed by where it comes from and how to run it."""
    to = f", planned upgrade to {upgrade_to}" if upgrade_to else ""
    lines = [
        f"# Generated by rhoai-gitops mirror from {', '.join(p.sources)}{to}. DO NOT EDIT:",
        "# change the specs and run `rhoai-gitops mirror` again. Mirror with oc-mirror v2:",
    ]
    for registry in p.registries or ["<mirror registry>"]:
        lines.append(f"#   oc-mirror --v2 --config imageset-config.yaml --workspace file://<dir> docker://{registry}")
    return "\n".join(lines) + "\n" + yamlio.dumps(p.config)
