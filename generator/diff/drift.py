"""Rendered vs live: each desired object is in sync, out of sync (with the differing fields),
or missing; a live object carrying the generator's ownership label that is no longer desired
is orphaned."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator import yamlio
from generator.diff.normalize import IgnoreRule, apply_rules, rules_from_applications, strip_server_fields
from generator.diff.objects import FieldChange, diff
from generator.errors import UsageError
from generator.kustomize import build
from generator.resources import MANAGED_BY, MANAGER, Obj, ident, ident_str

IN_SYNC, OUT_OF_SYNC, MISSING, ORPHANED = "in sync", "out of sync", "missing", "orphaned"
STATUSES = (OUT_OF_SYNC, MISSING, ORPHANED, IN_SYNC)
ARGOCD_FOLDER = "argocd"
# A field change read from the desired side: absent on the left means only the live object has it.
FIELD_CHANGES = {"changed": "changed", "removed": "absent in live", "added": "only in live"}


@dataclass
class ObjectDrift:
    ident: tuple[str, str, str, str]
    name: str
    status: str
    fields: list[FieldChange] = field(default_factory=list)  # left = desired, right = live

    def as_dict(self) -> dict:
        out: dict = {"object": self.name, "status": self.status}
        if self.fields:
            out["fields"] = [f.as_dict("desired", "live", FIELD_CHANGES) for f in self.fields]
        return out


@dataclass
class DriftReport:
    cluster: str
    objects: list[ObjectDrift]
    ignore_rules: int  # ignoreDifferences entries honoured

    @property
    def drifted(self) -> bool:
        return any(o.status != IN_SYNC for o in self.objects)

    def count(self, status: str) -> int:
        return sum(1 for o in self.objects if o.status == status)

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in STATUSES}

    def as_dict(self) -> dict:
        return {
            "cluster": self.cluster,
            "drift": self.drifted,
            "summary": self.summary(),
            "ignoreRules": self.ignore_rules,
            "objects": [o.as_dict() for o in self.objects],
        }


def desired_objects(repo: Path, cluster: str) -> list[Obj]:
    """What the cluster should hold: the kustomize build of its committed overlay."""
    overlay = repo / "overlays" / cluster
    if not (overlay / "kustomization.yaml").is_file():
        raise UsageError(f"overlays/{cluster} is not rendered (run `rhoai-gitops render {cluster}`)")
    result = build(overlay)
    if not result.ok:
        raise UsageError(f"kustomize build overlays/{cluster} failed:\n{result.output}")
    return result.objects()


def application_rules(repo: Path, cluster: str) -> list[IgnoreRule]:
    """ignoreDifferences of the cluster's Argo CD Applications, read from whatever YAML is in
    overlays/<cluster>/argocd/ (none there: no rules)."""
    folder = repo / "overlays" / cluster / ARGOCD_FOLDER
    objs: list[Obj] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        objs += [d for d in yamlio.loads_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
    return rules_from_applications(objs)


def _comparable(o: Obj) -> Obj:
    # The server answers in the version asked for, and identity is group/kind/namespace/name:
    # the apiVersion string itself is not content.
    out = strip_server_fields(o)
    out.pop("apiVersion", None)
    return out


def compare(cluster: str, desired: list[Obj], live: list[Obj], rules: list[IgnoreRule]) -> DriftReport:
    live_by_id = {ident(o): o for o in live}
    desired_ids = set()
    out: list[ObjectDrift] = []
    for want in desired:
        key = ident(want)
        desired_ids.add(key)
        have = live_by_id.get(key)
        if have is None:
            out.append(ObjectDrift(key, ident_str(want), MISSING))
            continue
        want_n, have_n = apply_rules(want, have, rules)
        fields = diff(_comparable(want_n), _comparable(have_n), subset=True, by_value=True)
        out.append(ObjectDrift(key, ident_str(want), OUT_OF_SYNC if fields else IN_SYNC, fields))
    for key, have in live_by_id.items():
        labels = (have.get("metadata") or {}).get("labels") or {}
        if key not in desired_ids and labels.get(MANAGED_BY) == MANAGER:
            out.append(ObjectDrift(key, ident_str(have), ORPHANED))
    out.sort(key=lambda o: (STATUSES.index(o.status), o.ident))
    return DriftReport(cluster, out, len(rules))
