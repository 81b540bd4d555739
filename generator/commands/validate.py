"""`rhoai-gitops validate [CLUSTER ...]`: the pre-merge gate (generator/validate/pipeline.py)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from generator.cli import clusters_arg, command
from generator.core.errors import UsageError
from generator.store.atomic import write_atomic


def _arguments(p: argparse.ArgumentParser) -> None:
    clusters_arg(p)
    p.add_argument(
        "--output", "-o", choices=["text", "json", "junit"], default="text", help="report format (default text)"
    )
    p.add_argument("--junit", type=Path, default=None, metavar="FILE", help="also write the JUnit report to FILE")
    p.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the JSON report to FILE")
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 2,
        help="parallel kustomize / cue processes (default: cores)",
    )
    p.add_argument(
        "--schemas",
        type=Path,
        action="append",
        default=None,
        metavar="DIR",
        help="folder of imported CRD schemas (repeatable; default <repo>/schemas/crds)",
    )
    p.add_argument("--ignore-missing-schemas", action="store_true", help="pass objects whose kind has no schema")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="judge and render every cluster again, ignoring the verdict and render caches (~/.cache/rhoai-gitops/, or $RHOAI_GITOPS_CACHE)",
    )


@command("validate", "pre-merge checks: up to date, kustomize build, schemas, cross-object, CUE policies", _arguments)
def cmd_validate(args: argparse.Namespace) -> int:
    # Imported when run, not at start-up (every command builds the parser): validate's pipeline
    # and output add 32 modules (~110 ms, python -X importtime) to each start (tests/test_architecture.py).
    from generator.validate.output import FORMATS
    from generator.validate.pipeline import Options, run

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    schemas = [s if s.is_absolute() else (Path.cwd() / s) for s in (args.schemas or [])]
    missing = [str(s) for s in schemas if not s.is_dir()]
    if missing:
        raise UsageError(f"no such schema folder: {', '.join(missing)}")
    report = run(
        args.repo,
        Options(args.clusters or None, args.jobs, schemas, args.ignore_missing_schemas, use_cache=not args.no_cache),
    )
    sys.stdout.write(FORMATS[args.output](report))
    for fmt, target in (("junit", args.junit), ("json", args.json)):
        if target:
            write_atomic(target, FORMATS[fmt](report))
    return 1 if report.findings else 0
