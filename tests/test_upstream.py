"""The upstream data the project ships (generator/data/upstream/): derived from ../shared by the
project's own import, current, self-consistent, and every file accounted for in SOURCES.md."""

from __future__ import annotations

import hashlib
import json

import pytest

from generator.facts import catalogs, releases
from generator.upstream import refresh

from conftest import SHARED, needs_shared


def shipped() -> dict[str, str]:
    root = releases.data_dir()
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()}


@pytest.mark.upstream
def test_shipped_data_equals_a_fresh_derivation_from_upstream():
    """Moving any per-release fact by hand (a field, an enum, a channel) fails here."""
    needs_shared()
    derived = refresh.derive(SHARED)
    committed = shipped()
    assert sorted(set(committed) - set(derived)) == [], "shipped files upstream no longer has"
    assert sorted(rel for rel, text in derived.items() if committed.get(rel) != text) == [], (
        "generator/data/upstream/ is stale: run scripts/import-upstream"
    )


def test_every_shipped_schema_is_named_by_its_content_used_and_sourced():
    files = shipped()
    data = json.loads(files["releases.json"])
    workload = json.loads(files["workload.json"])
    used = set(data["common"].values()) | {
        b
        for source in (data, workload)
        for d in source["releases"].values()
        for r in d.values()
        for b in r["schemas"].values()
    }
    sources = files["SOURCES.md"]
    schemas = {rel.removeprefix("schemas/"): text for rel, text in files.items() if rel.startswith("schemas/")}
    assert schemas and set(schemas) == used
    for name, text in schemas.items():
        assert name.split(".")[-2] == hashlib.sha256(text.encode()).hexdigest()[:10], name
        assert f"| `{name}` |" in sources, f"{name} has no SOURCES.md row"
    for row in sources.splitlines():
        if row.startswith("| `") and ".json` |" in row:
            cells = [c.strip() for c in row.strip("|").split("|")]
            repo, commit, licence = cells[3], cells[5], cells[7]
            assert "/" in repo and commit and licence, row


def test_release_facts_come_from_each_releases_own_crds():
    rhoai_2_16, rhoai_2_20 = releases.release("rhoai", "2.16"), releases.release("rhoai", "2.20")
    path = "spec.components.workbenches.workbenchNamespace"
    assert not rhoai_2_16.has("DataScienceCluster", path) and rhoai_2_20.has("DataScienceCluster", path)
    assert releases.release("odh", "2.13").enum(
        "DataScienceCluster", "spec.components.kserve.serving.ingressGateway.certificate.type"
    ) == ["SelfSigned", "Provided"]
    assert releases.release("rhoai", "2.21").immutable("OdhDashboardConfig", "spec.groupsConfig.adminGroups")
    assert releases.release("rhoai", "2.21").ignored("OdhDashboardConfig", "spec.groupsConfig")
    assert not releases.release("rhoai", "2.20").ignored("OdhDashboardConfig", "spec.groupsConfig")
    assert next(v for v in releases.supported("rhoai") if releases.release("rhoai", v).serves("Auth")) == "2.17"
    assert next(v for v in releases.supported("odh") if releases.release("odh", v).serves("Auth")) == "2.23"


def test_a_borrowed_schema_brings_what_its_crd_says_of_its_fields():
    # RHOAI 3.4 ships no dashboard CRD and takes 3.0's, whose disableHardwareProfiles is
    # "DEPRECATED: Hardware Profiles are GA": the note comes along, so nothing writes the flag
    path = "spec.dashboardConfig.disableHardwareProfiles"
    lender = releases.release("rhoai", "3.0")
    for version in releases.supported("rhoai"):
        rel = releases.release("rhoai", version)
        borrowed = rel.borrowed("OdhDashboardConfig")
        if borrowed:
            source = releases.release("rhoai", borrowed["from"])
            assert rel.deprecated("OdhDashboardConfig", path) == source.deprecated("OdhDashboardConfig", path), version
            assert rel.ignored("OdhDashboardConfig", "spec.groupsConfig") == source.ignored(
                "OdhDashboardConfig", "spec.groupsConfig"
            )
    assert lender.deprecated("OdhDashboardConfig", path) and releases.release("rhoai", "3.4").deprecated(
        "OdhDashboardConfig", path
    )
    assert not releases.release("rhoai", "2.25").deprecated("OdhDashboardConfig", path)


def test_catalog_facts():
    cat = catalogs.catalog("rhoai", "4.17")
    assert cat.releases("stable")[-5:] == ["2.13", "2.16", "2.19", "2.22", "2.25"]
    assert "2.20" not in cat.releases("stable") and "2.20" in cat.releases("alpha")
    assert cat.head("stable-2.22").release == "2.22"
    assert catalogs.catalog("rhoai", "4.16").key == "4.17" and catalogs.catalog("rhoai", "4.21").key == "4.20"
    odh = catalogs.catalog("odh", "4.19")
    assert odh.channels_with("2.30") == ["fast"] and odh.releases("rolling") == []
    assert catalogs.semver_key("2.11.0-0.1727935135.p") < catalogs.semver_key("2.11.0") < catalogs.semver_key("2.11.1")


def test_release_tables_are_generated_from_the_data():
    from generator import releasenotes

    from conftest import PROJECT

    text = (PROJECT / releasenotes.TABLES_DOC).read_text(encoding="utf-8")
    assert releasenotes.BEGIN in text and releasenotes.END in text
    assert releasenotes.readme_with_tables(text) == text, (
        "the per-release tables are stale: run scripts/import-upstream"
    )
