"""One cluster in memory: its spec -> objects per component -> passes over the whole cluster
(ordering, Argo CD) -> base + overlay folders. Writing them is the pipeline's (pipeline.py, store/)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from generator import bundle, units
from generator.argocd import applications as argocd_applications
from generator.argocd import bootstrap as argocd_bootstrap
from generator.argocd import waves as argocd_waves
from generator.components import egress
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


def build_units(spec: PlatformSpec) -> bundle.Units:
    units: bundle.Units = {}
    for component in COMPONENTS:
        units[component.name] = [] if component.derive else component.build(spec)
    for component in COMPONENTS:
        if component.derive:
            units[component.name] = component.derive(spec, {k: v for k, v in units.items() if k != component.name})
    for component in COMPONENTS:
        for o in units[component.name]:
            label(o, MANAGED_BY, MANAGER)
            label(o, COMPONENT_LABEL, component.name)
    for run in PASSES:
        run(spec, units)
    return {name: [canonical(o) for o in objs] for name, objs in units.items()}


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
    spec = loaded.spec
    base = base_of(spec)
    shared = {k: v for k, v in base_units(base).items() if is_base(k)}
    return bundle.overlay_folder(spec.name, loaded.source, loaded.digest, base, build_units(spec), shared, in_aggregate)


def load_specs(repo: Path, names: list[str] | None = None) -> list[LoadedSpec]:
    """The named (default all) specs, loaded and fitted to their release (the release fit needs
    the platform's built objects, so the builders' floor hands it to the loader); every error of
    every file at once."""
    return loader.load_specs(repo, names, check=units.release_fit)
