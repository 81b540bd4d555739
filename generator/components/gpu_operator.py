"""The NVIDIA GPU operator: Subscription (OLM), the ClusterPolicy that deploys driver, toolkit,
device plugin, DCGM exporter and MIG manager, and the device plugin's time-slicing config."""

from __future__ import annotations

from generator.components import gpu_nodes
from generator.components.base import Component
from generator.components.olm import operator_group, subscription
from generator.core import yamlio
from generator.core.resources import Obj, namespace, obj
from generator.facts import matrix

DEVICE_PLUGIN_CONFIG = "device-plugin-config"
# Entry for nodes without the device-plugin.config label: every GPU whole.
DEFAULT_ENTRY = "default"


def channel(spec) -> str:
    return spec.nvidia.gpu_operator_channel or matrix.matrix().operators.gpu.channel


def _plugin_config(spec, replicas: int | None) -> str:
    config: dict = {"version": "v1", "flags": {"migStrategy": spec.nvidia.mig_strategy}}
    if replicas:
        config["sharing"] = {"timeSlicing": {"resources": [{"name": "nvidia.com/gpu", "replicas": replicas}]}}
    return yamlio.dumps(config)


def time_slicing_config(spec, ns: str) -> Obj | None:
    """One entry per time-sliced pool, named after it; its MachineSet labels the nodes
    nvidia.com/device-plugin.config=<pool> so the device plugin picks that entry."""
    pools = [p for p in spec.gpu_node_pools if p.time_slicing_replicas]
    if not pools:
        return None
    data = {DEFAULT_ENTRY: _plugin_config(spec, None)}
    data.update({p.name: _plugin_config(spec, p.time_slicing_replicas) for p in pools})
    return obj("v1", "ConfigMap", DEVICE_PLUGIN_CONFIG, ns, data=data)


def driver(spec) -> dict:
    d = spec.nvidia.driver
    out: dict = {"enabled": True}
    if d.use_open_kernel_modules:
        if channel(spec) in matrix.matrix().operators.gpu.kernel_module_type_channels:
            out["kernelModuleType"] = "open"
        else:
            out["useOpenKernelModules"] = True
    if d.repository:
        out["repository"] = d.repository
    if d.version:
        out["version"] = d.version
    if d.rdma:
        out["rdma"] = {"enabled": True}
    return out


def cluster_policy(spec, time_slicing: bool) -> Obj:
    device_plugin: dict = {"enabled": True}
    if time_slicing:
        device_plugin["config"] = {"name": DEVICE_PLUGIN_CONFIG, "default": DEFAULT_ENTRY}
    dcgm = spec.nvidia.dcgm_exporter
    body = {
        # On OpenShift the driver is built with the cluster's driver toolkit image, for the
        # exact RHCOS kernel of each node.
        "operator": {"defaultRuntime": "crio", "use_ocp_driver_toolkit": True},
        # Operands run on every GPU node, so they tolerate every pool's taints.
        "daemonsets": {
            "updateStrategy": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": "1"},
            "tolerations": gpu_nodes.all_tolerations(spec),
        },
        "driver": driver(spec),
        "toolkit": {"enabled": True},
        "devicePlugin": device_plugin,
        "dcgm": {"enabled": dcgm},
        "dcgmExporter": {"enabled": dcgm, "serviceMonitor": {"enabled": dcgm}},
        "gfd": {"enabled": True},
        "mig": {"strategy": spec.nvidia.mig_strategy},
        # Nodes without an nvidia.com/mig.config label keep MIG off (all-disabled).
        "migManager": {"enabled": any(p.mig_profile for p in spec.gpu_node_pools)},
        "nodeStatusExporter": {"enabled": True},
    }
    return obj("nvidia.com/v1", "ClusterPolicy", "gpu-cluster-policy", spec=body)


def build(spec) -> list[Obj]:
    if not spec.gpu_node_pools:
        return []
    op = matrix.matrix().operators.gpu
    ns = op.namespace
    config = time_slicing_config(spec, ns)
    objs = [
        # Cluster monitoring scrapes the DCGM exporter only in namespaces labelled for it.
        namespace(ns, labels={"openshift.io/cluster-monitoring": "true"}),
        # The GPU operator supports OwnNamespace installs only.
        operator_group(f"{ns}-group", ns, [ns]),
        subscription(spec, package=op.package, ns=ns, channel=channel(spec)),
    ]
    if config:
        objs.append(config)
    objs.append(cluster_policy(spec, config is not None))
    return objs


COMPONENT = Component(
    name="gpu-operator",
    description="NVIDIA GPU operator: ClusterPolicy, time-slicing, DCGM exporter",
    build=build,
    has_base=False,
)
