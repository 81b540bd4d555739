"""Argo CD health checks: the Lua scripts run by a real Lua 5.1 runtime (gopher-lua, which
Argo CD embeds, is Lua 5.1) against objects as the API server returns them
(tests/fixtures/health/<kind>/<expected status>-<case>.yaml), and the bootstrap unit that
installs them."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from generator.argocd import health, rbac
from generator.argocd.facts import group_kind, kind_str
from generator.core.resources import annotation

from conftest import EXAMPLES, SHARED, kustomize_objects, needs_shared, render_to_disk

FIXTURES = Path(__file__).parent / "fixtures" / "health"
SAMPLES = sorted(FIXTURES.glob("*/*.yaml"))
STATUSES = {"healthy", "progressing", "degraded", "suspended", "missing"}


def expected(path: Path) -> str:
    return path.name.split("-")[0].removesuffix(".yaml")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_check_returns_the_samples_status(path):
    o = yaml.safe_load(path.read_text())
    assert expected(path) in STATUSES
    result = health.evaluate(o)
    assert result["status"].lower() == expected(path), result
    assert result.get("message"), "Argo CD shows the message: a check always says why"


def test_every_checked_kind_has_samples_of_each_state_it_can_be_in():
    seen: dict[tuple, set[str]] = {}
    no_status: set[tuple] = set()
    for path in SAMPLES:
        o = yaml.safe_load(path.read_text())
        seen.setdefault(group_kind(o), set()).add(expected(path))
        if "status" not in o:
            no_status.add(group_kind(o))
    kinds = health.by_kind()
    # The dashboard's HardwareProfile shares the infrastructure one's check (and samples); both
    # kinds have no status at all, so Healthy and Suspended are all they can be.
    statusless = {("infrastructure.opendatahub.io", "HardwareProfile"), ("dashboard.opendatahub.io", "HardwareProfile")}
    for gk in kinds:
        if gk in statusless:
            continue
        assert {"healthy", "progressing", "degraded"} <= seen.get(gk, set()), kind_str(gk)
        assert gk in no_status, f"{kind_str(gk)}: no sample without status (a freshly created object)"
    assert seen[("infrastructure.opendatahub.io", "HardwareProfile")] >= {"healthy", "suspended"}


def test_a_check_that_never_returns_breaks_loudly():
    # The runner is real Lua: a script error surfaces, it is not read as some status.
    from lupa import lua51

    lua = lua51.LuaRuntime()
    lua.globals().obj = lua.table_from({"metadata": {}}, recursive=True)
    with pytest.raises(lua51.LuaError):
        lua.execute(health.script("platform.lua").replace("local s = obj.status", "local s = obj.status.phase.x"))


@pytest.mark.upstream
def test_checks_read_fields_the_crds_define():
    """Each status field a check reads exists in its kind's CRD (the status schema of every
    served version is open in the shipped schemas, so this reads the upstream CRDs)."""
    needs_shared()
    crds = {
        ("datasciencecluster.opendatahub.io", "DataScienceCluster"): SHARED
        / "crds/datascienceclusters.datasciencecluster.opendatahub.io.yaml",
        ("dscinitialization.opendatahub.io", "DSCInitialization"): SHARED
        / "crds/dscinitializations.dscinitialization.opendatahub.io.yaml",
        ("nvidia.com", "ClusterPolicy"): SHARED / "crds/clusterpolicies.nvidia.com.yaml",
        ("nfd.openshift.io", "NodeFeatureDiscovery"): SHARED / "crds/nodefeaturediscoveries.nfd.openshift.io.yaml",
        ("kueue.openshift.io", "Kueue"): SHARED
        / "upstream/other-crds/kueue-operator/1.4/kueues.kueue.openshift.io.yaml",
        ("operators.coreos.com", "Subscription"): SHARED / "crds/subscriptions.operators.coreos.com.yaml",
        ("serving.kserve.io", "InferenceService"): SHARED / "crds/inferenceservices.serving.kserve.io.yaml",
        ("datasciencepipelinesapplications.opendatahub.io", "DataSciencePipelinesApplication"): SHARED
        / "upstream/workload/rhoai/3.4/datasciencepipelinesapplications.datasciencepipelinesapplications.opendatahub.io.yaml",
        ("modelregistry.opendatahub.io", "ModelRegistry"): SHARED
        / "upstream/workload/rhoai/3.4/modelregistries.modelregistry.opendatahub.io.yaml",
    }
    reads = {
        ("datasciencecluster.opendatahub.io", "DataScienceCluster"): [
            "phase",
            "conditions",
            "errorMessage",
            "observedGeneration",
        ],
        ("dscinitialization.opendatahub.io", "DSCInitialization"): ["phase", "conditions", "errorMessage"],
        ("nvidia.com", "ClusterPolicy"): ["state", "conditions"],
        ("nfd.openshift.io", "NodeFeatureDiscovery"): ["conditions"],
        ("kueue.openshift.io", "Kueue"): ["conditions", "observedGeneration"],
        ("operators.coreos.com", "Subscription"): ["installedCSV", "state", "conditions", "currentCSV"],
        ("serving.kserve.io", "InferenceService"): ["conditions", "modelStatus"],
        ("datasciencepipelinesapplications.opendatahub.io", "DataSciencePipelinesApplication"): ["conditions"],
        ("modelregistry.opendatahub.io", "ModelRegistry"): ["conditions"],
    }
    for gk, path in crds.items():
        crd = yaml.safe_load(path.read_text())
        storage = next(v for v in crd["spec"]["versions"] if v.get("storage"))
        status = storage["schema"]["openAPIV3Schema"]["properties"]["status"].get("properties", {})
        for field in reads[gk]:
            assert field in status, f"{kind_str(gk)} status has no {field}"
    enum = yaml.safe_load((SHARED / "crds/clusterpolicies.nvidia.com.yaml").read_text())
    states = next(v for v in enum["spec"]["versions"] if v.get("storage"))["schema"]["openAPIV3Schema"]["properties"][
        "status"
    ]["properties"]["state"]["enum"]
    assert set(states) == {"ready", "notReady", "ignored"}  # what clusterpolicy.lua distinguishes


# --------------------------------------------------------------------------- the bootstrap unit


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    import shutil

    from conftest import PROJECT

    repo = tmp_path_factory.mktemp("repo")
    for name in ("clusters",):
        shutil.copytree(PROJECT / name, repo / name)
    for extra in ("defaults.yaml",):
        if (PROJECT / extra).exists():
            shutil.copy(PROJECT / extra, repo / extra)
    render_to_disk(repo)
    return repo


def test_the_argocd_instance_carries_every_check(rendered):
    objs = kustomize_objects(rendered / "overlays/edge-baremetal/bootstrap")
    (argocd,) = [o for o in objs if o["kind"] == "ArgoCD"]
    installed = {(c["group"], c["kind"]): c["check"] for c in argocd["spec"]["resourceHealthChecks"]}
    assert installed == {gk: health.script(name) for gk, name in health.by_kind().items()}
    assert argocd["spec"]["defaultClusterScopedRoleDisabled"] is True
    assert argocd["spec"]["controller"]["respectRBAC"] == "normal"


def test_bootstrap_only_where_argo_cd_runs_on_the_cluster(rendered):
    with_unit = sorted(c for c in EXAMPLES if (rendered / "overlays" / c / "bootstrap").is_dir())
    assert with_unit == ["edge-baremetal"]


@pytest.mark.upstream
def test_plural_guess_matches_every_rendered_crd(rendered):
    """The ClusterRole names resources by Kubernetes' plural of the kind; every CRD-served kind
    the bundle renders is checked against its CRD's spec.names.plural."""
    needs_shared()
    plurals = {}
    for path in list((SHARED / "crds").glob("*.yaml")) + list((SHARED / "upstream").rglob("*.yaml")):
        try:
            crd = yaml.safe_load(path.read_text())
        except yaml.YAMLError:
            continue
        if isinstance(crd, dict) and crd.get("kind") == "CustomResourceDefinition":
            plurals[(crd["spec"]["group"], crd["spec"]["names"]["kind"])] = crd["spec"]["names"]["plural"]
    checked = 0
    for cluster in EXAMPLES:
        for unit in (rendered / "overlays" / cluster).iterdir():
            if unit.is_dir():
                for o in kustomize_objects(unit):
                    gk = group_kind(o)
                    if gk in plurals:
                        assert rbac.plural(gk[1]) == plurals[gk], gk
                        checked += 1
    assert checked > 50


# --------------------------------------------------------------------------- waves wait


def _apps(repo, cluster):
    return [o for o in kustomize_objects(repo / "overlays" / cluster / "argocd") if o["kind"] == "Application"]


def test_a_progressing_subscription_holds_the_platforms_wave(rendered):
    """Argo CD syncs the root's children wave by wave and moves on only when every child of a
    wave is Healthy (application.lua makes a child's own health count); inside a child, the same
    by object wave. The operator's Subscription waiting for its pinned CSV is Progressing, so
    its Application is Progressing, so the DSCInitialization and DataScienceCluster, in later
    waves, are not applied yet."""
    sample = yaml.safe_load((FIXTURES / "subscription/progressing-awaiting-approval.yaml").read_text())
    for cluster in EXAMPLES:
        apps = _apps(rendered, cluster)
        wave_of = {}
        for app in apps:
            path = app["spec"]["source"]["path"]
            if path.endswith("/argocd"):
                continue
            for o in kustomize_objects(rendered / path):
                wave_of[(o["kind"], o["metadata"]["name"])] = (
                    int(annotation(app, "argocd.argoproj.io/sync-wave")),
                    int(annotation(o, "argocd.argoproj.io/sync-wave")),
                    app,
                )
        subs = [k for k in wave_of if k[0] == "Subscription" and k[1] in ("rhods-operator", "opendatahub-operator")]
        assert len(subs) == 1, cluster
        sub_wave = wave_of[subs[0]][:2]
        for dependant in ("DSCInitialization", "DataScienceCluster"):
            (key,) = [k for k in wave_of if k[0] == dependant]
            assert wave_of[key][:2] > sub_wave, f"{cluster}: {dependant} is not after the operator's Subscription"
        live = dict(sample, spec=sample["spec"])
        assert health.evaluate(live)["status"] == "Progressing"
        holder = dict(wave_of[subs[0]][2], status={"health": {"status": "Progressing"}, "sync": {"status": "Synced"}})
        assert health.evaluate(holder)["status"] == "Progressing"


def test_verify_argocd_finds_a_controller_role_out_of_step(rendered):
    from generator.argocd.verify import verify
    from generator.spec.loader import load_specs

    spec = load_specs(rendered, ["edge-baremetal"])[0].spec
    assert verify(rendered, spec, {}) == []
    path = next((rendered / "overlays/edge-baremetal/bootstrap").glob("clusterrole-*.yaml"))
    original = path.read_text()
    role = yaml.safe_load(original)
    try:
        dropped = role["rules"][0]["resources"].pop(0)
        role["rules"].append(
            {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate"]}
        )
        role["rules"][1]["verbs"].append("delete")
        path.write_text(yaml.safe_dump(role))
        messages = [f.message for f in verify(rendered, spec, {})]
    finally:
        path.write_text(original)
    assert any(m.startswith(f"{dropped}:") and "may not" in m for m in messages), messages
    assert any(m.startswith("clusterroles.rbac.authorization.k8s.io: grants escalate") for m in messages), messages
    assert any("grants delete" in m for m in messages), messages  # edge-baremetal does not prune


def test_controller_may_write_and_bind_exactly_the_rbac_the_bundle_renders():
    """The API server refuses a Role the writer does not hold every permission of, or a binding
    to a role it does not hold, unless it has escalate / bind on that role: the controller gets
    those on the rendered roles by name, and on nothing else."""
    from generator.argocd import bootstrap
    from generator.build import build_units
    from generator.spec.loader import load_specs

    from conftest import PROJECT

    loaded = load_specs(PROJECT, ["prod-aws"])[0].spec
    units = build_units(loaded)
    objs = [o for u, items in units.items() for o in items]
    rules = rbac.rules(objs, prune=False)
    by_verb = {(r["verbs"][0], r["resources"][0]): r["resourceNames"] for r in rules if r.get("resourceNames")}
    roles = sorted({o["metadata"]["name"] for o in objs if o["kind"] == "Role"})
    cluster_roles = sorted({o["metadata"]["name"] for o in objs if o["kind"] == "ClusterRole"})
    assert by_verb[("escalate", "roles")] == roles
    assert by_verb[("escalate", "clusterroles")] == cluster_roles
    assert "edit" in by_verb[("bind", "clusterroles")] and "admin" in by_verb[("bind", "clusterroles")]
    assert "cluster-admin" not in by_verb[("bind", "clusterroles")]
    assert not any("*" in r["verbs"] or "*" in r["resources"] or "*" in r["apiGroups"] for r in rules)
    assert bootstrap.BOOTSTRAP not in units  # the bootstrap unit comes from a pass, not a component


def test_verify_argocd_finds_a_wave_that_would_not_wait(rendered, monkeypatch):
    from generator.argocd.verify import verify
    from generator.spec.loader import load_specs

    spec = load_specs(rendered, ["prod-aws"])[0].spec
    assert verify(rendered, spec, {}) == []
    without = {gk: name for gk, name in health.by_kind().items() if gk != ("operators.coreos.com", "Subscription")}
    monkeypatch.setattr(health, "by_kind", lambda: without)
    findings = verify(rendered, spec, {})
    assert [(f.object, f.message.split(":")[0]) for f in findings] == [
        (
            "Subscription.operators.coreos.com",
            "later waves wait for it, but Argo CD calls it Healthy the moment it exists",
        )
    ]


def test_docs_say_what_each_check_reads():
    from conftest import PROJECT

    text = (PROJECT / "docs" / "day-2.md").read_text()
    section = text[
        text.index("## Health checks: waves that wait") : text.index("## Manual upgrades approved through git")
    ]
    rows = [
        line.split("|")[1] for line in section.splitlines() if line.startswith("| ") and not line.startswith("| kind")
    ]
    for _group, kind in health.by_kind():
        assert any(kind in row for row in rows), f"docs/day-2.md's health check table lacks {kind}"


# Kinds whose CRD the shared data lacks (OLM's InstallPlan and ClusterServiceVersion): their
# samples follow operator-framework/api's types by hand.
NO_CRD = {("operators.coreos.com", "InstallPlan"), ("operators.coreos.com", "ClusterServiceVersion")}


@functools.lru_cache(maxsize=1)
def _crds() -> dict[tuple, list]:
    """The shared CRDs of the checked kinds, by (group, kind): file names are <plural>.<group>."""
    wanted = {f"{rbac.plural(k)}.{g}.yaml" for g, k in health.by_kind()}
    out: dict[tuple, list] = {}
    # team-level kinds (pipeline servers, registries): the samples are written at RHOAI 3.4's
    workload = [
        SHARED / "upstream/workload/rhoai/3.4" / name
        for name in (
            "datasciencepipelinesapplications.datasciencepipelinesapplications.opendatahub.io.yaml",
            "modelregistries.modelregistry.opendatahub.io.yaml",
        )
    ]
    for path in (
        sorted((SHARED / "crds").glob("*.yaml")) + sorted((SHARED / "upstream/other-crds").rglob("*.yaml")) + workload
    ):
        if path.name not in wanted:
            continue
        crd = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if isinstance(crd, dict) and crd.get("kind") == "CustomResourceDefinition":
            out.setdefault((crd["spec"]["group"], crd["spec"]["names"]["kind"]), []).append(crd)
    return out


@pytest.mark.upstream
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_sample_status_is_what_the_crd_allows(path):
    """Samples are written as the API server returns them: their status validates strictly
    against the kind's CRD (the platform's per release: the sample's name says which, else the
    line's base release), so a misspelt field the server would prune cannot pass as a sample."""
    import re

    import jsonschema

    from generator.validate.schemas import strict

    needs_shared()
    o = yaml.safe_load(path.read_text())
    gk = group_kind(o)
    if "status" not in o or gk in NO_CRD:
        return
    group, version = o["apiVersion"].split("/")
    if group.endswith(".opendatahub.io") and gk[1] in ("DataScienceCluster", "DSCInitialization"):
        m = re.search(r"-(\d+\.\d+)", path.stem)
        release = m.group(1) if m else ("3.4" if version == "v2" else "2.22")
        plural = rbac.plural(gk[1])
        crds = [
            yaml.load(
                (SHARED / f"upstream/platform-crds/rhoai/{release}/{plural}.{group}.yaml").read_text(),
                Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader),
            )
        ]
    elif group == "serving.kserve.io":
        # KServe's kinds change per release (status.deploymentMode from 2.22, LLMInferenceService
        # v1alpha2 from 3.4): each sample is checked against the CRD of the release it names.
        m = re.search(r"-(\d+\.\d+)", path.stem)
        release = m.group(1) if m else ("3.4" if gk[1] == "LLMInferenceService" else "2.22")
        crds = [
            yaml.load(
                (SHARED / f"upstream/workload/rhoai/{release}/{rbac.plural(gk[1])}.{group}.yaml").read_text(),
                Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader),
            )
        ]
    else:
        crds = _crds().get(gk)
    assert crds, f"no CRD for {kind_str(gk)}: add it to NO_CRD with where its samples come from"
    (served,) = [v for crd in crds for v in crd["spec"]["versions"] if v["name"] == version]
    schema = strict(served["schema"]["openAPIV3Schema"]["properties"]["status"])
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(o["status"]), key=str)
    assert not errors, "\n".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_render_cache_sees_every_file_the_generator_reads():
    """A health check or the approver's script changed must re-render: the cache key hashes
    every generator file of a kind in SOURCE_SUFFIXES."""
    import generator
    from generator.store.cache import SOURCE_SUFFIXES

    root = Path(generator.__file__).parent
    kinds = {p.suffix for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert kinds <= set(SOURCE_SUFFIXES) | {".md", ".typed", ""}, kinds - set(SOURCE_SUFFIXES)
    assert {".lua", ".sh"} <= kinds


def test_validate_checks_the_bootstrap_unit_strictly(rendered, capsys):
    from generator.cli import main

    assert main(["--repo", str(rendered), "validate", "edge-baremetal"]) == 0
    path = rendered / "overlays/edge-baremetal/bootstrap/argocd-openshift-gitops.yaml"
    original = path.read_text()
    try:
        path.write_text(
            original.replace(
                "  defaultClusterScopedRoleDisabled: true\n",
                "  defaultClusterScopedRoleDisabled: true\n  healthChecks: []\n",
            )
        )
        capsys.readouterr()
        assert main(["--repo", str(rendered), "validate", "edge-baremetal"]) == 1
        out = capsys.readouterr().out
    finally:
        path.write_text(original)
    assert (
        "ArgoCD.argoproj.io openshift-gitops/openshift-gitops  spec  Additional properties are not allowed ('healthChecks' was unexpected)"
        in out
    )


def test_verify_argocd_keeps_project_whitelists_and_controller_role_in_step(rendered):
    from generator.argocd.verify import verify
    from generator.spec.loader import load_specs

    spec = load_specs(rendered, ["edge-baremetal"])[0].spec
    path = next((rendered / "overlays/edge-baremetal/argocd").glob("appproject-*.yaml"))
    original = path.read_text()
    project = yaml.safe_load(original)
    try:
        project["spec"]["clusterResourceWhitelist"].append({"group": "config.openshift.io", "kind": "Proxy"})
        path.write_text(yaml.safe_dump(project))
        messages = [f.message for f in verify(rendered, spec, {})]
    finally:
        path.write_text(original)
    assert "whitelists Proxy.config.openshift.io, which the controller may not apply" in messages
