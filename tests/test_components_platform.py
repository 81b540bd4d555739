"""Platform components (operator, serving operators, DSCI, DSC, dashboard, workbenches, model
registry, feature store): what each renders for a spec, checked field by field, and that every
object validates strictly against the real upstream CRDs."""

from __future__ import annotations

import pytest

from generator.build import build_units
from generator.cli import main
from generator.core.errors import SpecErrors
from generator.core.resources import Obj
from generator.facts import matrix, releases
from generator.spec.loader import load_specs

from conftest import (
    EXAMPLES,
    assert_valid,
    kustomize_objects,
    load_spec_text,
    render_to_disk,
    validator_for,
    write_spec,
)

HEAD = """\
metadata:
  name: t
argocd:
  destination:
    inCluster: true
"""


# argocd.repoURL of a disconnected cluster without a proxy: the site's own git server (the
# example defaults' github.com is out of its reach).
SITE_GIT = "  repoURL: https://gitlab.site.example.internal/platform/gitops.git\n"


def spec_of(text: str, argocd: str = ""):
    """The spec HEAD + text; `argocd`: more lines of HEAD's argocd mapping."""
    return load_spec_text(HEAD + argocd + text, "clusters/t.yaml").spec


def units_of(text: str, argocd: str = "") -> dict[str, list[Obj]]:
    return build_units(spec_of(text, argocd))


def every(units: dict[str, list[Obj]], kind: str) -> list[Obj]:
    return [o for objs in units.values() for o in objs if o["kind"] == kind]


def one(units: dict[str, list[Obj]], kind: str) -> Obj:
    found = every(units, kind)
    assert len(found) == 1, f"{len(found)} {kind} objects"
    return found[0]


def packages(units: dict[str, list[Obj]]) -> dict[str, Obj]:
    return {o["spec"]["name"]: o for o in every(units, "Subscription")}


def dsc_components(units) -> dict:
    return one(units, "DataScienceCluster")["spec"]["components"]


# --------------------------------------------------------------------------- operator


def test_odh_installs_opendatahub_operator_from_community_catalog():
    units = units_of("distribution:\n  name: odh\n  version: '2.30'\n  channel: fast\n")
    sub = packages(units)["opendatahub-operator"]
    assert sub["metadata"]["namespace"] == "opendatahub-operators"
    assert sub["spec"]["source"] == "community-operators"
    assert sub["spec"]["channel"] == "fast"
    assert "rhods-operator" not in packages(units)
    ns = [o["metadata"]["name"] for o in units["operator"] if o["kind"] == "Namespace"]
    assert ns == ["opendatahub-operators"]


def test_rhoai_subscription_carries_approval_and_starting_csv():
    units = units_of(
        "distribution:\n  version: '2.22'\n  channel: stable-2.22\n  installPlanApproval: Manual\n"
        "  startingCSV: rhods-operator.2.22.1\n"
    )
    sub = packages(units)["rhods-operator"]
    assert sub["spec"]["source"] == "redhat-operators"
    assert sub["spec"]["channel"] == "stable-2.22"
    assert sub["spec"]["installPlanApproval"] == "Manual"
    assert sub["spec"]["startingCSV"] == "rhods-operator.2.22.1"
    group = one({"operator": units["operator"]}, "OperatorGroup")
    assert "olm.providedAPIs" not in (group["metadata"].get("annotations") or {})


def test_disconnected_cluster_takes_every_operator_from_the_mirror_of_its_own_catalog():
    units = units_of("cluster:\n  disconnected:\n    mirrorRegistry: m:8443\n", SITE_GIT)
    subs = packages(units)
    assert {"rhods-operator", "servicemeshoperator", "serverless-operator"} <= set(subs)
    assert {s["spec"]["source"] for s in subs.values()} == {"redhat-operators-mirror"}
    odh = packages(
        units_of("distribution:\n  name: odh\ncluster:\n  disconnected:\n    mirrorRegistry: m:8443\n", SITE_GIT)
    )
    assert odh["opendatahub-operator"]["spec"]["source"] == "community-operators-mirror"
    # connected: OperatorHub's own catalog of each package
    assert packages(units_of(""))["rhods-operator"]["spec"]["source"] == "redhat-operators"


# --------------------------------------------------------------------------- serving dependencies


def test_kserve_serverless_installs_serverless_and_mesh_operators():
    units = units_of("components:\n  kserve:\n    deploymentMode: Serverless\n")
    serving = {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in units["serving"]}
    serverless, mesh = matrix.operator("serverless"), matrix.operator("servicemesh")
    assert ("Namespace", "", serverless.namespace) in serving
    assert ("OperatorGroup", serverless.namespace, "serverless-operator-group") in serving
    subs = packages(units)
    assert subs["serverless-operator"]["metadata"]["namespace"] == serverless.namespace
    assert subs["serverless-operator"]["spec"]["channel"] == serverless.channel
    assert subs["servicemeshoperator"]["metadata"]["namespace"] == mesh.namespace == "openshift-operators"
    # openshift-operators has its global OperatorGroup; a second one stops OLM there.
    assert not [o for o in every(units, "OperatorGroup") if o["metadata"]["namespace"] == "openshift-operators"]
    assert not [o for o in every(units, "Namespace") if o["metadata"]["name"] == "openshift-operators"]


def test_kserve_removed_means_removed_in_dsc_and_no_serverless():
    units = units_of("components:\n  kserve:\n    managementState: Removed\n")
    assert dsc_components(units)["kserve"]["managementState"] == "Removed"
    assert "serverless-operator" not in packages(units)
    assert not [o for o in every(units, "Namespace") if o["metadata"]["name"] == "openshift-serverless"]
    assert one(units, "OdhDashboardConfig")["spec"]["dashboardConfig"]["disableKServe"] is True


def test_raw_deployment_without_mesh_needs_no_serving_operators():
    units = units_of(
        "components:\n  kserve:\n    deploymentMode: RawDeployment\n    serving:\n      managementState: Removed\n"
        "serviceMesh:\n  managementState: Removed\n"
    )
    assert units["serving"] == []
    assert dsc_components(units)["kserve"]["defaultDeploymentMode"] == "RawDeployment"
    assert one(units, "DSCInitialization")["spec"]["serviceMesh"]["managementState"] == "Removed"


def test_raw_deployment_with_a_mesh_installs_only_the_mesh_operator():
    units = units_of("components:\n  kserve:\n    deploymentMode: RawDeployment\n")
    assert set(packages(units)) & {"serverless-operator", "servicemeshoperator"} == {"servicemeshoperator"}


# --------------------------------------------------------------------------- DSCI


def test_dsci_follows_the_spec():
    units = units_of(
        "monitoring:\n  namespace: my-monitoring\n"
        "serviceMesh:\n  controlPlane:\n    name: smcp\n    namespace: mesh\n    metricsCollection: None\n"
        "trustedCABundle:\n  managementState: Unmanaged\n  customCABundle: |\n    -----BEGIN CERTIFICATE-----\n"
    )
    dsci = one(units, "DSCInitialization")
    assert dsci["metadata"]["name"] == "default-dsci"
    assert "namespace" not in dsci["metadata"]
    s = dsci["spec"]
    assert s["applicationsNamespace"] == "redhat-ods-applications"
    assert s["monitoring"] == {"managementState": "Managed", "namespace": "my-monitoring"}
    assert s["serviceMesh"] == {
        "managementState": "Managed",
        "controlPlane": {"name": "smcp", "namespace": "mesh", "metricsCollection": "None"},
        # KServe Serverless (the 2.x default) brings Authorino: where it runs is written out
        "auth": {"namespace": "redhat-ods-applications-auth-provider"},
    }
    assert s["trustedCABundle"] == {"managementState": "Unmanaged", "customCABundle": "-----BEGIN CERTIFICATE-----\n"}


def test_dsci_monitoring_removed_when_disabled():
    dsci = one(units_of("monitoring:\n  enabled: false\n"), "DSCInitialization")
    assert dsci["spec"]["monitoring"] == {"managementState": "Removed"}
    odh = one(units_of("distribution:\n  name: odh\n  channel: fast\n"), "DSCInitialization")
    assert odh["spec"]["monitoring"] == {"managementState": "Managed", "namespace": "opendatahub"}
    assert odh["spec"]["applicationsNamespace"] == "opendatahub"


# --------------------------------------------------------------------------- DSC


def test_dsc_has_every_component_of_the_version_with_its_state():
    units = units_of(
        "distribution:\n  version: '2.25'\n"
        "components:\n  trustyai:\n    managementState: Removed\n  feastoperator:\n    managementState: Managed\n"
    )
    comps = dsc_components(units)
    assert set(comps) == set(releases.release("rhoai", "2.25").components())
    assert comps["trustyai"]["managementState"] == "Removed"
    assert comps["feastoperator"]["managementState"] == "Managed"
    assert comps["trainingoperator"]["managementState"] == "Removed"  # the spec's default
    assert comps["workbenches"]["workbenchNamespace"] == "rhods-notebooks"
    assert comps["modelregistry"]["registriesNamespace"] == "rhoai-model-registries"


def test_dsc_leaves_out_components_and_fields_the_version_lacks():
    old = dsc_components(units_of("distribution:\n  version: '2.13'\n"))
    assert "modelregistry" not in old and "feastoperator" not in old
    assert "workbenchNamespace" not in old["workbenches"]
    flags = one(units_of("distribution:\n  version: '2.13'\n"), "OdhDashboardConfig")["spec"]["dashboardConfig"]
    assert "disableModelRegistry" not in flags and "disableFeatureStore" not in flags
    # RHOAI's CRD has workbenchNamespace from 2.20, ODH's from 2.27; ODH's registriesNamespace
    # from 2.18; ODH 2.10-2.13 know no OpenshiftDefaultIngress certificate (the spec's default
    # is then left to the CRD's, SelfSigned).
    assert "workbenchNamespace" not in dsc_components(units_of("distribution:\n  version: '2.19'\n"))["workbenches"]
    assert "workbenchNamespace" in dsc_components(units_of("distribution:\n  version: '2.20'\n"))["workbenches"]
    odh = dsc_components(units_of("distribution:\n  name: odh\n  version: '2.13'\n"))
    assert "registriesNamespace" not in odh["modelregistry"] and "workbenchNamespace" not in odh["workbenches"]
    assert "ingressGateway" not in odh["kserve"]["serving"]
    assert (
        "registriesNamespace"
        in dsc_components(units_of("distribution:\n  name: odh\n  version: '2.18'\n"))["modelregistry"]
    )


def test_kserve_serving_certificate():
    provided = dsc_components(
        units_of(
            "components:\n  kserve:\n    serving:\n      certificate:\n        type: Provided\n        secretName: my-cert\n"
        )
    )["kserve"]
    assert provided["serving"] == {
        "managementState": "Managed",
        "name": "knative-serving",
        "ingressGateway": {"certificate": {"type": "Provided", "secretName": "my-cert"}},
    }
    assert provided["defaultDeploymentMode"] == "Serverless"
    default = dsc_components(units_of(""))["kserve"]["serving"]["ingressGateway"]["certificate"]
    assert default == {"type": "OpenshiftDefaultIngress"}


def test_custom_namespaces_reach_the_dsc():
    # (RHOAI 2.21 and 2.22 accept only rhods-notebooks: test_releases.py)
    comps = dsc_components(
        units_of(
            "distribution:\n  version: '2.23'\ncomponents:\n  workbenches:\n    namespace: notebooks\n"
            "  modelregistry:\n    managementState: Managed\n    registriesNamespace: registries\n"
        )
    )
    assert comps["workbenches"]["workbenchNamespace"] == "notebooks"
    assert comps["modelregistry"]["registriesNamespace"] == "registries"


# --------------------------------------------------------------------------- dashboard


def test_dashboard_config_from_spec():
    # RHOAI 2.16: no Auth object yet, so the groups go to the dashboard's groupsConfig.
    units = units_of(
        "distribution:\n  version: '2.16'\n"
        "auth:\n  adminGroups: [a1, a2]\n  allowedGroups: [u1]\n"
        "components:\n  workbenches:\n    pvcSize: 5Gi\n    storageClass: fast\n"
        "  modelmeshserving:\n    managementState: Removed\n  ray:\n    managementState: Removed\n"
        "  codeflare:\n    managementState: Removed\n"
        "notebookSizes:\n  - name: Tiny\n    requests: {cpu: 500m, memory: 1Gi}\n    limits: {cpu: 1, memory: 2Gi}\n"
        "modelServerSizes:\n  - name: Huge\n    requests: {cpu: 32, memory: 256Gi}\n    limits: {cpu: 64, memory: 256Gi}\n"
    )
    cfg = one(units, "OdhDashboardConfig")
    assert (cfg["metadata"]["name"], cfg["metadata"]["namespace"]) == (
        "odh-dashboard-config",
        "redhat-ods-applications",
    )
    s = cfg["spec"]
    assert s["groupsConfig"] == {"adminGroups": "a1,a2", "allowedGroups": "u1"}
    assert s["notebookSizes"] == [
        {
            "name": "Tiny",
            "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "2Gi"}},
        }
    ]
    assert s["modelServerSizes"] == [
        {
            "name": "Huge",
            "resources": {"requests": {"cpu": "32", "memory": "256Gi"}, "limits": {"cpu": "64", "memory": "256Gi"}},
        }
    ]
    assert s["notebookController"] == {
        "enabled": True,
        "pvcSize": "5Gi",
        "storageClassName": "fast",
        "notebookNamespace": "rhods-notebooks",
    }
    flags = s["dashboardConfig"]
    assert flags["disableModelMesh"] is True
    assert flags["disableKServe"] is False
    # Distributed workloads need Kueue, Ray and CodeFlare together.
    assert flags["disableDistributedWorkloads"] is True
    assert flags["disableModelRegistry"] is True
    assert "disableKueue" not in flags  # the 2.16 dashboard has no such flag (2.23 has)
    assert every(units, "Auth") == []


def test_dashboard_on_a_release_with_auth():
    """From RHOAI 2.17 the groups live in the Auth object; the dashboard's groupsConfig is
    immutable (2.17) and then ignored (2.21), and its notebookNamespace immutable (2.23): the
    dashboard creates its config itself, so none of them is written."""
    units = units_of(
        "distribution:\n  version: '2.23'\nauth:\n  adminGroups: [a1]\n"
        "components:\n  workbenches:\n    namespace: nb\n  kueue:\n    managementState: Removed\n"
    )
    s = one(units, "OdhDashboardConfig")["spec"]
    assert "groupsConfig" not in s
    assert "notebookNamespace" not in s["notebookController"]
    assert s["dashboardConfig"]["disableKueue"] is True
    assert one(units, "Auth")["spec"] == {"adminGroups": ["a1"], "allowedGroups": ["system:authenticated"]}
    assert dsc_components(units)["workbenches"]["workbenchNamespace"] == "nb"


def test_removed_dashboard_and_workbenches_render_nothing():
    units = units_of(
        "components:\n  dashboard:\n    managementState: Removed\n  workbenches:\n    managementState: Removed\n"
    )
    assert units["dashboard"] == [] and units["workbenches"] == []
    comps = dsc_components(units)
    assert comps["dashboard"]["managementState"] == comps["workbenches"]["managementState"] == "Removed"


# --------------------------------------------------------------------------- workbenches


@pytest.mark.parametrize(
    "culling,expected",
    [
        (
            "idleMinutes: 90\n      checkPeriodMinutes: 5",
            {"ENABLE_CULLING": "true", "CULL_IDLE_TIME": "90", "IDLENESS_CHECK_PERIOD": "5"},
        ),
        ("enabled: false", {"ENABLE_CULLING": "false", "CULL_IDLE_TIME": "240", "IDLENESS_CHECK_PERIOD": "1"}),
    ],
)
def test_culler_config(culling, expected):
    units = units_of(f"components:\n  workbenches:\n    culling:\n      {culling}\n")
    [cm] = units["workbenches"]
    assert cm["kind"] == "ConfigMap"
    assert (cm["metadata"]["name"], cm["metadata"]["namespace"]) == (
        "notebook-controller-culler-config",
        "redhat-ods-applications",
    )
    assert cm["data"] == expected


# --------------------------------------------------------------------------- model registry, feature store


def test_model_registry_namespace_only_when_managed():
    assert units_of("")["modelregistry"] == []
    units = units_of("components:\n  modelregistry:\n    managementState: Managed\n")
    assert [(o["kind"], o["metadata"]["name"]) for o in units["modelregistry"]] == [
        ("Namespace", "rhoai-model-registries")
    ]


def test_feature_stores_and_their_namespaces():
    units = units_of(
        "distribution:\n  version: '2.22'\n"
        "components:\n  feastoperator:\n    managementState: Managed\n    featureStores:\n"
        "      - {name: fs1, namespace: features, project: proj_one}\n"
        "      - {name: fs2, namespace: team-a, project: proj_two}\n"
        "quotas:\n  teams:\n    - name: a\n      namespaces: [team-a]\n"
        "      quotas:\n        - flavor: default-flavor\n          resources:\n            cpu: {nominal: 4}\n"
    )
    stores = {o["metadata"]["name"]: o for o in units["featurestore"] if o["kind"] == "FeatureStore"}
    assert stores["fs1"]["metadata"]["namespace"] == "features"
    assert stores["fs1"]["spec"] == {"feastProject": "proj_one"}
    assert stores["fs2"]["apiVersion"] == matrix.matrix().api_versions.feature_store
    own_ns = [o["metadata"]["name"] for o in units["featurestore"] if o["kind"] == "Namespace"]
    # team-a is the kueue unit's namespace: one owner per object.
    assert own_ns == ["features"]
    assert [o for o in units["kueue-quotas"] if o["kind"] == "Namespace" and o["metadata"]["name"] == "team-a"]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text,path,needle",
    [
        (
            "distribution:\n  version: '2.13'\ncomponents:\n  modelregistry:\n    managementState: Managed\n",
            "components.modelregistry.managementState",
            "spec.components.modelregistry.managementState does not exist in rhoai 2.13",
        ),
        (
            "distribution:\n  version: '2.19'\ncomponents:\n  feastoperator:\n    managementState: Managed\n",
            "components.feastoperator.managementState",
            "spec.components.feastoperator.managementState does not exist in rhoai 2.19",
        ),
        ("distribution:\n  version: '2.22'\n  channel: eus-2.16\n", "distribution.channel", "does not ship rhoai 2.22"),
        ("distribution:\n  version: '2.12'\n", "distribution.version", "rhoai 2.12 is not supported"),
    ],
)
def test_unsupported_combination_is_a_spec_error(repo, capsys, text, path, needle):
    write_spec(repo, "t", HEAD + text)
    assert main(["--repo", str(repo), "render", "t"]) == 2
    err = capsys.readouterr().err
    assert any(
        line.startswith("clusters/t.yaml:") and f": {path}: " in line and needle in line for line in err.splitlines()
    ), err
    assert "Traceback" not in err
    assert not (repo / "overlays").exists() and not (repo / "base").exists()


# --------------------------------------------------------------------------- CRD validation


CRD_KINDS = {
    "DataScienceCluster",
    "DSCInitialization",
    "OdhDashboardConfig",
    "Subscription",
    "OperatorGroup",
    "FeatureStore",
}

# Specs that switch on every optional shape (each component, each version-dependent field).
VARIANTS = [
    "distribution:\n  version: '2.25'\n  channel: eus-2.25\n  startingCSV: rhods-operator.2.25.0\n"
    "components:\n  trainingoperator: {managementState: Managed}\n"
    "  modelregistry: {managementState: Managed, registriesNamespace: regs}\n"
    "  feastoperator:\n    managementState: Managed\n    featureStores: [{name: fs, namespace: feast, project: p}]\n"
    "  kserve:\n    serving:\n      certificate: {type: Provided, secretName: tls}\n"
    "  workbenches: {storageClass: gp3, namespace: nbs}\n"
    "trustedCABundle: {managementState: Unmanaged, customCABundle: 'x'}\n",
    "distribution:\n  version: '2.13'\nmonitoring:\n  enabled: false\n"
    "components:\n  kserve: {managementState: Removed}\n",
    "distribution:\n  name: odh\n  version: '2.10'\n  channel: fast\n",
    "distribution:\n  name: odh\n  version: '2.35'\n  channel: fast\n"
    "components:\n  feastoperator:\n    managementState: Managed\n    featureStores: [{name: fs, namespace: feast, project: p}]\n",
]


@pytest.mark.parametrize("text", VARIANTS)
def test_variants_validate_against_real_crds(text):
    spec = spec_of(text)
    objs = [o for objs in build_units(spec).values() for o in objs if o["kind"] in CRD_KINDS]
    assert {"DataScienceCluster", "DSCInitialization", "Subscription", "OperatorGroup"} <= {o["kind"] for o in objs}
    assert_valid(validator_for(spec), objs)


def test_validator_rejects_a_field_the_crd_lacks():
    spec = spec_of("")
    dsc = one(build_units(spec), "DataScienceCluster")
    dsc["spec"]["components"]["kserve"]["serving"]["foo"] = 1
    assert validator_for(spec).problems(dsc)


def test_rendered_examples_validate_against_real_crds(repo):
    specs = {s.spec.name: s.spec for s in render_to_disk(repo)}
    seen = set()
    for cluster in EXAMPLES:
        objs = [o for o in kustomize_objects(repo / "overlays" / cluster) if o["kind"] in CRD_KINDS]
        seen |= {o["kind"] for o in objs}
        assert_valid(validator_for(specs[cluster]), objs)
    assert seen == CRD_KINDS


def test_examples_content(repo):
    specs = {s.spec.name: s.spec for s in load_specs(repo)}
    sandbox = build_units(specs["odh-sandbox"])
    cfg = one(sandbox, "OdhDashboardConfig")
    assert [s["name"] for s in cfg["spec"]["notebookSizes"]] == ["Small", "Medium"]
    assert cfg["spec"]["notebookSizes"][0]["resources"]["requests"] == {"cpu": "1", "memory": "4Gi"}
    edge = build_units(specs["edge-baremetal"])
    assert edge["serving"] == []
    assert {s["spec"]["name"]: s["spec"]["source"] for s in every(edge, "Subscription")} == {
        "rhods-operator": "redhat-operators-mirror",
        "nfd": "redhat-operators-mirror",
        "gpu-operator-certified": "certified-operators-mirror",
        "openshift-gitops-operator": "redhat-operators-mirror",
    }
    with pytest.raises(SpecErrors):
        load_spec_text(HEAD + "components:\n  kserve:\n    foo: 1\n", "clusters/t.yaml")
