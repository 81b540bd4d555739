"""rhoai-gitops: one typed platform spec per cluster -> Kustomize bundle + Argo CD objects."""

__version__ = "0.1.0"
