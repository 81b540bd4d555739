"""Team environments and what teams run: connections, pipeline servers, model registries,
workbench images, serving runtimes and model deployments, each rendered at the API version and
with the fields of the cluster's release."""
