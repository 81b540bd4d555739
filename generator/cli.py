"""`rhoai-gitops` command line. Each subcommand is a function taking parsed args and returning
an exit code; user errors (SpecErrors, UsageError) become messages and exit 2, never tracebacks.

Exit codes: 0 success, 1 a check found a difference or failure, 2 bad input or missing tool.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from generator import __version__
from generator.argocd import fleet
from generator.build import load_specs
from generator.core.errors import SpecErrors, UsageError, escape
from generator.spec import rules
from generator.spec.schema import export
from generator.spec.starter import write_starter
from generator.validate.schemas import import_crds_command

Command = Callable[[argparse.Namespace], int]
# (name, help, add-arguments, run). Subcommand modules register themselves via `command`.
COMMANDS: list[tuple[str, str, Callable[[argparse.ArgumentParser], None], Command]] = []


def command(name: str, help: str, arguments: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    def register(fn: Command) -> Command:
        COMMANDS.append((name, help, arguments, fn))
        return fn

    return register


def clusters_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "clusters",
        nargs="*",
        metavar="CLUSTER",
        help="cluster names, or changed files of the repository (default: all in clusters/): "
        "clusters/NAME.yaml and overlays/NAME/... select NAME, any other file every cluster",
    )


ALL = ()  # every cluster


def clusters_of(repo: Path, words: list[str]) -> list[str] | tuple:
    """Cluster names from names or changed files (what pre-commit and CI pass): a cluster's spec
    or overlay concerns that cluster; a deleted cluster's overlay none; anything else (the
    defaults, a base, a policy, the generator) every cluster."""
    names: list[str] = []
    for word in words:
        if "/" not in word and "." not in word:  # a cluster name (a DNS-1123 label) is no file name
            names.append(word)
            continue
        parts = Path(word).as_posix().split("/")
        if parts[0] == "clusters" and len(parts) == 2 and not parts[1].startswith("_") and parts[1].endswith(".yaml"):
            names.append(parts[1][: -len(".yaml")])
        elif parts[0] == "overlays" and len(parts) >= 3:
            if (repo / "clusters" / f"{parts[1]}.yaml").is_file():
                names.append(parts[1])
        else:
            return ALL
    return sorted(set(names), key=names.index)


# --------------------------------------------------------------------------- lint / schemas / init / render


@command("lint", "load and check cluster specs only (fast; for editors and pre-commit)", clusters_arg)
def cmd_lint(args: argparse.Namespace) -> int:
    specs = load_specs(args.repo, args.clusters or None)
    # What render refuses lint refuses: fleet clusters must agree, so a named fleet cluster is
    # checked against every other.
    if args.clusters and any(s.spec.argocd.fleet.enabled for s in specs):
        fleet.check_specs(load_specs(args.repo))
    else:
        fleet.check_specs(specs)
    for s in specs:
        for warning in rules.warnings(s.spec, s.positions):
            print(warning)
        print(f"ok  {escape(s.source)}")
    return 0


def _schemas_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="schemas_command", required=True, metavar="{export,import}")
    exp = sub.add_parser("export", help="write schemas/platform-spec.schema.json from the spec model")
    exp.add_argument("--check", action="store_true", help="exit 1 if the committed schema is out of date")
    imp = sub.add_parser("import", help="turn CRD YAML into kubeconform-style JSON schemas")
    imp.add_argument("sources", nargs="+", help="CRD files or folders (or `kubectl get crd -o yaml` output)")
    imp.add_argument("--out", type=Path, default=None, help="schema folder (default: <repo>/schemas/crds)")


@command("schemas", "export the spec's JSON Schema, or import CRDs as validation schemas", _schemas_args)
def cmd_schemas(args: argparse.Namespace) -> int:
    if args.schemas_command == "export":
        return export(args.repo, check=args.check)
    return import_crds_command(args)


def _init_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="cluster name (DNS-1123 label)")
    p.add_argument("--distribution", choices=["rhoai", "odh"], default="rhoai")
    p.add_argument(
        "--version", default=None, help="the release, such as 2.22 (default: the distribution's default release)"
    )
    p.add_argument(
        "--openshift-version",
        default=None,
        help="the cluster's OpenShift version, major.minor, such as 4.18 (default: the spec's default, 4.16)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing spec")
    p.add_argument(
        "--repo-url",
        default=None,
        help="this repository's URL as Argo CD clones it (default: clusters/_defaults.yaml, else the git "
        "remote `origin`); written once, to clusters/_defaults.yaml",
    )


@command("init", "write a commented starter spec clusters/NAME.yaml", _init_args)
def cmd_init(args: argparse.Namespace) -> int:
    defaults = args.repo / "clusters" / "_defaults.yaml"
    had_defaults = defaults.exists()
    path = write_starter(
        args.repo,
        args.name,
        args.distribution,
        force=args.force,
        repo_url=args.repo_url,
        version=args.version,
        openshift=args.openshift_version,
    )
    if not had_defaults and defaults.exists():
        print("wrote clusters/_defaults.yaml (argocd.repoURL, shared by every cluster)")
    print(f"wrote {path.relative_to(args.repo).as_posix()}; check it with `rhoai-gitops lint {args.name}`")
    return 0


def fleet_args(p: argparse.ArgumentParser) -> None:
    """Clusters, parallelism and the render cache: shared by render, check and validate."""
    clusters_arg(p)
    p.add_argument("--jobs", "-j", type=int, default=None, help="clusters in parallel (default: the number of cores)")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="ignore the render cache (~/.cache/rhoai-gitops/, or $RHOAI_GITOPS_CACHE)",
    )


@command("render", "render base/ and overlays/ for the clusters", fleet_args)
def cmd_render(args: argparse.Namespace) -> int:
    # Imported when run, not at start-up: every command builds the parser, and the fleet pipeline
    # adds 16 modules (~40 ms, python -X importtime) to each start (tests/test_architecture.py).
    from generator.pipeline import render_fleet

    result = render_fleet(args.repo, args.clusters or None, jobs=args.jobs, use_cache=not args.no_cache)
    report = result.report
    for root in report.written:
        print(f"wrote     {root}")
    for root in report.removed:
        print(f"removed   {root}")
    print(
        f"{result.clusters} cluster(s): {len(report.written)} folder(s) written, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed"
    )
    return 0


# --------------------------------------------------------------------------- main


def _load_command_modules() -> None:
    # Subcommands that live in their own packages register themselves on import.
    import importlib

    for module in ("generator.commands",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def parser() -> argparse.ArgumentParser:
    _load_command_modules()
    p = argparse.ArgumentParser(
        prog="rhoai-gitops",
        description="Expand one typed OpenShift AI platform spec per cluster (clusters/<name>.yaml) into "
        "Kustomize bases, overlays and Argo CD objects; validate them and find drift.",
        epilog="Exit codes: 0 success, 1 a check found a difference or failure, 2 bad input or a missing tool.",
    )
    p.add_argument("--version", action="version", version=f"rhoai-gitops {__version__}")
    p.add_argument("--repo", type=Path, default=Path("."), help="the GitOps repository (default: .)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text, arguments, fn in COMMANDS:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        arguments(sp)
        sp.set_defaults(run=fn)
    return p


def _warning_line(message, category, filename, lineno, file=None, line=None) -> None:
    """A library's warning as one escaped line of ours, not Python's multi-line report."""
    text = " ".join(str(message).split())
    print(f"rhoai-gitops: warning: {escape(text)}", file=file or sys.stderr)


def main(argv: list[str] | None = None) -> int:
    warnings.showwarning = _warning_line
    args = parser().parse_args(argv)
    args.repo = args.repo.resolve()
    if getattr(args, "clusters", None):
        selected = clusters_of(args.repo, args.clusters)
        if selected is not ALL and not selected:
            print("no cluster concerned by these files")
            return 0
        args.clusters = list(selected)
    try:
        return args.run(args)
    except SpecErrors as exc:
        for e in exc.errors:
            print(e, file=sys.stderr)
        n = len(exc.errors)
        print(f"{n} error{'s' if n != 1 else ''}; nothing written", file=sys.stderr)
        return 2
    except UsageError as exc:
        # Its lines are the message's own layout (a list of files, say); within each, the text
        # it quotes from files and specs is shown escaped.
        print("rhoai-gitops: " + "\n".join(escape(line) for line in str(exc).split("\n")), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `rhoai-gitops ... | head`: the reader left; say nothing more.
        sys.stderr.close()
        return 1
    except OSError as exc:
        # The disk refused (full, read-only, permissions): what and why, never a traceback;
        # a render stages whole folders, so the tree is as it was.
        where = f"{exc.filename}: " if exc.filename else ""
        print(escape(f"rhoai-gitops: {where}{exc.strerror or exc}"), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
