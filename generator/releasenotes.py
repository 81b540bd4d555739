"""What changes from one supported release to the next, as the platform objects the bundle
writes see it: kinds the operator starts serving, DataScienceCluster components, fields of the
DataScienceCluster, DSCInitialization and OdhDashboardConfig, values an enum starts accepting,
fields that become immutable or ignored; and the channel a spec of each release gets. Read from
the upstream data (generator.facts.releases, generator.facts.catalogs); `rhoai-gitops releases` prints it and
docs/release-tables.md's per-release tables are its Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.diff.markdown import render
from generator.facts import catalogs, matrix, releases
from generator.spec.model import Cluster

KINDS = ("DataScienceCluster", "DSCInitialization", "OdhDashboardConfig", "Auth", "HardwareProfile")
SERVED = ("Auth", "HardwareProfile")
SKIP = ("devFlags",)  # developer settings: not a platform team's


def _paths(rel: releases.Release, kind: str) -> dict[str, dict]:
    """spec field path -> schema node, every field below spec."""
    out: dict[str, dict] = {}

    def walk(node: dict, path: str) -> None:
        for name, sub in (node.get("properties") or {}).items():
            if name in SKIP or not isinstance(sub, dict):
                continue
            out[f"{path}.{name}"] = sub
            walk(sub, f"{path}.{name}")
        if isinstance(node.get("items"), dict):
            walk(node["items"], path + "[]")

    spec = rel.node(kind, "spec")
    if spec:
        walk(spec, "spec")
    return out


@dataclass
class ReleaseNotes:
    release: releases.Release
    changes: list[str] = field(default_factory=list)  # what is new against the previous release
    channel: str = ""
    pinned: bool = False  # the default channel moves on: startingCSV and Manual approval hold it
    openshift: str = ""  # the catalog's OpenShift version, where it is not the table's
    groups: str = ""  # where the spec's groups go

    @property
    def version(self) -> str:
        return self.release.version


def _short(kind: str, path: str) -> str:
    prefix = {"DataScienceCluster": "dsc", "DSCInitialization": "dsci", "OdhDashboardConfig": "dashboard"}.get(
        kind, kind
    )
    return f"{prefix} `{path.removeprefix('spec.').removeprefix('components.')}`"


def _diff(old: releases.Release | None, new: releases.Release) -> list[str]:
    if old is None:
        return [f"components: {', '.join(new.components())}"]
    out = [f"serves {k}" for k in SERVED if new.serves(k) and not old.serves(k)]
    out += [f"no {k}" for k in SERVED if old.serves(k) and not new.serves(k)]
    for kind in ("DataScienceCluster", "DSCInitialization", "OdhDashboardConfig"):
        before, after = _paths(old, kind), _paths(new, kind)
        added = [p for p in after if p not in before and _parent(p) not in set(after) - set(before)]
        removed = [p for p in before if p not in after and _parent(p) not in set(before) - set(after)]
        out += [f"+ {_short(kind, p)}" for p in added]
        out += [f"− {_short(kind, p)}" for p in removed]  # noqa: RUF001 (a typographic minus beside the +, on purpose)
        for p in sorted(set(before) & set(after)):
            gained = [v for v in after[p].get("enum", []) if "enum" in before[p] and v not in before[p]["enum"]]
            refused = new.rejects(kind, p)
            if [v for v in gained if v not in refused]:
                out.append(f"{_short(kind, p)} takes {', '.join(map(str, (v for v in gained if v not in refused)))}")
            if [v for v in gained if v in refused]:
                out.append(
                    f"{_short(kind, p)} lists {', '.join(map(str, (v for v in gained if v in refused)))} (refused at runtime)"
                )
            if new.immutable(kind, p) and not old.immutable(kind, p) and not new.immutable(kind, _parent(p)):
                out.append(f"{_short(kind, p)} immutable")
            if new.ignored(kind, p) and not old.ignored(kind, p) and not new.ignored(kind, _parent(p)):
                out.append(f"{_short(kind, p)} ignored")
            if new.deprecated(kind, p) and not old.deprecated(kind, p) and not new.deprecated(kind, _parent(p)):
                out.append(f"{_short(kind, p)} deprecated")
            rules = {r.get("rule") for r in before[p].get("x-kubernetes-validations", [])}
            for r in after[p].get("x-kubernetes-validations", []):
                if r.get("rule") not in rules and "oldSelf" not in r.get("rule", ""):
                    out.append(f"{_short(kind, p)} rule: {r.get('message') or r.get('rule')}")
    return out


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0].removesuffix("[]")


def notes(dist: str, openshift: str | None = None) -> list[ReleaseNotes]:
    """Every supported release of `dist`, oldest first, against the one before it; channels as
    the catalog for `openshift` (default: the spec's default OpenShift version) has them."""
    openshift = openshift or Cluster.model_fields["openshift_version"].default
    table = catalogs.catalog(dist, openshift)
    out, previous = [], None
    for version in releases.supported(dist):
        rel = releases.release(dist, version)
        cat = table
        if not cat.channels_with(version):  # (3.x needs a newer OpenShift than the table's)
            cat = catalogs.catalog(dist, catalogs.openshift_versions(dist, version)[0])
        channel = catalogs.preferred_channel(cat, version) or ""
        head = cat.head(channel) if channel else None
        out.append(
            ReleaseNotes(
                release=rel,
                changes=_diff(previous, rel),
                channel=channel,
                pinned=bool(head and head.release != version),
                openshift="" if cat is table else cat.key,
                groups="Auth" if rel.serves("Auth") else "dashboard groupsConfig",
            )
        )
        previous = rel
    return out


def markdown(dists: tuple[str, ...] = ("rhoai", "odh")) -> str:
    openshift = Cluster.model_fields["openshift_version"].default
    tables = [
        (
            dist,
            matrix.distribution(dist).display_name,
            catalogs.catalog(dist, openshift).describe(),
            notes(dist, openshift),
        )
        for dist in dists
    ]
    return render("releases.md.j2", tables=tables)


BEGIN, END = "<!-- releases:begin -->", "<!-- releases:end -->"


# The document holding the tables, relative to the repository.
TABLES_DOC = "docs/release-tables.md"


def readme_with_tables(text: str) -> str:
    """`text` (the tables' document) with the per-release tables between its markers replaced."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{markdown()}{END}{tail}"
