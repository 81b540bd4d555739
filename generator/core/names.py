"""Names and label prefixes that spec rules and builders both use: where GPU pools get
MachineSets, what those are called, and which node labels other controllers own."""

from __future__ import annotations

# Providers whose GPU pools get MachineSets (elsewhere the admin labels the nodes).
MACHINE_PROVIDERS = ("aws", "gcp", "azure")

# Label prefixes other controllers own on GPU nodes: GPU feature discovery rewrites
# nvidia.com/gpu.product (<product>-SHARED under time-slicing, <product>-MIG-<slice> under MIG
# single), NFD writes feature.node.kubernetes.io/*. A pool is never selected by them.
FOREIGN_LABEL_PREFIXES = ("nvidia.com/", "feature.node.kubernetes.io/")


def machine_set_name(spec, pool, zone: str) -> str:
    # Azure zones are "1", "2", "3": the installer names its MachineSets <region><zone>.
    suffix = f"{spec.cluster.region}{zone}" if spec.cluster.provider == "azure" else zone
    return f"{spec.cluster.infrastructure_id}-gpu-{pool.name}-{suffix}".lower()
