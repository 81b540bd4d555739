"""`rhoai-gitops drift CLUSTER`: does the live cluster match the committed overlay? Live objects
come from exported YAML (`--live-from`, offline) or from kubectl. Exit 1 on drift."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from generator.argocd.bootstrap import BOOTSTRAP
from generator.cli import command
from generator.core import yamlio
from generator.core.errors import UsageError
from generator.diff import live, markdown, settings
from generator.diff.drift import IN_SYNC, STATUSES, DriftReport, application_rules, compare, desired_objects
from generator.diff.objects import show
from generator.spec.loader import spec_files


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("cluster", metavar="CLUSTER", help="cluster name (its overlay: overlays/CLUSTER)")
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--live-from",
        type=Path,
        metavar="PATH",
        help="file or folder of exported live objects (YAML/JSON, List kinds too)",
    )
    source.add_argument(
        "--context", help="kubeconfig context to read the live cluster from (default: the current context)"
    )
    p.add_argument("--kubeconfig", help="kubeconfig file for kubectl")
    p.add_argument(
        "--output", choices=["text", "json", "markdown"], default="text", help="output format (default: text)"
    )
    p.add_argument(
        "--argocd-cm",
        type=Path,
        metavar="PATH",
        default=None,
        help="Argo CD's comparison settings: a file with the argocd-cm ConfigMap (oc get cm argocd-cm -o yaml) "
        "or the ArgoCD instance; default: the instance the cluster's bootstrap unit renders, else Argo CD's defaults",
    )


def render_text(report: DriftReport) -> str:
    counts = ", ".join(f"{n} {s}" for s, n in report.summary().items() if n or s == IN_SYNC)
    lines = [f"{report.cluster}: {len(report.objects)} object(s): {counts}"]
    if report.settings != settings.Settings().source:
        lines.append(f"  compared with Argo CD's settings from {report.settings}")
    for o in report.objects:
        if o.status == IN_SYNC:
            continue
        lines.append(f"  {o.status:<12} {o.name}")
        for f in o.fields:
            lines.append(f"      {f.path}: desired {show(f.left)}, live {show(f.right)}")
    return "\n".join(lines) + "\n"


def argocd_settings(repo: Path, cluster: str, given: Path | None) -> settings.Settings:
    """The comparison settings drift applies: the file given, else the ArgoCD instance of the
    cluster's committed bootstrap unit, else Argo CD's defaults."""
    if given is not None:
        if not given.is_file():
            raise UsageError(f"--argocd-cm {given}: no such file")
        try:
            objs = [o for o in yamlio.loads_all(given.read_text(encoding="utf-8")) if isinstance(o, dict)]
        except (yaml.YAMLError, UnicodeDecodeError):
            raise UsageError(f"--argocd-cm {given}: is not YAML or JSON") from None
        found = settings.from_objects(objs, str(given))
        if found is None:
            raise UsageError(f"--argocd-cm {given}: holds no ConfigMap named argocd-cm and no ArgoCD object")
        return found
    folder = repo / "overlays" / cluster / BOOTSTRAP
    objs = [
        o
        for path in sorted(folder.glob("*.yaml"))
        if folder.is_dir()
        for o in yamlio.loads_all(path.read_text(encoding="utf-8"))
        if isinstance(o, dict)
    ]
    return settings.from_objects(objs, f"overlays/{cluster}/{BOOTSTRAP}") or settings.Settings()


@command("drift", "compare a cluster's committed overlay with the live objects (exit 1 on drift)", _arguments)
def cmd_drift(args: argparse.Namespace) -> int:
    if args.kubeconfig and args.live_from:
        raise UsageError("--kubeconfig reads a live cluster; it does not go with --live-from")
    if not (args.repo / "overlays" / args.cluster / "kustomization.yaml").is_file():
        spec_files(args.repo, [args.cluster])  # a cluster with no spec either: say so, not "render it"
    desired = desired_objects(args.repo, args.cluster)
    if args.live_from:
        objs = live.read_exports(args.live_from)
    else:
        objs = live.read_cluster(desired, args.kubeconfig, args.context)
    found = argocd_settings(args.repo, args.cluster, args.argocd_cm)
    report = compare(
        args.cluster, desired, objs, application_rules(args.repo, args.cluster) + found.ignore_rules(), found.options()
    )
    report.settings = found.source
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.output == "json":
        print(json.dumps(report.as_dict(), indent=2, sort_keys=True))
    elif args.output == "markdown":
        print(markdown.render("drift.md.j2", report=report, statuses=STATUSES, in_sync=IN_SYNC), end="")
    else:
        print(render_text(report), end="")
    return 1 if report.drifted else 0
