"""Team environments and what teams run: connections, pipeline servers, model registries,
workbench images, serving runtimes and model deployments, each rendered at the API version and
with the fields of the cluster's release."""

# The unit registry (generator.components) lists these modules' units, and they build on the
# component modules' facts (pool labels, queues): entering here first loads the registry, which
# then loads the workload modules after the component modules they use.
import generator.components  # noqa: F401
