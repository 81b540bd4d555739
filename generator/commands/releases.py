"""`rhoai-gitops releases`: what each supported release changes in the platform objects the
bundle writes, where a spec's groups go, and the channel it gets (generator/releasenotes.py)."""

from __future__ import annotations

import argparse
import json

from generator import releasenotes
from generator.cli import command


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--distribution",
        choices=["rhoai", "odh"],
        action="append",
        default=None,
        help="one distribution (repeatable; default both)",
    )
    p.add_argument(
        "--output", "-o", choices=["markdown", "json"], default="markdown", help="output format (default markdown)"
    )


@command("releases", "per supported release: new components and fields, where groups go, default channel", _arguments)
def cmd_releases(args: argparse.Namespace) -> int:

    dists = tuple(args.distribution or ("rhoai", "odh"))
    if args.output == "json":
        out = {
            d: [
                {
                    "release": n.version,
                    "changes": n.changes,
                    "groups": n.groups,
                    "channel": n.channel,
                    "pinned": n.pinned,
                }
                for n in releasenotes.notes(d)
            ]
            for d in dists
        }
        print(json.dumps(out, indent=2))
    else:
        print(releasenotes.markdown(dists), end="")
    return 0
