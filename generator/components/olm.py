"""OLM building blocks shared by every operator install (RHOAI/ODH, Serverless, NFD, GPU...).

Which source catalog ships a package is data (matrix.yaml `packages`), never an argument: a
connected cluster subscribes to that OperatorHub catalog, a disconnected one to its mirror
(generator/components/egress.py serves one mirror CatalogSource per source catalog)."""

from __future__ import annotations

from typing import Any

from generator.core.resources import Obj, namespace, obj
from generator.facts import matrix

MARKETPLACE = "openshift-marketplace"
MIRROR_SUFFIX = "-mirror"


def source_catalog(package: str) -> str:
    """The OperatorHub catalog that ships the package (redhat-operators, certified-operators...)."""
    return matrix.package(package).catalog


def mirror_catalog_source(catalog: str) -> str:
    """The name of the CatalogSource serving a source catalog's mirrored index. Not the default
    name: OperatorHub owns its default sources (and deletes them when they are disabled)."""
    return f"{catalog}{MIRROR_SUFFIX}"


def catalog_source(spec, package: str) -> str:
    """The CatalogSource a Subscription to `package` names on this cluster."""
    catalog = source_catalog(package)
    return mirror_catalog_source(catalog) if spec.cluster.disconnected else catalog


def source_of(catalog_source_name: str) -> str:
    """The source catalog behind a CatalogSource name (either a default one or its mirror)."""
    return catalog_source_name.removesuffix(MIRROR_SUFFIX)


def operator_group(name: str, ns: str, target_namespaces: list[str] | None = None) -> Obj:
    # No targetNamespaces: AllNamespaces install mode, what these operators support.
    spec = {"targetNamespaces": list(target_namespaces)} if target_namespaces else {}
    return obj("operators.coreos.com/v1", "OperatorGroup", name, ns, spec=spec)


def subscription(
    spec,
    *,
    package: str,
    ns: str,
    channel: str,
    source: str | None = None,
    approval: str = "Automatic",
    starting_csv: str | None = None,
    name: str | None = None,
    env: dict[str, str] | None = None,
) -> Obj:
    """`source`, where a caller still passes one, must be the package's catalog: the table is the
    one place that says it."""
    if source is not None and source != source_catalog(package):
        raise ValueError(
            f"{package} ships in {source_catalog(package)} (matrix.yaml packages), not {source}: "
            "drop the source argument"
        )
    body: dict[str, Any] = {
        "channel": channel,
        "installPlanApproval": approval,
        "name": package,
        "source": catalog_source(spec, package),
        "sourceNamespace": MARKETPLACE,
    }
    if starting_csv:
        body["startingCSV"] = starting_csv
    if env:
        body["config"] = {"env": [{"name": k, "value": v} for k, v in env.items()]}
    return obj("operators.coreos.com/v1alpha1", "Subscription", name or package, ns, spec=body)


def operator_install(
    spec,
    *,
    package: str,
    ns: str,
    channel: str,
    own_group: bool = True,
    approval: str = "Automatic",
    starting_csv: str | None = None,
    namespace_labels: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> list[Obj]:
    """Namespace + OperatorGroup + Subscription. `own_group=False` for namespaces that already
    have an OperatorGroup (openshift-operators): a second one breaks OLM."""
    out = []
    if own_group:
        out.append(namespace(ns, labels=namespace_labels))
        out.append(operator_group(f"{package}-group" if package != ns else ns, ns))
    out.append(
        subscription(
            spec, package=package, ns=ns, channel=channel, approval=approval, starting_csv=starting_csv, env=env
        )
    )
    return out


def install_operator(
    spec, key: str, *, own_group: bool = True, namespace_labels: dict[str, str] | None = None
) -> list[Obj]:
    """One of the operators the platform depends on (matrix.yaml operators.<key>), from its
    catalog on its channel."""
    op = matrix.operator(key)
    return operator_install(
        spec,
        package=op.package,
        ns=op.namespace,
        channel=op.channel,
        own_group=own_group,
        namespace_labels=namespace_labels,
    )
