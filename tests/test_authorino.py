"""Authorino where KServe serves through Serverless on a mesh (2.x): its operator's Subscription,
the DSCInitialization naming the authorization provider's namespace, and the order that has
both in place before the operator reconciles the DSCInitialization."""

from __future__ import annotations

from generator.argocd import waves
from generator.build import build_units
from generator.components import serving
from generator.spec.loader import load_specs

from conftest import PROJECT, load_spec_text


def spec_of(name: str):
    return load_specs(PROJECT, [name])[0].spec


def subscriptions(units) -> dict[str, dict]:
    return {o["spec"]["name"]: o for objs in units.values() for o in objs if o["kind"] == "Subscription"}


def dsci(units) -> dict:
    (o,) = [o for o in units["dsci"] if o["kind"] == "DSCInitialization"]
    return o


def test_serverless_kserve_on_2x_gets_authorino_and_the_auth_namespace():
    spec = spec_of("prod-aws")
    assert spec.serverless
    units = build_units(spec)
    sub = subscriptions(units)["authorino-operator"]
    assert sub["metadata"] == {**sub["metadata"], "name": "authorino-operator", "namespace": "openshift-operators"}
    assert sub["spec"]["channel"] == "stable" and sub["spec"]["source"] == "redhat-operators"
    # openshift-operators has its global OperatorGroup: a second one would stop OLM there
    assert not [
        o
        for o in units["serving"]
        if o["kind"] == "OperatorGroup" and o["metadata"]["namespace"] == "openshift-operators"
    ]
    assert dsci(units)["spec"]["serviceMesh"]["auth"] == {"namespace": "redhat-ods-applications-auth-provider"}


def test_authorino_and_the_mesh_come_before_the_dscinitialization():
    units = build_units(spec_of("prod-aws"))
    g = waves.graph({u: objs for u, objs in units.items() if u != "argocd"})
    edges = {
        (g.objects[e.before]["spec"].get("name"), g.objects[e.after]["kind"])
        for e in g.hard
        if g.objects[e.before]["kind"] == "Subscription"
    }
    assert ("authorino-operator", "DSCInitialization") in edges
    assert ("servicemeshoperator", "DSCInitialization") in edges
    assert ("serverless-operator", "DataScienceCluster") in edges
    # ... and only those: the GPU and NFD operators do not hold the platform back
    assert not {
        e
        for e in edges
        if e[0] in ("gpu-operator-certified", "nfd") and e[1] in ("DSCInitialization", "DataScienceCluster")
    }
    apps = {
        o["spec"]["source"]["path"].rsplit("/", 1)[1]: int(o["metadata"]["annotations"][waves.WAVE])
        for o in units["argocd"]
        if o["kind"] == "Application" and not o["spec"]["source"]["path"].endswith("/argocd")
    }
    assert apps["serving"] < apps["dsci"] < apps["dsc"]


def test_no_authorino_without_serverless_or_on_3x():
    for name in ("odh-sandbox", "edge-baremetal", "ai3-aws"):
        spec = spec_of(name)
        assert not serving.needs_authorino(spec), name
        units = build_units(spec)
        assert "authorino-operator" not in subscriptions(units), name
        assert "auth" not in (dsci(units)["spec"].get("serviceMesh") or {}), name


def test_a_chosen_auth_namespace_and_audiences_are_written():
    spec = load_spec_text(
        "metadata: {name: x}\ncluster: {apiServer: 'https://api.x.example.com:6443'}\n"
        "serviceMesh:\n  auth: {namespace: model-auth, audiences: ['https://kubernetes.default.svc', 'models']}\n",
        "clusters/x.yaml",
    ).spec
    assert dsci(build_units(spec))["spec"]["serviceMesh"]["auth"] == {
        "namespace": "model-auth",
        "audiences": ["https://kubernetes.default.svc", "models"],
    }
