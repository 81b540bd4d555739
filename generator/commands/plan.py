"""`rhoai-gitops plan --against REV`: what a change to the specs does, object by object, per
cluster (the specs at REV and in the working tree, both rendered by the working tree's
generator). Exit 0 whether or not anything changes: a plan reports, it does not gate."""

from __future__ import annotations

import argparse
import json
import sys

from generator.cli import clusters_arg, command
from generator.diff import markdown
from generator.diff.objects import show
from generator.diff.plan import Plan, plan

MARKS = {"added": "+", "removed": "-", "changed": "~"}
WIDTH = 100  # a value longer than this is folded in text output (json and markdown keep it whole)


def _arguments(p: argparse.ArgumentParser) -> None:
    clusters_arg(p)
    p.add_argument("--against", required=True, metavar="REV", help="git revision to compare with (e.g. origin/main)")
    p.add_argument(
        "--output", choices=["text", "json", "markdown"], default="text", help="output format (default: text)"
    )


def render_text(result: Plan) -> str:
    lines = []
    for c in result.clusters:
        if c.status == "unchanged":
            lines.append(f"{c.cluster}: no changes")
            continue
        head = f"{c.cluster}: {c.count('added')} to add, {c.count('removed')} to remove, {c.count('changed')} to change"
        lines.append(head + (f" (cluster {c.status})" if c.status != "changed" else ""))
        for o in c.objects:
            lines.append(f"  {MARKS[o.status]} {o.name}")
            for f in o.fields:
                lines.append(f"      {f.path}: {show(f.left, WIDTH)} -> {show(f.right, WIDTH)}")
    if not result.clusters:
        lines.append("no clusters")
    return "\n".join(lines) + "\n"


@command("plan", "object-level diff of the bundle between the specs at a git revision and the working tree", _arguments)
def cmd_plan(args: argparse.Namespace) -> int:
    result = plan(args.repo, args.against, args.clusters or None)
    if args.output == "json":
        print(json.dumps(result.as_dict(), indent=2, sort_keys=True))
    elif args.output == "markdown":
        print(markdown.render("plan.md.j2", plan=result, marks=MARKS), end="")
    else:
        print(render_text(result), end="")
    _say_if_stale(args, result)
    return 0


def _say_if_stale(args: argparse.Namespace, result: Plan) -> None:
    """A plan compares renders of the specs; what Argo CD syncs is the committed bundle. A
    cluster whose specs did not change but whose bundle differs from their render (a hand edit
    of a generated file) gets "no changes" from the plan, which is not what will happen. (A
    cluster whose specs changed is expected to differ until it is rendered.)"""
    # Imported when run, not at start-up: every command builds the parser, and the fleet pipeline
    # adds 16 modules (~40 ms, python -X importtime) to each start (tests/test_architecture.py).
    from generator.pipeline import check_fleet

    unchanged = [c.cluster for c in result.clusters if c.status == "unchanged"]
    if not unchanged:
        return
    diff = check_fleet(args.repo, unchanged).diff
    if not diff.clean:
        print(
            f"note: the bundle on disk is stale ({len(diff.changes)} file(s) differ from a fresh render of the specs), "
            "so this plan is not what Argo CD would sync: run `rhoai-gitops check` to see the difference, "
            "`rhoai-gitops render` to fix it",
            file=sys.stderr,
        )
