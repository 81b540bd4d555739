"""The platform's own objects (DataScienceCluster, DSCInitialization, the dashboard's) fitted to
the spec's release, and the release fit: a stage after loading, on the builders' floor, since it
needs those objects and the release's CEL rules (build.py runs it after the cluster's build, on
the objects the build made, and reports its errors with the loader's, so that every error of a
spec is reported at once). Every platform setting the spec writes
must exist in its release and pass the release's own validation rules; what does not is a spec
error at the line that asked for it."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from generator.components import dashboard, dsc, dsci
from generator.components.base import Built
from generator.core.errors import REMOVE, Fix, SpecError, format_path
from generator.core.resources import Obj
from generator.facts import matrix, releases
from generator.facts.fit import Fit
from generator.spec.rules import VERSION, is_supported, release_ref
from generator.validate import cel


def fit_platform(spec, built: Built | None = None) -> tuple[list[Obj], Fit]:
    """The platform's own objects for the spec's release, and what was left out of them: those
    of the cluster's build where given (`built`), else built here."""
    f = Fit(spec.release)
    if built is None:
        return dsc.fit(spec, f) + dsci.fit(spec, f) + dashboard.fit(spec, f), f
    objs: list[Obj] = []
    for unit in (dsc.COMPONENT, dsci.COMPONENT, dashboard.COMPONENT):
        written, record = built.fits[unit.name]
        objs += written
        f.left += record.left
        f.origins.update(record.origins)
    return objs, f


def _no_op(spec_path: str, value) -> bool:
    """The value asks for what a release without the field does anyway (matrix.yaml
    noOpWhereAbsent)."""
    return any(
        fnmatch.fnmatchcase(spec_path, entry.spec) and value == entry.value
        for entry in matrix.matrix().no_op_where_absent
    )


def _instead(spec, spec_path: str) -> tuple[str, Fix | None]:
    """What to use instead (matrix.yaml replacedBy) on the spec's release line, for the longest
    key covering the field, and the mechanical change it names (its `fix`), if any."""
    line = spec.version.split(".")[0]
    entries = {k: v for k, v in matrix.matrix().replaced_by.items() if line in v.lines}
    found = [k for k in entries if spec_path == k or spec_path.startswith(k + ".")]
    if not found:
        return "", None
    key = max(found, key=len)
    entry, fix = entries[key], None
    if entry.fix == REMOVE:
        fix = Fix(tuple(key.split(".")), REMOVE)
    elif isinstance(entry.fix, matrix.SetTo):
        fix = Fix(tuple(key.split(".")), "set", entry.fix.value)
    return f": {entry.text}", fix


def release_fit(spec, positions, built: Built | None = None) -> Iterator[SpecError]:
    """Every platform setting the spec writes exists in its release and passes the release's
    own validation rules (CEL), at the spec's line."""
    if not is_supported(spec):
        return
    objs, fitted = fit_platform(spec, built)
    ref = release_ref(spec, positions)
    for left in fitted.left:
        if left.origin is None or left.origin not in positions.keys:
            continue  # a default the release does not take: the operator's own default applies
        where_ = format_path(left.origin)
        if left.reason == "does not exist" and _no_op(where_, left.value):
            continue
        since = releases.first_with(spec.distribution.name, left.kind, left.path, left.value)
        later = (
            f"; {spec.distribution.name} {since} and later take it"
            if since and matrix.version_key(since) > matrix.version_key(spec.version)
            else ""
        )
        instead, fix = _instead(spec, where_)
        yield positions.error(left.origin, f"{left.kind} {left.path} {left.reason} in {ref}{later}{instead}", fix=fix)
    for o in objs:
        schema = spec.release.schema(o["kind"])
        for found in cel.check(schema, o) if schema else []:
            origin = fitted.origin_of(o["kind"], found.path) or VERSION
            yield positions.error(
                origin,
                f"{o['kind']} {found.path or '(root)'}: {found.message}: refused by {ref}, CEL rule `{found.rule}`",
            )
