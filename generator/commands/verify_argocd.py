"""`rhoai-gitops verify-argocd`: the Argo CD checks of generator/argocd/verify.py, alone."""

from __future__ import annotations

import argparse

from generator.argocd.verify import verify
from generator.build import load_specs
from generator.cli import clusters_arg, command


@command("verify-argocd", "check the committed Argo CD objects the way Argo CD will read them", clusters_arg)
def cmd_verify_argocd(args: argparse.Namespace) -> int:
    # Imported when run, not at start-up (every command builds the parser): validate's pipeline
    # and output add 32 modules (~110 ms, python -X importtime) to each start (tests/test_architecture.py).
    from generator.validate.pipeline import build_sources, source_paths

    specs = load_specs(args.repo, args.clusters or None)
    # Every source path built up front, a cluster in one kustomize run; verify builds what else
    # an Application names.
    builds = build_sources(args.repo, {s.spec.name: source_paths(args.repo, s.spec.name) for s in specs}, None)
    findings = []
    for s in specs:
        found = verify(args.repo, s.spec, builds)
        findings += found
        if not found:
            print(f"ok  {s.spec.name}")
    for f in findings:
        print(f)
    print(f"{len(specs)} cluster(s), {len(findings)} finding(s)")
    return 1 if findings else 0
