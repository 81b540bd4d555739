"""Disconnected and proxied clusters: mirror sets, the mirror CatalogSource of each source
catalog, OperatorHub's default sources, the proxy and its trusted CA, each derived from the
rendered bundle and validated strictly against the upstream schemas (openshift/api's
ImageDigestMirrorSet, ImageTagMirrorSet, Proxy CRDs and OperatorHub from its OpenAPI)."""

from __future__ import annotations

import copy

import pytest
from test_components_platform import SITE_GIT, every, one, spec_of

from generator import build as render_module
from generator import images
from generator.argocd import waves
from generator.build import build_units
from generator.cli import main
from generator.components import olm
from generator.components.base import Component
from generator.components.egress import CA_CONFIG_MAP, INJECT_CA, OPERATOR_CA
from generator.core.errors import SpecErrors
from generator.facts import matrix
from generator.spec.loader import load_specs

from conftest import assert_valid, validator_for

DISCONNECTED = "  disconnected:\n    mirrorRegistry: mirror.example.com:8443/ocp\n"
METAL = "  provider: baremetal\n"  # GPU pools without MachineSets
GPU = "gpuNodePools:\n  - name: a\n    accelerator: {product: L4, count: 1}\n    replicas: {min: 0, max: 1}\n"


def everything(units) -> list[dict]:
    return [o for objs in units.values() for o in objs]


# --------------------------------------------------------------------------- the disconnected example


def test_disconnected_example_mirrors_every_registry_and_catalog_and_validates(repo):
    (edge,) = load_specs(repo, ["edge-baremetal"])
    spec = edge.spec
    units = build_units(spec)
    subs = every(units, "Subscription")
    mirror = spec.cluster.disconnected.mirror_registry
    # every Subscription names the mirror CatalogSource of its own package's catalog, and the
    # bundle serves exactly those
    sources = {s["spec"]["name"]: s["spec"]["source"] for s in subs}
    # (OpenShift GitOps: the example bootstraps Argo CD, whose operator installs like any other)
    assert sources == {
        "rhods-operator": "redhat-operators-mirror",
        "nfd": "redhat-operators-mirror",
        "gpu-operator-certified": "certified-operators-mirror",
        "openshift-gitops-operator": "redhat-operators-mirror",
    }
    catalogs = {c["metadata"]["name"]: c for c in units["egress"] if c["kind"] == "CatalogSource"}
    assert set(catalogs) == set(sources.values())
    assert catalogs["certified-operators-mirror"]["spec"]["image"] == f"{mirror}/redhat/certified-operator-index:v4.16"
    assert all(
        c["metadata"]["namespace"] == "openshift-marketplace"
        and c["spec"]["sourceType"] == "grpc"
        and c["spec"]["grpcPodConfig"] == {"securityContextConfig": "restricted"}
        for c in catalogs.values()
    )
    # digest pulls: every registry the subscribed packages pull from goes to the mirror
    # (the bootstrap unit, applied by hand before Argo CD exists, carries a copy)
    idms = one({"egress": units["egress"]}, "ImageDigestMirrorSet")["spec"]["imageDigestMirrors"]
    wanted = {r for s in subs for r in matrix.package(s["spec"]["name"]).registries}
    assert {e["source"] for e in idms} == wanted == {"registry.redhat.io", "registry.connect.redhat.com", "nvcr.io"}
    assert all(e["mirrors"] == [mirror] and "mirrorSourcePolicy" not in e for e in idms)
    # tag pulls: the NFD operand image the bundle names by tag, repository-scoped
    itms = one({"egress": units["egress"]}, "ImageTagMirrorSet")["spec"]["imageTagMirrors"]
    assert itms == [
        {
            "source": "registry.redhat.io/openshift4/ose-node-feature-discovery-rhel9",
            "mirrors": [f"{mirror}/openshift4/ose-node-feature-discovery-rhel9"],
        }
    ]
    assert one({"egress": units["egress"]}, "OperatorHub")["spec"] == {"disableAllDefaultSources": True}
    assert every(units, "Proxy") == []  # the example leaves the cluster Proxy to the installer
    assert_valid(validator_for(spec), units["egress"])


def test_egress_syncs_before_the_operators_it_serves(repo):
    (edge,) = load_specs(repo, ["edge-baremetal"])
    p = waves.plan({k: v for k, v in build_units(edge.spec).items() if k != "argocd"})
    for unit in ("operator", "nfd", "gpu-operator"):
        assert p.unit_waves["egress"] < p.unit_waves[unit], p.unit_waves


def test_mirror_sets_are_validated_strictly(repo):
    (edge,) = load_specs(repo, ["edge-baremetal"])
    validator = validator_for(edge.spec)
    idms = copy.deepcopy(one({"egress": build_units(edge.spec)["egress"]}, "ImageDigestMirrorSet"))
    idms["spec"]["imageDigestMirrors"][0]["mirror"] = ["typo.example.com"]
    assert any("mirror" in str(p) for p in validator.problems(idms))
    hub = {
        "apiVersion": "config.openshift.io/v1",
        "kind": "OperatorHub",
        "metadata": {"name": "cluster"},
        "spec": {"disableAllDefaultSource": True},
    }
    assert validator.problems(hub), "OperatorHub's schema must refuse unknown fields"


def test_connected_cluster_has_no_egress_and_subscribes_to_the_default_catalogs():
    units = build_units(spec_of("cluster:\n" + METAL + GPU))
    assert units["egress"] == []
    sources = {s["spec"]["name"]: s["spec"]["source"] for s in every(units, "Subscription")}
    assert sources["gpu-operator-certified"] == "certified-operators" and sources["nfd"] == "redhat-operators"
    assert all("config" not in s["spec"] or "volumes" not in s["spec"]["config"] for s in every(units, "Subscription"))


def test_default_sources_kept_and_never_contact_source_where_the_spec_says():
    units = build_units(
        spec_of(
            "cluster:\n" + DISCONNECTED + "    disableDefaultSources: false\n    neverContactSource: true\n", SITE_GIT
        )
    )
    assert every(units, "OperatorHub") == []
    assert {e["mirrorSourcePolicy"] for e in one(units, "ImageDigestMirrorSet")["spec"]["imageDigestMirrors"]} == {
        "NeverContactSource"
    }
    # no image named by tag: no ITMS
    assert every(units, "ImageTagMirrorSet") == []
    assert_valid(validator_for(spec_of("cluster:\n" + DISCONNECTED, SITE_GIT)), units["egress"])


def test_odh_comes_from_the_community_catalog_mirror():
    units = build_units(spec_of("distribution:\n  name: odh\ncluster:\n" + DISCONNECTED, SITE_GIT))
    cs = {c["metadata"]["name"]: c["spec"]["image"] for c in every(units, "CatalogSource")}
    # ODH itself from the community catalog; the serving stack it runs on is Red Hat's
    assert cs == {
        "community-operators-mirror": "mirror.example.com:8443/ocp/redhat/community-operator-index:v4.16",
        "redhat-operators-mirror": "mirror.example.com:8443/ocp/redhat/redhat-operator-index:v4.16",
    }
    sources = {s["spec"]["name"]: s["spec"]["source"] for s in every(units, "Subscription")}
    assert sources["opendatahub-operator"] == "community-operators-mirror"
    assert sources["servicemeshoperator"] == "redhat-operators-mirror"
    assert {e["source"] for e in one(units, "ImageDigestMirrorSet")["spec"]["imageDigestMirrors"]} == {
        "quay.io",
        "registry.redhat.io",
    }


# --------------------------------------------------------------------------- proxy and CA

PROXY = "  proxy:\n    httpProxy: http://proxy.example.com:3128\n    httpsProxy: http://proxy.example.com:3128\n    noProxy: [.svc, 10.0.0.0/16]\n"
CA = "trustedCABundle:\n  customCABundle: |\n    -----BEGIN CERTIFICATE-----\n    MIIB\n    -----END CERTIFICATE-----\n"


def test_proxy_reaches_every_operator_through_its_subscription():
    spec = spec_of("cluster:\n" + METAL + PROXY + GPU)
    units = build_units(spec)
    subs = every(units, "Subscription")
    assert {"rhods-operator", "nfd", "gpu-operator-certified"} <= {s["spec"]["name"] for s in subs}
    for s in subs:
        env = {e["name"]: e["value"] for e in s["spec"]["config"]["env"]}
        assert env["HTTP_PROXY"] == env["HTTPS_PROXY"] == "http://proxy.example.com:3128"
        assert env["NO_PROXY"] == ".svc,10.0.0.0/16"
        assert s["spec"]["config"]["volumeMounts"] == [
            {"name": OPERATOR_CA, "mountPath": "/etc/pki/ca-trust/extracted/pem", "readOnly": True}
        ]
    # the platform operator keeps its own setting beside the proxy
    platform = next(s for s in subs if s["spec"]["name"] == "rhods-operator")
    assert platform["spec"]["config"]["env"][0] == {"name": "DISABLE_DSC_CONFIG", "value": "true"}
    # each operator namespace gets the injected trust bundle, in the unit of its Subscription
    for unit, objs in units.items():
        namespaces = {o["metadata"]["namespace"] for o in objs if o["kind"] == "Subscription"}
        injected = {
            o["metadata"]["namespace"]
            for o in objs
            if o["kind"] == "ConfigMap" and o["metadata"]["name"] == OPERATOR_CA
        }
        assert injected == namespaces, unit
    cm = next(o for o in everything(units) if o["kind"] == "ConfigMap" and o["metadata"]["name"] == OPERATOR_CA)
    assert cm["metadata"]["labels"][INJECT_CA] == "true" and "data" not in cm
    assert every(units, "Proxy") == []
    assert_valid(validator_for(spec), subs)


def test_cluster_wide_proxy_is_the_cluster_proxy_with_the_trusted_ca():
    spec = spec_of("cluster:\n" + PROXY + "    clusterWide: true\n" + CA)
    units = build_units(spec)
    proxy = one(units, "Proxy")
    assert proxy["metadata"]["name"] == "cluster"
    assert proxy["spec"] == {
        "httpProxy": "http://proxy.example.com:3128",
        "httpsProxy": "http://proxy.example.com:3128",
        "noProxy": ".svc,10.0.0.0/16",
        "trustedCA": {"name": CA_CONFIG_MAP},
    }
    ca = next(o for o in units["egress"] if o["kind"] == "ConfigMap")
    assert ca["metadata"]["namespace"] == "openshift-config"
    assert ca["data"]["ca-bundle.crt"].startswith("-----BEGIN CERTIFICATE-----")
    # OLM injects the cluster proxy into every operator: no env of ours, but the trust bundle
    sub = next(s for s in every(units, "Subscription") if s["spec"]["name"] == "rhods-operator")
    assert [e["name"] for e in sub["spec"]["config"]["env"]] == ["DISABLE_DSC_CONFIG"]
    assert sub["spec"]["config"]["volumes"][0]["configMap"]["name"] == OPERATOR_CA
    # and the same CA reaches the DSCInitialization, which hands it to the components
    assert one(units, "DSCInitialization")["spec"]["trustedCABundle"]["customCABundle"].startswith(
        "-----BEGIN CERTIFICATE-----"
    )
    assert_valid(validator_for(spec), [o for o in units["egress"] if o["kind"] != "ConfigMap"])
    # without a custom CA the Proxy names none
    bare = one(build_units(spec_of("cluster:\n" + PROXY + "    clusterWide: true\n")), "Proxy")
    assert "trustedCA" not in bare["spec"]


def test_proxy_and_ca_spec_errors():
    with pytest.raises(SpecErrors) as exc:
        spec_of("cluster:\n  proxy:\n    noProxy: [.svc]\n")
    assert "names no proxy" in str(exc.value.errors[0]) and "clusters/t.yaml:8:5: cluster.proxy:" in str(
        exc.value.errors[0]
    )
    with pytest.raises(SpecErrors) as exc:
        spec_of("trustedCABundle:\n  customCABundle: |\n    -----BEGIN PRIVATE KEY-----\n    x\n")
    assert "trustedCABundle.customCABundle: holds a private key" in str(exc.value.errors[0])
    with pytest.raises(SpecErrors) as exc:
        spec_of("cluster:\n  disconnected:\n    mirrorRegistry: https://mirror.example.com\n")
    assert "cluster.disconnected.mirrorRegistry" in str(exc.value.errors[0])


def test_proxy_credentials_are_a_spec_error_with_exit_2(repo, capsys):
    path = repo / "clusters" / "edge-baremetal.yaml"
    text = path.read_text()
    path.write_text(text.replace("httpProxy: http://proxy", "httpProxy: http://bot:s3cret@proxy"))
    assert main(["--repo", str(repo), "render", "edge-baremetal"]) == 2
    err = capsys.readouterr().err
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "httpProxy:" in s)
    assert (
        f"clusters/edge-baremetal.yaml:{line}:16: cluster.proxy.httpProxy" in err
        and "holds credentials in a URL" in err
    )
    assert not (repo / "overlays").exists()


# --------------------------------------------------------------------------- one place for catalogs


def test_the_package_table_is_the_one_place_for_catalogs():
    spec = spec_of("cluster:\n" + DISCONNECTED, SITE_GIT)
    with pytest.raises(ValueError, match="ships in certified-operators"):
        olm.subscription(spec, package="gpu-operator-certified", ns="x", channel="v25.3", source="redhat-operators")
    with pytest.raises(KeyError, match=r"not in generator/data/matrix\.yaml `packages`"):
        olm.subscription(spec, package="no-such-operator", ns="x", channel="stable")


def test_a_subscription_any_unit_adds_is_mirrored_and_proxied(monkeypatch):
    def authorino(spec):
        return olm.operator_install(spec, package="authorino-operator", ns="authorino", channel="stable")

    monkeypatch.setattr(
        render_module, "COMPONENTS", [*render_module.COMPONENTS, Component("authorino-test", "test", authorino)]
    )
    spec = spec_of("cluster:\n" + DISCONNECTED + PROXY)
    units = build_units(spec)
    sub = next(s for s in units["authorino-test"] if s["kind"] == "Subscription")
    assert sub["spec"]["source"] == "redhat-operators-mirror"
    assert any(e["name"] == "HTTPS_PROXY" for e in sub["spec"]["config"]["env"])
    assert any(o["kind"] == "ConfigMap" and o["metadata"]["namespace"] == "authorino" for o in units["authorino-test"])


def test_images_are_read_from_image_fields_only():
    objs = [
        {
            "kind": "Deployment",
            "spec": {"template": {"spec": {"containers": [{"image": "quay.io/a/b@sha256:" + "0" * 64}]}}},
        },
        {
            "kind": "MachineSet",
            "spec": {"providerSpec": {"image": "/subscriptions/s/images/rhcos"}, "ami": {"id": "ami-1"}},
        },
        {"kind": "CatalogSource", "spec": {"image": "mirror.example.com/redhat/redhat-operator-index:v4.16"}},
    ]
    assert images.referenced(objs) == ["quay.io/a/b@sha256:" + "0" * 64]
    assert images.parse("quay.io/a/b@sha256:" + "0" * 64).by_digest
    assert images.parse("ami-1") is None


# --------------------------------------------------------------------------- cross-object checks


def test_cross_object_checks_find_unresolvable_subscriptions_and_unmirrored_pulls(repo):
    from generator.validate import crossobject, egress_rules

    (edge,) = load_specs(repo, ["edge-baremetal"])
    objs = [o for unit, items in build_units(edge.spec).items() if unit not in ("argocd", "bootstrap") for o in items]
    assert list(egress_rules.check(edge.spec, objs)) == []

    def problems(keep) -> list[str]:
        return [
            f"{ident} {path}: {msg}" for ident, path, msg in egress_rules.check(edge.spec, [o for o in objs if keep(o)])
        ]

    # the certified mirror missing: the GPU operator's Subscription cannot resolve
    found = problems(lambda o: o["metadata"]["name"] != "certified-operators-mirror")
    assert len(found) == 1 and "gpu-operator-certified" in found[0] and "certified-operators-mirror" in found[0]
    # no tag mirror: the NFD operand image cannot be pulled
    found = problems(lambda o: o["kind"] != "ImageTagMirrorSet")
    assert len(found) == 1 and "ose-node-feature-discovery-rhel9:v4.16 is pulled by tag" in found[0]
    # no digest mirror: every package's registries are unreachable
    found = problems(lambda o: o["kind"] != "ImageDigestMirrorSet")
    assert {f.split(" pulls from ")[1].split(" ")[0] for f in found if " pulls from " in f} == {
        "registry.redhat.io",
        "registry.connect.redhat.com",
        "nvcr.io",
    }
    # ...and the approver's image, pinned by digest
    assert [f for f in found if " pulls from " not in f] == [
        "CronJob.batch redhat-ods-operator/installplan-approver spec: image registry.redhat.io/openshift4/ose-cli-rhel9@"
        "sha256:5f836e1e76285bbb4fcd04aa986e6f88a816a1b6db7c9c8e04a6a6ce9e073a44 is pulled by digest, and no "
        "ImageDigestMirrorSet redirects it to the mirror"
    ]
    # a Subscription to a default source that OperatorHub disables
    sub = copy.deepcopy(next(o for o in objs if o["kind"] == "Subscription" and o["spec"]["name"] == "nfd"))
    sub["spec"]["source"] = "redhat-operators"
    found = list(egress_rules.check(edge.spec, [o for o in objs if o["kind"] != "Subscription"] + [sub]))
    assert [m for _, _, m in found] == [
        "names redhat-operators, an OperatorHub default source that OperatorHub cluster disables: OLM cannot resolve it"
    ]
    # and the validate stage reports them, tagged
    findings = crossobject.check(edge.spec, [o for o in objs if o["kind"] != "ImageTagMirrorSet"])
    assert any(f.message.startswith("[egress] image registry.redhat.io/openshift4/") for f in findings)


def test_mirror_set_matching_follows_registries_conf():
    from generator.validate.egress_rules import matches

    assert matches("registry.redhat.io", "registry.redhat.io/rhoai/x")
    assert matches("registry.redhat.io/rhoai", "registry.redhat.io/rhoai/x")
    assert not matches("registry.redhat.io/rho", "registry.redhat.io/rhoai/x")
    assert matches("*.redhat.io", "registry.redhat.io/rhoai/x")
    assert not matches("*.redhat.io", "quay.io/rhoai/x")
