"""`rhoai-gitops capacity`: per cluster, what the GPU pools can provide and how the teams'
Kueue quotas share it (the sums the spec rules check, generator/capacity/pools.py)."""

from __future__ import annotations

import argparse
import json

from generator.build import load_specs
from generator.capacity import pools as capacity
from generator.cli import clusters_arg, command


def _arguments(p: argparse.ArgumentParser) -> None:
    clusters_arg(p)
    p.add_argument("--output", choices=["text", "json"], default="text", help="output format (default: text)")


@command("capacity", "GPU pools (max GPUs), teams' quotas (nominal, can borrow, lends) and headroom", _arguments)
def cmd_capacity(args: argparse.Namespace) -> int:
    reports = [capacity.report(s.spec) for s in load_specs(args.repo, args.clusters or None)]
    if args.output == "json":
        print(json.dumps({"clusters": [r.as_dict() for r in reports]}, indent=2, sort_keys=True))
    else:
        print(capacity.render_text(reports), end="")
    return 0
