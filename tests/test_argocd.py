"""Argo CD objects, install order and the verify-argocd checks, on real renders built with
kustomize and validated against the real Argo CD CRDs."""

from __future__ import annotations

import re

import pytest

from generator import build as render_module
from generator.argocd import waves
from generator.argocd.fleet import ROOT as FLEET_ROOT
from generator.argocd.verify import verify
from generator.cli import main
from generator.components.base import Component
from generator.components.olm import operator_install
from generator.core import yamlio
from generator.core.errors import SpecErrors
from generator.core.resources import annotation, ident, namespace, obj
from generator.facts import catalogs, matrix, releases
from generator.spec.loader import load_specs

from conftest import EXAMPLES, PROJECT, assert_valid, folders_in_memory, kustomize_objects, render_to_disk, write_spec


def argocd_objects(repo, cluster):
    return kustomize_objects(repo / "overlays" / cluster / "argocd")


def applications(repo, cluster):
    return [o for o in argocd_objects(repo, cluster) if o["kind"] == "Application"]


def spec_of(repo, cluster):
    return load_specs(repo, [cluster])[0].spec


# --------------------------------------------------------------------------- examples


@pytest.fixture
def rendered_repo(repo):
    render_to_disk(repo)
    return repo


def test_argocd_objects_validate_against_real_crds(rendered_repo, crd_validator):
    for cluster in EXAMPLES:
        objs = argocd_objects(rendered_repo, cluster)
        assert {o["kind"] for o in objs} == {"AppProject", "Application"}
        assert_valid(crd_validator, objs)


def test_examples_pass_verify(rendered_repo):
    for cluster in EXAMPLES:
        assert verify(rendered_repo, spec_of(rendered_repo, cluster), {}) == []


def test_one_application_per_unit_and_every_path_builds(rendered_repo):
    for cluster in EXAMPLES:
        # The bootstrap unit is applied by an admin, never synced: it grants Argo CD its rights.
        units = sorted(
            p.name for p in (rendered_repo / "overlays" / cluster).iterdir() if p.is_dir() and p.name != "bootstrap"
        )
        apps = applications(rendered_repo, cluster)
        paths = sorted(a["spec"]["source"]["path"] for a in apps)
        assert paths == sorted(f"overlays/{cluster}/{u}" for u in units)
        root = [a for a in apps if a["spec"]["source"]["path"] == f"overlays/{cluster}/argocd"]
        assert [a["metadata"]["name"] for a in root] == [f"{cluster}-root"]
        seen = {}
        for path in paths:
            for o in kustomize_objects(rendered_repo / path):
                assert ident(o) not in seen, f"{ident(o)} in {path} and {seen[ident(o)]}"
                seen[ident(o)] = path


def test_destination_is_the_specs_cluster(rendered_repo):
    expected = {
        "prod-aws": {"server": "https://api.prod-aws.example.com:6443"},
        "odh-sandbox": {"server": "https://api.odh-sandbox.example.com:6443"},
        "edge-baremetal": {"server": "https://kubernetes.default.svc"},  # inCluster: true
    }
    for cluster in EXAMPLES:
        for app in applications(rendered_repo, cluster):
            dest = {k: v for k, v in app["spec"]["destination"].items() if k != "namespace"}
            if app["spec"]["source"]["path"].endswith("/argocd"):
                assert dest == {"server": "https://kubernetes.default.svc"}
            elif cluster in expected:
                assert dest == expected[cluster]


def test_project_whitelists_exactly_the_rendered_cluster_scoped_kinds(rendered_repo):
    for cluster in EXAMPLES:
        objs = argocd_objects(rendered_repo, cluster)
        (project,) = [o for o in objs if o["kind"] == "AppProject"]
        rendered = set()
        namespaces = set()
        for app in applications(rendered_repo, cluster):
            if app["spec"]["source"]["path"].endswith("/argocd"):
                continue
            for o in kustomize_objects(rendered_repo / app["spec"]["source"]["path"]):
                group = o["apiVersion"].rpartition("/")[0]
                if "namespace" not in o["metadata"]:
                    rendered.add((group, o["kind"]))
                else:
                    namespaces.add(o["metadata"]["namespace"])
        whitelist = {(e["group"], e["kind"]) for e in project["spec"]["clusterResourceWhitelist"]}
        assert whitelist == rendered
        allowed = {d["namespace"] for d in project["spec"]["destinations"]}
        assert namespaces <= allowed
        assert project["spec"]["sourceRepos"] == [spec_of(rendered_repo, cluster).argocd.repo_url]


def test_every_rendered_object_carries_a_wave(rendered_repo):
    for cluster in EXAMPLES:
        for app in applications(rendered_repo, cluster):
            for o in kustomize_objects(rendered_repo / app["spec"]["source"]["path"]):
                if o["kind"] != "Application" or not o["spec"]["source"]["path"].endswith("/argocd"):
                    assert re.fullmatch(r"-?[0-9]+", annotation(o, waves.WAVE) or ""), o["metadata"]


def test_repo_url_and_revision_change_every_application_and_nothing_else(repo, tmp_path):
    """The Forks recipe: repoURL once in _defaults.yaml, targetRevision per spec."""
    before = {path: text for f in folders_in_memory(repo)[0] for path, text in _files(f)}
    defaults = repo / "clusters" / "_defaults.yaml"
    text = defaults.read_text()
    assert "repoURL: https://github.com/example/rhoai-gitops.git" in text
    defaults.write_text(
        text.replace("https://github.com/example/rhoai-gitops.git", "https://github.com/me/rhoai-gitops.git")
    )
    for cluster in EXAMPLES:
        path = repo / "clusters" / f"{cluster}.yaml"
        text = re.sub(r"(?m)^  targetRevision: .*$", "  targetRevision: fork-branch", path.read_text())
        assert "fork-branch" in text
        path.write_text(text)
    after = {path: text for f in folders_in_memory(repo)[0] for path, text in _files(f)}
    assert before.keys() == after.keys()
    changed = {p for p in before if before[p] != after[p]}
    apps = {p for p in before if re.search(r"/argocd/application-", p)}
    projects = {p for p in before if re.search(r"/argocd/appproject-", p)}
    rules = {p for p in before if re.search(r"/monitoring/prometheusrule-", p)}
    assert apps and apps <= changed
    # The AppProject names the repo too (sourceRepos), alerts link the repo's runbooks; nothing
    # else anywhere may change.
    assert changed <= apps | projects | rules
    for p in changed:
        old, new = yamlio.loads_all(before[p])[0], yamlio.loads_all(after[p])[0]
        if p in projects:
            old["spec"].pop("sourceRepos")
            new["spec"].pop("sourceRepos")
        elif p in rules:
            for r in (r for g in new["spec"]["groups"] for r in g["rules"]):
                assert r["annotations"]["runbook_url"].startswith(
                    "https://github.com/me/rhoai-gitops/blob/fork-branch/docs/runbooks.md#"
                ), p
            for o in (old, new):
                for r in (r for g in o["spec"]["groups"] for r in g["rules"]):
                    r["annotations"].pop("runbook_url")
        else:
            for app in (old, new):
                if "git.factory3" not in app["spec"]["source"]["repoURL"]:
                    app["spec"]["source"].pop("repoURL")
                app["spec"]["source"].pop("targetRevision")
        assert old == new, p


def test_no_repository_url_is_built_in(repo, capsys):
    """A spec with no repoURL anywhere is an error naming the one place to set it, never a
    placeholder URL that renders and validates."""
    (repo / "clusters" / "_defaults.yaml").unlink()
    assert main(["--repo", str(repo), "render"]) == 2
    err = capsys.readouterr().err
    assert re.search(r"^clusters/odh-sandbox.yaml:\d+:\d+: argocd.repoURL: is not set", err, re.M), err
    assert "clusters/_defaults.yaml" in err and "example/rhoai-gitops" not in err
    assert "edge-baremetal" not in err  # sets its own
    assert not (repo / "overlays").exists()


def _files(folder):
    # Manifests index the other files' hashes, so they change with them: skip them.
    return [(f"{folder.root}/{p}", t) for p, t in folder.files.items()]


# --------------------------------------------------------------------------- the graph


def _sub(package, ns):
    return obj("operators.coreos.com/v1alpha1", "Subscription", package, ns, spec={"name": package})


def test_waves_follow_the_dependency_graph():
    dist_package = catalogs.package("rhoai")
    units = {
        "operator": [
            namespace("ops"),
            obj("operators.coreos.com/v1", "OperatorGroup", "og", "ops"),
            _sub(dist_package, "ops"),
        ],
        "platform": [
            obj(
                "datasciencecluster.opendatahub.io/v1",
                "DataScienceCluster",
                "dsc",
                spec={"components": {"kueue": {"managementState": "Managed"}}},
            ),
            obj("dscinitialization.opendatahub.io/v1", "DSCInitialization", "dsci"),
        ],
        "quotas": [
            obj("kueue.x-k8s.io/v1beta1", "LocalQueue", "lq", "ops"),
            obj("kueue.x-k8s.io/v1beta1", "ClusterQueue", "cq"),
            obj("kueue.x-k8s.io/v1beta1", "ResourceFlavor", "rf"),
            obj("monitoring.coreos.com/v1", "PrometheusRule", "alerts", "ops"),
        ],
        "gpu": [
            obj("nvidia.com/v1", "ClusterPolicy", "gpu-cluster-policy"),
            obj("nfd.openshift.io/v1", "NodeFeatureDiscovery", "nfd-instance", "ops"),
            _sub(matrix.operator("gpu").package, "ops"),
            _sub(matrix.operator("nfd").package, "ops"),
        ],
    }
    plan = waves.plan(units)
    w = {n[1][3]: plan.object_waves[n] for n in plan.object_waves}
    assert w["ops"] < w["og"] < w[dist_package]
    assert w["dsci"] < w["dsc"]
    assert w["rf"] < w["cq"] < w["lq"] < w["alerts"]
    assert w["nfd-instance"] < w["gpu-cluster-policy"]
    assert w[matrix.operator("gpu").package] < w["gpu-cluster-policy"]
    u = plan.unit_waves
    assert u["operator"] < u["platform"] < u["quotas"]
    assert u["operator"] < u["gpu"]  # namespace ops
    assert plan.cycles == [] and plan.graph.unprovided == []
    # Their namespace is another unit's: within the gpu unit both Subscriptions go first.
    assert w[matrix.operator("gpu").package] == w[matrix.operator("nfd").package] == 0


@pytest.mark.parametrize("cluster", EXAMPLES)
def test_annotating_waves_leaves_the_plan_the_applications_use(cluster):
    # render plans once: the Applications' waves come from the plan made before annotating.
    from generator.argocd.applications import UNIT

    spec = load_specs(PROJECT, [cluster])[0].spec
    units = {u: objs for u, objs in render_module.build_units(spec).items() if u not in (UNIT, "bootstrap")}
    annotated = waves.plan(units)
    for objs in units.values():
        for o in objs:
            for key in (waves.WAVE, waves.SYNC_OPTIONS):
                (o["metadata"].get("annotations") or {}).pop(key, None)
    bare = waves.plan(units)
    assert annotated.unit_waves == bare.unit_waves and annotated.object_waves == bare.object_waves
    assert len(set(annotated.unit_waves.values())) > 1


def test_a_crd_in_the_bundle_orders_its_crs_and_needs_no_dry_run_skip():
    crd = obj(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "widgets.example.com",
        spec={"group": "example.com", "names": {"kind": "Widget"}},
    )
    units = {"a": [obj("example.com/v1", "Widget", "w", "default"), crd]}
    waves.assign(None, units)
    widget, crd = units["a"]
    assert int(annotation(crd, waves.WAVE)) < int(annotation(widget, waves.WAVE))
    assert annotation(widget, waves.SYNC_OPTIONS) is None


def test_operator_crs_skip_dry_run_and_singletons_are_never_pruned():
    units = {
        "operator": [_sub(catalogs.package("odh"), "ops")],
        "platform": [obj("datasciencecluster.opendatahub.io/v1", "DataScienceCluster", "dsc")],
    }
    waves.assign(None, units)
    sub, dsc = units["operator"][0], units["platform"][0]
    assert annotation(sub, waves.SYNC_OPTIONS) is None
    assert annotation(dsc, waves.SYNC_OPTIONS) == "SkipDryRunOnMissingResource=true,Prune=false"


def test_unknown_api_group_is_reported_not_guessed():
    plan = waves.plan({"x": [obj("made.up.example/v1", "Thing", "t")]})
    assert [u.message for u in plan.graph.unprovided] == [
        "no known provider for API group 'made.up.example': add it to generator/data/argocd.yaml (providers)"
    ]


def test_data_entries_say_why():
    from generator.facts import argocd

    d = argocd.argocd()
    for section in (d.order, d.never_prune, d.server_side_apply, d.ignore_differences):
        for entry in section:
            assert entry.why, entry
    for entry in d.providers:
        assert (entry.operator is None) != (entry.component is None), entry
        if entry.operator is not None and entry.operator != argocd.DISTRIBUTION:
            assert matrix.operator(entry.operator).package
        if entry.component is not None:
            assert any(
                entry.component in releases.release(dist, v).components()
                for dist in ("rhoai", "odh")
                for v in releases.supported(dist)
            )


# --------------------------------------------------------------------------- order violations

# Test-only components: a GPU ClusterPolicy and the GPU operator that provides its CRD, each
# rendered only for specs labelled `order-test`, so the example clusters are untouched.

GPU_NS = "nvidia-gpu-operator"


def _labelled(spec, *values):
    return spec.metadata.labels.get("order-test") in values


def _policy(spec):
    if not _labelled(spec, "policy-only", "split", "tangled"):
        return []
    objs = [obj("nvidia.com/v1", "ClusterPolicy", "gpu-cluster-policy", spec={})]
    if _labelled(spec, "tangled"):
        # The GPU operator's namespace travels with the policy: the operator Application needs
        # the policy Application first and the policy needs the operator, so no order exists.
        objs.insert(0, namespace(GPU_NS))
    return objs


def _gpu_operator(spec):
    if not _labelled(spec, "split", "tangled"):
        return []
    op = matrix.operator("gpu")
    return operator_install(
        spec, package=op.package, ns=GPU_NS, channel=op.channel, own_group=not _labelled(spec, "tangled")
    )


@pytest.fixture
def order_components(monkeypatch):
    extra = [Component("gpu-test-operator", "test", _gpu_operator), Component("gpu-test-policy", "test", _policy)]
    monkeypatch.setattr(render_module, "COMPONENTS", [*render_module.COMPONENTS, *extra])
    render_module.base_units.cache_clear()
    yield
    render_module.base_units.cache_clear()


def _order_spec(repo, label):
    write_spec(
        repo,
        "order",
        f"""\
metadata:
  name: order
  labels: {{order-test: {label}}}
cluster:
  apiServer: https://api.order.example.com:6443
""",
    )
    render_to_disk(repo, ["order"])
    return spec_of(repo, "order")


def test_cr_without_its_operator_is_reported(repo, order_components):
    findings = verify(repo, _order_spec(repo, "policy-only"), {})
    assert [f.object for f in findings] == ["ClusterPolicy.nvidia.com gpu-cluster-policy"]
    assert "a Subscription to gpu-operator-certified" in findings[0].message
    assert findings[0].stage == "cross-object"


def test_operator_application_syncs_before_the_policy(repo, order_components):
    spec = _order_spec(repo, "split")
    assert verify(repo, spec, {}) == []
    apps = {
        a["metadata"]["name"]: int(annotation(a, waves.WAVE))
        for a in applications(repo, "order")
        if not a["spec"]["source"]["path"].endswith("/argocd")
    }
    assert apps["order-gpu-test-operator"] < apps["order-gpu-test-policy"]
    (policy,) = kustomize_objects(repo / "overlays/order/gpu-test-policy")
    assert waves.SKIP_DRY_RUN in annotation(policy, waves.SYNC_OPTIONS)


def test_wrong_application_wave_is_reported(repo, order_components):
    spec = _order_spec(repo, "split")
    path = repo / "overlays/order/argocd/application-order-gpu-test-policy.yaml"
    path.write_text(path.read_text().replace('sync-wave: "2"', 'sync-wave: "1"'))
    findings = verify(repo, spec, {})
    assert len(findings) == 1
    assert (
        "Application order-gpu-test-policy (wave 1) is not after Application order-gpu-test-operator (wave 1)"
        in findings[0].message
    )
    assert main(["--repo", str(repo), "verify-argocd", "order"]) == 1


def test_wrong_object_wave_is_reported(repo, order_components):
    spec = _order_spec(repo, "split")
    path = repo / "overlays/order/gpu-test-operator/subscription-gpu-operator-certified.yaml"
    path.write_text(path.read_text().replace('sync-wave: "2"', 'sync-wave: "0"'))
    messages = [f.message for f in verify(repo, spec, {})]
    assert any(m.startswith("wave 0 is not after OperatorGroup.operators.coreos.com") for m in messages), messages
    assert any(m.startswith("wave 0 is not after Namespace") for m in messages), messages


def test_units_that_need_each_other_are_reported(repo, order_components):
    spec = _order_spec(repo, "tangled")
    messages = [f.message for f in verify(repo, spec, {})]
    assert any(
        "is not after Application order-gpu-test-policy" in m and "namespace nvidia-gpu-operator" in m for m in messages
    ), messages
    assert any("is not after Application order-gpu-test-operator" in m and "installs the CRD" in m for m in messages), (
        messages
    )


def test_object_in_two_applications_is_reported(rendered_repo):
    cluster = EXAMPLES[0]
    kfile = rendered_repo / "overlays" / cluster / "argocd" / "kustomization.yaml"
    kfile.write_text(kfile.read_text() + "- ../operator\n")
    messages = [f.message for f in verify(rendered_repo, spec_of(rendered_repo, cluster), {})]
    assert any(m.startswith(f"managed by 2 Applications: {cluster}-operator, {cluster}-root") for m in messages), (
        messages
    )


def test_verify_reports_missing_path_and_foreign_repo(rendered_repo):
    cluster = EXAMPLES[0]
    spec = spec_of(rendered_repo, cluster)
    app = rendered_repo / "overlays" / cluster / "argocd" / f"application-{cluster}-operator.yaml"
    app.write_text(
        app.read_text()
        .replace(f"path: overlays/{cluster}/operator", f"path: overlays/{cluster}/gone")
        .replace(spec.argocd.repo_url, "https://elsewhere.example/x.git")
    )
    findings = {(f.path, f.message.split(":")[0]) for f in verify(rendered_repo, spec, {})}
    assert ("spec.source.path", f"overlays/{cluster}/gone does not exist") in findings
    assert any(p == "spec.source.repoURL" for p, _ in findings)
    assert main(["--repo", str(rendered_repo), "verify-argocd", cluster]) == 1


# --------------------------------------------------------------------------- fleet


def _enable_fleet(repo, cluster, generator="git"):
    path = repo / "clusters" / f"{cluster}.yaml"
    path.write_text(path.read_text() + f"  fleet:\n    enabled: true\n    generator: {generator}\n")


@pytest.mark.parametrize("generator", ["git", "list"])
def test_fleet_applicationset(repo, crd_validator, generator):
    for cluster in ("prod-aws", "odh-sandbox"):
        _enable_fleet(repo, cluster, generator)
    render_to_disk(repo)
    objs = kustomize_objects(repo / FLEET_ROOT)
    assert_valid(crd_validator, objs)
    (appset,) = [o for o in objs if o["kind"] == "ApplicationSet"]
    gen = appset["spec"]["generators"][0]
    if generator == "git":
        assert [f["path"] for f in gen["git"]["files"]] == ["clusters/odh-sandbox.yaml", "clusters/prod-aws.yaml"]
    else:
        assert [e["cluster"] for e in gen["list"]["elements"]] == ["odh-sandbox", "prod-aws"]
    assert appset["spec"]["template"]["spec"]["source"]["path"].endswith("/argocd")
    # The ApplicationSet owns fleet clusters' root Applications; the others keep theirs.
    for cluster in ("prod-aws", "odh-sandbox"):
        assert not [a for a in applications(repo, cluster) if a["metadata"]["name"] == f"{cluster}-root"]
        assert verify(repo, spec_of(repo, cluster), {}) == []
    assert [
        a["metadata"]["name"] for a in applications(repo, "edge-baremetal") if a["metadata"]["name"].endswith("-root")
    ]
    # Turning fleet mode off removes the folder on the next full render.
    for cluster in ("prod-aws", "odh-sandbox"):
        path = repo / "clusters" / f"{cluster}.yaml"
        path.write_text(path.read_text().replace("    enabled: true\n", "    enabled: false\n"))
    render_to_disk(repo)
    assert not (repo / FLEET_ROOT).exists()


def test_fleet_clusters_must_agree(repo):
    _enable_fleet(repo, "prod-aws", "git")
    _enable_fleet(repo, "odh-sandbox", "list")
    with pytest.raises(SpecErrors) as exc:
        render_to_disk(repo)
    (err,) = exc.value.errors
    assert err.file == "clusters/prod-aws.yaml" and err.path == "argocd.fleet.generator"
    assert "clusters/odh-sandbox.yaml" in err.message
    assert main(["--repo", str(repo), "render"]) == 2
    assert not (repo / "overlays").exists()


def test_lint_refuses_what_render_refuses_in_a_fleet(repo, capsys):
    _enable_fleet(repo, "prod-aws", "git")
    _enable_fleet(repo, "odh-sandbox", "list")
    for args in (["lint"], ["lint", "odh-sandbox"]):
        capsys.readouterr()
        assert main(["--repo", str(repo), *args]) == 2, args
        assert "fleet clusters share one ApplicationSet" in capsys.readouterr().err
    assert main(["--repo", str(repo), "lint", "edge-baremetal"]) == 0  # not in the fleet
