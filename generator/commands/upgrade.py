"""`rhoai-gitops upgrade CLUSTER --to VERSION`: what a platform team reads before changing the
cluster's release (generator/upgrade/plan.py). Exit 0 when changing the version alone renders and
OLM can get there, 1 when the plan lists spec changes or OLM refuses, 2 for bad input."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator.cli import command
from generator.core.errors import REMOVE, UsageError, format_path
from generator.diff import markdown
from generator.diff.objects import show
from generator.spec import edit
from generator.store.atomic import write_atomic

MARKS = {"added": "+", "removed": "-", "changed": "~"}


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("cluster", metavar="CLUSTER", help="the cluster to upgrade (clusters/CLUSTER.yaml)")
    p.add_argument("--to", required=True, metavar="VERSION", help="the target release (3.4) or patch release (3.4.2)")
    p.add_argument(
        "--from-bundle",
        metavar="CSV",
        default=None,
        help="the bundle the cluster runs (oc get csv -n <operator namespace>); default: what the spec installs",
    )
    p.add_argument(
        "--output", "-o", choices=["text", "json", "markdown"], default="text", help="output format (default text)"
    )
    p.add_argument(
        "--write-spec",
        type=Path,
        metavar="PATH",
        default=None,
        help="write the target spec (the version and every change the plan applied; comments and layout kept) "
        "to PATH, e.g. the cluster's own spec file",
    )


def describe(done) -> str:
    """An applied change in words: `set distribution.channel: stable -> stable-3.4`."""
    where = format_path(done.fix.path)
    before = "" if done.old is edit.ABSENT else f"{show(done.old)} -> "
    return (
        f"remove {where} (was {show(done.old)})"
        if done.fix.action == REMOVE
        else f"set {where}: {before}{show(done.fix.value)}"
    )


def render_text(plan) -> str:
    out = [f"{plan.cluster}: {plan.dist} {plan.current} -> {plan.target}", "", "OLM path:"]
    out += [f"  {line}" for line in (plan.path.describe().splitlines() if plan.path else [f"refused: {plan.refusal}"])]
    out += ["", "Spec changes the target requires:"]
    for e in plan.spec_errors:
        done = plan.applied_to(e)
        out += [f"  {e}", f"      {'applied: ' + describe(done) if done else 'needs a person: no mechanical change'}"]
    out += [
        f"  {e}\n      needs a person: the target spec still gets it once the changes above are made"
        for e in plan.further()
    ]
    if not plan.spec_errors:
        out.append("  none: changing distribution.version is enough")
    out += ["", "Objects (the target spec with the applied changes):" if plan.applied else "Objects:"]
    if plan.objects is None:
        out.append("  (the target spec does not parse)")
    for o in plan.objects or []:
        out.append(f"  {MARKS[o.status]} {o.name}")
        out += [f"      {f.path}: {show(f.left)} -> {show(f.right)}" for f in o.fields]
    if plan.model_moves:
        out += ["", "Model deployments:"]
        for m in plan.model_moves:
            out.append(f"  {m.model} ({m.kind}): {m.mode_from} -> {m.mode_to}: {m.action}")
            out += [f"      {i}. {s}" for i, s in enumerate(m.steps, 1)]
    out += ["", "Manual steps:"]
    out += [f"  [{s['phase']}] {s['what']}\n      source: {s['source']}" for s in plan.steps] or ["  none"]
    return "\n".join(out) + "\n"


@command(
    "upgrade",
    "plan a release change: OLM path through the catalog, spec changes, object plan, manual steps",
    _arguments,
)
def cmd_upgrade(args: argparse.Namespace) -> int:
    # Imported when run, not at start-up (every command builds the parser): 4 modules, ~20 ms
    # (python -X importtime; tests/test_architecture.py).
    from generator.upgrade.plan import plan_upgrade

    plan = plan_upgrade(args.repo, args.cluster, args.to, args.from_bundle)
    if args.write_spec is not None:
        _write_spec(args, plan)
    if args.output == "json":
        print(json.dumps(plan.as_dict(), indent=2, sort_keys=True))
    elif args.output == "markdown":
        print(markdown.render("upgrade.md.j2", plan=plan, marks=MARKS), end="")
    else:
        print(render_text(plan), end="")
    return 0 if plan.ready else 1


def _write_spec(args: argparse.Namespace, plan) -> None:
    """The target spec, where the user asked (relative paths from the current directory)."""
    path = args.write_spec
    if path.is_dir():
        raise UsageError(f"--write-spec {path}: is a folder; name the file to write (e.g. {plan.source})")
    if not path.parent.is_dir():
        raise UsageError(f"--write-spec {path}: folder {path.parent} does not exist")
    # Often over the spec itself: a killed run leaves the old spec or the new one, never half.
    write_atomic(path, plan.target_text)
    left = len(plan.needs_person())
    print(
        f"wrote {path}: {plan.dist} {plan.target}, {len(plan.applied)} change(s) applied"
        + (f", {left} left for a person (listed below)" if left else ""),
        file=sys.stderr,
    )
