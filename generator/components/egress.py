"""How the cluster reaches images and the outside world: a disconnected cluster's mirror sets
and mirrored catalogs, OperatorHub's default sources, and the proxy with its trusted CA.

The unit's objects follow from the rest of the bundle (Component.derive), so anything another
unit adds is covered without a change here:

- ImageDigestMirrorSet: every registry the bundle's operators pull from (the catalog of each
  Subscription's package, matrix.yaml `packages`; OLM bundles pin their images by digest) and
  every image the bundle names by digest, redirected to the mirror registry. oc-mirror pushes an
  image to <mirror>/<its path> (the source registry's host dropped), so a registry-scoped source
  maps onto the mirror itself.
- ImageTagMirrorSet: each image the bundle names by tag (an IDMS never applies to a tag pull),
  repository-scoped, since tags move.
- CatalogSource: one per source catalog the Subscriptions use (redhat-operators, certified-
  operators, community-operators), serving that catalog's mirrored index; each Subscription
  names the mirror of its own package's catalog (olm.catalog_source).
- OperatorHub `cluster`: the default sources disabled, where the spec says so.
- Proxy `cluster` (only where the spec owns it, proxy.clusterWide) with the trusted CA bundle as
  its trustedCA; otherwise the proxy reaches each operator through its Subscription
  (`subscriptions`, a pass over every unit).
"""

from __future__ import annotations

from generator import images
from generator.components import gitops
from generator.components.base import Component
from generator.components.olm import MARKETPLACE, mirror_catalog_source, source_of
from generator.core.resources import COMPONENT_LABEL, MANAGED_BY, MANAGER, Obj, label, obj
from generator.facts import matrix

NAME = "egress"
CONFIG_API = "config.openshift.io/v1"
MIRRORS = "rhoai-gitops"  # the IDMS / ITMS names
SINGLETON = "cluster"  # OperatorHub and Proxy: the cluster's one object of the kind
CA_CONFIG_MAP = "rhoai-gitops-ca-bundle"  # openshift-config: the proxy's trustedCA
OPERATOR_CA = "rhoai-gitops-trusted-ca"  # each operator namespace: the injected cluster bundle
INJECT_CA = "config.openshift.io/inject-trusted-cabundle"
# Where RHEL-based images read their CA bundle (update-ca-trust's extracted PEM).
CA_MOUNT = "/etc/pki/ca-trust/extracted/pem"
CA_FILE = "tls-ca-bundle.pem"
# How often a mirror CatalogSource re-reads its index: oc-mirror overwrites the mirrored index
# tag on every run, and the cluster then sees the new bundles without a restart.
POLL = "30m"


def subscriptions_of(units: dict[str, list[Obj]]) -> list[Obj]:
    return [o for objs in units.values() for o in objs if o.get("kind") == "Subscription"]


def _mirror(spec, path: str = "") -> str:
    return f"{spec.cluster.disconnected.mirror_registry}/{path}" if path else spec.cluster.disconnected.mirror_registry


def _policy(spec) -> dict:
    return {"mirrorSourcePolicy": "NeverContactSource"} if spec.cluster.disconnected.never_contact_source else {}


def digest_mirrors(spec, subs: list[Obj], refs: list[images.ImageRef]) -> Obj | None:
    registries = {r for s in subs for r in matrix.package(s["spec"]["name"]).registries}
    registries |= {r.domain for r in refs if r.by_digest}
    if not registries:
        return None
    entries = [{"source": r, "mirrors": [_mirror(spec)], **_policy(spec)} for r in sorted(registries)]
    return obj(CONFIG_API, "ImageDigestMirrorSet", MIRRORS, spec={"imageDigestMirrors": entries})


def tag_mirrors(spec, refs: list[images.ImageRef]) -> Obj | None:
    repos = sorted({(r.repository, r.path) for r in refs if not r.by_digest})
    if not repos:
        return None
    entries = [{"source": repo, "mirrors": [_mirror(spec, path)], **_policy(spec)} for repo, path in repos]
    return obj(CONFIG_API, "ImageTagMirrorSet", MIRRORS, spec={"imageTagMirrors": entries})


def catalog_sources(spec, subs: list[Obj]) -> list[Obj]:
    used = sorted({source_of(s["spec"]["source"]) for s in subs})
    out = []
    for catalog in used:
        facts = matrix.source_catalog(catalog)
        index = images.parse_qualified(matrix.catalog_index(catalog, spec.cluster.openshift_version))
        out.append(
            obj(
                "operators.coreos.com/v1alpha1",
                "CatalogSource",
                mirror_catalog_source(catalog),
                MARKETPLACE,
                spec={
                    "sourceType": "grpc",
                    "image": f"{_mirror(spec, index.path)}:{index.tag}",
                    "displayName": f"{facts.display_name} (mirror)",
                    "publisher": facts.publisher,
                    "updateStrategy": {"registryPoll": {"interval": POLL}},
                    # Red Hat's file-based-catalog indexes run under the restricted pod security
                    # profile; unset, OLM runs the catalog pod `legacy` (privileged-era settings).
                    "grpcPodConfig": {"securityContextConfig": "restricted"},
                },
            )
        )
    return out


def operator_hub(spec) -> Obj | None:
    if not spec.cluster.disconnected.disable_default_sources:
        return None
    return obj(CONFIG_API, "OperatorHub", SINGLETON, spec={"disableAllDefaultSources": True})


def has_ca(spec) -> bool:
    ca = spec.trusted_ca_bundle
    return ca.management_state == "Managed" and bool(ca.custom_ca_bundle.strip())


def cluster_proxy(spec) -> list[Obj]:
    proxy = spec.cluster.proxy
    if proxy is None or not proxy.cluster_wide:
        return []
    body: dict = {}
    if proxy.http_proxy:
        body["httpProxy"] = proxy.http_proxy
    if proxy.https_proxy:
        body["httpsProxy"] = proxy.https_proxy
    if proxy.no_proxy:
        body["noProxy"] = ",".join(proxy.no_proxy)
    out = []
    if has_ca(spec):
        # The cluster network operator merges it into the cluster's trust bundle, which reaches
        # every ConfigMap labelled for injection (the platform's odh-trusted-ca-bundle, the
        # operators' below).
        body["trustedCA"] = {"name": CA_CONFIG_MAP}
        out.append(
            obj(
                "v1",
                "ConfigMap",
                CA_CONFIG_MAP,
                "openshift-config",
                data={"ca-bundle.crt": spec.trusted_ca_bundle.custom_ca_bundle},
            )
        )
    return out + [obj(CONFIG_API, "Proxy", SINGLETON, spec=body)]


def derive(spec, units: dict[str, list[Obj]]) -> list[Obj]:
    out: list[Obj] = []
    if spec.cluster.disconnected:
        # The bootstrap unit (made by a later pass) installs the GitOps operator: mirror it too.
        subs = subscriptions_of(units) + [o for o in gitops.operator_objects(spec) if o.get("kind") == "Subscription"]
        refs = [images.parse_qualified(r) for r in images.referenced(o for objs in units.values() for o in objs)]
        out += [o for o in (digest_mirrors(spec, subs, refs), tag_mirrors(spec, refs)) if o]
        out += catalog_sources(spec, subs)
        hub = operator_hub(spec)
        if hub:
            out.append(hub)
    return out + cluster_proxy(spec)


# --------------------------------------------------------------------------- Subscriptions


def proxy_env(spec) -> dict[str, str]:
    """What a proxied cluster's operators get through their Subscriptions: nothing where the
    cluster Proxy is the spec's (OLM injects it into every operator itself)."""
    proxy = spec.cluster.proxy
    if proxy is None or proxy.cluster_wide:
        return {}
    env = {
        "HTTP_PROXY": proxy.http_proxy,
        "HTTPS_PROXY": proxy.https_proxy,
        "NO_PROXY": ",".join(proxy.no_proxy) if proxy.no_proxy else None,
    }
    return {k: v for k, v in env.items() if v}


def _configure(sub: Obj, env: dict[str, str], ca: bool) -> None:
    config = sub["spec"].setdefault("config", {})
    if env:
        have = config.setdefault("env", [])
        names = {e["name"] for e in have}
        have += [{"name": k, "value": v} for k, v in env.items() if k not in names]
    if ca:
        config.setdefault("volumes", []).append(
            {
                "name": OPERATOR_CA,
                "configMap": {"name": OPERATOR_CA, "items": [{"key": "ca-bundle.crt", "path": CA_FILE}]},
            }
        )
        config.setdefault("volumeMounts", []).append({"name": OPERATOR_CA, "mountPath": CA_MOUNT, "readOnly": True})


def subscriptions(spec, units: dict[str, list[Obj]]) -> None:
    """The pass: a proxied cluster's operators, whichever unit installs them, get the proxy
    (unless OLM gives it from the cluster Proxy) and the cluster's trust bundle, which holds the
    proxy's CA: the cluster network operator fills a ConfigMap labelled
    config.openshift.io/inject-trusted-cabundle in the operator's namespace, mounted where the
    operator's TLS clients read their CAs (OpenShift's documented way to give an OLM operator a
    custom CA)."""
    for unit, objs in units.items():
        configure_unit(spec, unit, objs)


def configure_unit(spec, unit: str, objs: list[Obj]) -> None:
    """One unit's Subscriptions, as `subscriptions` does it (also for units made by later passes)."""
    if spec.cluster.proxy is None:
        return
    env = proxy_env(spec)
    namespaces: list[str] = []
    for o in objs:
        if o.get("kind") != "Subscription":
            continue
        _configure(o, env, ca=True)
        ns = o["metadata"]["namespace"]
        if ns not in namespaces:
            namespaces.append(ns)
    for ns in namespaces:
        cm = obj("v1", "ConfigMap", OPERATOR_CA, ns)
        cm["metadata"]["labels"] = {INJECT_CA: "true"}
        label(cm, MANAGED_BY, MANAGER)
        label(cm, COMPONENT_LABEL, unit)
        objs.append(cm)


COMPONENT = Component(
    name=NAME,
    description="Mirror sets, mirrored catalogs, OperatorHub sources and the cluster Proxy of a disconnected or proxied cluster",
    build=lambda spec: [],
    has_base=False,
    derive=derive,
)
