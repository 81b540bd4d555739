"""`rhoai-gitops check`: is the committed bundle what the specs produce? Renders in memory and
compares with base/ and overlays/ on disk; hand edits to generated files show up as diffs,
files the generator never made are ignored. Exit 1 on any difference."""

from __future__ import annotations

import argparse
import json

from generator.cli import command, fleet_args


def _arguments(p: argparse.ArgumentParser) -> None:
    fleet_args(p)
    p.add_argument("--output", choices=["text", "json"], default="text", help="output format (default: text)")


@command("check", "exit 1 unless the committed base/ and overlays/ equal a fresh render of the specs", _arguments)
def cmd_check(args: argparse.Namespace) -> int:
    # Imported when run, not at start-up: every command builds the parser, and the fleet pipeline
    # adds 16 modules (~40 ms, python -X importtime) to each start (tests/test_architecture.py).
    from generator.pipeline import check_fleet

    checked = check_fleet(args.repo, args.clusters or None, jobs=args.jobs, use_cache=not args.no_cache)
    result = checked.diff
    summary = result.summary()
    if args.output == "json":
        files = [{"path": c.path, "status": c.status, "diff": c.unified()} for c in result.changes]
        print(json.dumps({"clean": result.clean, "summary": summary, "files": files}, indent=2, sort_keys=True))
        return 0 if result.clean else 1
    if result.clean:
        print(f"check: up to date ({checked.clusters} cluster(s), {checked.folders} folder(s), {checked.files} files)")
        return 0
    for change in result.changes:
        print(change.unified(), end="")
    print(
        f"check: {len(result.changes)} file(s) differ from the specs: "
        f"{summary['added']} added, {summary['removed']} removed, {summary['changed']} changed "
        f"(run `rhoai-gitops render` and commit the result)"
    )
    return 1
