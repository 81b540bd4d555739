"""One cluster in memory: its spec -> objects per component -> passes over the whole cluster
(ordering, Argo CD) -> base + overlay folders. Writing them is the pipeline's (pipeline.py, store/)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from generator import bundle, units
from generator.argocd import applications as argocd_applications
from generator.argocd import bootstrap as argocd_bootstrap
from generator.argocd import waves as argocd_waves
from generator.components import egress
from generator.components.base import Built, Fitted
from generator.core.errors import SpecError, SpecErrors
from generator.core.resources import COMPONENT_LABEL, MANAGED_BY, MANAGER, canonical, label
from generator.facts import catalogs, matrix
from generator.spec import loader
from generator.spec.loader import LoadedSpec
from generator.spec.model import PlatformSpec
from generator.units import COMPONENTS

# A pass sees every unit of one cluster at once and may annotate objects or add units (the
# Argo CD objects, computed from everything else). Passes run in list order.
Pass = Callable[[PlatformSpec, bundle.Units], None]


# The Argo CD passes stay last: waves and Applications are computed from every other object, and
# the bootstrap unit's ClusterRole from everything the Applications sync.
def argocd_units(spec: PlatformSpec, units: bundle.Units) -> None:
    """Waves, then the Applications, from one plan of the objects (planning is a third of a
    cluster's render)."""
    argocd_applications.add_unit(spec, units, argocd_waves.assign(spec, units))


PASSES: list[Pass] = [egress.subscriptions, argocd_units, argocd_bootstrap.add_unit]


def build_cluster(spec: PlatformSpec) -> Built:
    """The cluster's units, and the fit record of each unit built through its release's fit
    (what the release fit stage judges after the build)."""
    units: bundle.Units = {}
    fits: dict[str, Fitted] = {}
    for component in COMPONENTS:
        if component.derive:
            units[component.name] = []
        elif component.fitted:
            fits[component.name] = component.fitted(spec)
            units[component.name] = fits[component.name][0]
        else:
            units[component.name] = component.build(spec)
    for component in COMPONENTS:
        if component.derive:
            units[component.name] = component.derive(spec, {k: v for k, v in units.items() if k != component.name})
    for component in COMPONENTS:
        for o in units[component.name]:
            label(o, MANAGED_BY, MANAGER)
            label(o, COMPONENT_LABEL, component.name)
    for run in PASSES:
        run(spec, units)
    return Built({name: [canonical(o) for o in objs] for name, objs in units.items()}, fits)


def build_units(spec: PlatformSpec) -> bundle.Units:
    return build_cluster(spec).units


def base_of(spec: PlatformSpec) -> str:
    """The base a cluster's overlays build on: one per distribution and release line
    (`rhoai-2`, `rhoai-3`), since the lines' platform objects differ in API version and shape."""
    return f"{spec.distribution.name}-{spec.version.split('.')[0]}"


def default_spec(base: str) -> PlatformSpec:
    """The spec a base is built from: nothing but the generator's defaults, at the line's base
    release (matrix.yaml baseVersions) on the oldest OpenShift whose catalog ships it."""
    dist, line = base.rsplit("-", 1)
    version = matrix.distribution(dist).base_versions[line]
    openshift = next((v for v in catalogs.openshift_versions(dist, version) if v != "*"), None)
    cluster = {"openshiftVersion": openshift} if openshift else {}
    return PlatformSpec.model_validate(
        {"metadata": {"name": "base"}, "cluster": cluster, "distribution": {"name": dist, "version": version}}
    )


@cache
def base_units(base: str) -> bundle.Units:
    return build_units(default_spec(base))


def _component_flag(name: str, attr: str, default: bool) -> bool:
    for c in COMPONENTS:
        if c.name == name:
            return getattr(c, attr)
    return default  # units added by passes


def is_base(name: str) -> bool:
    return _component_flag(name, "has_base", False)


def in_aggregate(name: str) -> bool:
    return _component_flag(name, "in_cluster_overlay", False)


def render_base(base: str) -> bundle.Folder:
    return bundle.base_folder(base, base_units(base), is_base)


def render_cluster(loaded: LoadedSpec) -> bundle.Folder:
    """The cluster's folder: built, then fitted to its release (the release fit judges the built
    objects, and its errors are the spec's, at its lines)."""
    spec = loaded.spec
    built = build_cluster(spec)
    _refuse(units.release_fit(spec, loaded.positions, built))
    base = base_of(spec)
    shared = {k: v for k, v in base_units(base).items() if is_base(k)}
    return bundle.overlay_folder(spec.name, loaded.source, loaded.digest, base, built.units, shared, in_aggregate)


# --------------------------------------------------------------------------- the release fit of loaded specs
# Loading only loads; the release fit needs objects built from the spec and the release's CEL
# rules, so it runs here, after loading. A caller that builds the cluster anyway fits it after
# the build (render_cluster); these are for callers that only load: the fit builds the objects it
# judges. Either way a spec's errors are reported at once, the loader's with the fit's.


def load_spec_to_build(
    text: str, source: str, defaults: tuple[Any, loader.Positions, bytes] | None = None
) -> LoadedSpec:
    """One spec loaded, for a caller that builds it next and fits it after the build
    (render_cluster); where the loader refuses it, the release fit's errors with the loader's."""
    try:
        return loader.load_spec_text(text, source, defaults)
    except loader.RefusedSpecs as exc:
        raise with_fit(exc) from None


def load_spec_text(text: str, source: str, defaults: tuple[Any, loader.Positions, bytes] | None = None) -> LoadedSpec:
    """One spec loaded and fitted to its release; every error of it at once."""
    loaded = load_spec_to_build(text, source, defaults)
    _refuse(units.release_fit(loaded.spec, loaded.positions))
    return loaded


def load_specs(repo: Path, names: list[str] | None = None) -> list[LoadedSpec]:
    """The named (default all) specs, loaded and fitted to their release; every error of every
    file at once."""
    try:
        specs = loader.load_specs(repo, names)
    except loader.RefusedSpecs as exc:
        raise with_fit(exc) from None
    _refuse(e for s in specs for e in units.release_fit(s.spec, s.positions))
    return specs


def with_fit(exc: loader.RefusedSpecs) -> SpecErrors:
    """The loader's errors, and the release fit's of every spec that has a model."""
    return SpecErrors(
        exc.errors + [e for m in exc.modelled for e in m.unreported(units.release_fit(m.spec, m.positions))]
    )


def _refuse(errors: Iterable[SpecError]) -> None:
    found = list(errors)
    if found:
        raise SpecErrors(found)
