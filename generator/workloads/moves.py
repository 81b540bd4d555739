"""What team environments need when a cluster moves to another release, from the two releases'
workload facts: the API versions the bundle writes change with the release (the render moves
them, but objects written by hand or by tools at the old version must move too), the model
registry's proxy is rewritten on 3.x, and images built for one release line do not run on the
other."""

from __future__ import annotations

from generator.facts.workloads import DSPA, MODEL_REGISTRY, workload_facts
from generator.facts.workloads import releases as workload_releases
from generator.workloads.registries import proxy_field

SOURCE = "the releases' CRDs (generator/data/upstream/workload.json, from ../shared/upstream/workload/)"


def moves(spec, target: str) -> list[dict]:
    """Upgrade steps ({phase, what, source}) for the spec's workloads, moving to `target`."""
    dist, w = spec.distribution.name, spec.workloads
    if spec.version not in workload_releases(dist) or target not in workload_releases(dist):
        return []
    now, then = workload_facts(dist, spec.version), workload_facts(dist, target)
    out = []
    if w.pipeline_servers and now.serves(DSPA) and then.serves(DSPA):
        old, new = now.api_version(DSPA), then.api_version(DSPA)
        gone = [v for v in now.served(DSPA) if v not in then.served(DSPA)]
        if old != new or gone:
            out.append(
                {
                    "phase": "before",
                    "what": f"Pipeline servers: the bundle writes DataSciencePipelinesApplication {new} on {dist} {target}"
                    + (f" (now {old})" if old != new else " (as now)")
                    + (
                        f"; {dist} {target} no longer serves {', '.join(gone)}: rewrite any DataSciencePipelinesApplication "
                        f"kept outside the bundle at {new}, and drop the Tekton-era fields it lacks"
                        if gone
                        else ""
                    )
                    + ". Re-render, and let Argo CD sync the team-pipelines Application after the operator upgraded.",
                    "source": SOURCE,
                }
            )
    if w.model_registries and now.serves(MODEL_REGISTRY) and then.serves(MODEL_REGISTRY):
        old, new = now.api_version(MODEL_REGISTRY), then.api_version(MODEL_REGISTRY)
        p_old, p_new = proxy_field(now), proxy_field(then)
        if old != new or p_old != p_new:
            what = (
                f"Model registries: ModelRegistry moves from {old} to {new}"
                if old != new
                else f"Model registries: ModelRegistry stays {new}"
            )
            if p_old != p_new and p_new == "kubeRBACProxy":
                what += (
                    f"; {dist} {target}'s webhook moves spec.oauthProxy to spec.kubeRBACProxy, so the bundle writes "
                    "kubeRBACProxy (registry clients reach it through the same route; tokens are checked by RBAC: "
                    "the teams' RoleBinding to registry-user-<name> stays)"
                )
            out.append(
                {
                    "phase": "after",
                    "what": what + ". Re-render; Argo CD then finds the registries in sync.",
                    "source": SOURCE,
                }
            )
    line_now, line_then = spec.version.split(".")[0] + ".x", target.split(".")[0] + ".x"
    if line_now != line_then:
        for section, items in (("workbench image", w.workbench_images), ("serving runtime", w.serving_runtimes)):
            stuck = [i.name for i in items if line_then not in i.release_lines]
            if stuck:
                out.append(
                    {
                        "phase": "before",
                        "what": f"Custom {section}s built for {line_now} only ({', '.join(stuck)}): build them for {line_then} and add "
                        f"{line_then} to their releaseLines (a {line_now} image does not run on {line_then}); the spec refuses them on {target} until then.",
                        "source": "workloads releaseLines (spec rule workload_images_and_runtimes)",
                    }
                )
    return out
