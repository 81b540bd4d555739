"""The path OLM takes to upgrade an operator from its installed bundle to a target release,
through the real catalog graph (generator/facts/catalogs.py), for `rhoai-gitops upgrade`.

How OLM moves an installed operator (the model searched here):

- The Subscription names a channel. With bundle X installed, OLM's candidates in channel C are
  the entries Y of C that upgrade from X: `Y.replaces == X`, X in `Y.skips`, or X's version in
  `Y.skipRange`. OLM installs the candidate with the highest version (the one nearest the channel
  head), one InstallPlan per move, and repeats from there. It never downgrades.
- The Subscription's channel can be changed. OLM then continues from X in the new channel D,
  which only works when D has an entry that upgrades from X (as above), or X is itself an entry
  of D; a channel with neither leaves the Subscription stuck, so it is never switched to.

`upgrade_path` searches the (installed bundle, Subscription channel) states with Dijkstra. The
goal is the newest bundle of the target release that OLM can reach, ending in a channel that
ships the release (or the channel asked for). Among the paths to it the plan takes the fewest
channel switches, then the fewest upgrade hops (InstallPlans); remaining ties go to the channels
the distribution prefers for each bundle's release (matrix.yaml `channelPreference`: stable-X.Y
before eus-X.Y before the rolling channels), then to channel names, so the plan is stable.

The newest final bundle is the goal rather than the last tie-break because the other order
would leave a Subscription where it is: from 3.3.1 on stable-3.x, OLM's next move in stable-3.x
jumps straight to 3.4, so "zero switches" would plan to stay on 3.3.1 when one switch to
stable-3.3 reaches 3.3.6.
"""

from __future__ import annotations

import heapq
import itertools
import re
from dataclasses import dataclass
from functools import cache

from generator.facts import matrix
from generator.facts.catalogs import Catalog, semver_key
from generator.facts.matrix import version_key

# A pure channel change at the end of a plan: the installed bundle is already an entry of the
# new channel and nothing there upgrades from it, so OLM creates no InstallPlan.
CHANNEL_ONLY = "channel change only"


@dataclass(frozen=True)
class Hop:
    channel: str  # the Subscription's channel for this move
    from_bundle: str  # installed CSV name before the move
    to_bundle: str  # CSV name after the move
    edge: str  # why OLM takes it: "replaces", "skips", "skipRange >=2.16.0 <2.25.4" (or CHANNEL_ONLY)
    switch: bool  # this move starts by changing the Subscription's channel to `channel`


@dataclass(frozen=True)
class UpgradePath:
    start: str  # installed bundle (CSV name)
    target: str  # final bundle
    hops: tuple[Hop, ...]
    start_channel: str = ""  # the Subscription's channel before the first hop

    @property
    def channels(self) -> list[str]:
        """The channels in order of use, the starting one first."""
        used = [self.start_channel] if self.start_channel else []
        for hop in self.hops:
            if not used or used[-1] != hop.channel:
                used.append(hop.channel)
        return used

    @property
    def switches(self) -> int:
        return sum(hop.switch for hop in self.hops)

    def describe(self) -> str:
        """The plan as lines a platform engineer follows, one per step."""
        lines = [f"installed: {self.start} (channel {self.start_channel})"]
        for n, hop in enumerate(self.hops, 1):
            switch = f"set the Subscription's channel to {hop.channel}; " if hop.switch else ""
            if hop.edge == CHANNEL_ONLY:
                lines.append(f"{n}. {switch}{hop.from_bundle} stays installed (no InstallPlan)")
            else:
                lines.append(f"{n}. {switch}InstallPlan {hop.from_bundle} -> {hop.to_bundle} ({hop.edge})")
        return "\n".join(lines)


class NoUpgradePath(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # a sentence a platform engineer can act on


# --------------------------------------------------------------------------- skipRange

# A semantic version as blang/semver parses it: MAJOR.MINOR.PATCH, optional -pre-release and
# +build metadata.
_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_OPERATORS = {
    "": lambda c: c == 0,
    "=": lambda c: c == 0,
    "==": lambda c: c == 0,
    "!": lambda c: c != 0,
    "!=": lambda c: c != 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
}
_COMPARATOR = re.compile(r"(>=|<=|!=|==|>|<|=|!)?(.+)")


def _version(text: str) -> tuple:
    if not _SEMVER.fullmatch(text):
        raise ValueError(f"not a semantic version: {text!r}")
    return semver_key(text)


@cache
def _parse_range(skip_range: str) -> tuple[tuple[tuple[str, tuple], ...], ...]:
    """A blang/semver range as OR-ed groups of AND-ed (operator, version key) comparators.

    Comparators are separated by spaces (AND) and `||` (OR; AND binds tighter, no brackets);
    an operator may stand apart from its version (`>= 1.0.0`), as blang allows. Wildcards
    (`1.2.x`) are not supported (no catalog here uses them): a ValueError, like any other
    range blang would refuse."""
    groups = []
    for part in skip_range.split("||"):
        tokens: list[str] = []
        for token in part.split():
            # blang joins an operator written apart from its version back to it
            if tokens and tokens[-1] in _OPERATORS:
                tokens[-1] += token
            else:
                tokens.append(token)
        if not tokens:
            raise ValueError(f"empty comparator group in range {skip_range!r}")
        group = []
        for token in tokens:
            m = _COMPARATOR.fullmatch(token)
            if m is None or m.group(2)[0] in "<>=!":
                raise ValueError(f"cannot parse {token!r} in range {skip_range!r}")
            group.append((m.group(1) or "", _version(m.group(2))))
        groups.append(tuple(group))
    return tuple(groups)


def _compare(a: tuple, b: tuple) -> int:
    return (a > b) - (a < b)


def satisfies(version: str, skip_range: str) -> bool:
    """Whether `version` is in the blang/semver range `skip_range` (the syntax of OLM's
    skipRange): semantic-version precedence, so a pre-release sorts below its release and build
    metadata is ignored; there is no npm-style rule excluding pre-releases from ranges (blang has
    none). Raises ValueError for a version or range blang would not parse."""
    key = _version(version)
    return any(all(_OPERATORS[op](_compare(key, bound)) for op, bound in group) for group in _parse_range(skip_range))


def _in_skip_range(version: str, skip_range: str) -> bool:
    # OLM's resolver cache keeps no skipRange it cannot parse (newOperatorFromBundle ignores the
    # ParseRange error), so such a range matches nothing.
    try:
        return satisfies(version, skip_range)
    except ValueError:
        return False


# --------------------------------------------------------------------------- the graph


class _Graph:
    """The catalog's upgrade edges as OLM resolves them, computed on demand and cached."""

    def __init__(self, cat: Catalog):
        self.cat = cat
        self.channels = cat.channels()
        self.members = {c: {e["name"] for e in cat.entries(c)} for c in self.channels}
        self._successor: dict[tuple[str, str], tuple[str, str] | None] = {}
        try:
            self._preference = list(matrix.distribution(cat.dist).channel_preference)
        except KeyError:  # a catalog of no known distribution
            self._preference = []

    def edge(self, entry: dict, installed: str) -> str | None:
        """Why OLM would move `installed` to `entry`, or None. The explicit links are named
        first: they are what the catalog's authors wrote for this bundle."""
        if entry.get("replaces") == installed:
            return "replaces"
        if installed in (entry.get("skips") or []):
            return "skips"
        rng = entry.get("skipRange")
        if rng and _in_skip_range(self.cat.bundle(installed).version, rng):
            return f"skipRange {rng}"
        return None

    def successor(self, installed: str, channel: str) -> tuple[str, str] | None:
        """The bundle OLM moves `installed` to in `channel` (with the edge), or None: of the
        entries that upgrade from it, the highest version; a lower version is never a
        candidate (OLM does not downgrade). Equal versions (a rebuild such as
        2.11.0+0.1727935135.p over 2.11.0) tie-break to the entry no other entry supersedes,
        the one nearer the head."""
        key = (installed, channel)
        if key not in self._successor:
            entries = self.cat.entries(channel)
            superseded = {e.get("replaces") for e in entries} | {s for e in entries for s in e.get("skips") or []}
            floor = self.cat.bundle(installed).key
            best = None
            for entry in entries:
                name = entry["name"]
                if name == installed or self.cat.bundle(name).key < floor:
                    continue
                edge = self.edge(entry, installed)
                if edge is None:
                    continue
                rank = (self.cat.bundle(name).key, name not in superseded, name)
                if best is None or rank > best[0]:
                    best = (rank, name, edge)
            self._successor[key] = None if best is None else (best[1], best[2])
        return self._successor[key]

    def rank(self, channel: str, bundle: str) -> int:
        """How much the distribution prefers `channel` for `bundle`'s release (0 best)."""
        release = self.cat.bundle(bundle).release
        names = [p.format(minor=release, major=release.split(".")[0]) for p in self._preference]
        return names.index(channel) if channel in names else len(names)


# --------------------------------------------------------------------------- the search


def _releases(cat: Catalog) -> list[str]:
    return sorted({b.release for c in cat.channels() for b in cat.bundles(c)}, key=version_key)


def _entry(cat: Catalog, channel: str, name: str) -> dict:
    return next(e for e in cat.entries(channel) if e["name"] == name)


def _entry_point(cat: Catalog, channel: str, release: str) -> str:
    """What the oldest bundle of `release` in `channel` upgrades from: the way into the release
    there, named for an engineer reading why no path arrives."""
    oldest = cat.bundles(channel, release)[0].name
    e = _entry(cat, channel, oldest)
    links = []
    if e.get("replaces"):
        links.append(f"replaces {e['replaces']}")
    if e.get("skips"):
        links.append("skips " + ", ".join(e["skips"]))
    if e.get("skipRange"):
        links.append(f"has skipRange {e['skipRange']}")
    said = " and ".join(links) if links else "replaces nothing and has no skips or skipRange"
    return f"in {channel}, {oldest} {said}"


def upgrade_path(
    cat: Catalog,
    start: str,
    target_release: str,
    start_channel: str | None = None,
    target_channel: str | None = None,
) -> UpgradePath:
    """The path OLM takes from the installed bundle `start` to the newest reachable bundle of
    `target_release` (major.minor), ending in `target_channel` if given, else in any channel
    that ships the release. `start_channel` is the Subscription's channel; None means any
    channel containing `start` (that first channel is not counted as a switch). Raises
    NoUpgradePath with the reason when OLM cannot get there."""
    where = cat.describe()
    graph = _Graph(cat)
    releases = _releases(cat)

    if not any(start in members for members in graph.members.values()):
        raise NoUpgradePath(
            f"{start} is not a bundle in {where} (it ships releases {', '.join(releases)}); "
            "name the installed CSV as `oc get csv` shows it"
        )
    for name, channel in (("start", start_channel), ("target", target_channel)):
        if channel is not None and channel not in graph.members:
            raise NoUpgradePath(
                f"{where} has no channel {channel!r} (the {name} channel); its channels are {', '.join(graph.channels)}"
            )
    if not re.fullmatch(r"\d+\.\d+", target_release):
        raise NoUpgradePath(f"the target release {target_release!r} is not major.minor (e.g. 3.4)")
    if target_release not in releases:
        raise NoUpgradePath(
            f"{where} ships no {target_release} bundle in any channel; it ships releases {', '.join(releases)}"
        )
    installed = cat.bundle(start)
    if version_key(target_release) < version_key(installed.release):
        raise NoUpgradePath(
            f"{start} is release {installed.release}, newer than the target {target_release}: "
            "OLM never downgrades an operator; going back means uninstalling it and installing "
            f"{target_release} afresh"
        )
    if target_channel is not None and not cat.bundles(target_channel, target_release):
        shipping = ", ".join(cat.channels_with(target_release))
        raise NoUpgradePath(
            f"channel {target_channel} of {where} ships no {target_release} bundle; the channels that do are {shipping}"
        )

    starts = [start_channel] if start_channel is not None else [c for c in graph.channels if start in graph.members[c]]

    # Dijkstra over (installed bundle, Subscription channel). A path's cost is (switches, hops,
    # preference), compared in that order; preference is the per-hop (rank, channel, bundle)
    # sequence, equally long for equal hops, so extending two paths by the same hop keeps their
    # order and the first time a state is popped its path is the best one.
    # (The counter only keeps the heap from ever comparing two paths' Hop objects.)
    heap: list = []
    order = itertools.count()
    for channel in starts:
        pref = ((graph.rank(channel, start), channel, start),)
        heapq.heappush(heap, (0, 0, pref, next(order), (start, channel), channel, ()))
    best: dict[tuple[str, str], tuple] = {}
    while heap:
        switches, hops, pref, _, state, first, path = heapq.heappop(heap)
        if state in best:
            continue
        best[state] = (switches, hops, pref, first, path)
        bundle, channel = state
        for other in graph.channels:
            # Staying in the channel: OLM's own next move. Another channel: a switch, which
            # OLM follows only where that channel has an entry upgrading from the bundle.
            move = graph.successor(bundle, other)
            if move is None:
                continue
            to, edge = move
            if (to, other) in best:
                continue
            switch = other != channel
            hop = Hop(other, bundle, to, edge, switch)
            cost = (switches + switch, hops + 1, pref + ((graph.rank(other, to), other, to),))
            heapq.heappush(heap, (*cost, next(order), (to, other), first, path + (hop,)))

    def ends_in(channel: str) -> bool:
        return (target_channel is None or channel == target_channel) and bool(cat.bundles(channel, target_release))

    finals = []
    for (bundle, channel), (switches, hops, pref, first, path) in best.items():
        if cat.bundle(bundle).release != target_release:
            continue
        if ends_in(channel):
            finals.append((bundle, (switches, hops, pref), first, path))
        # Ending in another channel without an InstallPlan: the bundle is an entry there and
        # nothing there upgrades from it (else OLM would move on, and that move is a hop above).
        for other in graph.channels:
            if other == channel or not ends_in(other) or bundle not in graph.members[other]:
                continue
            if graph.successor(bundle, other) is None:
                hop = Hop(other, bundle, bundle, CHANNEL_ONLY, True)
                cost = (switches + 1, hops, pref + ((graph.rank(other, bundle), other, bundle),))
                finals.append((bundle, cost, first, path + (hop,)))

    if not finals:
        newest = max((b for b, _ in best), key=lambda b: cat.bundle(b).key)
        channels = [target_channel] if target_channel else cat.channels_with(target_release)
        got = sorted({c for (b, c) in best if cat.bundle(b).release == target_release})
        also = f" ({target_release} is reachable only in {', '.join(got)})" if got else ""
        ways = "; ".join(_entry_point(cat, c, target_release) for c in channels[:4])
        raise NoUpgradePath(
            f"no upgrade path in {where} from {start} to {target_release}"
            f"{' in channel ' + target_channel if target_channel else ''}: OLM can take it as far as {newest}{also}, "
            f"but never onto a {target_release} bundle in {', '.join(channels)}; the way into {target_release} "
            f"there: {ways}. OLM cannot make this move: it needs a fresh install of {target_release} or a catalog "
            "whose channels bridge the releases"
        )

    newest_key = max(cat.bundle(b).key for b, *_ in finals)
    bundle, _, first, path = min((f for f in finals if cat.bundle(f[0]).key == newest_key), key=lambda f: f[1])
    return UpgradePath(start=start, target=bundle, hops=path, start_channel=first)
