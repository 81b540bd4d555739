"""Node Feature Discovery: the operator (OLM) and its NodeFeatureDiscovery instance. NFD labels
nodes with their PCI vendors (feature.node.kubernetes.io/pci-10de.present for NVIDIA), which
is how the GPU operator finds the nodes to run its operands on."""

from __future__ import annotations

from generator.components import gpu_nodes
from generator.components.base import Component
from generator.components.olm import operator_group, subscription
from generator.core import yamlio
from generator.core.resources import Obj, namespace, obj
from generator.facts import matrix

# PCI classes NFD reports: network (0200), display (03: GPUs), processing accelerators (12).
PCI_CLASSES = ["0200", "03", "12"]


def worker_config() -> str:
    config = {
        "core": {"sleepInterval": "60s"},
        "sources": {"pci": {"deviceClassWhitelist": PCI_CLASSES, "deviceLabelFields": ["vendor"]}},
    }
    return yamlio.dumps(config)


def instance(spec, ns: str) -> Obj:
    image = matrix.matrix().operators.nfd.operand_image.replace("{openshiftVersion}", spec.cluster.openshift_version)
    return obj(
        "nfd.openshift.io/v1",
        "NodeFeatureDiscovery",
        "nfd-instance",
        ns,
        spec={
            "operand": {
                "image": image,
                "servicePort": 12000,
                # GPU nodes are tainted; a worker that cannot run there never labels them.
                "workerTolerations": gpu_nodes.all_tolerations(spec),
            },
            "workerConfig": {"configData": worker_config()},
        },
    )


def build(spec) -> list[Obj]:
    if not spec.gpu_node_pools:
        return []
    op = matrix.matrix().operators.nfd
    ns = op.namespace
    return [
        namespace(ns, labels={"openshift.io/cluster-monitoring": "true"}),
        # The NFD operator supports OwnNamespace installs only.
        operator_group(f"{op.package}-group", ns, [ns]),
        subscription(spec, package=op.package, ns=ns, channel=op.channel),
        instance(spec, ns),
    ]


COMPONENT = Component(
    name="nfd",
    description="Node Feature Discovery operator and instance (finds the GPU nodes)",
    build=build,
    has_base=False,
)
