"""`rhoai-gitops mirror`: the oc-mirror v2 ImageSetConfiguration, checked against a strict model
of mirror.openshift.io/v2alpha1 that is itself checked against oc-mirror's Go types and
upstream examples (shared/upstream/oc-mirror-v2alpha1)."""

from __future__ import annotations

import re

import pytest

from generator import images
from generator.build import build_units
from generator.cli import main
from generator.core import yamlio
from generator.facts import catalogs, matrix
from generator.mirror import imageset as mirror
from generator.mirror import ocmirror
from generator.spec.loader import load_specs
from generator.upgrade.olmpath import upgrade_path

from conftest import SHARED, needs_shared, write_spec

UPSTREAM = SHARED / "upstream" / "oc-mirror-v2alpha1"


# --------------------------------------------------------------------------- the strict model


_STRUCT = re.compile(r"^type (\w+) struct \{\n(.*?)^\}", re.M | re.S)
_FIELD = re.compile(r'^\s+(\w+)?\s*[\w\[\]\.]*\s*`json:"([^"]*)"', re.M)


def go_structs() -> dict[str, set[str]]:
    """Go struct -> the JSON names of its fields, with `,inline` structs flattened in."""
    raw: dict[str, list[tuple[str, str]]] = {}
    for f in sorted(UPSTREAM.glob("*.go")):
        for name, body in _STRUCT.findall(f.read_text()):
            raw[name] = []
            for line in body.splitlines():
                m = re.match(r'^\s+(?:(\w+)\s+)?([\w\[\]\.]+)\s+`json:"([^"]*)"', line)
                if m:
                    _field, typ, tag = m.groups()
                    raw[name].append((typ, tag))
    out: dict[str, set[str]] = {}

    def names(struct: str) -> set[str]:
        found = set()
        for typ, tag in raw[struct]:
            json_name = tag.split(",")[0]
            if ",inline" in tag:
                base = typ.split(".")[-1]
                found |= {"kind", "apiVersion"} if base == "TypeMeta" else names(base)
            else:
                found.add(json_name)
        return found

    for struct in raw:
        out[struct] = names(struct)
    return out


MODELS = {
    "ImageSetConfiguration": ocmirror.ImageSetConfiguration,
    "Mirror": ocmirror.Mirror,
    "Platform": ocmirror.Platform,
    "ReleaseChannel": ocmirror.ReleaseChannel,
    "InstancePlatformFilter": ocmirror.InstancePlatformFilter,
    "Operator": ocmirror.Operator,
    "IncludePackage": ocmirror.IncludePackage,
    "IncludeChannel": ocmirror.IncludeChannel,
    "Helm": ocmirror.Helm,
    "Repository": ocmirror.Repository,
    "Chart": ocmirror.Chart,
    "AdditionalImage": ocmirror.AdditionalImage,
    "BlockedImage": ocmirror.BlockedImage,
    "SampleImage": ocmirror.SampleImage,
}


@pytest.mark.upstream
def test_model_fields_are_the_go_types_json_names():
    needs_shared()
    structs = go_structs()
    for go_name, model in MODELS.items():
        ours = {f.alias or name for name, f in model.model_fields.items()}
        assert ours == structs[go_name], go_name


@pytest.mark.upstream
def test_upstream_examples_load_and_the_invalid_range_is_refused():
    needs_shared()
    examples = sorted((UPSTREAM / "examples").glob("*.yaml"))
    assert len(examples) == 4
    for path in examples:
        text = path.read_text()
        if "invalid-version-range" in path.name:
            with pytest.raises(ocmirror.InvalidImageSetConfiguration, match="greater than maxVersion"):
                ocmirror.load(text)
        else:
            assert ocmirror.load(text).mirror.operators


GOOD = """\
kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
mirror:
  operators:
  - catalog: registry.redhat.io/redhat/redhat-operator-index:v4.16
    packages:
    - name: nfd
      channels:
      - name: stable
"""


@pytest.mark.parametrize(
    "change, problem",
    [
        (
            ("      - name: stable\n", "      - name: stable\n        minversion: 1.0.0\n"),
            "Extra inputs",
        ),  # unknown key
        (("kind: ImageSetConfiguration\n", "kind: ImageSetConfiguration\nmetadata: {name: x}\n"), "Extra inputs"),
        (("      - name: stable\n", "      - name: 4.16\n"), "string"),  # a number for a string
        (("  operators:\n", "  archiveSize: 4\n  operators:\n"), "Extra inputs"),  # archiveSize is top-level
        (
            ("      - name: stable\n", "      - name: stable\n        maxVersion: 2.0.0\n      minVersion: 1.0.0\n"),
            "mixing both",
        ),
        (
            ("      - name: stable\n", "      - name: stable\n        minVersion: not-a-version\n"),
            "semantic versioning",
        ),
        (("      - name: stable\n", "      - name: stable\n      - name: stable\n"), "duplicate channel"),
        (("    - name: nfd\n", "    - name: nfd\n    - name: nfd\n"), "duplicate package"),
        (("mirror:\n", "delete: {}\nmirror:\n"), "delete: is not allowed"),
        (("kind: ImageSetConfiguration\n", "kind: DeleteImageSetConfiguration\n"), "cannot parse"),
    ],
)
def test_strict_loading_refuses_what_oc_mirror_refuses(change, problem):
    assert ocmirror.load(GOOD)
    with pytest.raises(ocmirror.InvalidImageSetConfiguration, match=problem):
        ocmirror.load(GOOD.replace(*change))


def test_semver_is_masterminds_loose():
    assert ocmirror.semver("v2.16") == ocmirror.semver("2.16.0")
    assert ocmirror.semver("2.16.0-rc.1") < ocmirror.semver("2.16.0")
    assert ocmirror.semver("2.16.x") is None


# --------------------------------------------------------------------------- what the fleet needs


def subscriptions(spec) -> list[dict]:
    return [o for objs in build_units(spec).values() for o in objs if o["kind"] == "Subscription"]


def packages_of(config: dict) -> dict[tuple[str, str], dict]:
    return {(op["catalog"], p["name"]): p for op in config["mirror"].get("operators", []) for p in op["packages"]}


def in_range(version: str, channel: dict) -> bool:
    key = catalogs.semver_key(version)
    low = catalogs.semver_key(channel["minVersion"]) if "minVersion" in channel else None
    high = catalogs.semver_key(channel["maxVersion"]) if "maxVersion" in channel else None
    return (low is None or low <= key) and (high is None or key <= high)


def test_examples_mirror_exactly_what_their_bundles_subscribe_to(repo):
    loaded = load_specs(repo)
    plan = mirror.plan(loaded)
    ocmirror.load(mirror.document(plan))
    found = packages_of(plan.config)
    wanted = set()
    for item in loaded:
        spec = item.spec
        for sub in subscriptions(spec):
            s = sub["spec"]
            catalog = matrix.catalog_index(matrix.package(s["name"]).catalog, spec.cluster.openshift_version)
            wanted.add((catalog, s["name"]))
            entry = found[(catalog, s["name"])]
            channel = next(c for c in entry["channels"] if c["name"] == s["channel"])
            if s.get("startingCSV"):
                cat = catalogs.catalog(spec.distribution.name, spec.cluster.openshift_version)
                assert in_range(cat.bundle(s["startingCSV"]).version, channel), (spec.name, channel)
                assert "minVersion" in channel and "maxVersion" in channel
            assert entry["defaultChannel"] in {c["name"] for c in entry["channels"]}
    # nothing the specs do not use: no package, and no image, beyond the bundles'
    assert set(found) == wanted
    named = {ref for item in loaded for objs in build_units(item.spec).values() for ref in images.referenced(objs)}
    assert {i["name"] for i in plan.config["mirror"].get("additionalImages", [])} == named


def test_manual_approval_holds_the_range_at_the_pinned_bundle(repo):
    (edge,) = load_specs(repo, ["edge-baremetal"])
    (sub,) = [s for s in subscriptions(edge.spec) if s["spec"]["name"] == "rhods-operator"]
    assert sub["spec"]["installPlanApproval"] == "Manual"
    # no startingCSV: the channel's head (of the spec's release) is what OLM installs and holds
    cat = catalogs.catalog("rhoai", "4.16")
    version = cat.bundle(sub["spec"].get("startingCSV") or cat.head("eus-2.16").name).version
    assert version.startswith("2.16.")
    entry = packages_of(mirror.plan([edge]).config)[
        ("registry.redhat.io/redhat/redhat-operator-index:v4.16", "rhods-operator")
    ]
    assert entry["channels"] == [{"name": "eus-2.16", "minVersion": version, "maxVersion": version}]
    assert entry["defaultChannel"] == "eus-2.16"


def test_automatic_approval_reaches_the_channel_head(repo):
    write_spec(
        repo,
        "auto",
        "metadata:\n  name: auto\ncluster:\n  apiServer: https://api.auto:6443\n  openshiftVersion: '4.18'\n"
        "distribution:\n  version: 2.22.1\n  channel: stable-2.22\n  installPlanApproval: Automatic\n",
    )
    (auto,) = load_specs(repo, ["auto"])
    cat = catalogs.catalog("rhoai", "4.18")
    entry = packages_of(mirror.plan([auto]).config)[
        ("registry.redhat.io/redhat/redhat-operator-index:v4.18", "rhods-operator")
    ]
    assert entry["channels"] == [
        {"name": "stable-2.22", "minVersion": "2.22.1", "maxVersion": cat.head("stable-2.22").version}
    ]
    assert catalogs.semver_key(cat.head("stable-2.22").version) > catalogs.semver_key("2.22.1")


def test_a_planned_upgrade_widens_the_range_to_the_whole_olm_path(repo):
    (edge,) = load_specs(repo, ["edge-baremetal"])
    index = "registry.redhat.io/redhat/redhat-operator-index:v4.16"
    before = packages_of(mirror.plan([edge]).config)[(index, "rhods-operator")]
    after = packages_of(mirror.plan([edge], "2.25").config)[(index, "rhods-operator")]
    text = mirror.document(mirror.plan([edge], "2.25"), "2.25")
    ocmirror.load(text)
    assert "planned upgrade to 2.25" in text
    sub = next(s for s in subscriptions(edge.spec) if s["spec"]["name"] == "rhods-operator")["spec"]
    cat = catalogs.catalog("rhoai", "4.16")
    start = sub.get("startingCSV") or cat.head(sub["channel"]).name
    path = upgrade_path(cat, start, "2.25", start_channel=sub["channel"])
    channels = {c["name"]: c for c in after["channels"]}
    assert set(path.channels) <= set(channels)
    for hop in path.hops:
        for bundle in (hop.from_bundle, hop.to_bundle):
            assert in_range(cat.bundle(bundle).version, channels[hop.channel]), (hop, channels[hop.channel])
    assert cat.bundle(path.target).release == "2.25"
    assert len(after["channels"]) > len(before["channels"])
    # the current channel keeps the installed bundle; the Subscription stays on it until moved
    assert channels[sub["channel"]] == before["channels"][0]
    assert after["defaultChannel"] == sub["channel"]


def test_an_impossible_upgrade_is_a_usage_error(repo, capsys):
    assert main(["--repo", str(repo), "mirror", "edge-baremetal", "--to", "3.0"]) == 2
    err = capsys.readouterr().err
    assert "edge-baremetal: --to 3.0:" in err and "ships no 3.0 bundle" in err


def test_clusters_merge_per_catalog_and_openshift_version(repo):
    for name, version in (("a", "2.22.1"), ("b", "2.22.2")):
        write_spec(
            repo,
            name,
            f"metadata:\n  name: {name}\ncluster:\n  apiServer: https://api.{name}:6443\n  openshiftVersion: '4.18'\n"
            f"  disconnected: {{mirrorRegistry: mirror.example.com}}\ndistribution:\n  version: {version}\n"
            "  channel: stable-2.22\n  installPlanApproval: Manual\n"
            "argocd:\n  repoURL: https://gitlab.site.example.internal/platform/gitops.git\n",
        )
    loaded = load_specs(repo, ["a", "b"])
    plan = mirror.plan(loaded)
    ops = plan.config["mirror"]["operators"]
    assert len([o for o in ops if o["catalog"].endswith("redhat-operator-index:v4.18")]) == 1
    entry = packages_of(plan.config)[("registry.redhat.io/redhat/redhat-operator-index:v4.18", "rhods-operator")]
    assert entry["channels"] == [{"name": "stable-2.22", "minVersion": "2.22.1", "maxVersion": "2.22.2"}]
    assert plan.registries == ["mirror.example.com"]


def test_cli_writes_the_disconnected_clusters_configuration(repo, tmp_path, capsys):
    out = tmp_path / "isc.yaml"
    assert main(["--repo", str(repo), "mirror", "--file", str(out)]) == 0
    assert "1 cluster(s): edge-baremetal" in capsys.readouterr().out
    text = out.read_text()
    isc = ocmirror.load(text)
    assert "docker://mirror.factory3.example.internal:8443/ocp" in text
    assert {p.name for op in isc.mirror.operators for p in op.packages} == {
        "rhods-operator",
        "nfd",
        "gpu-operator-certified",
        "openshift-gitops-operator",
    }
    # the approver CronJob's oc image (pinned by digest) and the NFD operand
    assert [i.name for i in isc.mirror.additional_images] == [
        "registry.redhat.io/openshift4/ose-cli-rhel9@sha256:5f836e1e76285bbb4fcd04aa986e6f88a816a1b6db7c9c8e04a6a6ce9e073a44",
        "registry.redhat.io/openshift4/ose-node-feature-discovery-rhel9:v4.16",
    ]
    # deterministic
    assert main(["--repo", str(repo), "mirror"]) == 0
    assert capsys.readouterr().out == text


def test_cli_without_disconnected_clusters_asks_for_names(repo, capsys):
    (repo / "clusters" / "edge-baremetal.yaml").unlink()
    assert main(["--repo", str(repo), "mirror"]) == 2
    assert "no cluster spec sets cluster.disconnected" in capsys.readouterr().err
    assert main(["--repo", str(repo), "mirror", "odh-sandbox"]) == 0
    assert "opendatahub-operator" in capsys.readouterr().out


def test_upgrade_plan_of_a_disconnected_cluster_mirrors_first(repo, capsys):
    import json

    capsys.readouterr()
    main(["--repo", str(repo), "upgrade", "edge-baremetal", "--to", "2.25", "--output", "json"])
    steps = json.loads(capsys.readouterr().out)["manualSteps"]
    assert steps[0]["phase"] == "before" and "`rhoai-gitops mirror edge-baremetal --to 2.25`" in steps[0]["what"]
    assert "mirror.factory3.example.internal:8443/ocp" in steps[0]["what"]
    main(["--repo", str(repo), "upgrade", "ai3-aws", "--to", "3.4", "--output", "json"])
    assert json.loads(capsys.readouterr().out)["manualSteps"] == []


def test_every_release_on_every_catalog_mirrors_the_bundle_it_installs():
    """Across the data: each supported release, on each OpenShift version whose catalog ships
    it, by release and by its newest patch, Manual and Automatic: the configuration loads and
    the range of the Subscription's channel contains the bundle OLM installs."""
    from generator.core.errors import SpecErrors
    from generator.facts import releases
    from generator.spec.loader import LoadedSpec

    from conftest import load_spec_text

    checked = 0
    for dist in ("rhoai", "odh"):
        for release in releases.supported(dist):
            for ocp in catalogs.openshift_versions(dist, release):
                ocp = "4.16" if ocp == "*" else ocp
                cat = catalogs.catalog(dist, ocp)
                newest = max(
                    (b for c in cat.channels_with(release) for b in cat.bundles(c, release)), key=lambda b: b.key
                )
                for version, approval in ((release, "Automatic"), (newest.version, "Manual")):
                    text = (
                        f"metadata:\n  name: x\ncluster:\n  apiServer: https://api.x:6443\n  openshiftVersion: '{ocp}'\n"
                        f"distribution:\n  name: {dist}\n  version: '{version}'\n  installPlanApproval: {approval}\n"
                        "components:\n  kserve:\n    deploymentMode: RawDeployment\n    serving: {managementState: Removed}\n"
                        "serviceMesh: {managementState: Removed}\n"
                    )
                    try:
                        loaded: LoadedSpec = load_spec_text(text, "clusters/x.yaml")
                    except SpecErrors:
                        continue  # a combination the spec rules refuse (e.g. a patch on no channel)
                    p = mirror.plan([loaded])
                    ocmirror.load(mirror.document(p))
                    sub = next(
                        s["spec"] for s in subscriptions(loaded.spec) if s["spec"]["name"] == catalogs.package(dist)
                    )
                    installs = cat.bundle(sub.get("startingCSV") or cat.head(sub["channel"]).name)
                    index = matrix.catalog_index(matrix.package(sub["name"]).catalog, ocp)
                    entry = packages_of(p.config)[(index, sub["name"])]
                    (channel,) = [c for c in entry["channels"] if c["name"] == sub["channel"]]
                    assert in_range(installs.version, channel), (dist, release, ocp, version, channel)
                    checked += 1
    assert checked > 60, checked


def test_every_reachable_upgrade_is_mirrored_hop_by_hop():
    """From each supported RHOAI 2.x release (as a spec installs it on OpenShift 4.17) to 2.25:
    wherever OLM has a path, each hop's bundles are inside the range of the hop's channel."""
    from generator.facts import releases
    from generator.upgrade.olmpath import NoUpgradePath

    from conftest import load_spec_text

    cat, covered = catalogs.catalog("rhoai", "4.17"), 0
    for release in releases.supported("rhoai"):
        if not release.startswith("2.") or release == "2.25" or not cat.channels_with(release):
            continue
        loaded = load_spec_text(
            "metadata:\n  name: x\ncluster:\n  apiServer: https://api.x:6443\n  openshiftVersion: '4.17'\n"
            f"distribution:\n  version: '{release}'\n",
            "clusters/x.yaml",
        )
        sub = next(s["spec"] for s in subscriptions(loaded.spec) if s["spec"]["name"] == "rhods-operator")
        start = sub.get("startingCSV") or cat.head(sub["channel"]).name
        try:
            path = upgrade_path(cat, start, "2.25", start_channel=sub["channel"])
        except NoUpgradePath:
            continue
        p = mirror.plan([loaded], "2.25")
        ocmirror.load(mirror.document(p, "2.25"))
        channels = {
            c["name"]: c
            for c in packages_of(p.config)[("registry.redhat.io/redhat/redhat-operator-index:v4.17", "rhods-operator")][
                "channels"
            ]
        }
        for hop in path.hops:
            for bundle in (hop.from_bundle, hop.to_bundle):
                assert in_range(cat.bundle(bundle).version, channels[hop.channel]), (release, hop)
        covered += 1
    assert covered >= 8, covered


def test_a_planned_upgrade_mirrors_every_package_and_image_of_the_target_render(repo, capsys):
    """edge-baremetal at 2.25 on OpenShift 4.19, planned to 3.4: the 3.x render installs the
    Red Hat build of Kueue, which the 2.x one does not; a mirror made for the plan holds it."""
    from generator.upgrade.plan import end_state_spec

    spec = repo / "clusters" / "edge-baremetal.yaml"
    spec.write_text(
        spec.read_text()
        .replace('openshiftVersion: "4.16"', 'openshiftVersion: "4.19"')
        .replace('version: "2.16"', 'version: "2.25"')
        .replace("channel: eus-2.16", "channel: stable-2.25")
    )
    (edge,) = load_specs(repo, ["edge-baremetal"])
    target = end_state_spec(repo, edge, "3.4")
    assert target.version == "3.4"
    capsys.readouterr()
    assert main(["--repo", str(repo), "mirror", "edge-baremetal", "--to", "3.4"]) == 0
    text = capsys.readouterr().out
    ocmirror.load(text)
    found = packages_of(yamlio.loads(text))
    before = {name for _, name in packages_of(mirror.plan([edge]).config)}
    target_objs = [o for objs in build_units(target).values() for o in objs]
    for sub in (o["spec"] for o in target_objs if o["kind"] == "Subscription"):
        index = matrix.catalog_index(matrix.package(sub["name"]).catalog, target.cluster.openshift_version)
        channels = {c["name"]: c for c in found[(index, sub["name"])]["channels"]}
        assert sub["channel"] in channels, (sub["name"], channels)
    assert "kueue-operator" in {name for _, name in found} - before
    named = {i["name"] for i in yamlio.loads(text)["mirror"]["additionalImages"]}
    assert set(images.referenced(target_objs)) <= named
