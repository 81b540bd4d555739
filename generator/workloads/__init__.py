"""Team-level workloads the spec's `workloads:` section declares (connections, pipeline servers,
registries, images, runtimes, model deployments), each kind in its own module."""

# The unit registry (generator.components) lists these modules' units, and they build on the
# component modules' facts (pool labels, queues): entering here first loads the registry, which
# then loads the workload modules after the component modules they use.
import generator.components  # noqa: F401
