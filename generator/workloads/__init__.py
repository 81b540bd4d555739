"""Team environments: connections, pipeline servers, model registries, workbench images and
serving runtimes, each rendered at the API version and with the fields of the cluster's release."""
