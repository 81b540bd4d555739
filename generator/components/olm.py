"""OLM building blocks shared by every operator install (RHOAI/ODH, Serverless, NFD, GPU...)."""

from __future__ import annotations

from generator.resources import Obj, namespace, obj

MARKETPLACE = "openshift-marketplace"


def catalog_source(spec, default: str) -> str:
    """A disconnected cluster takes every operator from its mirrored catalog."""
    if spec.cluster.disconnected:
        return spec.cluster.disconnected.catalog_source
    return default


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
    source: str,
    approval: str = "Automatic",
    starting_csv: str | None = None,
    name: str | None = None,
    env: dict[str, str] | None = None,
) -> Obj:
    body = {
        "channel": channel,
        "installPlanApproval": approval,
        "name": package,
        "source": catalog_source(spec, source),
        "sourceNamespace": MARKETPLACE,
    }
    if starting_csv:
        body["startingCSV"] = starting_csv
    if env:
        body["config"] = {"env": [{"name": k, "value": v} for k, v in env.items()]}
    return obj("operators.coreos.com/v1alpha1", "Subscription", name or package, ns, spec=body)


def operator_install(spec, *, package: str, ns: str, channel: str, source: str, own_group: bool = True,
                     approval: str = "Automatic", starting_csv: str | None = None,
                     namespace_labels: dict[str, str] | None = None, env: dict[str, str] | None = None) -> list[Obj]:
    """Namespace + OperatorGroup + Subscription. `own_group=False` for namespaces that already
    have an OperatorGroup (openshift-operators): a second one breaks OLM."""
    out = []
    if own_group:
        out.append(namespace(ns, labels=namespace_labels))
        out.append(operator_group(f"{package}-group" if package != ns else ns, ns))
    out.append(subscription(spec, package=package, ns=ns, channel=channel, source=source,
                            approval=approval, starting_csv=starting_csv, env=env))
    return out


def install_operator(spec, key: str, *, own_group: bool = True, namespace_labels: dict[str, str] | None = None) -> list[Obj]:
    """One of the operators the platform depends on (matrix.yaml operators.<key>), from its
    catalog on its channel."""
    from generator import matrix

    op = matrix.operator(key)
    return operator_install(spec, package=op["package"], ns=op["namespace"], channel=op["channel"],
                            source=op["catalogSource"], own_group=own_group, namespace_labels=namespace_labels)
