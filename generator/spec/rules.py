"""Cross-field rules: what no single field's type can say.

Each rule returns SpecErrors whose message names both ends (the other field's path and where
it is written), so the user sees why two settings clash without hunting for the second one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from pydantic.alias_generators import to_camel

from generator.capacity import pools as capacity
from generator.core import quantity
from generator.core.errors import SpecError, format_path
from generator.core.names import FOREIGN_LABEL_PREFIXES, MACHINE_PROVIDERS, machine_set_name
from generator.core.secrets import carries_credentials
from generator.facts import catalogs, matrix, releases, serving
from generator.facts.workloads import CONNECTION_SETTING_KEYS, workload_facts
from generator.spec import model_deployments

if TYPE_CHECKING:
    from generator.spec.loader import Positions
    from generator.spec.model import PlatformSpec

Rule = Callable[["PlatformSpec", "Positions"], Iterable[SpecError]]
RULES: list[Rule] = []

COMPONENTS = ("components",)


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def check(spec: PlatformSpec, positions: Positions) -> list[SpecError]:
    errors: list[SpecError] = []
    for fn in RULES:
        errors.extend(fn(spec, positions))
    return errors


def warnings(spec: PlatformSpec, positions: Positions) -> list[str]:
    """What a spec leaves to a default that matters enough to say: the OpenShift version picks
    the OLM catalog (channels, bundles, upgrade paths, mirror tags), and its default is a guess."""
    out = []
    if OPENSHIFT not in positions.keys:
        pos = positions.key_of(("cluster",))
        default = spec.cluster.openshift_version
        out.append(
            f"{pos.file}:{pos.line}:{pos.column}: warning: cluster.openshiftVersion is not set, so OpenShift "
            f"{default} is assumed (the default): it picks the OLM catalog the channel, bundles, upgrade "
            f'paths and mirror tags come from; write the cluster\'s version, e.g. openshiftVersion: "{default}"'
        )
    return out


OPENSHIFT = ("cluster", "openshiftVersion")


def where(positions: Positions, path: tuple) -> str:
    """`path (file:line)` for naming the other end of a clash."""
    pos = positions.of(path)
    return f"{format_path(path)} ({pos.file}:{pos.line})"


def _state_path(component: str) -> tuple:
    return COMPONENTS + (component, "managementState")


# --------------------------------------------------------------------------- releases

VERSION = ("distribution", "version")
CHANNEL = ("distribution", "channel")


def is_supported(spec) -> bool:
    return spec.version in releases.supported(spec.distribution.name)


def release_ref(spec, positions) -> str:
    """The spec's release and where it comes from, for messages naming both ends."""
    if VERSION in positions.keys:
        pos = positions.of(VERSION)
        return f"{spec.release} (distribution.version, {pos.file}:{pos.line})"
    return f"{spec.release} (the default release)"


@rule
def supported_release(spec, positions):
    dist = spec.distribution.name
    supported = releases.supported(dist)
    if spec.version in supported:
        return
    lines = matrix.distribution(dist).lines
    if spec.version not in releases.releases(dist) or spec.version.split(".")[0] in lines:
        hint = f"supported: {', '.join(supported)}"
        if spec.version in releases.releases(dist):
            hint = f"its OLM catalog has no generally available bundle of it (only pre-releases); {hint}"
    else:
        hint = f"the generator renders the {', '.join(f'{line}.x' for line in lines)} lines only"
    yield positions.error(VERSION, f"{dist} {spec.version} is not supported; {hint}")


@rule
def subscription(spec, positions):
    """The channel, patch release, startingCSV and approval must land OLM on the spec's release,
    as the cluster's catalog has it."""
    if not is_supported(spec):
        return
    d = spec.distribution
    cat = catalogs.catalog(d.name, spec.cluster.openshift_version)
    release, ref = spec.version, release_ref(spec, positions)
    shipping = cat.channels_with(release)
    if not shipping:
        offered = [v for v in catalogs.openshift_versions(d.name, release) if v != "*"]
        newer = [v for v in offered if matrix.version_key(v) > matrix.version_key(spec.cluster.openshift_version)]
        need = (
            f"; it needs OpenShift {newer[0]} or later"
            if newer and newer == offered
            else (f"; catalogs that ship it: OpenShift {', '.join(offered)}" if offered else "")
        )
        nearest = (
            ""
            if cat.key in ("*", spec.cluster.openshift_version)
            else f" (the data's nearest to {spec.cluster.openshift_version})"
        )
        yield positions.error(
            ("cluster", "openshiftVersion"),
            f"{ref} is in no channel of {cat.describe()}{nearest}{need}",
        )
        return
    if d.starting_csv is not None and (not cat.knows(d.starting_csv) or cat.bundle(d.starting_csv).release != release):
        # Whatever the channel: the bundle must be one of the spec's release.
        named = (
            f"a {cat.bundle(d.starting_csv).release} bundle"
            if cat.knows(d.starting_csv)
            else f"no bundle of {cat.describe()}"
        )
        yield positions.error(("distribution", "startingCSV"), f"{d.starting_csv!r} is {named}, not one of {ref}")
    if d.channel is not None:
        if d.channel not in cat.channels():
            yield positions.error(
                CHANNEL,
                f"channel {d.channel!r} does not exist in {cat.describe()}; channels that ship {release}: {', '.join(shipping)}",
            )
            return
        if d.channel not in shipping:
            ships = (
                ", ".join(v for v in cat.releases(d.channel) if v in releases.supported(d.name))
                or "no supported release"
            )
            yield positions.error(
                CHANNEL,
                f"channel {d.channel!r} does not ship {ref} (it ships {ships}); channels that ship {release}: {', '.join(shipping)}",
            )
            return
    plan = catalogs.install(spec)
    ours = cat.bundles(plan.channel, release)
    ceiling = catalogs.max_openshift(cat, plan.starting_csv or (plan.head.name if plan.head else ""))
    if ceiling and matrix.version_key(spec.cluster.openshift_version) > matrix.version_key(ceiling):
        yield positions.error(
            ("cluster", "openshiftVersion"),
            f"{plan.starting_csv or plan.head.name} runs on OpenShift {ceiling} at most (its maxOpenShiftVersion)",
        )
    if spec.pinned_patch and spec.pinned_patch not in {b.version for b in ours}:
        yield positions.error(
            VERSION,
            f"{d.name} {spec.pinned_patch} is no bundle of channel {plan.channel!r} in {cat.describe()}; its {release} "
            f"bundles: {', '.join(b.version for b in ours)}",
        )
    if d.starting_csv is not None and cat.knows(d.starting_csv) and cat.bundle(d.starting_csv).release == release:
        at = ("distribution", "startingCSV")
        if d.starting_csv not in {b.name for b in ours}:
            yield positions.error(
                at,
                f"{d.starting_csv!r} is no bundle of {ref} in channel {plan.channel!r}; the channel's {release} "
                f"bundles: {', '.join(b.name for b in ours)}",
            )
        elif spec.pinned_patch and cat.bundle(d.starting_csv).version != spec.pinned_patch:
            yield positions.error(
                at, f"names another patch release than {where(positions, VERSION)}; set only one of the two"
            )
    if d.install_plan_approval == "Automatic" and plan.beyond:
        yield positions.error(
            ("distribution", "installPlanApproval"),
            f"with Automatic approval OLM upgrades the operator along channel {plan.channel!r} to its head "
            f"{plan.head.name}, past the release the bundle is rendered for, {ref}; set Manual (changing "
            f"the version in git is then the upgrade), or set the version to {plan.head.release}",
        )


# --------------------------------------------------------------------------- component dependencies


@rule
def serverless_needs_mesh(spec, positions):
    kserve = spec.components.kserve
    if not spec.serverless:
        return
    # Unmanaged: the cluster's admins run Knative Serving / the mesh themselves, which serves too.
    mode = COMPONENTS + ("kserve", "deploymentMode")
    if kserve.serving.management_state == "Removed":
        yield positions.error(
            COMPONENTS + ("kserve", "serving", "managementState"),
            f"must be Managed (or Unmanaged, run by you): KServe Serverless ({where(positions, mode)}) runs on "
            "OpenShift Serverless; or use deploymentMode RawDeployment",
        )
    if spec.mesh == "Removed":
        yield positions.error(
            ("serviceMesh", "managementState"),
            f"must be Managed (or Unmanaged, run by you): KServe Serverless ({where(positions, mode)}) needs "
            "Service Mesh; or use deploymentMode RawDeployment",
        )


@rule
def provided_certificate_needs_secret(spec, positions):
    cert = spec.components.kserve.serving.certificate
    if cert.type == "Provided" and not cert.secret_name:
        base = COMPONENTS + ("kserve", "serving", "certificate")
        yield positions.error(base + ("secretName",), f"required when {where(positions, base + ('type',))} is Provided")


@rule
def codeflare_needs_ray(spec, positions):
    if spec.managed("codeflare") and not spec.managed("ray"):
        yield positions.error(
            _state_path("ray"), f"must be Managed: CodeFlare ({where(positions, _state_path('codeflare'))}) needs Ray"
        )


@rule
def quotas_need_kueue(spec, positions):
    if spec.quotas and spec.quotas.teams and spec.component_state("kueue") == "Removed":
        yield positions.error(
            _state_path("kueue"),
            f"must be Managed or Unmanaged (run by the Red Hat build of Kueue): Kueue quotas are defined ({where(positions, ('quotas', 'teams'))})",
        )


@rule
def feature_stores_need_feast(spec, positions):
    feast = spec.components.feastoperator
    if feast.feature_stores and feast.management_state != "Managed":
        yield positions.error(
            _state_path("feastoperator"),
            f"must be Managed: feature stores are defined ({where(positions, COMPONENTS + ('feastoperator', 'featureStores'))})",
        )


EVERYONE = ("system:authenticated", "system:authenticated:oauth")


@rule
def admin_groups(spec, positions):
    admins = spec.auth.admin_groups
    if admins is not None and not admins:
        yield positions.error(
            ("auth", "adminGroups"), "must name at least one group, or nobody can administer the platform"
        )
    for i, group in enumerate(admins or []):
        if group in EVERYONE or not group:
            yield positions.error(
                ("auth", "adminGroups", i),
                f"{group!r} would make every user a platform administrator; name an admin group",
            )
    if not spec.auth.allowed_groups:
        yield positions.error(("auth", "allowedGroups"), "must name at least one group, or nobody can use the platform")


# --------------------------------------------------------------------------- names


def _unique(items: list, path: tuple, key: Callable, what: str, positions) -> Iterable[SpecError]:
    seen: dict = {}
    for i, item in enumerate(items):
        k = key(item)
        if k in seen:
            yield positions.error(
                path + (i, "name"), f"duplicate {what} {k!r}; first at {where(positions, path + (seen[k], 'name'))}"
            )
        else:
            seen[k] = i


@rule
def unique_names(spec, positions):
    yield from _unique(spec.gpu_node_pools, ("gpuNodePools",), lambda p: p.name, "GPU pool", positions)
    yield from _unique(spec.notebook_sizes, ("notebookSizes",), lambda s: s.name, "notebook size", positions)
    yield from _unique(spec.model_server_sizes, ("modelServerSizes",), lambda s: s.name, "model server size", positions)
    yield from _unique(spec.monitoring.receivers, ("monitoring", "receivers"), lambda r: r.name, "receiver", positions)
    stores = spec.components.feastoperator.feature_stores
    yield from _unique(
        stores,
        COMPONENTS + ("feastoperator", "featureStores"),
        lambda s: (s.namespace, s.name),
        "feature store",
        positions,
    )
    if spec.quotas:
        q = spec.quotas
        yield from _unique(q.teams, ("quotas", "teams"), lambda t: t.name, "team", positions)
        yield from _unique(
            q.priority_classes, ("quotas", "priorityClasses"), lambda c: c.name, "priority class", positions
        )
        seen: dict[str, int] = {}
        for i, cohort in enumerate(q.cohorts):
            if cohort in seen:
                yield positions.error(("quotas", "cohorts", i), f"duplicate cohort {cohort!r}")
            seen[cohort] = i


@rule
def team_groups(spec, positions):
    """A team's groups: each once per team; a group's members written in one place only (the
    bundle renders one Group object per name); no members for the virtual groups OpenShift
    fills itself (system:*); everyone's groups at most view in a team's namespaces."""
    if not spec.quotas:
        return
    members_at: dict[str, tuple] = {}
    for t, team in enumerate(spec.quotas.teams):
        base = ("quotas", "teams", t, "groups")
        yield from _unique(team.groups, ("quotas", "teams", t, "groups"), lambda g: g.name, "group", positions)
        for g, group in enumerate(team.groups):
            if group.name in EVERYONE and group.role != "view":
                yield positions.error(
                    base + (g, "role"), f"{group.name!r} is every user: it may only get view in a team's namespaces"
                )
            if group.members is None:
                continue
            if group.name.startswith("system:"):
                yield positions.error(
                    base + (g, "members"),
                    f"{group.name!r} is a virtual group OpenShift fills itself: it cannot list members",
                )
            elif group.name in members_at:
                yield positions.error(
                    base + (g, "members"),
                    f"members of group {group.name!r} are already listed at {where(positions, members_at[group.name])}: list them once",
                )
            else:
                members_at[group.name] = base + (g, "members")


# --------------------------------------------------------------------------- quotas


@rule
def quota_references(spec, positions):
    if not spec.quotas:
        return
    q = spec.quotas
    pools = {p.name: i for i, p in enumerate(spec.gpu_node_pools)}
    if q.default_flavor in pools:
        yield positions.error(
            ("quotas", "defaultFlavor"),
            f"{q.default_flavor!r} is also a GPU pool name ({where(positions, ('gpuNodePools', pools[q.default_flavor], 'name'))})",
        )
    owner: dict[str, tuple] = {}
    owned = owned_namespaces(spec, positions)
    for t, team in enumerate(q.teams):
        tp = ("quotas", "teams", t)
        if team.cohort and q.cohorts and team.cohort not in q.cohorts:
            yield positions.error(
                tp + ("cohort",), f"cohort {team.cohort!r} is not declared in {where(positions, ('quotas', 'cohorts'))}"
            )
        flavors: dict[str, int] = {}
        for f, fq in enumerate(team.quotas):
            fp = tp + ("quotas", f, "flavor")
            if fq.flavor in flavors:
                yield positions.error(fp, f"flavor {fq.flavor!r} listed twice for team {team.name!r}")
            flavors[fq.flavor] = f
            if fq.flavor != q.default_flavor and fq.flavor not in pools:
                names = ", ".join([q.default_flavor, *pools]) or "none"
                yield positions.error(
                    fp,
                    f"flavor {fq.flavor!r} names no GPU pool ({where(positions, ('gpuNodePools',))}) "
                    f"and is not the default flavor; expected one of: {names}",
                )
            if fq.flavor == q.default_flavor and fq.resources.gpu is not None:
                yield positions.error(
                    tp + ("quotas", f, "resources", "nvidia.com/gpu"),
                    f"the default CPU flavor {q.default_flavor!r} has no GPUs; put GPU quota on a pool's flavor",
                )
        for n, ns in enumerate(team.namespaces):
            here = tp + ("namespaces", n)
            if ns in owner:
                yield positions.error(
                    here, f"namespace {ns!r} already belongs to another team ({where(positions, owner[ns])})"
                )
            else:
                owner[ns] = here
            if ns in owned:
                yield positions.error(
                    here,
                    f"namespace {ns!r} is {owned[ns]}: the team's unit renders a Namespace object for each of its "
                    "namespaces, so two Applications would own one Namespace (and pruning the team would delete it); "
                    "give the team a namespace of its own",
                )


def owned_namespaces(spec, positions) -> dict[str, str]:
    """Namespaces the platform, OpenShift or another unit of the bundle owns -> who, in words."""
    out: dict[str, str] = dict.fromkeys(matrix.matrix().platform_namespaces, "one of OpenShift's own namespaces")
    for name, op in matrix.matrix().operators.items():
        out.setdefault(op.namespace, f"the {op.package} operator's namespace (the bundle's {name} unit)")
    for role, ns in spec.namespaces.items():
        out[ns] = f"the platform's {role} namespace ({spec.distribution.name}: its operator creates and owns it)"
    if spec.monitoring.enabled:
        out[spec.monitoring.alerting_namespace] = (
            f"the alerting namespace of the monitoring unit ({where(positions, ('monitoring', 'alertingNamespace'))})"
        )
    return out


# --------------------------------------------------------------------------- GPU pools


@rule
def gpu_pools(spec, positions):
    provider = spec.cluster.provider
    for i, pool in enumerate(spec.gpu_node_pools):
        pp = ("gpuNodePools", i)
        if pool.replicas.min > pool.replicas.max:
            yield positions.error(
                pp + ("replicas", "min"), f"greater than {where(positions, pp + ('replicas', 'max'))}"
            )
        for key in pool.labels:
            if key.startswith(FOREIGN_LABEL_PREFIXES):
                yield positions.error(
                    pp + ("labels", key),
                    "GPU feature discovery and NFD own this label prefix and rewrite such labels on GPU nodes (time-slicing "
                    "and MIG rename the product): a pool is selected by rhoai-gitops.io/gpu-pool and its own labels; "
                    "use a label of your own",
                    at_key=True,
                )
        if pool.time_slicing_replicas and pool.mig_profile:
            yield positions.error(
                pp + ("timeSlicingReplicas",), f"cannot be combined with MIG ({where(positions, pp + ('migProfile',))})"
            )
        if pool.mig_profile:
            if pool.mig_profile not in matrix.mig_profiles():
                yield positions.error(
                    pp + ("migProfile",),
                    f"unknown MIG layout {pool.mig_profile!r}; NVIDIA's default config has: {', '.join(matrix.mig_profiles())}",
                )
            elif capacity.mig_slices(pool) is None:
                yield positions.error(
                    pp + ("migProfile",),
                    f"NVIDIA's default config has no {pool.mig_profile} layout for {pool.accelerator.product!r} "
                    f"({where(positions, pp + ('accelerator', 'product'))}): a layout of that GPU's own, or the GFD product name",
                )
            if spec.nvidia.mig_strategy == "none":
                yield positions.error(
                    pp + ("migProfile",), f"needs {where(positions, ('nvidia', 'migStrategy'))} single or mixed"
                )
        if provider in MACHINE_PROVIDERS:
            if not pool.instance_type:
                yield positions.error(
                    pp + ("instanceType",),
                    f"required: pools on {provider} get MachineSets ({where(positions, ('cluster', 'provider'))})",
                )
            if not pool.zones:
                yield positions.error(pp + ("zones",), f"at least one zone is required for MachineSets on {provider}")
    if spec.gpu_node_pools and provider in MACHINE_PROVIDERS:
        pool0 = ("gpuNodePools", 0)
        if not spec.cluster.infrastructure_id:
            yield positions.error(
                ("cluster", "infrastructureId"),
                f"required: GPU pools ({where(positions, pool0)}) get MachineSets on {provider}",
            )
        if spec.cluster.machine_sets is None:
            yield positions.error(
                ("cluster", "machineSets"),
                f"required, with {', '.join(MACHINE_SET_SETTINGS[provider])}: GPU pools ({where(positions, pool0)}) "
                f"get MachineSets on {provider}",
            )
        if not spec.cluster.region:
            yield positions.error(
                ("cluster", "region"), f"required: GPU pools ({where(positions, pool0)}) get MachineSets on {provider}"
            )


# Settings each provider's MachineSets are built from (generator/components/gpu_nodes.py).
MACHINE_SET_SETTINGS = {
    "aws": ("image", "subnet", "securityGroups", "instanceProfile"),
    "gcp": ("image", "subnet", "network", "projectId", "serviceAccount"),
    "azure": ("image", "subnet", "network", "resourceGroup"),
}


@rule
def machine_sets(spec, positions):
    provider = spec.cluster.provider
    ms = spec.cluster.machine_sets
    if not spec.gpu_node_pools or provider not in MACHINE_PROVIDERS or ms is None:
        return
    pool0 = ("gpuNodePools", 0)
    values = ms.model_dump(by_alias=True)
    for key in MACHINE_SET_SETTINGS[provider]:
        if not values.get(key):
            yield positions.error(
                ("cluster", "machineSets", key),
                f"required on {provider}: GPU pools ({where(positions, pool0)}) get MachineSets built from it",
            )
    if not spec.cluster.infrastructure_id:
        return
    for i, pool in enumerate(spec.gpu_node_pools):
        pp = ("gpuNodePools", i)
        if pool.zones and pool.replicas.max < len(pool.zones):
            yield positions.error(
                pp + ("replicas", "max"),
                f"{pool.replicas.max} is less than the {len(pool.zones)} zones ({where(positions, pp + ('zones',))}): "
                "the pool's max is split over one MachineSet per zone and each MachineAutoscaler needs at least 1",
            )
        for z, zone in enumerate(pool.zones):
            name = machine_set_name(spec, pool, zone)
            if len(name) > 63 or not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name):
                yield positions.error(
                    pp + ("zones", z),
                    f"MachineSet name {name!r} (from {where(positions, ('cluster', 'infrastructureId'))}, pool and zone) "
                    "is not a DNS-1123 label of at most 63 characters; it is also a label value",
                )


@rule
def nvidia_settings(spec, positions):
    if not spec.gpu_node_pools:
        return
    gpu = matrix.matrix().operators.gpu
    chosen = spec.nvidia.gpu_operator_channel
    if chosen and chosen not in gpu.channels:
        yield positions.error(
            ("nvidia", "gpuOperatorChannel"), f"unknown channel {chosen!r}; known: {', '.join(gpu.channels)}"
        )
    for i, pool in enumerate(spec.gpu_node_pools):
        slices = capacity.mig_slices(pool)
        if slices and len(slices) > 1 and spec.nvidia.mig_strategy == "single":
            yield positions.error(
                ("gpuNodePools", i, "migProfile"),
                f"{pool.mig_profile!r} cuts a GPU into {', '.join(slices)}: the single strategy exposes one size only, "
                f"it needs {where(positions, ('nvidia', 'migStrategy'))} mixed",
            )


# --------------------------------------------------------------------------- GPU capacity


@rule
def quota_numbers(spec, positions):
    """Kueue rules the generator would otherwise only learn about from the API server."""
    if not spec.quotas:
        return
    pools = {p.name: p for p in spec.gpu_node_pools}
    for t, team in enumerate(spec.quotas.teams):
        tp = ("quotas", "teams", t)
        for f, fq in enumerate(team.quotas):
            fp = tp + ("quotas", f, "resources")
            pool = pools.get(fq.flavor)
            offered = {r for r, _ in capacity.advertised(spec, pool)} if pool else set()
            for slice_name in fq.resources.mig:
                if capacity.MIG_PREFIX + slice_name not in offered:
                    slices = ", ".join(
                        r.removeprefix(capacity.MIG_PREFIX)
                        for r in sorted(offered)
                        if r.startswith(capacity.MIG_PREFIX)
                    )
                    yield positions.error(
                        fp + ("mig", slice_name),
                        f"flavor {fq.flavor!r} offers no nvidia.com/mig-{slice_name}: "
                        + (
                            f"its MIG slices: {slices}"
                            if slices
                            else "only a pool under the mixed MIG strategy offers MIG slices"
                        ),
                        at_key=True,
                    )
            if pool and fq.resources.gpu is not None and capacity.GPU not in offered:
                yield positions.error(
                    fp + (capacity.GPU,),
                    f"pool {fq.flavor!r} advertises no nvidia.com/gpu (MIG mixed: nvidia.com/mig-<slice>); quota its slices under `mig`",
                )
            resources = [
                (("cpu",), fq.resources.cpu),
                (("memory",), fq.resources.memory),
                ((capacity.GPU,), fq.resources.gpu),
            ]
            resources += [(("mig", n), q) for n, q in fq.resources.mig.items()]
            for key, quota in resources:
                if quota is None:
                    continue
                if quota.borrowing_limit is not None and not team.cohort:
                    yield positions.error(
                        fp + key + ("borrowingLimit",),
                        f"team {team.name!r} is in no cohort ({where(positions, tp + ('name',))}): there is nobody to borrow from",
                    )
                if quota.lending_limit is not None and not team.cohort:
                    yield positions.error(
                        fp + key + ("lendingLimit",),
                        f"team {team.name!r} is in no cohort ({where(positions, tp + ('name',))}): there is nobody to lend to; "
                        "Kueue refuses lendingLimit without a cohort",
                    )
                elif quota.lending_limit is not None:
                    lend, nominal = quantity.parse(quota.lending_limit), quantity.parse(quota.nominal)
                    if lend is not None and nominal is not None and lend > nominal:
                        yield positions.error(
                            fp + key + ("lendingLimit",),
                            f"{quota.lending_limit} is more than the nominal quota {quota.nominal} "
                            f"({where(positions, fp + key + ('nominal',))}); Kueue refuses it",
                        )
                if key[0] in (capacity.GPU, "mig"):
                    for field, value in (
                        ("nominal", quota.nominal),
                        ("borrowingLimit", quota.borrowing_limit),
                        ("lendingLimit", quota.lending_limit),
                    ):
                        if value is not None and capacity.gpu_count(value) is None:
                            yield positions.error(fp + key + (field,), f"{value!r} is not a whole number of GPUs")
            if fq.flavor in pools and (fq.resources.gpu is not None or fq.resources.mig):
                missing = [k for k in ("cpu", "memory") if getattr(fq.resources, k) is None]
                if missing:
                    yield positions.error(
                        fp + (capacity.GPU,),
                        f"GPU quota without {' and '.join(missing)} quota on the same flavor: Kueue admits a pod's "
                        f"resources on one flavor, so GPU pods on {fq.flavor!r} would never fit",
                    )


@rule
def gpu_capacity(spec, positions):
    pools = {p.name: p for p in capacity.pools(spec)}
    quotas = capacity.gpu_quotas(spec)
    for q in quotas:
        pool = pools[q.pool]
        if q.resource not in pool.resources:
            continue  # quota_numbers names the resource the pool does not offer
        if q.nominal > pool.max_of(q.resource):
            yield positions.error(
                q.path + ("nominal",),
                f"{q.nominal} {q.resource} is more than pool {q.pool!r} can ever provide: {pool.max_of(q.resource)} "
                f"({pool.explain()}; {where(positions, ('gpuNodePools', pool.index, 'replicas', 'max'))})",
            )
    if spec.quotas and spec.quotas.allow_overcommit:
        return
    for pool in pools.values():
        for resource in pool.resources:
            on_pool = [q for q in quotas if q.pool == pool.name and q.resource == resource]
            total = sum(q.nominal for q in on_pool)
            if total > pool.max_of(resource) and len(on_pool) > 1:
                teams = "; ".join(f"{q.team} {q.nominal} at {where(positions, q.path + ('nominal',))}" for q in on_pool)
                yield positions.error(
                    ("gpuNodePools", pool.index, "replicas", "max"),
                    f"teams' nominal {resource} quotas on pool {pool.name!r} sum to {total}, more than its "
                    f"{pool.max_of(resource)} ({pool.explain()}): {teams}; raise the pool's max, lower the quotas, or set "
                    "quotas.allowOvercommit: true",
                )


# --------------------------------------------------------------------------- monitoring


@rule
def monitoring_settings(spec, positions):
    m = spec.monitoring
    if not m.enabled:
        return
    mp = ("monitoring",)
    if m.probes.dashboard and not spec.cluster.base_domain:
        yield positions.error(
            mp + ("probes", "dashboard"),
            "needs cluster.baseDomain: the dashboard route's host is <route>-<namespace>.apps.<baseDomain>; "
            "set it, or set probes.dashboard: false",
        )
    for i, r in enumerate(m.receivers):
        if r.channel is not None and r.type != "slack":
            yield positions.error(
                mp + ("receivers", i, "channel"),
                f"only Slack receivers have a channel ({where(positions, mp + ('receivers', i, 'type'))})",
            )
    if m.alerting_namespace in set(spec.namespaces.values()):
        yield positions.error(
            mp + ("alertingNamespace",),
            f"{m.alerting_namespace!r} is a platform namespace; the platform Alertmanager ignores "
            "AlertmanagerConfigs in namespaces labelled for cluster monitoring, so use a namespace of its own",
        )


# --------------------------------------------------------------------------- Argo CD


@rule
def argocd_destination(spec, positions):
    d = spec.argocd.destination
    chosen = [x for x in (d.server, d.name, d.in_cluster or None) if x]
    if len(chosen) > 1:
        yield positions.error(("argocd", "destination"), "set only one of server, name, inCluster")
    if not chosen and not spec.cluster.api_server:
        yield positions.error(
            ("argocd", "destination"),
            "no destination: set cluster.apiServer, or argocd.destination.server / name / inCluster: true",
        )


@rule
def argocd_bootstrap(spec, positions):
    """The bootstrap unit binds the controller's own ServiceAccount, which only holds on the
    cluster Argo CD runs on; a remote cluster is reached with the credentials of its cluster
    Secret, whose permissions that cluster's admin grants."""
    if spec.argocd.bootstrap.enabled and not spec.argocd.destination.in_cluster:
        yield positions.error(
            ("argocd", "bootstrap", "enabled"),
            "the bootstrap unit sets up Argo CD on the cluster it manages: set argocd.destination.inCluster: true",
        )


# --------------------------------------------------------------------------- this repository


@rule
def repository_named(spec, positions):
    """No URL of this repository is built in: a placeholder would render Applications that sync
    from someone else's repository, and a fork would publish it without a word."""
    if not spec.argocd.repo_url:
        yield positions.error(
            ("argocd", "repoURL"),
            "is not set: Argo CD needs this repository's URL. Set it once for every cluster in "
            "clusters/_defaults.yaml (argocd: {repoURL: https://git.example.com/you/gitops.git}), or in this spec",
        )
    elif spec.monitoring.enabled and spec.runbook_url is None and not carries_credentials(spec.argocd.repo_url):
        yield positions.error(
            ("monitoring", "runbookBaseURL"),
            f"is not set and cannot be derived from argocd.repoURL {spec.argocd.repo_url} (only GitHub, GitLab and "
            "Bitbucket file URLs are known): set it to where docs/runbooks.md is published",
        )


def git_host(url: str) -> str:
    """The host of a git URL: https://host/..., ssh://user@host:port/..., or scp-like user@host:path."""
    m = re.match(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([^/:?#]+)", url, re.I) or re.match(r"^(?:[^@/]+@)?([^/:]+):", url)
    return m.group(1).lower() if m else ""


@rule
def disconnected_repository(spec, positions):
    """A disconnected cluster's Argo CD reaches no public git host, unless over HTTPS through the
    cluster's proxy: its Applications would never sync. Reported where repoURL is written: the
    defaults file's line when the spec takes it from there."""
    repo_url = spec.argocd.repo_url
    if not spec.cluster.disconnected or not repo_url:
        return
    host = git_host(repo_url)
    if host not in matrix.matrix().public_git_hosts:
        return
    proxy = spec.cluster.proxy
    # HTTPS through the cluster's proxy reaches the host (unless noProxy sends it direct); SSH
    # does not go through an HTTP proxy.
    if (
        proxy is not None
        and proxy.https_proxy
        and repo_url.lower().startswith("https://")
        and not any(host == entry.lstrip(".") or host.endswith("." + entry.lstrip(".")) for entry in proxy.no_proxy)
    ):
        return
    yield positions.error(
        ("argocd", "repoURL"),
        f"{repo_url} is on the public host {host}, which the disconnected cluster "
        f"({where(positions, ('cluster', 'disconnected'))}) cannot reach (no cluster.proxy.httpsProxy carries it): "
        "Argo CD would never fetch the bundle. Set argocd.repoURL in this spec to the site's mirror of this repository",
    )


@rule
def egress_settings(spec, positions):
    proxy = spec.cluster.proxy
    if proxy is not None and not (proxy.http_proxy or proxy.https_proxy):
        yield positions.error(
            ("cluster", "proxy"), "names no proxy: set httpProxy and/or httpsProxy (or remove cluster.proxy)"
        )


def team_namespaces(spec) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    if spec.quotas:
        for team in spec.quotas.teams:
            out[team.name].extend(team.namespaces)
    return dict(out)


# --------------------------------------------------------------------------- workloads: models

MODELS = ("workloads", "models")


def _team_gpu_ceiling(spec, team: str, pool: str) -> tuple[int, int] | None:
    """(nominal, the most the team's cohort could ever lend it) of nvidia.com/gpu on the pool's
    flavor; None when the team holds no such quota."""
    quotas = [q for q in capacity.gpu_quotas(spec) if q.pool == pool and q.resource == capacity.GPU]
    own = next((q for q in quotas if q.team == team), None)
    if own is None:
        return None
    lendable = sum(o.lends for o in quotas if o is not own and own.cohort and o.cohort == own.cohort)
    can_borrow = lendable if own.borrowing_limit is None else min(own.borrowing_limit, lendable)
    return own.nominal, can_borrow


def _offered(spec) -> str:
    shipped, catalogue = model_deployments.runtimes_offered(spec)
    return (
        f"{spec.release} ships {', '.join(shipped) or 'none known'}; "
        f"the catalogue (workloads.servingRuntimes) has {', '.join(catalogue) or 'none'}"
    )


def _model_runtime(spec, positions, here: tuple, m) -> Iterable[SpecError]:
    """The runtime a model names: exactly one of the release's Templates and the catalogue's
    runtimes, serving the model's format on the platform its mode needs."""
    found = model_deployments.runtimes_named(spec, m.runtime)
    if not found:
        yield positions.error(here + ("runtime",), f"{m.runtime!r} is no runtime of this cluster: {_offered(spec)}")
        return
    if len(found) > 1:
        which = "; ".join(
            f"{'the release' if r.origin == 'release' else 'the catalogue'}'s {r.template_name}" for r in found
        )
        yield positions.error(
            here + ("runtime",),
            f"{m.runtime!r} names more than one runtime ({which}): rename the catalogue runtime "
            f"(workloads.servingRuntimes) so the names differ; {_offered(spec)}",
        )
        return
    (rt,) = found
    if m.model_format and m.model_format not in rt.formats:
        yield positions.error(
            here + ("modelFormat",),
            f"runtime {m.runtime!r} serves {', '.join(dict.fromkeys(rt.formats))}, not {m.model_format!r}",
        )
    wants_multi = model_deployments.mode(spec, m) == "ModelMesh"
    if rt.multi_model != wants_multi:
        yield positions.error(
            here + ("runtime",),
            f"runtime {m.runtime!r} is a "
            f"{'multi-model (ModelMesh)' if rt.multi_model else 'single-model'} runtime; "
            f"deployment mode {model_deployments.mode(spec, m)} needs a "
            f"{'multi-model' if wants_multi else 'single-model'} one",
        )
    params = rt.image_params
    if params and not m.runtime_image:
        yield positions.error(
            here + ("runtime",),
            f"template {rt.template_name!r} leaves its image to the operator "
            f"(parameter {params[0]}): set runtimeImage to the image, pinned by digest, "
            "that the cluster's Template shows",
        )
    if rt.origin == "catalogue" and m.runtime_image:
        yield positions.error(
            here + ("runtimeImage",),
            f"catalogue runtime {rt.catalogue.name!r} pins its own image (workloads.servingRuntimes[].image): "
            "remove runtimeImage, or change the catalogue runtime's image",
        )


def _model_token_auth(spec, positions, here: tuple, m) -> Iterable[SpecError]:
    """tokenAuth where the release's serving controllers guard that kind in that mode
    (generator/data/serving.yaml)."""
    mode = model_deployments.mode(spec, m) if m.kind == "InferenceService" else None
    if serving.token_auth(spec.distribution.name, spec.version, m.kind, mode) is not None:
        return
    what = f"{m.kind} in {mode}" if mode else m.kind
    where_ = "; ".join(t.span for t in serving.token_auth_elsewhere(m.kind, mode)) or "no release"
    yield positions.error(
        here + ("tokenAuth",),
        f"{release_ref(spec, positions)} has no token auth for an {what}: its serving controllers would "
        f"leave the endpoint open (token auth for it comes with {where_}); remove tokenAuth, or "
        "deploy the model another way",
    )


@rule
def deployed_models(spec, positions):
    owners = {ns: team.name for team in (spec.quotas.teams if spec.quotas else []) for ns in team.namespaces}
    pools = {p.name: p for p in spec.gpu_node_pools}
    runs = model_deployments.modes_run(spec) if spec.workloads.models else {}
    used: dict[tuple[str, str], int] = defaultdict(int)
    seen: dict[tuple[str, str], int] = {}
    for i, m in enumerate(spec.workloads.models):
        here = MODELS + (i,)
        if (m.namespace, m.name) in seen:
            yield positions.error(
                here + ("name",),
                f"model {m.name!r} is already deployed in namespace {m.namespace!r} "
                f"({where(positions, MODELS + (seen[(m.namespace, m.name)], 'name'))})",
            )
        seen[(m.namespace, m.name)] = i
        team = owners.get(m.namespace)
        if team is None:
            known = ", ".join(sorted(owners)) or "none: add teams under quotas.teams"
            yield positions.error(
                here + ("namespace",),
                f"namespace {m.namespace!r} belongs to no team; a model deploys "
                f"into a team's namespace (quotas.teams[].namespaces: {known})",
            )
        if (m.location.connection is None) == (m.location.uri is None):
            yield positions.error(
                here + ("location",), "give either connection (and path) or uri, not both and not neither"
            )
        if m.location.connection:
            conns = {(c.namespace, c.name): (j, c) for j, c in enumerate(spec.workloads.connections)}
            found = conns.get((m.namespace, m.location.connection))
            if found is None:
                names = (
                    ", ".join(sorted(c.name for c in spec.workloads.connections if c.namespace == m.namespace))
                    or "none"
                )
                yield positions.error(
                    here + ("location", "connection"),
                    f"no connection {m.location.connection!r} in namespace "
                    f"{m.namespace!r} (workloads.connections there: {names})",
                )
            elif found[1].type != "s3":
                yield positions.error(
                    here + ("location", "connection"),
                    f"connection {m.location.connection!r} is of type "
                    f"{found[1].type} ({where(positions, ('workloads', 'connections', found[0], 'type'))}); "
                    "a model reads an s3 connection with a path, else give location.uri",
                )
        if m.location.path and not m.location.connection:
            yield positions.error(
                here + ("location", "path"),
                "a path is read inside a connection: set location.connection too, or put the path in the uri",
            )
        facts = model_deployments.facts(spec)
        if m.kind == "LLMInferenceService" and facts is not None and not facts.serves("LLMInferenceService"):
            yield positions.error(
                here + ("kind",),
                f"{release_ref(spec, positions)} does not serve LLMInferenceService "
                "(its KServe has no such CRD): deploy the LLM as an InferenceService with a vLLM runtime",
            )
        if m.kind == "LLMInferenceService" and m.location.connection:
            yield positions.error(
                here + ("location", "connection"),
                "an LLMInferenceService reads its model by URI (spec.model.uri): "
                "give location.uri (hf://, oci://, s3://, pvc://)",
            )
        if m.kind == "InferenceService" and not m.runtime:
            yield positions.error(
                here,
                "an InferenceService needs runtime: an out-of-the-box template of the release or a catalogue runtime",
            )
        elif m.kind == "InferenceService" and facts is not None:
            yield from _model_runtime(spec, positions, here, m)
        mode = model_deployments.mode(spec, m)
        if m.kind == "InferenceService" and runs.get(mode):
            where_mode = here + ("deploymentMode",) if m.deployment_mode else ("components", "kserve")
            yield positions.error(
                where_mode if where_mode in positions.keys else here,
                f"deployment mode {mode} does not run on this cluster ({release_ref(spec, positions)}): {runs[mode]}; "
                f"use one of: {', '.join(k for k, v in runs.items() if not v) or 'none'}",
            )
        if m.token_auth and facts is not None:
            yield from _model_token_auth(spec, positions, here, m)
        if m.hardware_profile != "cpu" and m.hardware_profile not in pools:
            yield positions.error(
                here + ("hardwareProfile",),
                f"{m.hardware_profile!r} is neither cpu nor a GPU pool's profile; "
                f"expected one of: {', '.join(['cpu', *pools])}",
            )
            continue
        if m.gpus and m.hardware_profile == "cpu":
            yield positions.error(
                here + ("gpus",),
                "GPUs need a GPU pool's hardware profile (hardwareProfile: one of "
                f"{', '.join(pools) or 'none: the cluster has no gpuNodePools'})",
            )
            continue
        if not m.gpus or team is None:
            continue
        ceiling = _team_gpu_ceiling(spec, team, m.hardware_profile)
        if ceiling is None or ceiling == (0, 0):
            yield positions.error(
                here + ("hardwareProfile",),
                f"team {team!r} has no {capacity.GPU} quota on pool "
                f"{m.hardware_profile!r}: add it under quotas.teams, or pick a pool it has quota on",
            )
            continue
        used[(team, m.hardware_profile)] += m.gpus * m.replicas
        nominal, can_borrow = ceiling
        if used[(team, m.hardware_profile)] > nominal + can_borrow:
            yield positions.error(
                here + ("replicas",),
                f"{m.replicas} replica(s) x {m.gpus} GPUs brings team {team!r}'s models on pool "
                f"{m.hardware_profile!r} to {used[(team, m.hardware_profile)]} {capacity.GPU}, more than "
                f"its quota {nominal} plus the {can_borrow} its cohort could ever lend: Kueue "
                "would never admit them all; lower replicas or gpus, or raise the team's quota",
            )


def team_groups_of(spec, team: str) -> list[str]:
    """The OpenShift groups of team `team` (quotas.teams[].groups)."""
    for t in spec.quotas.teams if spec.quotas else []:
        if t.name == team:
            return [g.name for g in t.groups]
    return []


# --------------------------------------------------------------------------- team workloads

WORKLOADS = ("workloads",)


def _team_namespace(spec, positions, path: tuple, namespace: str, what: str) -> Iterable[SpecError]:
    owned = sorted(ns for names in team_namespaces(spec).values() for ns in names)
    if namespace not in owned:
        listed = ", ".join(owned) if owned else "none: the spec has no quotas.teams"
        yield positions.error(
            path + ("namespace",),
            f"{namespace!r} is not a namespace of any team: {what} live in team namespaces (quotas.teams[].namespaces: {listed})",
        )


def _removed(spec, positions, path: tuple, component: str, what: str) -> Iterable[SpecError]:
    if not spec.has_component(component):
        yield positions.error(
            path, f"{what} needs the {component} component, which {release_ref(spec, positions)} does not have"
        )
    elif not spec.managed(component):
        state = _state_path(component)
        written = where(positions, state) if state in positions.keys else f"{format_path(state)} (the default)"
        yield positions.error(
            path,
            f"{what} needs the {component} component, which is {spec.component_state(component)} in this spec ({written}): set it to Managed, or remove this entry",
        )


@rule
def workload_connections(spec, positions):
    if not spec.workloads.connections or not is_supported(spec):
        return
    facts = workload_facts(spec.distribution.name, spec.version)
    known = facts.known_connection_types()
    seen: dict[tuple[str, str], int] = {}
    for i, c in enumerate(spec.workloads.connections):
        at = WORKLOADS + ("connections", i)
        yield from _team_namespace(spec, positions, at, c.namespace, "connections")
        if (c.namespace, c.name) in seen:
            yield positions.error(
                at + ("name",),
                f"connection {c.name!r} is already defined in {c.namespace} at {where(positions, WORKLOADS + ('connections', seen[(c.namespace, c.name)]))}",
            )
        seen.setdefault((c.namespace, c.name), i)
        if (c.external_secret is None) == (not c.existing_secret):
            yield positions.error(
                at,
                "say where the Secret's values come from: externalSecret: {store: {name, kind}, remoteKey} "
                "(the External Secrets Operator makes it), or existingSecret: true (the team keeps it); exactly one",
            )
        if c.type not in known:
            hint = (
                " (releases before connection types offer S3 data connections only)"
                if not facts.connection_types
                else ""
            )
            yield positions.error(
                at + ("type",),
                f"{spec.release} does not know connection type {c.type!r}; it ships: {', '.join(known)}{hint}",
            )
            continue
        keys = facts.connection_keys(c.type)
        for field_name, key in CONNECTION_SETTING_KEYS.items():
            if getattr(c, field_name) is not None and key not in keys:
                yield positions.error(
                    at + (to_camel(field_name),),
                    f"connection type {c.type!r} of {spec.release} has no field {key} (its fields: {', '.join(keys)})",
                )


@rule
def workload_pipeline_servers(spec, positions):
    servers = spec.workloads.pipeline_servers
    if not servers or not is_supported(spec):
        return
    seen: dict[str, int] = {}
    for i, p in enumerate(servers):
        at = WORKLOADS + ("pipelineServers", i)
        yield from _removed(spec, positions, at, "datasciencepipelines", "a pipeline server")
        yield from _team_namespace(spec, positions, at, p.namespace, "pipeline servers")
        if p.namespace in seen:
            yield positions.error(
                at + ("namespace",),
                f"{p.namespace} already has a pipeline server ({where(positions, WORKLOADS + ('pipelineServers', seen[p.namespace]))}); "
                "the dashboard uses only the first in a namespace: one per namespace",
            )
        seen.setdefault(p.namespace, i)
        s, sp = p.object_storage, at + ("objectStorage",)
        if s.connection:
            c = next(
                (c for c in spec.workloads.connections if c.namespace == p.namespace and c.name == s.connection), None
            )
            if c is None:
                names = [c.name for c in spec.workloads.connections if c.namespace == p.namespace]
                yield positions.error(
                    sp + ("connection",),
                    f"no connection {s.connection!r} in {p.namespace} (workloads.connections there: {', '.join(names) or 'none'})",
                )
            elif not workload_facts(spec.distribution.name, spec.version).is_s3(c.type):
                yield positions.error(
                    sp + ("connection",),
                    f"connection {s.connection!r} is of type {c.type!r}; a pipeline server stores its artifacts in S3: name an s3 connection",
                )
            else:
                if not c.endpoint:
                    yield positions.error(
                        sp + ("connection",),
                        f"connection {s.connection!r} has no endpoint: set it there (the pipeline server needs it)",
                    )
                if not (s.bucket or c.bucket):
                    yield positions.error(
                        sp + ("connection",), f"connection {s.connection!r} has no bucket: set bucket there or here"
                    )
            if s.credentials_secret or s.endpoint:
                yield positions.error(sp, "give a connection, or endpoint, bucket and credentialsSecret; not both")
        else:
            for name, value in (
                ("endpoint", s.endpoint),
                ("bucket", s.bucket),
                ("credentialsSecret", s.credentials_secret),
            ):
                if value is None:
                    yield positions.error(
                        sp,
                        f"{name} is missing: give a connection (an s3 connection in {p.namespace}), or endpoint, bucket and credentialsSecret",
                    )
        if p.database.mariadb is not None and p.database.external is not None:
            yield positions.error(at + ("database",), "give mariaDB (the operator's) or external, not both")


@rule
def workload_registries(spec, positions):
    registries = spec.workloads.model_registries
    if not registries or not is_supported(spec):
        return
    facts = workload_facts(spec.distribution.name, spec.version)
    teams = {t.name for t in spec.quotas.teams} if spec.quotas else set()
    for i, r in enumerate(registries):
        at = WORKLOADS + ("modelRegistries", i)
        yield from _removed(spec, positions, at, "modelregistry", "a model registry")
        if not facts.serves("ModelRegistry") and spec.has_component("modelregistry"):
            yield positions.error(
                at,
                f"{spec.release} has no ModelRegistry CRD (none in its upstream manifests): it cannot run a model registry",
            )
            continue
        db, dp = r.database, at + ("database",)
        if db.generate:
            if db.type != "postgres" or not facts.has("ModelRegistry", "spec.postgres.generateDeployment"):
                yield positions.error(
                    dp + ("generate",),
                    f"the operator's own database is a PostgreSQL that {spec.release}'s ModelRegistry "
                    f"{'does not offer' if not facts.has('ModelRegistry', 'spec.postgres.generateDeployment') else 'offers with type: postgres only'}: "
                    "name an existing database (host, database, username, passwordSecret)",
                )
            for name in ("host", "database", "username", "password_secret"):
                if getattr(db, name) is not None:
                    yield positions.error(
                        dp + (to_camel(name),), "is not used with generate: true (the operator makes the database)"
                    )
        else:
            for name in ("host", "database", "username", "password_secret"):
                if getattr(db, name) is None:
                    yield positions.error(
                        dp,
                        f"{to_camel(name)} is missing: a registry's {db.type} database is named by host, database, username and passwordSecret",
                    )
        for j, team in enumerate(r.teams):
            if team not in teams:
                yield positions.error(
                    at + ("teams", j), f"no team {team!r} in quotas.teams (teams: {', '.join(sorted(teams)) or 'none'})"
                )


def _release_line(spec) -> str:
    return f"{spec.release.major}.x"


@rule
def workload_images_and_runtimes(spec, positions):
    w = spec.workloads
    if not (
        w.workbench_images or w.serving_runtimes or w.runtime_templates.order or w.runtime_templates.disabled
    ) or not is_supported(spec):
        return
    line = _release_line(spec)
    for section, items, what in (
        ("workbenchImages", w.workbench_images, "image"),
        ("servingRuntimes", w.serving_runtimes, "runtime"),
    ):
        for i, item in enumerate(items):
            if line not in item.release_lines:
                yield positions.error(
                    WORKLOADS + (section, i, "releaseLines"),
                    f"the {what} runs on {', '.join(item.release_lines)}, but this cluster runs {release_ref(spec, positions)} "
                    f"({line}): use a build of it for {line}, or leave it out of this cluster",
                )
    if w.serving_runtimes and not spec.managed("kserve") and not spec.managed("modelmeshserving"):
        yield positions.error(
            WORKLOADS + ("servingRuntimes",),
            "custom serving runtimes need the kserve (or modelmeshserving) component Managed",
        )
    facts = workload_facts(spec.distribution.name, spec.version)
    custom = {f"{r.name}-template" for r in w.serving_runtimes}
    shipped = facts.runtime_templates
    by_file = {t.file.removesuffix(".yaml"): name for name, t in shipped.items()}
    for key, names in (("order", w.runtime_templates.order), ("disabled", w.runtime_templates.disabled)):
        for i, name in enumerate(names):
            if name in custom or name in shipped:
                continue
            path = WORKLOADS + ("runtimeTemplates", key, i)
            if not facts.runtimes_collected:
                yield positions.error(
                    path,
                    f"the upstream data has no runtime templates of {spec.release}, so {name!r} cannot be checked: "
                    f"name only custom runtimes' templates ({', '.join(sorted(custom)) or 'none'})",
                )
            elif name in by_file:
                yield positions.error(
                    path,
                    f"{name!r} is the template's file name; the dashboard names templates by metadata.name: write {by_file[name]!r}",
                )
            else:
                yield positions.error(
                    path,
                    f"{spec.release} ships no serving-runtime template {name!r}; it ships: {', '.join(sorted(shipped))}"
                    + (f"; custom: {', '.join(sorted(custom))}" if custom else ""),
                )
