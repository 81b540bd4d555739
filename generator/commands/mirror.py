"""`rhoai-gitops mirror [CLUSTER ...]`: the oc-mirror v2 ImageSetConfiguration that fills the
clusters' mirror registry with exactly what their bundles install (generator/mirror/imageset.py),
checked against oc-mirror's own loading rules (generator/mirror/ocmirror.py) before it is written."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.build import load_specs
from generator.cli import clusters_arg, command
from generator.core.errors import UsageError
from generator.store.atomic import write_atomic


def _arguments(p: argparse.ArgumentParser) -> None:
    clusters_arg(p)
    p.add_argument(
        "--to",
        metavar="VERSION",
        default=None,
        help="a planned upgrade: also mirror every bundle on the OLM path to this release, and every package "
        "and image the target render pulls (the end state `upgrade` plans)",
    )
    p.add_argument("--file", "-f", type=Path, default=None, help="write it here (default: standard output)")


@command(
    "mirror",
    "write the oc-mirror v2 ImageSetConfiguration for the clusters (default: every disconnected one)",
    _arguments,
)
def cmd_mirror(args: argparse.Namespace) -> int:
    # Imported when run, not at start-up (every command builds the parser): the mirror plan and
    # oc-mirror add 7 modules (~75 ms, python -X importtime) to each start (tests/test_architecture.py).
    from generator.mirror import imageset as mirror
    from generator.mirror import ocmirror

    loaded = load_specs(args.repo, args.clusters or None)
    if not args.clusters:
        loaded = [s for s in loaded if s.spec.cluster.disconnected]
        if not loaded:
            raise UsageError("no cluster spec sets cluster.disconnected; name the clusters to mirror for")
    targets = None
    if args.to:
        # Imported when run, not at start-up (every command builds the parser): 4 modules, ~20 ms
        # (python -X importtime; tests/test_architecture.py).
        from generator.upgrade.plan import end_state_spec

        targets = {item.name: end_state_spec(args.repo, item, args.to) for item in loaded}
    plan = mirror.plan(loaded, args.to, targets)
    text = mirror.document(plan, args.to)
    try:
        ocmirror.load(text)
    except ocmirror.InvalidImageSetConfiguration as exc:  # a generator bug, never the user's
        raise AssertionError(f"the ImageSetConfiguration would be refused by oc-mirror: {exc}") from None
    if args.file is None:
        print(text, end="")
        return 0
    write_atomic(args.file, text)
    print(f"wrote {args.file} ({len(plan.clusters)} cluster(s): {', '.join(plan.clusters)})")
    return 0
