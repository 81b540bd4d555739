"""`rhoai-gitops teams`: per cluster, what each team has (generator/workloads/report.py)."""

from __future__ import annotations

import argparse
import json

from generator.cli import clusters_arg, command
from generator.spec.loader import load_specs
from generator.workloads import report


def _arguments(p: argparse.ArgumentParser) -> None:
    clusters_arg(p)
    p.add_argument("--output", choices=["text", "json"], default="text", help="output format (default: text)")


@command(
    "teams",
    "each team's namespaces, pipeline server, connections and model registries; the workbench images and runtimes offered",
    _arguments,
)
def cmd_teams(args: argparse.Namespace) -> int:

    reports = [report.report(s.spec) for s in load_specs(args.repo, args.clusters or None)]
    if args.output == "json":
        print(json.dumps({"clusters": [r.as_dict() for r in reports]}, indent=2, sort_keys=True))
    else:
        print(report.render_text(reports), end="")
    return 0
