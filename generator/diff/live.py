"""Live objects: from exported YAML (`kubectl get -o yaml` output saved to files, so drift runs
offline in CI) or read from a cluster with kubectl."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from generator.core import yamlio
from generator.core.errors import UsageError
from generator.core.resources import MANAGED_BY, MANAGER, Obj, group_of, version_of

EXPORT_SUFFIXES = (".yaml", ".yml", ".json")


def _expand(doc: object, where: str) -> list[Obj]:
    """A document as objects: `kind: List` and typed lists (`ClusterQueueList`, as the API
    returns them, whose items carry no kind) become their items."""
    if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str):
        raise UsageError(f"{where}: not a Kubernetes object (no kind)")
    kind = doc["kind"]
    if kind.endswith("List") and isinstance(doc.get("items"), list):
        item_kind = kind[: -len("List")] if kind != "List" else None
        out = []
        for item in doc["items"]:
            if isinstance(item, dict) and item_kind and "kind" not in item:
                item = {"apiVersion": doc.get("apiVersion", "v1"), "kind": item_kind, **item}
            out += _expand(item, where)
        return out
    if not isinstance(doc.get("metadata"), dict) or not doc["metadata"].get("name"):
        raise UsageError(f"{where}: {kind} without metadata.name")
    return [doc]


def read_exports(path: Path) -> list[Obj]:
    """Every object in a YAML/JSON file, or in the files of a folder (recursively, sorted)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in EXPORT_SUFFIXES)
    elif path.is_file():
        files = [path]
    else:
        raise UsageError(f"--live-from {path}: no such file or folder")
    objs: list[Obj] = []
    for f in files:
        try:
            docs = yamlio.loads_all(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise UsageError(f"{f}: cannot read exported objects: {exc}") from None
        for i, doc in enumerate(docs):
            objs += _expand(doc, f"{f} (document {i + 1})")
    return objs


# --------------------------------------------------------------------------- kubectl


def _resource(o: Obj) -> str:
    """kind.version.group: asks for the version the bundle uses, so the server converts to it."""
    group = group_of(o)
    return f"{o['kind'].lower()}.{version_of(o)}.{group}" if group else o["kind"].lower()


def _kubectl(base: list[str], args: list[str]) -> list[Obj]:
    proc = subprocess.run([*base, *args, "-o", "yaml"], capture_output=True, text=True)
    if proc.returncode != 0:
        if "doesn't have a resource type" in proc.stderr:
            return []  # the CRD is not installed: none of its objects exist
        raise UsageError(f"kubectl {' '.join(args)}: {proc.stderr.strip() or 'failed'}")
    return [o for d in yamlio.loads_all(proc.stdout) for o in _expand(d, "kubectl output")]


# kubectl's words for why it got no answer, and ours (the first that appears wins).
_UNREACHABLE = (
    ("connection refused", "the API server refused the connection"),
    ("was refused", "the API server refused the connection"),
    ("no such host", "its host name does not resolve"),
    ("i/o timeout", "the API server did not answer in time"),
    ("context deadline exceeded", "the API server did not answer in time"),
    ("Client.Timeout", "the API server did not answer in time"),
    ("Unauthorized", "the API server refused the credentials (log in again: oc login)"),
    ("certificate", "the API server's certificate is not trusted"),
    ("does not exist", "that context is not in the kubeconfig"),
    ("no configuration has been provided", "there is no kubeconfig"),
)


def _reachable(base: list[str], context: str | None) -> None:
    """One short request before many: an unreachable cluster is one line and exit 2, not a
    screenful of client errors from every `kubectl get`."""
    proc = subprocess.run([*base, "get", "--raw", "/version", "--request-timeout=15s"], capture_output=True, text=True)
    if proc.returncode == 0:
        return
    reason = next((ours for theirs, ours in _UNREACHABLE if theirs in proc.stderr), None)
    if reason is None:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        reason = lines[-1] if lines else f"kubectl exited {proc.returncode}"
    which = f"context {context!r}" if context else "kubectl's current context"
    raise UsageError(
        f"cannot reach the cluster ({which}): {reason}; check `kubectl config current-context` "
        "and your login, or compare with exported objects: --live-from PATH"
    )


def read_cluster(desired: list[Obj], kubeconfig: str | None, context: str | None) -> list[Obj]:
    """The live counterparts of the desired objects, plus every object of the same kinds that
    carries the generator's ownership label (to find orphans)."""
    kubectl = shutil.which("kubectl")
    if not kubectl:
        raise UsageError("kubectl not found on PATH (or use --live-from with exported YAML)")
    base = [kubectl]
    if kubeconfig:
        base += ["--kubeconfig", kubeconfig]
    if context:
        base += ["--context", context]
    _reachable(base, context)
    wanted: dict[tuple[str, str], list[str]] = {}
    for o in desired:
        key = (_resource(o), o["metadata"].get("namespace", ""))
        wanted.setdefault(key, []).append(o["metadata"]["name"])
    found: dict[tuple, Obj] = {}
    for (resource, ns), names in sorted(wanted.items()):
        args = ["get", resource, *names, "--ignore-not-found"] + (["-n", ns] if ns else [])
        for o in _kubectl(base, args):
            found[_key(o)] = o
    for resource in sorted({r for r, _ in wanted}):
        for o in _kubectl(base, ["get", resource, "--all-namespaces", "-l", f"{MANAGED_BY}={MANAGER}"]):
            found.setdefault(_key(o), o)
    return list(found.values())


def _key(o: Obj) -> tuple:
    meta = o.get("metadata", {})
    return (group_of(o), o.get("kind"), meta.get("namespace", ""), meta.get("name"))
