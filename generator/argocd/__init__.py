"""Argo CD: install order (waves.py), the per-cluster AppProject and Applications
(applications.py), the fleet ApplicationSet (fleet.py) and the checks Argo CD would otherwise
only fail at sync time (verify.py). Facts about kinds live in generator/data/argocd.yaml."""

# The unit (overlays/<cluster>/argocd/) holding a cluster's Argo CD objects. It is synced on
# the Argo CD cluster, so it is neither in the cluster's aggregate kustomization nor in a base.
UNIT = "argocd"
