"""Argo CD's comparison settings as drift applies them, read where Argo CD reads them: the
`argocd-cm` ConfigMap, or the ArgoCD instance (argoproj.io/v1beta1) the OpenShift GitOps operator
turns into one. What counts (argo-cd util/settings/settings.go GetResourceOverrides,
GetResourceCompareOptions):

- `resource.customizations` (one YAML map `group/Kind` -> override) and the split keys
  `resource.customizations.<ignoreDifferences|knownTypeFields>.<group_Kind>` (`all`: every kind),
  which win over it per key;
- `resource.compareoptions`: `ignoreAggregatedRoles`, and `ignoreResourceStatusField` (`all`,
  the default: status of every object ignored; `crd`: only CustomResourceDefinitions'; `none`,
  `off`, `false`: compared; anything else: all);
- from an ArgoCD instance: `spec.extraConfig` (argocd-cm keys as they are) and
  `spec.resourceIgnoreDifferences` (`all`, and `resourceIdentifiers` per group and kind), which
  the operator writes as the split ignoreDifferences keys.

Other keys (health checks, actions, ignoreResourceUpdates) change no comparison and are left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.core.errors import UsageError
from generator.diff.drift import STATUS_ALL, STATUS_CRD, STATUS_NONE, Options
from generator.diff.knowntypes import fields_from_overrides
from generator.diff.normalize import IgnoreRule

CUSTOMIZATIONS = "resource.customizations"
COMPARE_OPTIONS = "resource.compareoptions"
# The customization types of the split keys that change what Argo CD compares, and those it
# reads for something else (which are fine to find).
COMPARING = ("ignoreDifferences", "knownTypeFields")
OTHER = ("health", "useOpenLibs", "actions", "ignoreResourceUpdates")


@dataclass
class Settings:
    """What Argo CD compares with: overrides per `group/Kind` (as resource.customizations
    holds them) and the compare options."""

    source: str = "Argo CD's defaults"
    overrides: dict[str, dict] = field(default_factory=dict)
    ignore_aggregated_roles: bool = False
    ignore_resource_status: str = STATUS_ALL

    def ignore_rules(self) -> list[IgnoreRule]:
        """Each override's ignoreDifferences as a rule (status is the compare options' business:
        Options.ignore_resource_status)."""
        rules = []
        for key, override in sorted(self.overrides.items()):
            diffs = override.get("ignoreDifferences") or {}
            if any(diffs.get(k) for k in ("jsonPointers", "jqPathExpressions", "managedFieldsManagers")):
                group, _, kind = key.rpartition("/")
                rules.append(IgnoreRule.from_argocd({"group": group, "kind": kind, **diffs}))
        return rules

    def options(self) -> Options:
        return Options(
            tuple(fields_from_overrides(self.overrides)), self.ignore_aggregated_roles, self.ignore_resource_status
        )


def _yaml(text: Any, where: str, expected: type) -> Any:
    if not isinstance(text, str):
        raise UsageError(f"{where}: expected a YAML text (a string value of the ConfigMap)")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (its line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"{where}: is not YAML{at}; Argo CD would refuse it too") from None
    if value is None:
        return expected()
    if not isinstance(value, expected):
        raise UsageError(f"{where}: expected {'a mapping' if expected is dict else 'a list'}")
    return value


def _override_key(group_kind: str, where: str) -> str:
    """`group_Kind` or `Kind` (split keys) -> `group/Kind`; `all` -> `*/*`."""
    if group_kind == "all":
        return "*/*"
    parts = group_kind.split("_")
    if len(parts) == 2:
        return f"{parts[0]}/{parts[1]}"
    if len(parts) == 1 and group_kind:
        return group_kind
    raise UsageError(f"{where}: the key must end in .<group>_<Kind>, .<Kind> or .all")


def from_argocd_cm(data: dict, source: str) -> Settings:
    """Settings from an argocd-cm ConfigMap's data."""
    out = Settings(source)
    if data.get(CUSTOMIZATIONS):
        where = f"{source}: data[{CUSTOMIZATIONS}]"
        for key, override in _yaml(data[CUSTOMIZATIONS], where, dict).items():
            if not isinstance(override, dict):
                raise UsageError(f"{where}: {key}: expected a mapping of customizations")
            entry = out.overrides.setdefault(str(key), {})
            diffs = override.get("ignoreDifferences")
            if diffs is not None:
                # a YAML text inside the YAML (ResourceOverride's JSON form), or a mapping
                entry["ignoreDifferences"] = (
                    _yaml(diffs, f"{where}: {key}.ignoreDifferences", dict) if isinstance(diffs, str) else diffs
                )
            if override.get("knownTypeFields") is not None:
                entry["knownTypeFields"] = override["knownTypeFields"]
    for key in sorted(data):
        if not key.startswith(CUSTOMIZATIONS + "."):
            continue
        where = f"{source}: data[{key}]"
        parts = key.split(".", 3)
        if len(parts) < 4:
            continue
        kind, target = parts[2], _override_key(parts[3], where)
        if kind in OTHER:
            continue
        if kind not in COMPARING:
            raise UsageError(
                f"{where}: resource customization type {kind!r} is not one Argo CD knows "
                f"({', '.join(COMPARING + OTHER)})"
            )
        value = _yaml(data[key], where, dict if kind == "ignoreDifferences" else list)
        out.overrides.setdefault(target, {})[kind] = value
    if COMPARE_OPTIONS in data:
        options = _yaml(data[COMPARE_OPTIONS], f"{source}: data[{COMPARE_OPTIONS}]", dict)
        out.ignore_aggregated_roles = options.get("ignoreAggregatedRoles") is True
        status = options.get("ignoreResourceStatusField", STATUS_ALL)
        # YAML reads `off` and `false` as false; Argo CD takes them for none, and anything it
        # does not know for all.
        status = "none" if status in (False, "off", "false") else str(status or STATUS_ALL)
        out.ignore_resource_status = status if status in (STATUS_ALL, STATUS_CRD, STATUS_NONE) else STATUS_ALL
    return out


def argocd_cm_of(obj: dict) -> dict[str, str]:
    """The argocd-cm keys an ArgoCD instance (argoproj.io ArgoCD) makes the operator write."""
    spec = obj.get("spec") or {}
    data: dict[str, str] = {}
    ignore = spec.get("resourceIgnoreDifferences") or {}
    if ignore.get("all"):
        data[f"{CUSTOMIZATIONS}.ignoreDifferences.all"] = yaml.safe_dump(ignore["all"], sort_keys=True)
    for ident in ignore.get("resourceIdentifiers") or []:
        group_kind = f"{ident['group']}_{ident['kind']}" if ident.get("group") else ident.get("kind", "")
        data[f"{CUSTOMIZATIONS}.ignoreDifferences.{group_kind}"] = yaml.safe_dump(
            ident.get("customization") or {}, sort_keys=True
        )
    data.update({str(k): v for k, v in (spec.get("extraConfig") or {}).items()})
    return data


def from_objects(objs: list[dict], source: str) -> Settings | None:
    """Settings from the argocd-cm ConfigMap or the ArgoCD instance among `objs` (None: neither)."""
    for o in objs:
        if o.get("kind") == "ConfigMap" and (o.get("metadata") or {}).get("name") == "argocd-cm":
            return from_argocd_cm(o.get("data") or {}, source)
    for o in objs:
        if o.get("kind") == "ArgoCD" and str(o.get("apiVersion", "")).startswith("argoproj.io/"):
            name = (o.get("metadata") or {}).get("name", "")
            return from_argocd_cm(argocd_cm_of(o), f"{source} (ArgoCD {name})")
    return None
