"""What a platform team reads before changing a cluster's `distribution.version`: the OLM path
through the real catalog graph (generator/upgrade/olmpath.py), the spec changes the target requires (the
spec errors it would get, at their lines), the object-level plan between the current and the
target render (the engine of `plan`), and the manual steps the move needs (data/upgrades.yaml,
each with its source).

The object plan is the end state: it renders the target spec after the changes the errors name
mechanically (their `Fix`, from matrix.yaml replacedBy; the Subscription's channel and
startingCSV from the OLM path) are applied, as `--write-spec` writes it. Errors without such a
change are listed as a person's to resolve."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.build import build_units, load_spec_text, load_specs
from generator.core.errors import REMOVE, Fix, SpecError, SpecErrors, UsageError, format_path
from generator.diff.objects import ObjectChange, diff_objects
from generator.facts import catalogs, releases, upgrades
from generator.spec import edit
from generator.spec.loader import LoadedSpec, Positions, deep_merge, read_defaults, read_yaml
from generator.spec.model import PlatformSpec
from generator.upgrade.olmpath import NoUpgradePath, UpgradePath, upgrade_path
from generator.workloads import models
from generator.workloads.moves import moves as workload_moves

_VERSION = re.compile(r"^[0-9]+\.[0-9]+(\.[0-9]+)?$")


@dataclass
class UpgradePlan:
    cluster: str
    source: str  # the spec file
    dist: str
    current: str  # release
    target: str  # release (or patch release) asked for
    start: str  # the installed bundle the path starts from
    start_channel: str
    path: UpgradePath | None = None
    refusal: str | None = None  # why OLM cannot get there
    spec_errors: list[SpecError] = field(default_factory=list)
    objects: list[ObjectChange] | None = None  # None: the target spec does not even parse
    steps: list[dict] = field(default_factory=list)
    # the end state: the target spec's text with the mechanical changes made, those changes,
    # and the errors it still has (a person's to resolve)
    target_text: str = ""
    applied: list[edit.Applied] = field(default_factory=list)
    remaining: list[SpecError] = field(default_factory=list)

    def applied_to(self, error: SpecError) -> edit.Applied | None:
        """The change made for one of `spec_errors` (None: a person's to make)."""
        fix_path = error.fix.path if error.fix is not None else _SUBSCRIPTION_FIELDS.get(error.path)
        return next((a for a in self.applied if a.fix.path == fix_path), None)

    def further(self) -> list[SpecError]:
        """Errors only the changed spec gets (at its lines, as --write-spec writes it)."""
        seen = {e.path for e in self.spec_errors}
        return [e for e in self.remaining if e.path not in seen]

    def needs_person(self) -> list[SpecError]:
        """The version-only errors no change was made for, then the further ones."""
        return [e for e in self.spec_errors if self.applied_to(e) is None] + self.further()

    model_moves: list = field(default_factory=list)  # generator.workloads.models.ModelMove

    @property
    def ready(self) -> bool:
        """Changing the version alone would render: no OLM refusal, no spec error."""
        return self.refusal is None and not self.spec_errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "distribution": self.dist,
            "from": {"release": self.current, "bundle": self.start, "channel": self.start_channel},
            "to": self.target,
            "olm": (
                {"refused": self.refusal}
                if self.path is None
                else {
                    "target": self.path.target,
                    "channels": self.path.channels,
                    "hops": [
                        {
                            "channel": h.channel,
                            "from": h.from_bundle,
                            "to": h.to_bundle,
                            "edge": h.edge,
                            "switch": h.switch,
                        }
                        for h in self.path.hops
                    ],
                }
            ),
            "specErrors": [str(e) for e in self.spec_errors],
            "specChanges": {
                "applied": [
                    {
                        "path": format_path(a.fix.path),
                        "action": a.fix.action,
                        **({"from": a.old} if a.old is not edit.ABSENT else {}),
                        **({"to": a.fix.value} if a.fix.action != REMOVE else {}),
                    }
                    for a in self.applied
                ],
                "needPerson": [str(e) for e in self.needs_person()],
            },
            "objects": None if self.objects is None else [o.as_dict() for o in self.objects],
            "manualSteps": self.steps,
            "models": [m.as_dict() for m in self.model_moves],
        }


def manual_steps(spec: PlatformSpec, target: str) -> list[dict]:
    """The steps of data/upgrades.yaml that apply to moving this spec to `target`."""
    line_from, line_to = spec.version.split(".")[0], target.split(".")[0]
    return [
        {"phase": step.phase, "what": step.what, "source": step.source}
        for step in upgrades.steps_between(spec.distribution.name, line_from, line_to)
        if _applies(step.when, spec)
    ]


def _applies(when: str | upgrades.Condition, spec: PlatformSpec) -> bool:
    if isinstance(when, upgrades.Condition):
        return bool(
            (when.managed is not None and spec.managed(when.managed))
            or (when.running is not None and spec.running(when.running))
        )
    return when == "always" or (when == "serverless" and spec.serverless)


def _with_version(text: str, loaded: LoadedSpec, version: str) -> str:
    """The spec's text with only distribution.version changed (or added), so that every other
    line, and the errors' positions, stay where the user wrote them."""
    lines = text.splitlines(keepends=True)
    key = ("distribution", "version")
    pos = loaded.positions.values.get(key)
    if pos is not None and pos.file == loaded.source:
        line = lines[pos.line - 1]
        start = pos.column - 1
        rest = re.match(r"""("[^"]*"|'[^']*'|[^\s#]+)""", line[start:])
        lines[pos.line - 1] = line[:start] + f'"{version}"' + line[start + (rest.end() if rest else 0) :]
        return "".join(lines)
    dist = loaded.positions.keys.get(("distribution",))
    if dist is not None and dist.file == loaded.source:
        lines.insert(dist.line, f'{" " * (dist.column + 1)}version: "{version}"\n')
        return "".join(lines)
    return text + ("" if text.endswith("\n") else "\n") + f'distribution:\n  version: "{version}"\n'


def plan_upgrade(repo: Path, cluster: str, to: str, from_bundle: str | None = None) -> UpgradePlan:
    if not _VERSION.match(to):
        raise UsageError(f"--to {to!r}: a release (3.4) or a patch release (3.4.2)")
    [loaded] = load_specs(repo, [cluster])
    spec = loaded.spec
    dist = spec.distribution.name
    target = ".".join(to.split(".")[:2])
    if target not in releases.supported(dist):
        offered = sorted(catalogs.offered_releases(dist), key=lambda v: tuple(map(int, v.split("."))))
        why = (
            f"no OLM catalog of {catalogs.package(dist)} ships {dist} {target}"
            if target not in offered
            else f"{dist} {target} is not a supported release"
        )
        raise UsageError(f"--to {to}: {why}; supported: {', '.join(releases.supported(dist))}")
    plan = catalogs.install(spec)
    cat = plan.catalog
    start = from_bundle or plan.starting_csv or (plan.head.name if plan.head else "")
    result = UpgradePlan(cluster, loaded.source, dist, spec.version, to, start, plan.channel)
    # OLM: from the installed bundle, through the cluster's catalog
    try:
        result.path = upgrade_path(cat, start, target, start_channel=plan.channel)
    except NoUpgradePath as exc:
        result.refusal = exc.reason
        if not cat.channels_with(target):
            offered = [v for v in catalogs.openshift_versions(dist, target) if v != "*"]
            if offered:
                result.refusal += f"; {dist} {target} needs OpenShift {offered[0]} or later (cluster.openshiftVersion {spec.cluster.openshift_version})"
    # the spec at the target release: its errors are the changes the target requires
    text = (repo / loaded.source).read_text(encoding="utf-8")
    moved = _with_version(text, loaded, to)
    defaults = read_defaults(repo)
    result.spec_errors = _errors(moved, loaded.source, defaults)
    result.target_text, result.applied, result.remaining = end_state(
        moved, loaded.source, defaults, result.spec_errors, result.path
    )
    # the objects, as the end state renders them (what the builders leave out for a release
    # that lacks a setting a person has yet to change)
    target_spec = _model(result.target_text, loaded.source, defaults)
    if target_spec is not None:
        old = [o for objs in build_units(spec).values() for o in objs]
        new = [o for objs in build_units(target_spec).values() for o in objs]
        result.objects = diff_objects(old, new)
        result.model_moves = models.moves(spec, target_spec)
    result.steps = mirror_steps(spec, to) + manual_steps(spec, target) + workload_moves(spec, target)
    return result


def end_state_spec(repo: Path, loaded: LoadedSpec, to: str) -> PlatformSpec:
    """The spec a cluster has once moved to `to` (the end state `upgrade` plans); raises
    UsageError when OLM cannot get there or the spec does not read at the target."""
    plan = plan_upgrade(repo, loaded.name, to)
    if plan.path is None:
        raise UsageError(f"{loaded.name}: --to {to}: {plan.refusal}")
    spec = _model(plan.target_text, loaded.source, read_defaults(repo))
    if spec is None:
        raise UsageError(
            f"{loaded.name}: --to {to}: the target spec does not read; run `rhoai-gitops upgrade {loaded.name} --to {to}`"
        )
    return spec


# The Subscription fields the OLM path decides at the target: the last hop's channel, and the
# bundle it lands on for a spec that pins one.
_SUBSCRIPTION_FIELDS = {
    "distribution.channel": ("distribution", "channel"),
    "distribution.startingCSV": ("distribution", "startingCSV"),
}


def _subscription_fix(error: SpecError, path: UpgradePath | None) -> Fix | None:
    field_path = _SUBSCRIPTION_FIELDS.get(error.path)
    if path is None or field_path is None or not path.hops:
        return None
    value = path.hops[-1].channel if field_path[-1] == "channel" else path.target
    return Fix(field_path, "set", value)


def _errors(text: str, source: str, defaults) -> list[SpecError]:
    try:
        load_spec_text(text, source, defaults)
    except SpecErrors as exc:
        return exc.errors
    return []


def end_state(
    text: str, source: str, defaults, errors: list[SpecError], path: UpgradePath | None, rounds: int = 4
) -> tuple[str, list[edit.Applied], list[SpecError]]:
    """The target spec's text with every mechanical change made, round after round (a change
    can bring out an error the first one hid), the changes, and the errors left."""
    applied: list[edit.Applied] = []
    for _ in range(rounds):
        fixes = [f for e in errors if e.file == source for f in [e.fix or _subscription_fix(e, path)] if f is not None]
        fixes = [f for f in dict.fromkeys(fixes) if all(a.fix.path != f.path for a in applied)]
        if not fixes:
            break
        text, done = edit.apply(text, fixes)
        if not done:
            break
        applied += done
        errors = _errors(text, source, defaults)
    return text, applied, errors


def mirror_steps(spec: PlatformSpec, to: str) -> list[dict]:
    """A disconnected cluster's mirror holds only the bundles its Subscriptions install (the
    ImageSetConfiguration of `rhoai-gitops mirror`): the path's bundles must be mirrored first."""
    if not spec.cluster.disconnected:
        return []
    return [
        {
            "phase": "before",
            "what": f"Mirror the bundles on the OLM path first: `rhoai-gitops mirror {spec.name} --to {to}` writes the "
            f"ImageSetConfiguration; run oc-mirror with it to {spec.cluster.disconnected.mirror_registry}. Until then "
            "the mirrored catalog offers OLM no upgrade.",
            "source": "oc-mirror v2 mirrors only the channels and version ranges its ImageSetConfiguration lists "
            "(openshift/oc-mirror docs/dev-investigations/operator-filtering-investigation.md)",
        }
    ]


def _model(text: str, source: str, defaults) -> PlatformSpec | None:
    """The target spec as a model, without the cross-field rules (which report the errors)."""
    data, positions, errors = read_yaml(text, source)
    if errors:
        return None
    if defaults is not None:
        data = deep_merge(defaults[0], data, defaults[1], positions, Positions())
    try:
        return PlatformSpec.model_validate(data)
    except ValidationError:
        return None
