"""Version fidelity: every supported release gets objects that release's own CRDs accept.

For each distribution and release, a spec with every component the release has Managed and
every option the release has on is loaded (lint), built, and its platform objects
(DataScienceCluster, DSCInitialization, OdhDashboardConfig, Auth, HardwareProfile) validated
strictly, CEL rules included, against the release's own CRDs: the upstream files in ../shared
when present (CI), else the schemas the project ships (whose currency against upstream
test_upstream.py checks).
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import pytest

from generator.build import build_units
from generator.components.platform import fit_platform
from generator.core import yamlio
from generator.core.resources import group_of
from generator.facts import catalogs, releases
from generator.validate.schemas import crd_documents, crd_schemas
from generator.validate.validator import SchemaValidator

from conftest import COMPILED_VALIDATORS, PROJECT, SHARED, assert_valid, load_spec_text, render_to_disk

SUPPORTED = [(d, v) for d in ("rhoai", "odh") for v in releases.supported(d)]
PLATFORM_GROUPS = {
    "datasciencecluster.opendatahub.io",
    "dscinitialization.opendatahub.io",
    "opendatahub.io",
    "services.platform.opendatahub.io",
    "infrastructure.opendatahub.io",
}
DSC, DSCI = "DataScienceCluster", "DSCInitialization"


def full_spec(dist: str, version: str) -> dict:
    """Every component the release has Managed, every option the release has on (written
    only where its CRDs have the field, so the spec lints)."""
    rel = releases.release(dist, version)

    def dsc(path: str) -> bool:
        return rel.has(DSC, f"spec.components.{path}")

    def dsci(path: str) -> bool:
        return rel.has(DSCI, f"spec.{path}")

    from generator.spec.model import Components

    components = {
        name: {"managementState": "Managed"} for name in Components.model_fields if releases.component_key(rel, name)
    }
    if rel.rejects(DSC, "spec.components.kueue.managementState") or not rel.takes(
        DSC, "spec.components.kueue.managementState", "Managed"
    ):
        components["kueue"]["managementState"] = "Unmanaged"
    components["workbenches"].update({"pvcSize": "30Gi", "storageClass": "gp3-csi"})
    if dsc("workbenches.workbenchNamespace"):
        # the one value every release's CEL rules accept (RHOAI 2.21-2.22 insist on it)
        components["workbenches"]["namespace"] = rel.default(DSC, "spec.components.workbenches.workbenchNamespace")
    if dsc("modelregistry.registriesNamespace"):
        components["modelregistry"]["registriesNamespace"] = "team-model-registries"
    kserve = components["kserve"]
    if dsc("kserve.defaultDeploymentMode"):
        kserve.update(
            {
                "deploymentMode": "Serverless",
                "serving": {
                    "managementState": "Managed",
                    "certificate": {"type": "Provided", "secretName": "knative-serving-cert"},
                },
            }
        )
    if dsc("kserve.nim"):
        kserve["nim"] = {"managementState": "Managed"}
    if dsc("kserve.rawDeploymentServiceConfig"):
        kserve["rawDeploymentServiceConfig"] = "Headed"
    if dsc("datasciencepipelines.argoWorkflowsControllers"):
        components["datasciencepipelines"]["argoWorkflowsControllers"] = {"managementState": "Removed"}
    if dsc("trustyai.eval"):
        components["trustyai"]["eval"] = {"lmeval": {"permitCodeExecution": "allow", "permitOnline": "allow"}}
    if "feastoperator" in components:
        components["feastoperator"]["featureStores"] = [{"name": "features", "namespace": "team-a", "project": "fraud"}]
    monitoring: dict = {"enabled": True, "namespace": "platform-monitoring"}
    if dsci("monitoring.metrics"):
        metrics: dict = {"storage": {"size": "10Gi", "retention": "30d"}, "replicas": 2}
        if dsci("monitoring.metrics.resources"):
            metrics["resources"] = {
                "cpuLimit": "1",
                "cpuRequest": "200m",
                "memoryLimit": "1Gi",
                "memoryRequest": "512Mi",
            }
        monitoring["metrics"] = metrics
    if dsci("monitoring.traces"):
        monitoring["traces"] = {"sampleRatio": "0.2", "storage": {"backend": "s3", "secret": "traces-s3"}}
        if dsci("monitoring.traces.storage.retention"):
            monitoring["traces"]["storage"]["retention"] = "720h"
        if dsci("monitoring.traces.tls"):
            monitoring["traces"]["tls"] = {
                "enabled": True,
                "certificateSecret": "traces-tls",
                "caConfigMap": "traces-ca",
            }
    if dsci("monitoring.alerting"):
        monitoring["alerting"] = True
    if dsci("monitoring.collectorReplicas"):
        monitoring["collectorReplicas"] = 2
    mesh: dict = {
        "managementState": "Managed",
        "controlPlane": {"name": "data-science-smcp", "namespace": "istio-system"},
    }
    if dsci("serviceMesh.auth"):
        mesh["auth"] = {"namespace": "authorino", "audiences": ["https://kubernetes.default.svc"]}
    if not dsci("serviceMesh"):
        mesh = {"managementState": "Removed"}
    openshift = next(v for v in catalogs.openshift_versions(dist, version) if v != "*") if dist == "rhoai" else "4.19"
    return {
        "metadata": {"name": "release"},
        "cluster": {
            "apiServer": "https://api.release.example.com:6443",
            "provider": "baremetal",
            "openshiftVersion": openshift,
        },
        "distribution": {"name": dist, "version": version},
        "components": components,
        "serviceMesh": mesh,
        "trustedCABundle": {"managementState": "Managed", "customCABundle": ""},
        "auth": {"adminGroups": ["ml-admins"], "allowedGroups": ["ml-users"]},
        "gpuNodePools": [
            {"name": "l4", "accelerator": {"product": "NVIDIA-L4", "count": 4}, "replicas": {"min": 1, "max": 2}}
        ],
        "quotas": {
            "teams": [
                {
                    "name": "a",
                    "namespaces": ["team-a"],
                    "quotas": [
                        {
                            "flavor": "l4",
                            "resources": {
                                "cpu": {"nominal": 16},
                                "memory": {"nominal": "64Gi"},
                                "nvidia.com/gpu": {"nominal": 4},
                            },
                        }
                    ],
                }
            ]
        },
        "monitoring": monitoring,
    }


def load(data: dict):
    return load_spec_text(yamlio.dumps(data), "clusters/release.yaml")


def platform_objects(spec) -> list[dict]:
    return [o for objs in build_units(spec).values() for o in objs if group_of(o) in PLATFORM_GROUPS]


def _converted(dist: str, version: str, root: Path) -> Path:
    import json

    folder = root / f"{dist}-{version}"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        for crd in crd_documents([SHARED / "upstream" / "platform-crds" / dist / version]):
            for name, schema in crd_schemas(crd).items():
                (folder / name).write_text(json.dumps(schema), encoding="utf-8")
    return folder


@cache
def release_validators(dist: str, version: str, root: Path | None = None) -> list[SchemaValidator]:
    """The release's own CRDs, converted fresh from upstream where ../shared has them. A kind the
    release's upstream data lacks (borrowed, releases.json) is judged by the CRDs of both
    releases it was checked between."""
    rel = releases.release(dist, version)
    if root is None:
        return [SchemaValidator([rel.schema_files()], cache=COMPILED_VALIDATORS)]
    own = [_converted(dist, version, root)]
    for kind in ("OdhDashboardConfig", "Auth", "HardwareProfile"):
        borrowed = rel.borrowed(kind)
        if borrowed:
            own.append(_converted(dist, borrowed["from"], root))
            checked = _converted(dist, borrowed["checkedAgainst"], root)
    validators = [SchemaValidator(own, cache=COMPILED_VALIDATORS)]
    if any(rel.borrowed(k) for k in ("OdhDashboardConfig", "Auth", "HardwareProfile")):
        validators.append(SchemaValidator([checked], cache=COMPILED_VALIDATORS))
    return validators


@pytest.fixture(scope="module")
def upstream_root(tmp_path_factory) -> Path | None:
    return tmp_path_factory.mktemp("release-crds") if (SHARED / "upstream").is_dir() else None


@pytest.mark.parametrize("dist,version", SUPPORTED, ids=[f"{d}-{v}" for d, v in SUPPORTED])
def test_every_release_gets_objects_its_own_crds_accept(dist, version, upstream_root):
    loaded = load(full_spec(dist, version))
    spec, rel = loaded.spec, loaded.spec.release
    objs = platform_objects(spec)
    expected = {DSC, DSCI, "OdhDashboardConfig"} | {k for k in ("Auth", "HardwareProfile") if rel.serves(k)}
    assert {o["kind"] for o in objs} == expected
    for o in objs:
        assert o["apiVersion"] == rel.api_version(o["kind"])
    first, *also = release_validators(dist, version, upstream_root)
    assert_valid(first, objs)
    for validator in also:  # borrowed kinds: the later release's CRD takes them too
        assert_valid(validator, [o for o in objs if rel.borrowed(o["kind"])])
    # every option the spec turned on reached an object (or asks for what the release does anyway)
    from generator.components.platform import _no_op
    from generator.core.errors import format_path

    _, fitted = fit_platform(spec)
    lost = [
        gap
        for gap in fitted.left
        if gap.origin in loaded.positions.keys and not _no_op(format_path(gap.origin), gap.value)
    ]
    assert lost == []


def test_moving_one_fact_fails_the_release_check(monkeypatch, upstream_root):
    """Give RHOAI 2.16 the DataScienceCluster schema of 2.20 (workbenchNamespace "moved" to
    2.16): the generator writes the field, and 2.16's own CRD refuses it."""
    data = releases._data()
    moved = dict(data["releases"]["rhoai"]["2.16"], schemas=dict(data["releases"]["rhoai"]["2.16"]["schemas"]))
    name = "datasciencecluster-datasciencecluster.opendatahub.io-v1.json"
    moved["schemas"][name] = data["releases"]["rhoai"]["2.20"]["schemas"][name]
    patched = {**data, "releases": {**data["releases"], "rhoai": {**data["releases"]["rhoai"], "2.16": moved}}}
    monkeypatch.setattr(releases, "_data", lambda: patched)
    releases.release.cache_clear()
    try:
        spec = load(full_spec("rhoai", "2.16")).spec
        dsc = next(o for o in platform_objects(spec) if o["kind"] == DSC)
        assert "workbenchNamespace" in dsc["spec"]["components"]["workbenches"]
        validator = (
            release_validators("rhoai", "2.16", upstream_root)[0]
            if upstream_root
            else SchemaValidator(
                [{name: releases.data_dir() / "schemas" / data["releases"]["rhoai"]["2.16"]["schemas"][name]}]
            )
        )
        problems = validator.problems(dsc)
        assert any("workbenchNamespace" in p.message for p in problems), problems
    finally:
        releases.release.cache_clear()


# --------------------------------------------------------------------------- channels and bundles

HEAD = "metadata:\n  name: t\ncluster:\n  apiServer: https://api.t.example.com:6443\n"


def spec_errors(text: str) -> list[str]:
    from generator.core.errors import SpecErrors

    try:
        load_spec_text(HEAD + text, "clusters/t.yaml")
    except SpecErrors as exc:
        return [str(e) for e in exc.errors]
    return []


def spec_errors_on(openshift: str, text: str) -> list[str]:
    from generator.core.errors import SpecErrors

    head = HEAD.replace("apiServer", f"openshiftVersion: '{openshift}'\n  apiServer")
    try:
        load_spec_text(head + text, "clusters/t.yaml")
    except SpecErrors as exc:
        return [str(e) for e in exc.errors]
    return []


def distribution(**fields) -> str:
    return "distribution:\n" + "".join(
        f"  {k}: {v!r}\n" if isinstance(v, str) else f"  {k}: {v}\n" for k, v in fields.items()
    )


@pytest.mark.parametrize(
    "fields,where,needle",
    [
        (
            {"version": "2.20", "channel": "stable"},
            "distribution.channel",
            "channel 'stable' does not ship rhoai 2.20 (distribution.version, clusters/t.yaml:6) (it ships 2.13, 2.16, 2.19, 2.22, 2.25); channels that ship 2.20: alpha, fast",
        ),
        ({"version": "2.22", "channel": "beta"}, "distribution.channel", "channel 'beta' does not ship rhoai 2.22"),
        (
            {"name": "odh", "version": "2.30", "channel": "rolling"},
            "distribution.channel",
            "channel 'rolling' does not ship odh 2.30 (distribution.version, clusters/t.yaml:7) (it ships no supported release); channels that ship 2.30: fast",
        ),
        (
            {"version": "2.22", "channel": "stable-2.22", "startingCSV": "rhods-operator.2.19.2"},
            "distribution.startingCSV",
            "'rhods-operator.2.19.2' is a 2.19 bundle, not one of rhoai 2.22 (distribution.version, clusters/t.yaml:6)",
        ),
        (
            {
                "version": "2.22",
                "channel": "stable",
                "startingCSV": "rhods-operator.2.22.3",
                "installPlanApproval": "Manual",
            },
            "distribution.startingCSV",
            "'rhods-operator.2.22.3' is no bundle of rhoai 2.22 (distribution.version, clusters/t.yaml:6) in channel 'stable'; the channel's 2.22 bundles: rhods-operator.2.22.0, rhods-operator.2.22.1, rhods-operator.2.22.2",
        ),
        (
            {"version": "2.22.9"},
            "distribution.version",
            "rhoai 2.22.9 is no bundle of channel 'stable-2.22' in the rhods-operator catalog for OpenShift 4.17; its 2.22 bundles: 2.22.0, 2.22.1, 2.22.2, 2.22.3",
        ),
        (
            {"version": "2.20", "installPlanApproval": "Automatic"},
            "distribution.installPlanApproval",
            "with Automatic approval OLM upgrades the operator along channel 'fast' to its head rhods-operator.2.25.10, past the release the bundle is rendered for",
        ),
        ({"version": "2.12"}, "distribution.version", "rhoai 2.12 is not supported; supported: 2.13, 2.14"),
        (
            {"version": "3.5"},
            "distribution.version",
            "rhoai 3.5 is not supported; its OLM catalog has no generally available bundle of it (only pre-releases); supported: 2.13",
        ),
        (
            {"version": "3.4"},
            "cluster.openshiftVersion",
            "rhoai 3.4 (distribution.version, clusters/t.yaml:6) is in no channel of the rhods-operator catalog for OpenShift 4.17 (the data's nearest to 4.16); it needs OpenShift 4.19 or later",
        ),
    ],
)
def test_lint_refuses_what_olm_cannot_install(fields, where, needle):
    errs = spec_errors(distribution(**fields))
    assert len(errs) == 1, errs
    assert f": {where}: " in errs[0] and needle in errs[0], errs[0]


@pytest.mark.parametrize(
    "fields,channel,starting,approval",
    [
        ({"version": "2.22", "channel": "stable-2.22"}, "stable-2.22", None, "Automatic"),
        ({"version": "2.22"}, "stable-2.22", None, "Automatic"),
        ({"version": "2.22.2"}, "stable-2.22", "rhods-operator.2.22.2", "Automatic"),
        ({"version": "2.20", "channel": "alpha"}, "alpha", "rhods-operator.2.20.0", "Manual"),
        ({"version": "2.20"}, "fast", "rhods-operator.2.20.0", "Manual"),
        ({"version": "2.25", "channel": "eus-2.25"}, "eus-2.25", None, "Automatic"),
        (
            {"version": "2.22", "channel": "stable", "installPlanApproval": "Manual"},
            "stable",
            "rhods-operator.2.22.2",
            "Manual",
        ),
        ({"name": "odh", "version": "2.30", "channel": "fast"}, "fast", "opendatahub-operator.v2.30.0", "Manual"),
        ({"name": "odh", "version": "2.35"}, "fast", None, "Automatic"),
    ],
)
def test_lint_accepts_real_channels_and_pins_the_release(fields, channel, starting, approval):
    loaded = load_spec_text(HEAD + distribution(**fields), "clusters/t.yaml")
    sub = next(o for o in build_units(loaded.spec)["operator"] if o["kind"] == "Subscription")["spec"]
    assert (sub["channel"], sub.get("startingCSV"), sub["installPlanApproval"]) == (channel, starting, approval)


@pytest.mark.parametrize("dist", ["rhoai", "odh"])
def test_a_spec_without_channel_always_gets_one_that_lands_on_its_release(dist):
    """For every release and every OpenShift version with a catalog: the default channel ships
    the release, and either stops at it or is pinned (startingCSV of the release, Manual)."""
    from generator.facts import catalogs

    for openshift in ("4.16", "4.17", "4.18", "4.19", "4.20", "4.21", "4.22"):
        for version in releases.supported(dist):
            if not catalogs.catalog(dist, openshift).channels_with(version):
                continue  # (3.x needs OpenShift 4.19: test_lint_refuses_what_olm_cannot_install)
            spec = load_spec_text(
                HEAD.replace("apiServer", f"openshiftVersion: '{openshift}'\n  apiServer")
                + distribution(name=dist, version=version),
                "clusters/t.yaml",
            ).spec
            plan = catalogs.install(spec)
            assert plan.catalog.bundles(plan.channel, version), (openshift, version, plan.channel)
            if plan.head.release != version:
                assert plan.approval == "Manual" and plan.catalog.bundle(plan.starting_csv).release == version
            else:
                assert plan.approval == "Automatic" and plan.starting_csv is None


# --------------------------------------------------------------------------- groups


def test_groups_go_to_auth_where_the_release_has_it():
    text = distribution(version="2.22") + "auth:\n  adminGroups: [ml-admins, sre]\n  allowedGroups: [ml-users]\n"
    units = build_units(load_spec_text(HEAD + text, "clusters/t.yaml").spec)
    auth = [o for o in units["dsci"] if o["kind"] == "Auth"]
    assert [(a["metadata"]["name"], a["spec"]) for a in auth] == [
        ("auth", {"adminGroups": ["ml-admins", "sre"], "allowedGroups": ["ml-users"]})
    ]
    cfg = next(o for o in units["dashboard"] if o["kind"] == "OdhDashboardConfig")
    assert "groupsConfig" not in cfg["spec"]
    old = build_units(load_spec_text(HEAD + text.replace("2.22", "2.16"), "clusters/t.yaml").spec)
    assert [o for o in old["dsci"] if o["kind"] == "Auth"] == []
    cfg = next(o for o in old["dashboard"] if o["kind"] == "OdhDashboardConfig")
    assert cfg["spec"]["groupsConfig"] == {"adminGroups": "ml-admins,sre", "allowedGroups": "ml-users"}


def test_no_group_makes_everyone_an_admin():
    errs = spec_errors(distribution(version="2.16") + "auth:\n  adminGroups: [admins, 'system:authenticated']\n")
    assert errs == [
        "clusters/t.yaml:8:25: auth.adminGroups[1]: 'system:authenticated' would make every user a platform administrator; name an admin group"
    ]


# --------------------------------------------------------------------------- settings per release


def test_settings_the_release_lacks_are_errors_at_both_lines():
    text = distribution(version="2.22") + (
        "components:\n  kueue:\n    managementState: Unmanaged\n  kserve:\n    rawDeploymentServiceConfig: Headed\n"
        "monitoring:\n  metrics:\n    replicas: 1\n    storage: {size: 5Gi}\n"
    )
    assert spec_errors(text) == [
        "clusters/t.yaml:9:22: components.kueue.managementState: DataScienceCluster spec.components.kueue.managementState "
        "accepts only Managed, Removed in rhoai 2.22 (distribution.version, clusters/t.yaml:6); rhoai 2.23 and later take it",
        "clusters/t.yaml:14:15: monitoring.metrics.replicas: DSCInitialization spec.monitoring.metrics.replicas does not "
        "exist in rhoai 2.22 (distribution.version, clusters/t.yaml:6); rhoai 2.23 and later take it",
        "clusters/t.yaml:15:21: monitoring.metrics.storage.size: DSCInitialization spec.monitoring.metrics.storage.size "
        "does not exist in rhoai 2.22 (distribution.version, clusters/t.yaml:6); rhoai 2.23 and later take it",
    ]
    assert spec_errors(text.replace("2.22", "2.23")) == []


def test_release_cel_rules_refuse_at_the_spec_line():
    """RHOAI 2.21 and 2.22 take only rhods-notebooks as workbench namespace (a CEL rule of their
    DataScienceCluster CRD); 2.20 and 2.23 take any."""
    text = distribution(version="2.21") + "components:\n  workbenches:\n    namespace: my-notebooks\n"
    assert spec_errors(text) == [
        "clusters/t.yaml:9:16: components.workbenches.namespace: DataScienceCluster "
        "spec.components.workbenches.workbenchNamespace: WorkbenchNamespace must be empty or 'rhods-notebooks': refused "
        "by rhoai 2.21 (distribution.version, clusters/t.yaml:6), CEL rule `self == '' || self == 'rhods-notebooks'`"
    ]
    assert spec_errors(text.replace("2.21", "2.23")) == []
    traces = distribution(version="2.24") + "monitoring:\n  traces:\n    storage: {backend: s3}\n"
    [err] = spec_errors(traces)
    assert err.startswith(
        "clusters/t.yaml:9:24: monitoring.traces.storage.backend: DSCInitialization spec.monitoring.traces.storage: "
        "When backend is s3 or gcs, the 'secret' field must be specified and non-empty: refused by rhoai 2.24"
    )


# --------------------------------------------------------------------------- 2.x -> 3.x


def test_moving_the_production_example_to_3_4_names_each_setting_3x_lacks():
    from generator.core.errors import SpecErrors

    from conftest import PROJECT

    text = (PROJECT / "clusters" / "prod-aws.yaml").read_text().replace('version: "2.22"', 'version: "3.4"')
    text = text.replace('openshiftVersion: "4.18"', 'openshiftVersion: "4.20"')
    with pytest.raises(SpecErrors) as caught:
        load_spec_text(text, "clusters/prod-aws.yaml")
    got = [str(e) for e in caught.value.errors]
    assert [e.split(": ")[0] + ": " + e.split(": ")[1] for e in got] == [
        "clusters/prod-aws.yaml:27:12: distribution.channel",
        "clusters/prod-aws.yaml:29:16: distribution.startingCSV",
        "clusters/prod-aws.yaml:32:21: components.kserve.deploymentMode",
        "clusters/prod-aws.yaml:35:15: components.kserve.serving.certificate.type",
        # the team environments' 2.x image and runtime, and a template 3.x no longer ships
        "clusters/prod-aws.yaml:216:21: workloads.workbenchImages[0].releaseLines",
        "clusters/prod-aws.yaml:227:21: workloads.servingRuntimes[0].releaseLines",
        "clusters/prod-aws.yaml:236:16: workloads.runtimeTemplates.disabled[0]",
    ]
    assert "channels that ship 3.4: stable-3.4, stable-3.x" in got[0]
    assert "'rhods-operator.2.22.1' is a 2.22 bundle, not one of rhoai 3.4" in got[1]
    assert (
        "does not exist in rhoai 3.4 (distribution.version, clusters/prod-aws.yaml:26): 3.x KServe serves RawDeployment only"
        in got[2]
    )
    assert "remove components.kserve.serving" in got[3]
    # Fixed as the messages say, it renders: DataScienceCluster v2, Kueue through its operator,
    # no Serverless or Service Mesh, no AcceleratorProfiles.
    fixed = (
        text.replace("  channel: stable\n", "")
        .replace("  startingCSV: rhods-operator.2.22.1\n", "")
        .replace(
            "  kserve:\n    deploymentMode: Serverless\n    serving:\n      certificate:\n        type: OpenshiftDefaultIngress\n",
            "",
        )
        .replace('releaseLines: ["2.x"]', 'releaseLines: ["2.x", "3.x"]')
        .replace("    disabled: [caikit-tgis-serving-template]\n", "")
    )
    spec = load_spec_text(fixed, "clusters/prod-aws.yaml").spec
    units = build_units(spec)
    kinds = {o["kind"]: o for objs in units.values() for o in objs}
    assert kinds["DataScienceCluster"]["apiVersion"] == "datasciencecluster.opendatahub.io/v2"
    comps = kinds["DataScienceCluster"]["spec"]["components"]
    assert (
        comps["kueue"] == {"managementState": "Unmanaged"}
        and "aipipelines" in comps
        and "modelmeshserving" not in comps
    )
    # (Deployment: the risk team's model, RawDeployment on 3.x, goes through its queue)
    assert kinds["Kueue"]["spec"]["config"]["integrations"]["frameworks"] == [
        "BatchJob",
        "RayJob",
        "RayCluster",
        "PyTorchJob",
        "Deployment",
    ]
    assert units["serving"] == [] and "AcceleratorProfile" not in kinds
    assert kinds["HardwareProfile"]["apiVersion"] == "infrastructure.opendatahub.io/v1"
    sub = next(o for o in units["operator"] if o["kind"] == "Subscription")["spec"]
    assert (sub["channel"], sub["installPlanApproval"]) == ("stable-3.4", "Manual")


def test_every_release_builds_with_kustomize_to_exactly_its_objects(tmp_path):
    """Each release's full spec rendered into one repo (the shared base of its line plus its
    overlay): the platform's units build with kustomize to exactly the objects the builders
    made, so the base/overlay split holds for every release's API versions and fields."""
    from generator.core.resources import ident
    from generator.kustomize import build_many

    (tmp_path / "clusters").mkdir()
    shutil.copy(PROJECT / "clusters" / "_defaults.yaml", tmp_path / "clusters")
    names = {}
    for dist, version in SUPPORTED:
        name = f"r-{dist}-{version.replace('.', '-')}"
        data = full_spec(dist, version)
        data["metadata"]["name"] = name
        (tmp_path / "clusters" / f"{name}.yaml").write_text(yamlio.dumps(data))
        names[name] = (dist, version)
    specs = render_to_disk(tmp_path)
    units = ("operator", "dsc", "dsci", "dashboard", "kueue-operator")
    wanted, expected = [], []
    for loaded in specs:
        built = build_units(loaded.spec)
        for unit in units:
            if built[unit]:
                wanted.append(tmp_path / "overlays" / loaded.name / unit)
                expected.append({ident(o): o for o in built[unit]})
    assert {p.parent.name for p in wanted} == set(names)
    for path, result, objs in zip(wanted, build_many(wanted), expected):
        assert result.ok, f"kustomize build {path}:\n{result.output}"
        assert {ident(o): o for o in result.objects()} == objs, f"{path} builds to other objects"


def test_a_bundle_s_max_openshift_version_is_checked(monkeypatch):
    """No bundle of the current catalogs declares olm.maxOpenShiftVersion; one that does
    refuses a newer cluster."""
    data = json.loads(json.dumps(catalogs._data()))
    data["rhoai"]["catalogs"]["4.20"]["maxOpenShiftVersion"] = {"rhods-operator.2.22.2": "4.19"}
    monkeypatch.setattr(catalogs, "_data", lambda: data)
    catalogs.catalog.cache_clear()
    from generator.core.errors import SpecErrors

    text = HEAD.replace("apiServer", "openshiftVersion: '4.20'\n  apiServer") + distribution(version="2.22")
    try:
        with pytest.raises(SpecErrors) as caught:
            load_spec_text(text, "clusters/t.yaml")
    finally:
        catalogs.catalog.cache_clear()
    assert [str(e) for e in caught.value.errors] == [
        "clusters/t.yaml:4:21: cluster.openshiftVersion: rhods-operator.2.22.2 runs on OpenShift 4.19 at most (its maxOpenShiftVersion)"
    ]


def test_sizes_on_3x_point_to_hardware_profiles():
    text = (
        distribution(version="3.4")
        + "notebookSizes:\n  - name: S\n    requests: {cpu: 1, memory: 1Gi}\n    limits: {cpu: 1, memory: 1Gi}\n"
    )
    [err] = spec_errors_on("4.20", text)
    assert err.startswith(
        "clusters/t.yaml:9:3: notebookSizes: OdhDashboardConfig spec.notebookSizes is immutable, and the platform creates this object itself in rhoai 3.4"
    )
    assert err.endswith(
        "3.x replaces the dashboard's sizes with HardwareProfiles (its notebookSizes are deprecated and may not change); remove notebookSizes"
    )
