"""The OLM upgrade planner (generator/upgrade/olmpath.py) on the real catalog data and on small synthetic
catalogs. Every path found on real data is re-checked hop by hop against the catalog with the
rules OLM follows, written out again here so a bug in the planner cannot vouch for itself."""

from __future__ import annotations

import itertools

import pytest

from generator.facts import catalogs
from generator.facts.catalogs import Catalog
from generator.upgrade.olmpath import CHANNEL_ONLY, Hop, NoUpgradePath, UpgradePath, satisfies, upgrade_path


def rhoai() -> Catalog:
    return catalogs.catalog("rhoai", "4.20")


def odh() -> Catalog:
    return catalogs.catalog("odh", "4.20")


def _upgrades_from(cat: Catalog, entry: dict, installed: str) -> bool:
    rng = entry.get("skipRange")
    return (
        entry.get("replaces") == installed
        or installed in entry.get("skips", [])
        or (bool(rng) and satisfies(cat.bundle(installed).version, rng))
    )


def check_path(cat: Catalog, path: UpgradePath, start_channel: str) -> None:
    """Each hop is a move OLM makes: the new bundle is an entry of the hop's channel, upgrades
    from the installed one by the edge the hop names, is the highest such entry (OLM's choice),
    and is never older; switches are exactly the channel changes; the hops chain up."""
    installed, channel = path.start, start_channel
    assert path.start_channel == start_channel
    for hop in path.hops:
        assert hop.from_bundle == installed
        assert hop.switch == (hop.channel != channel), hop
        entries = {e["name"]: e for e in cat.entries(hop.channel)}
        assert hop.to_bundle in entries, hop
        entry = entries[hop.to_bundle]
        if hop.edge == "replaces":
            assert entry.get("replaces") == installed
        elif hop.edge == "skips":
            assert installed in entry.get("skips", [])
        else:
            assert hop.edge == f"skipRange {entry['skipRange']}", hop
            assert satisfies(cat.bundle(installed).version, entry["skipRange"])
        assert cat.bundle(hop.to_bundle).key >= cat.bundle(installed).key, f"downgrade in {hop}"
        newer = [
            n
            for n, e in entries.items()
            if n != installed
            and _upgrades_from(cat, e, installed)
            and cat.bundle(n).key > cat.bundle(hop.to_bundle).key
        ]
        assert not newer, f"OLM would take {newer} over {hop.to_bundle}"
        installed, channel = hop.to_bundle, hop.channel
    assert installed == path.target


# --------------------------------------------------------------------------- RHOAI, real data


def test_rhoai_2_22_to_3_4_goes_through_2_25_and_support_required_upgrade():
    cat = rhoai()
    path = upgrade_path(cat, "rhods-operator.2.22.2", "3.4", start_channel="stable-2.22")
    check_path(cat, path, "stable-2.22")
    # stable-2.22 ends at 2.22.2 (its head), so OLM has nowhere to go without a channel switch.
    # The only bridge from 2.x to 3.x is support-required-upgrade, whose 3.3.x bundles take
    # 2.25.4+ / 2.25.6+ / 2.25.7+ by skipRange (nothing else enters 3.x from 2.x: 3.3.0 in
    # stable-3.x/stable-3.3 replaces nothing), so the operator must first reach 2.25.7 or later.
    # stable-2.25, eus-2.25 and stable all take 2.22.2 straight to 2.25.9 in one hop
    # (skipRange >=2.22.0 <2.25.9; 2.25.10's range starts at 2.24.0); stable-2.25 wins the tie
    # as the distribution's preferred channel for 2.25 (matrix.yaml channelPreference).
    # support-required-upgrade then takes 2.25.9 to 3.3.6 (>=2.25.7 <2.26.0), and stable-3.4
    # takes 3.3.6 to 3.4.3 (>=3.3.0 <3.4.3); stable-3.x would too, stable-3.4 is preferred.
    # Three switches cannot be beaten: no channel holds both 2.22.2's successor and a 3.x bundle.
    assert path.channels == ["stable-2.22", "stable-2.25", "support-required-upgrade", "stable-3.4"]
    assert [(h.from_bundle, h.to_bundle) for h in path.hops] == [
        ("rhods-operator.2.22.2", "rhods-operator.2.25.9"),
        ("rhods-operator.2.25.9", "rhods-operator.3.3.6"),
        ("rhods-operator.3.3.6", "rhods-operator.3.4.3"),
    ]
    assert all(h.switch for h in path.hops)
    assert path.hops[1].edge == "skipRange >=2.25.7 <2.26.0 || >=3.3.2 <3.3.6"
    bundles = [cat.bundle(path.start)] + [cat.bundle(h.to_bundle) for h in path.hops]
    assert [b.release for b in bundles] == ["2.22", "2.25", "3.3", "3.4"]
    assert all(a.key < b.key for a, b in itertools.pairwise(bundles)), "downgrade"
    assert path.target == "rhods-operator.3.4.3" and path.switches == 3


def test_rhoai_2_25_eus_to_3_4():
    cat = rhoai()
    path = upgrade_path(cat, "rhods-operator.2.25.10", "3.4", start_channel="eus-2.25")
    check_path(cat, path, "eus-2.25")
    # 2.25.10 heads eus-2.25; support-required-upgrade takes it to 3.3.6, stable-3.4 to 3.4.3.
    assert path.channels == ["eus-2.25", "support-required-upgrade", "stable-3.4"]
    assert [h.to_bundle for h in path.hops] == ["rhods-operator.3.3.6", "rhods-operator.3.4.3"]


def test_rhoai_3_3_to_3_4_within_one_channel():
    cat = rhoai()
    path = upgrade_path(cat, "rhods-operator.3.3.1", "3.4", start_channel="stable-3.x")
    check_path(cat, path, "stable-3.x")
    # stable-3.x's 3.4.3 has skipRange >=3.3.0 <3.4.3: OLM jumps there in one InstallPlan.
    assert path.channels == ["stable-3.x"]
    assert path.hops == (
        Hop("stable-3.x", "rhods-operator.3.3.1", "rhods-operator.3.4.3", "skipRange >=3.3.0 <3.4.3", False),
    )


def test_same_release_reaches_its_newest_bundle():
    cat = rhoai()
    # OLM's next move in stable-3.x from 3.3.1 leaves 3.3 for 3.4.3; stable-3.3 reaches 3.3.6.
    path = upgrade_path(cat, "rhods-operator.3.3.1", "3.3", start_channel="stable-3.x")
    check_path(cat, path, "stable-3.x")
    assert path.channels == ["stable-3.x", "stable-3.3"] and path.target == "rhods-operator.3.3.6"
    # already the newest: no hop at all
    path = upgrade_path(cat, "rhods-operator.3.4.3", "3.4", start_channel="stable-3.4")
    assert path.hops == () and path.target == "rhods-operator.3.4.3" and path.channels == ["stable-3.4"]


def test_target_channel():
    cat = rhoai()
    path = upgrade_path(cat, "rhods-operator.2.25.10", "3.4", start_channel="eus-2.25", target_channel="stable-3.x")
    check_path(cat, path, "eus-2.25")
    assert path.channels == ["eus-2.25", "support-required-upgrade", "stable-3.x"]
    # on the newest bundle already: the move to the pinned channel is a channel change only
    path = upgrade_path(cat, "rhods-operator.3.4.3", "3.4", start_channel="stable-3.x", target_channel="stable-3.4")
    assert path.hops == (Hop("stable-3.4", "rhods-operator.3.4.3", "rhods-operator.3.4.3", CHANNEL_ONLY, True),)
    assert path.channels == ["stable-3.x", "stable-3.4"]
    with pytest.raises(NoUpgradePath) as e:
        upgrade_path(cat, "rhods-operator.2.25.10", "3.4", start_channel="eus-2.25", target_channel="fast-3.x")
    assert "fast-3.x" in e.value.reason and "stable-3.4, stable-3.x" in e.value.reason


def test_without_start_channel_the_first_channel_is_free():
    cat = rhoai()
    path = upgrade_path(cat, "rhods-operator.2.22.2", "3.4")
    check_path(cat, path, path.start_channel)
    # `stable` holds both 2.22.2 and 2.25.9, so starting there saves a switch
    assert path.channels == ["stable", "support-required-upgrade", "stable-3.4"]
    assert not path.hops[0].switch and path.switches == 2


def test_every_rhoai_catalog_with_the_bridge_has_a_valid_path():
    for key in catalogs.catalog_keys("rhoai"):
        cat = catalogs.catalog("rhoai", key)
        if "support-required-upgrade" not in cat.channels() or not cat.channels_with("3.4"):
            continue
        path = upgrade_path(cat, "rhods-operator.2.22.2", "3.4", start_channel="stable-2.22")
        check_path(cat, path, "stable-2.22")
        assert "support-required-upgrade" in path.channels and cat.bundle(path.target).release == "3.4"


def test_release_missing_from_the_catalog():
    with pytest.raises(NoUpgradePath) as e:
        upgrade_path(rhoai(), "rhods-operator.2.25.10", "3.1", start_channel="eus-2.25")
    reason = e.value.reason
    assert "OpenShift 4.20" in reason and "no 3.1 bundle" in reason
    assert "3.0, 3.2, 3.3, 3.4" in reason  # what it does ship, sorted as versions


def test_downgrade_refused():
    with pytest.raises(NoUpgradePath) as e:
        upgrade_path(rhoai(), "rhods-operator.3.3.1", "2.25", start_channel="stable-3.x")
    assert "never downgrades" in e.value.reason and "3.3" in e.value.reason


def test_unknown_start_and_channel_refused():
    with pytest.raises(NoUpgradePath) as e:
        upgrade_path(rhoai(), "rhods-operator.9.9.9", "3.4")
    reason = e.value.reason
    assert "rhods-operator.9.9.9 is not a bundle in the rhods-operator catalog for OpenShift 4.20" in reason
    assert reason.count("rhods-operator.") == 1  # no list of CSVs
    with pytest.raises(NoUpgradePath) as e:
        upgrade_path(rhoai(), "rhods-operator.2.25.10", "3.4", start_channel="nightly")
    assert "no channel 'nightly'" in e.value.reason


# --------------------------------------------------------------------------- ODH, real data


def test_odh_2_to_3_refused():
    with pytest.raises(NoUpgradePath) as e:
        upgrade_path(odh(), "opendatahub-operator.v2.35.0", "3.0", start_channel="fast")
    reason = e.value.reason
    assert "opendatahub-operator catalog" in reason and "opendatahub-operator.v2.35.0" in reason
    assert "in fast-3, opendatahub-operator.v3.0.0 replaces nothing and has no skips or skipRange" in reason


def test_odh_pre_releases_are_steps_not_the_goal():
    cat = odh()
    path = upgrade_path(cat, "opendatahub-operator.v3.3.0", "3.4", start_channel="fast-3")
    check_path(cat, path, "fast-3")
    # fast-3 is a replaces chain through 3.4.0-ea.1 and -ea.2; the goal is 3.4.0 itself
    assert [h.to_bundle for h in path.hops] == [
        "opendatahub-operator.v3.4.0-ea.1",
        "opendatahub-operator.v3.4.0-ea.2",
        "opendatahub-operator.v3.4.0",
    ]


# --------------------------------------------------------------------------- satisfies


def test_satisfies_comparators():
    assert satisfies("2.25.4", ">=2.16.0 <2.25.5") and not satisfies("2.25.5", ">=2.16.0 <2.25.5")
    assert satisfies("2.16.0", ">=2.16.0 <2.25.5") and not satisfies("2.15.9", ">=2.16.0 <2.25.5")
    assert satisfies("1.0.1", ">1.0.0") and not satisfies("1.0.0", ">1.0.0")
    assert satisfies("1.0.0", "<=1.0.0") and not satisfies("1.0.1", "<=1.0.0")
    assert satisfies("1.2.3", "1.2.3") and satisfies("1.2.3", "=1.2.3") and satisfies("1.2.3", "==1.2.3")
    assert not satisfies("1.2.3", "!=1.2.3") and not satisfies("1.2.3", "!1.2.3") and satisfies("1.2.4", "!=1.2.3")
    assert satisfies("1.5.0", ">= 1.0.0  < 2.0.0")  # blang allows an operator apart from its version


def test_satisfies_or():
    rng = ">=2.25.7 <2.26.0 || >=3.3.2 <3.3.6"
    assert [
        v for v in ["2.25.6", "2.25.7", "2.25.10", "2.26.0", "3.3.1", "3.3.2", "3.3.5", "3.3.6"] if satisfies(v, rng)
    ] == ["2.25.7", "2.25.10", "3.3.2", "3.3.5"]
    assert satisfies("3.0.0", "<2.0.0 || >=3.0.0 !3.1.0") and not satisfies("3.1.0", "<2.0.0 || >=3.0.0 !3.1.0")


def test_satisfies_pre_release():
    # a pre-release sorts below its release; blang has no rule keeping pre-releases out of ranges
    assert satisfies("3.5.0-ea.2", "<3.5.0") and not satisfies("3.5.0-ea.2", ">=3.5.0")
    assert satisfies("3.5.0-ea.2", ">=3.5.0-ea.1 <3.5.0") and not satisfies("3.5.0-ea.1", ">3.5.0-ea.1")
    assert satisfies("3.5.0-ea.10", ">3.5.0-ea.2")  # numeric identifiers compare as numbers
    assert satisfies("3.5.0-ea", "<3.5.0-ea.1")  # fewer identifiers sort first
    assert satisfies("3.5.0-ea.1", ">3.5.0-1")  # alphanumeric identifiers above numeric ones


def test_satisfies_build_metadata_is_ignored():
    assert satisfies("2.11.0+0.1727935135.p", "2.11.0") and satisfies("2.11.0+0.1727935135.p", "=2.11.0+other")
    assert not satisfies("2.11.0+0.1727935135.p", ">=2.10.0 <2.11.0")
    assert not satisfies("2.11.0+0.1727935135.p", "!=2.11.0")
    assert satisfies("2.11.0-rc.1+build.7", "<2.11.0")


@pytest.mark.parametrize(
    "version, rng",
    [
        ("2.25", ">=2.0.0"),
        ("v2.25.0", ">=2.0.0"),
        ("2.25.0", ""),
        ("2.25.0", ">=2.0.0 ||"),
        ("2.25.0", ">=2.x"),
        ("2.25.0", ">>2.0.0"),
        ("2.25.0", "~2.0.0"),
        ("2.25.0", ">="),
    ],
)
def test_satisfies_refuses_what_blang_would(version, rng):
    with pytest.raises(ValueError):
        satisfies(version, rng)


# --------------------------------------------------------------------------- synthetic catalogs


class Synthetic(Catalog):
    """A dict-backed catalog: channels of entries named op.vX.Y.Z (the version after `.v`)."""

    def __init__(self, channels: dict[str, list[dict]]):
        self.dist = "synthetic"
        self.key = "*"
        names = {e["name"] for entries in channels.values() for e in entries}
        self._raw = {
            "channels": channels,
            "versions": {n: n.split(".v", 1)[1] for n in names},
            "defaultChannel": next(iter(channels)),
        }
        self._sorted = {}

    def describe(self) -> str:
        return "the synthetic catalog"


def test_fewest_switches_before_fewest_hops():
    cat = Synthetic(
        {
            "a": [
                {"name": "op.v1.0.0"},
                {"name": "op.v1.1.0", "replaces": "op.v1.0.0"},
                {"name": "op.v1.2.0", "replaces": "op.v1.1.0"},
                {"name": "op.v2.0.0", "replaces": "op.v1.2.0"},
            ],
            "b": [{"name": "op.v2.0.0", "skipRange": ">=1.0.0 <2.0.0"}],
        }
    )
    path = upgrade_path(cat, "op.v1.0.0", "2.0", start_channel="a")
    check_path(cat, path, "a")
    # three InstallPlans in `a` beat one InstallPlan after a switch to `b`
    assert path.channels == ["a"] and len(path.hops) == 3 and path.target == "op.v2.0.0"
    # from `b`'s side, where staying is impossible, the switch is taken
    path = upgrade_path(cat, "op.v1.0.0", "2.0", start_channel="b")
    assert path.channels == ["b"] and path.hops == (
        Hop("b", "op.v1.0.0", "op.v2.0.0", "skipRange >=1.0.0 <2.0.0", False),
    )


def test_fewer_hops_then_channel_names_break_ties():
    cat = Synthetic(
        {
            "start": [{"name": "op.v1.0.0"}],
            "long": [{"name": "op.v1.5.0", "replaces": "op.v1.0.0"}, {"name": "op.v2.0.0", "replaces": "op.v1.5.0"}],
            "short-b": [{"name": "op.v2.0.0", "replaces": "op.v1.0.0"}],
            "short-a": [{"name": "op.v2.0.0", "skips": ["op.v1.0.0"]}],
        }
    )
    path = upgrade_path(cat, "op.v1.0.0", "2.0", start_channel="start")
    check_path(cat, path, "start")
    assert path.hops == (Hop("short-a", "op.v1.0.0", "op.v2.0.0", "skips", True),)


def test_olm_takes_the_highest_candidate():
    channel_c = [
        {"name": "op.v1.0.0"},
        {"name": "op.v1.1.0", "replaces": "op.v1.0.0"},
        {"name": "op.v1.2.0", "replaces": "op.v1.1.0", "skipRange": ">=1.0.0 <1.2.0"},
    ]
    cat = Synthetic({"c": channel_c})
    # 1.1.0 replaces 1.0.0, but 1.2.0's skipRange covers 1.0.0 too and is newer: OLM goes there
    path = upgrade_path(cat, "op.v1.0.0", "1.2", start_channel="c")
    assert path.hops == (Hop("c", "op.v1.0.0", "op.v1.2.0", "skipRange >=1.0.0 <1.2.0", False),)
    # so 1.1 is out of reach in `c` although the channel ships it
    with pytest.raises(NoUpgradePath) as e:
        upgrade_path(cat, "op.v1.0.0", "1.1", start_channel="c")
    assert "the synthetic catalog" in e.value.reason and "op.v1.2.0" in e.value.reason
    # a channel where 1.1.0 is the highest candidate makes it reachable, by a switch
    cat = Synthetic({"c": channel_c, "d": [{"name": "op.v1.0.0"}, {"name": "op.v1.1.0", "replaces": "op.v1.0.0"}]})
    path = upgrade_path(cat, "op.v1.0.0", "1.1", start_channel="c")
    check_path(cat, path, "c")
    assert path.channels == ["c", "d"] and path.target == "op.v1.1.0"


def test_no_downgrade_edge_and_no_switch_to_a_channel_without_the_bundle():
    cat = Synthetic(
        {
            "a": [{"name": "op.v2.0.0"}],
            # replaces 2.0.0 but is older: not an edge
            "old": [{"name": "op.v1.9.0", "replaces": "op.v2.0.0"}, {"name": "op.v3.0.0", "replaces": "op.v1.9.0"}],
            # ships 3.0 but neither holds 2.0.0 nor upgrades from it: cannot be switched to
            "island": [{"name": "op.v3.0.1"}],
        }
    )
    with pytest.raises(NoUpgradePath) as e:
        upgrade_path(cat, "op.v2.0.0", "3.0", start_channel="a")
    assert "in old, op.v3.0.0 replaces op.v1.9.0" in e.value.reason
    assert "in island, op.v3.0.1 replaces nothing" in e.value.reason
