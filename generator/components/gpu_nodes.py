"""GPU node pools: per pool and zone a MachineSet and its MachineAutoscaler, and the one
ClusterAutoscaler whose limits are the pools' sums (clouds with the Machine API only).

The labels and taints of a pool's nodes are defined here and nowhere else: Kueue flavors and
hardware profiles select the same nodes with the same labels and tolerate the same taints. On
bare metal (and other providers) nothing is rendered here; the admin labels and taints the
nodes (docs/gpu-pools-and-quotas.md).
"""

from __future__ import annotations

from generator.capacity import pools as capacity
from generator.components.base import Component
from generator.core.names import MACHINE_PROVIDERS, machine_set_name
from generator.core.resources import Obj, obj

MACHINE_API = "openshift-machine-api"
MACHINE_API_VERSION = "machine.openshift.io/v1beta1"
POOL_LABEL = "rhoai-gitops.io/gpu-pool"
GPU_ROLE_LABEL = "node-role.kubernetes.io/gpu"
# The cluster autoscaler counts a node's GPUs under the value of this label; its
# resourceLimits.gpus[].type must equal it (OpenShift "Labeling GPU machine sets").
ACCELERATOR_LABEL = "cluster-api/accelerator"
DEVICE_PLUGIN_CONFIG_LABEL = "nvidia.com/device-plugin.config"
MIG_CONFIG_LABEL = "nvidia.com/mig.config"
CLUSTER_LABEL = "machine.openshift.io/cluster-api-cluster"
MACHINESET_LABEL = "machine.openshift.io/cluster-api-machineset"


# --------------------------------------------------------------------------- a pool's nodes


def node_labels(pool) -> dict[str, str]:
    """The labels that identify a pool's nodes (what flavors and profiles select on): the
    pool's own and ours, never one another controller writes."""
    labels = dict(pool.labels)
    labels.update({POOL_LABEL: pool.name, GPU_ROLE_LABEL: ""})
    return dict(sorted(labels.items()))


def operator_labels(pool) -> dict[str, str]:
    """Node labels that configure the NVIDIA operands and the autoscaler on a pool's nodes."""
    labels = {ACCELERATOR_LABEL: pool.name}
    if pool.time_slicing_replicas:
        labels[DEVICE_PLUGIN_CONFIG_LABEL] = pool.name
    if pool.mig_profile:
        labels[MIG_CONFIG_LABEL] = pool.mig_profile
    return labels


def taints(pool) -> list[dict]:
    out = []
    for t in pool.taints:
        taint = {"key": t.key}
        if t.value is not None:
            taint["value"] = t.value
        taint["effect"] = t.effect
        out.append(taint)
    return out


def toleration(taint) -> dict:
    if taint.value is None:
        return {"key": taint.key, "operator": "Exists", "effect": taint.effect}
    return {"key": taint.key, "operator": "Equal", "value": taint.value, "effect": taint.effect}


def tolerations(pool) -> list[dict]:
    return [toleration(t) for t in pool.taints]


def all_tolerations(spec) -> list[dict]:
    """Every pool's tolerations once each, for operands that run on all GPU nodes."""
    seen: list[dict] = []
    for pool in spec.gpu_node_pools:
        for t in tolerations(pool):
            if t not in seen:
                seen.append(t)
    return seen


# --------------------------------------------------------------------------- machine sets


def has_machine_sets(spec) -> bool:
    return bool(spec.gpu_node_pools) and spec.cluster.provider in MACHINE_PROVIDERS


def _fill(template: str, spec, zone: str) -> str:
    return template.replace("{infrastructureId}", spec.cluster.infrastructure_id).replace("{zone}", zone)


def _aws(spec, pool, zone: str) -> dict:
    ms = spec.cluster.machine_sets
    infra = spec.cluster.infrastructure_id
    return {
        "apiVersion": MACHINE_API_VERSION,
        "kind": "AWSMachineProviderConfig",
        "ami": {"id": ms.image},
        "blockDevices": [{"ebs": {"encrypted": True, "volumeSize": ms.root_volume_gib, "volumeType": "gp3"}}],
        "credentialsSecret": {"name": "aws-cloud-credentials"},
        "deviceIndex": 0,
        "iamInstanceProfile": {"id": _fill(ms.instance_profile, spec, zone)},
        "instanceType": pool.instance_type,
        "placement": {"availabilityZone": zone, "region": spec.cluster.region},
        "securityGroups": [
            {"filters": [{"name": "tag:Name", "values": [_fill(g, spec, zone)]}]} for g in ms.security_groups
        ],
        "subnet": {"filters": [{"name": "tag:Name", "values": [_fill(ms.subnet, spec, zone)]}]},
        "tags": [{"name": f"kubernetes.io/cluster/{infra}", "value": "owned"}],
        "userDataSecret": {"name": "worker-user-data"},
    }


def _gcp(spec, pool, zone: str) -> dict:
    ms = spec.cluster.machine_sets
    infra = spec.cluster.infrastructure_id
    return {
        "apiVersion": MACHINE_API_VERSION,
        "kind": "GCPMachineProviderSpec",
        "canIPForward": False,
        "credentialsSecret": {"name": "gcp-cloud-credentials"},
        "deletionProtection": False,
        "disks": [
            {"autoDelete": True, "boot": True, "image": ms.image, "sizeGb": ms.root_volume_gib, "type": "pd-ssd"}
        ],
        "machineType": pool.instance_type,
        "networkInterfaces": [{"network": _fill(ms.network, spec, zone), "subnetwork": _fill(ms.subnet, spec, zone)}],
        # GPU VMs cannot live-migrate: GCP refuses them unless host maintenance terminates them.
        "onHostMaintenance": "Terminate",
        "projectID": ms.project_id,
        "region": spec.cluster.region,
        "restartPolicy": "Always",
        "serviceAccounts": [
            {
                "email": _fill(ms.service_account, spec, zone),
                "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
            }
        ],
        "tags": [f"{infra}-worker"],
        "userDataSecret": {"name": "worker-user-data"},
        "zone": zone,
    }


def _azure(spec, pool, zone: str) -> dict:
    ms = spec.cluster.machine_sets
    return {
        "apiVersion": MACHINE_API_VERSION,
        "kind": "AzureMachineProviderSpec",
        "credentialsSecret": {"name": "azure-cloud-credentials", "namespace": MACHINE_API},
        "image": {"offer": "", "publisher": "", "resourceID": _fill(ms.image, spec, zone), "sku": "", "version": ""},
        "location": spec.cluster.region,
        "networkResourceGroup": _fill(ms.resource_group, spec, zone),
        "osDisk": {
            "diskSizeGB": ms.root_volume_gib,
            "managedDisk": {"storageAccountType": "Premium_LRS"},
            "osType": "Linux",
        },
        "publicIP": False,
        "resourceGroup": _fill(ms.resource_group, spec, zone),
        "subnet": _fill(ms.subnet, spec, zone),
        "userDataSecret": {"name": "worker-user-data"},
        "vmSize": pool.instance_type,
        "vnet": _fill(ms.network, spec, zone),
        "zone": zone,
    }


PROVIDER_SPECS = {"aws": _aws, "gcp": _gcp, "azure": _azure}


def machine_set(spec, pool, zone: str, replicas: int) -> Obj:
    name = machine_set_name(spec, pool, zone)
    infra = spec.cluster.infrastructure_id
    selector = {CLUSTER_LABEL: infra, MACHINESET_LABEL: name}
    machine_labels = {
        CLUSTER_LABEL: infra,
        # GPU nodes join the worker MachineConfigPool: same ignition, same OS updates.
        "machine.openshift.io/cluster-api-machine-role": "worker",
        "machine.openshift.io/cluster-api-machine-type": "worker",
        MACHINESET_LABEL: name,
    }
    labels = {**node_labels(pool), **operator_labels(pool)}
    template_spec = {
        "metadata": {"labels": dict(sorted(labels.items()))},
        "providerSpec": {"value": PROVIDER_SPECS[spec.cluster.provider](spec, pool, zone)},
        "taints": taints(pool),
    }
    o = obj(
        MACHINE_API_VERSION,
        "MachineSet",
        name,
        MACHINE_API,
        spec={
            "replicas": replicas,
            "selector": {"matchLabels": selector},
            "template": {"metadata": {"labels": machine_labels}, "spec": template_spec},
        },
    )
    o["metadata"]["labels"] = {CLUSTER_LABEL: infra, POOL_LABEL: pool.name}
    return o


def machine_autoscaler(name: str, min_replicas: int, max_replicas: int) -> Obj:
    return obj(
        "autoscaling.openshift.io/v1beta1",
        "MachineAutoscaler",
        name,
        MACHINE_API,
        spec={
            "minReplicas": min_replicas,
            "maxReplicas": max_replicas,
            "scaleTargetRef": {"apiVersion": MACHINE_API_VERSION, "kind": "MachineSet", "name": name},
        },
    )


def cluster_autoscaler(spec) -> Obj:
    pools = capacity.pools(spec)
    # A node template built from the MachineSet counts physical GPUs, a running node its
    # advertised nvidia.com/gpu (time slices, MIG instances): the larger bound never stops the
    # pool short of its max, which the MachineAutoscalers enforce anyway.
    limits = {
        "maxNodesTotal": spec.cluster.machine_sets.nodes_outside_pools + sum(p.max_nodes for p in pools),
        "gpus": [
            {"type": p.name, "min": p.min_nodes * p.gpus_per_node, "max": max(p.max_gpus, p.max_units)} for p in pools
        ],
    }
    return obj(
        "autoscaling.openshift.io/v1",
        "ClusterAutoscaler",
        "default",
        spec={
            # A pool spread over zones is one group to the autoscaler: it keeps the zones even.
            "balanceSimilarNodeGroups": True,
            "resourceLimits": limits,
            "scaleDown": {"enabled": True, "delayAfterAdd": "10m", "delayAfterDelete": "5m", "unneededTime": "10m"},
        },
    )


def build(spec) -> list[Obj]:
    if not has_machine_sets(spec):
        return []
    objs: list[Obj] = [cluster_autoscaler(spec)]
    for pool in spec.gpu_node_pools:
        mins = capacity.zone_shares(pool.replicas.min, len(pool.zones))
        maxes = capacity.zone_shares(pool.replicas.max, len(pool.zones))
        for zone, lo, hi in zip(pool.zones, mins, maxes):
            # The MachineSet starts at its minimum; the MachineAutoscaler owns replicas from then
            # on (Argo CD ignores /spec/replicas of MachineSets, data/argocd.yaml).
            ms = machine_set(spec, pool, zone, lo)
            objs.append(ms)
            objs.append(machine_autoscaler(ms["metadata"]["name"], lo, hi))
    return objs


COMPONENT = Component(
    name="gpu-nodes",
    description="GPU node pools: MachineSets, MachineAutoscalers and the ClusterAutoscaler",
    build=build,
    has_base=False,
)
