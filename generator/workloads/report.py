"""What each team has: per team of quotas.teams, its namespaces, the pipeline server and the
connections in each, the model registries its groups may use; and the images and runtimes every
team is offered (`rhoai-gitops teams`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from generator.facts.workloads import DSPA, MODEL_REGISTRY, workload_facts


@dataclass
class TeamEnvironment:
    team: str
    namespace: str
    pipeline_server: str  # "<name> (<apiVersion>)" or "-"
    connections: list[str] = field(default_factory=list)  # "<name> (<type>)"
    registries: list[str] = field(default_factory=list)


@dataclass
class Environments:
    cluster: str
    release: str
    teams: list[TeamEnvironment] = field(default_factory=list)
    workbench_images: list[str] = field(default_factory=list)
    serving_runtimes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def report(spec) -> Environments:
    w = spec.workloads
    facts = workload_facts(spec.distribution.name, spec.version)
    dspa = facts.api_version(DSPA) if facts.serves(DSPA) else "?"
    registry = facts.api_version(MODEL_REGISTRY) if facts.serves(MODEL_REGISTRY) else "?"
    out = Environments(spec.name, str(spec.release))
    for team in spec.quotas.teams if spec.quotas else []:
        regs = [f"{r.name} ({registry})" for r in w.model_registries if team.name in r.teams]
        for ns in team.namespaces:
            server = next((p for p in w.pipeline_servers if p.namespace == ns), None)
            out.teams.append(
                TeamEnvironment(
                    team.name,
                    ns,
                    f"{server.name} ({dspa})" if server else "-",
                    [f"{c.name} ({c.type})" for c in w.connections if c.namespace == ns],
                    regs,
                )
            )
    out.workbench_images = [f"{i.display_name} ({', '.join(t.name for t in i.tags)})" for i in w.workbench_images]
    out.serving_runtimes = [f"{r.display_name} ({r.name}-template)" for r in w.serving_runtimes]
    return out


def render_text(reports: list[Environments]) -> str:
    blocks = []
    for r in reports:
        lines = [f"cluster {r.cluster} ({r.release})"]
        rows = [
            [t.team, t.namespace, t.pipeline_server, ", ".join(t.connections) or "-", ", ".join(t.registries) or "-"]
            for t in r.teams
        ]
        if rows:
            header = ["team", "namespace", "pipeline server", "connections", "model registries"]
            widths = [max(len(x[i]) for x in [header] + rows) for i in range(len(header))]
            lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header] + rows]
        else:
            lines.append("  no teams (quotas.teams)")
        lines.append(f"  workbench images: {', '.join(r.workbench_images) or '-'}")
        lines.append(f"  serving runtimes: {', '.join(r.serving_runtimes) or '-'}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
