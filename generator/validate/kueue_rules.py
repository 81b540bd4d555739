"""Kueue's own admission rules for its queue objects, so `validate` can say which rendered
kueue.x-k8s.io objects the Kueue webhook would refuse, and which queues Kueue would leave
inactive, without an API server.

The CRD schemas and their CEL rules are checked elsewhere (generator/validate/validator.py,
generator/validate/cel.py). This module re-implements what Kueue's validating webhooks check in
Go code beyond the CRD (kubernetes-sigs/kueue `pkg/webhooks/`, v0.9 to v0.19; the CRDs this
project validates against are v0.19.2's), plus a few rules the CRD now carries but the webhook
used to check or still repeats; each such rule names the CRD as its source.

Every rule has a short stable id (`RULES`, id -> origin). A finding names the rule and ends with
its origin in brackets, so a reader can look the rule up upstream. Paths are formatted like
`generator.validate.validator.field_path` and point where Kueue (or the API server) reports the
error, so they can be matched with what `kubectl apply` prints; for a rule restated from the CRD
they point at the item the rule is about.

Effects:
- `refused`: the API server (the webhook, or the CRD where stated) rejects the object.
- `inactive`: the object is admitted, but the queue cannot admit workloads: Kueue's controllers
  set its `Active` condition to False (a ClusterQueue naming a ResourceFlavor or AdmissionCheck
  that does not exist, a LocalQueue whose ClusterQueue does not exist). "Exists" means "is among
  the objects given to `check`", i.e. the cluster's bundle.

Both served API versions are handled: v1beta1 names a ClusterQueue's cohort `spec.cohort`,
v1beta2 `spec.cohortName`; the webhook validates the v1beta2 form after conversion, so the rules
are the same. Objects of other groups, kinds or versions are ignored (an unserved version is the
schema stage's finding).

Left out on purpose (see also the notes at the rules):
- update-only rules (LocalQueue `spec.clusterQueue` immutable, ResourceFlavor fields immutable
  once `topologyName` is set, ClusterQueue `concurrentAdmissionPolicy` immutable): `check` sees
  one state of each object, never the previous one (like the transition rules cel.py skips);
- rules behind feature gates that are off by default or whose presence in v0.19 is uncertain
  (concurrent admission policy shape, `admissionChecksStrategy.admissionChecks[].onFlavors`
  naming flavors of the queue, `dynamicResources`), and the older webhook's refusal of a v1beta1
  queue setting both `admissionChecks` and `admissionChecksStrategy` (not seen in the v1beta2-era
  webhook; what conversion does with both is not pinned here);
- a Cohort naming itself (or a cycle of Cohorts) as parent: the webhook does not check it, the
  scheduler cache detects the cycle (ErrCohortHasCycle) and what the queues then do is not
  pinned here;
- WorkloadPriorityClass: Kueue has no webhook for it, and v0.19.2's CRD has no rule on `value`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator.core import quantity
from generator.core.resources import Obj, group_of, ident_str, version_of
from generator.validate.validator import field_path

KUEUE = "kueue.x-k8s.io"
VERSIONS = ("v1beta1", "v1beta2")

REFUSED = "refused"
INACTIVE = "inactive"

# Where upstream code lives, for the origins below.
_CQ = "clusterqueue_webhook.go"
_COMMON = "common.go"
_RF = "resourceflavor_webhook.go"
_CRD = "CRD kueue.x-k8s.io"


@dataclass(frozen=True, order=True)
class KueueProblem:
    object: str  # generator.core.resources.ident_str(o), e.g. "ClusterQueue.kueue.x-k8s.io risk"
    path: str  # field path inside the object, e.g. "spec.resourceGroups[0].flavors[1].resources[2].lendingLimit"
    rule: str  # the rule's id, e.g. "clusterqueue/lending-limit-needs-cohort"
    message: str  # what Kueue would say / why, naming the values, ending with the rule's origin
    effect: str  # "refused" or "inactive"


# --------------------------------------------------------------------------- the rules

# Rules on resource groups: ClusterQueue and Cohort share validateResourceGroups (the webhook
# passes isCohort and a validationConfig), so each exists once per kind, with the kind's prefix.
_RESOURCE_GROUP_RULES = {
    "resource-name": f"{_COMMON} validateResourceName (IsQualifiedName), from {_CQ} validateResourceGroups",
    "resource-in-two-groups": f"{_CQ} validateResourceGroups (seenResources: field.Duplicate)",
    "flavor-in-two-groups": f"{_CQ} validateResourceGroups (seenFlavors: field.Duplicate)",
    "flavor-resource-order": f"{_CQ} validateFlavorQuotas (must match the name in coveredResources)",
    # The webhook checked the count in validateFlavorQuotas until it moved to the CRD.
    "flavor-resource-count": f"{_CRD} CEL rule on ResourceGroup (earlier {_CQ} validateFlavorQuotas)",
    "flavor-name": f"{_CRD} pattern on flavors[].name (earlier {_CQ} validateFlavorQuotas validateNameReference)",
    "negative-quantity": f"{_CQ} validateResourceQuantity",
    # A quantity resource.Quantity cannot parse fails decoding before any rule runs.
    "invalid-quantity": "API server decoding (resource.ParseQuantity)",
    "fair-sharing-weight-negative": f"{_COMMON} validateFairSharing",
    "fair-sharing-weight-too-small": f"{_COMMON} validateFairSharing (weight that would collapse)",
}

RULES: dict[str, str] = {
    **{
        f"{kind}/{rule}": origin
        for kind in ("clusterqueue", "cohort")
        for rule, origin in _RESOURCE_GROUP_RULES.items()
    },
    # ClusterQueue
    "clusterqueue/cohort-name": f"{_CRD} pattern on spec.cohort/cohortName (earlier {_CQ} ValidateClusterQueue validateNameReference)",
    "clusterqueue/borrowing-limit-needs-cohort": f"{_CQ} validateLimit; also the CRD's CEL rule on spec",
    "clusterqueue/lending-limit-needs-cohort": f"{_CQ} validateLimit",
    "clusterqueue/lending-limit-above-nominal": f"{_CQ} validateLendingLimit",
    "clusterqueue/too-many-flavors": f"{_CQ} validateTotalFlavors",
    "clusterqueue/too-many-covered-resources": f"{_CQ} validateTotalCoveredResources",
    "clusterqueue/too-many-flavor-resources": f"{_CQ} validateFlavorResourceCombinations",
    "clusterqueue/namespace-selector": f"{_CQ} ValidateClusterQueue (metav1 validation.ValidateLabelSelector)",
    "clusterqueue/borrow-within-cohort-needs-reclaim": f"{_CQ} validatePreemption; also the CRD's CEL rule on spec.preemption",
    "clusterqueue/fungibility-preference": f"{_CQ} validateFlavorFungibility; also the CRD's CEL rule on spec.flavorFungibility",
    "clusterqueue/flavor-not-found": "ClusterQueue controller: Active=False, reason FlavorNotFound",
    "clusterqueue/admission-check-not-found": "ClusterQueue controller: Active=False, reason AdmissionCheckNotFound",
    # Cohort
    "cohort/parent-name": f"{_CRD} pattern on spec.parentName",
    "cohort/borrowing-limit-needs-parent": "cohort_webhook.go validateCohort -> validateLimit (isCohort)",
    "cohort/lending-limit-needs-parent": "cohort_webhook.go validateCohort -> validateLimit (isCohort)",
    # ResourceFlavor
    "resourceflavor/node-label": f"{_RF} ValidateResourceFlavor (metav1 validation.ValidateLabels)",
    "resourceflavor/taint-key": f"{_RF} validateNodeTaints (ValidateLabelName)",
    "resourceflavor/taint-value": f"{_RF} validateNodeTaints (IsValidLabelValue)",
    "resourceflavor/taint-duplicate": f"{_RF} validateNodeTaints (unique by key and effect)",
    "resourceflavor/taint-effect": f"{_CRD} CEL rule on spec.nodeTaints",
    # validateTolerations is Kubernetes' core ValidateTolerations (pkg/apis/core/validation); the
    # CRD's CEL rules on spec.tolerations repeat most of it.
    "resourceflavor/toleration-key": f"{_RF} validateTolerations (ValidateLabelName)",
    "resourceflavor/toleration-empty-key-needs-exists": f"{_RF} validateTolerations; also a CEL rule",
    "resourceflavor/toleration-seconds-needs-noexecute": f"{_RF} validateTolerations; also a CEL rule",
    "resourceflavor/toleration-value": f"{_RF} validateTolerations (IsValidLabelValue)",
    "resourceflavor/toleration-exists-with-value": f"{_RF} validateTolerations; also a CEL rule",
    "resourceflavor/toleration-operator": f"{_RF} validateTolerations; also a CEL rule",
    "resourceflavor/toleration-effect": f"{_RF} validateTolerations (validateTaintEffect); also a CEL rule",
    # LocalQueue: the webhook (localqueue_webhook.go ValidateLocalQueue) was replaced by the CRD.
    "localqueue/cluster-queue-name": f"{_CRD} pattern on spec.clusterQueue (earlier localqueue_webhook.go ValidateLocalQueue)",
    "localqueue/cluster-queue-not-found": "LocalQueue controller: Active=False, reason ClusterQueueDoesNotExist",
}


# --------------------------------------------------------------------------- quantities


class QuantityError(ValueError):
    pass


def parse_quantity(value: Any) -> Fraction:
    """The exact value of a Kubernetes quantity ("96", "1Ti", "500m", "1e3", or a number);
    QuantityError for anything resource.ParseQuantity refuses."""
    amount = quantity.parse(value)
    if amount is None:
        raise QuantityError(f"{_show(value)!r} is not a quantity (e.g. 96, 500m, 1.5Gi, 1e3)")
    return amount


def _show(value: Any) -> str:
    """A quantity as the spec wrote it."""
    return value if isinstance(value, str) else repr(value)


# --------------------------------------------------------------------------- names

# k8s.io/apimachinery/pkg/util/validation: IsDNS1123Subdomain, IsQualifiedName, IsValidLabelValue.
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_NAME_CHARS = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)


def dns1123_subdomain_errors(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append("must be no more than 253 characters")
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        errs.append(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            "and must start and end with an alphanumeric character"
        )
    return errs


def qualified_name_errors(value: str) -> list[str]:
    """IsQualifiedName: label keys, taint and toleration keys, resource names."""
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
        errs = []
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs = ["prefix part must be non-empty"]
        else:
            errs = [f"prefix part {msg}" for msg in dns1123_subdomain_errors(prefix)]
    else:
        return [
            "a qualified name "
            + _NAME_CHARS
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    else:
        if len(name) > 63:
            errs.append("name part must be no more than 63 characters")
        if not _QUALIFIED_NAME.fullmatch(name):
            errs.append("name part " + _NAME_CHARS)
    return errs


def label_value_errors(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if value and not _QUALIFIED_NAME.fullmatch(value):
        errs.append(
            "a valid label value must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
            "and must start and end with an alphanumeric character"
        )
    return errs


# --------------------------------------------------------------------------- helpers


def _dict(x: Any) -> dict:
    return x if isinstance(x, dict) else {}


def _list(x: Any) -> list:
    return x if isinstance(x, list) else []


class _Findings:
    """The problems of one object; each message ends with its rule's origin."""

    def __init__(self, o: Obj):
        self.object = ident_str(o)
        self.problems: list[KueueProblem] = []

    def add(self, effect: str, path: list, rule: str, message: str) -> None:
        self.problems.append(KueueProblem(self.object, field_path(path), rule, f"{message} [{RULES[rule]}]", effect))

    def refuse(self, path: list, rule: str, message: str) -> None:
        self.add(REFUSED, path, rule, message)

    def inactive(self, path: list, rule: str, message: str) -> None:
        self.add(INACTIVE, path, rule, message)


def _quantity(f: _Findings, kind: str, path: list, value: Any) -> Fraction | None:
    """Parse a quantity field; an unparseable one is a finding, and None."""
    try:
        return parse_quantity(value)
    except QuantityError as exc:
        f.refuse(path, f"{kind}/invalid-quantity", f"{path[-1]} {exc}")
        return None


# --------------------------------------------------------------------------- resource groups


def _resource_groups(f: _Findings, kind: str, groups: list, has_parent: bool, enforce_lending: bool) -> None:
    """validateResourceGroups: ClusterQueue (has_parent = a cohort, lendingLimit <= nominalQuota
    enforced) and Cohort (has_parent = a parent Cohort, lendingLimit not compared)."""
    parent = "parent" if kind == "cohort" else "cohort"
    seen_resources: dict[str, str] = {}
    seen_flavors: dict[str, str] = {}
    for i, rg in enumerate(groups):
        rg = _dict(rg)
        covered = _list(rg.get("coveredResources"))
        for j, name in enumerate(covered):
            path = ["spec", "resourceGroups", i, "coveredResources", j]
            name = str(name)
            for msg in qualified_name_errors(name):
                f.refuse(path, f"{kind}/resource-name", f"resource name {name!r}: {msg}")
            # One resource, one group: Kueue assigns a flavor per group, so a resource in two
            # groups would have two flavor assignments.
            if name in seen_resources:
                f.refuse(
                    path,
                    f"{kind}/resource-in-two-groups",
                    f"{name} is already covered at {seen_resources[name]}; a resource may be covered once, by one resource group",
                )
            else:
                seen_resources[name] = field_path(path)
        for j, fq in enumerate(_list(rg.get("flavors"))):
            fq = _dict(fq)
            path = ["spec", "resourceGroups", i, "flavors", j]
            flavor = str(fq.get("name", ""))
            for msg in dns1123_subdomain_errors(flavor):
                f.refuse(path + ["name"], f"{kind}/flavor-name", f"flavor name {flavor!r}: {msg}")
            _flavor_quotas(f, kind, fq, [str(c) for c in covered], path, has_parent, enforce_lending, parent)
            # A flavor belongs to one group: its quotas are looked up by flavor and resource.
            if flavor in seen_flavors:
                f.refuse(
                    path + ["name"],
                    f"{kind}/flavor-in-two-groups",
                    f"flavor {flavor} is already listed at {seen_flavors[flavor]}; a flavor may appear once, in one resource group",
                )
            else:
                seen_flavors[flavor] = field_path(path + ["name"])


def _flavor_quotas(
    f: _Findings,
    kind: str,
    fq: dict,
    covered: list[str],
    path: list,
    has_parent: bool,
    enforce_lending: bool,
    parent: str,
) -> None:
    flavor = fq.get("name", "")
    resources = _list(fq.get("resources"))
    if len(resources) != len(covered):
        f.refuse(
            path + ["resources"],
            f"{kind}/flavor-resource-count",
            f"flavor {flavor} lists {len(resources)} resources, coveredResources has {len(covered)} ({', '.join(covered)}): "
            "flavors must have the same number of resources as the coveredResources",
        )
    # The webhook reads only as many resources as the group covers (the count is the rule above).
    for k, rq in enumerate(resources[: len(covered)]):
        rq = _dict(rq)
        rpath = path + ["resources", k]
        name = rq.get("name")
        if name != covered[k]:
            f.refuse(
                rpath + ["name"],
                f"{kind}/flavor-resource-order",
                f"flavor {flavor} lists {name} at position {k}, coveredResources has {covered[k]} there: "
                "every flavor lists the group's coveredResources, in the same order",
            )
        # nominalQuota is required by the CRD; the Go zero value is 0.
        nominal_raw = rq.get("nominalQuota", "0")
        nominal = _quantity(f, kind, rpath + ["nominalQuota"], nominal_raw)
        _not_negative(f, kind, rpath + ["nominalQuota"], nominal_raw, nominal)
        if rq.get("borrowingLimit") is not None:
            raw = rq["borrowingLimit"]
            limit = _quantity(f, kind, rpath + ["borrowingLimit"], raw)
            if not has_parent:
                f.refuse(
                    rpath + ["borrowingLimit"],
                    f"{kind}/borrowing-limit-needs-{parent}",
                    f"borrowingLimit {_show(raw)} on {flavor}/{name}: must be nil when {parent} is empty "
                    f"(there is no {parent} to borrow from)",
                )
            _not_negative(f, kind, rpath + ["borrowingLimit"], raw, limit)
        if rq.get("lendingLimit") is not None:
            raw = rq["lendingLimit"]
            limit = _quantity(f, kind, rpath + ["lendingLimit"], raw)
            _not_negative(f, kind, rpath + ["lendingLimit"], raw, limit)
            if not has_parent:
                f.refuse(
                    rpath + ["lendingLimit"],
                    f"{kind}/lending-limit-needs-{parent}",
                    f"lendingLimit {_show(raw)} on {flavor}/{name}: must be nil when {parent} is empty "
                    f"(there is no {parent} to lend to)",
                )
            # Only a ClusterQueue: a Cohort's nominalQuota is what it adds on top of its
            # children, so it may lend more than that.
            if enforce_lending and limit is not None and nominal is not None and limit > nominal:
                f.refuse(
                    rpath + ["lendingLimit"],
                    "clusterqueue/lending-limit-above-nominal",
                    f"lendingLimit {_show(raw)} on {flavor}/{name} is above its nominalQuota {_show(nominal_raw)}: "
                    "must be less than or equal to the nominalQuota",
                )


def _not_negative(f: _Findings, kind: str, path: list, raw: Any, value: Fraction | None) -> None:
    if value is not None and value < 0:
        f.refuse(path, f"{kind}/negative-quantity", f"{path[-1]} {_show(raw)}: must be greater than or equal to 0")


def _fair_sharing(f: _Findings, kind: str, fair_sharing: Any) -> None:
    """validateFairSharing: a weight is >= 0, and not so small (0 < w <= 1n) that shares
    computed from it collapse."""
    weight = _dict(fair_sharing).get("weight")
    if weight is None:
        return
    path = ["spec", "fairSharing"]
    value = _quantity(f, kind, path + ["weight"], weight)
    if value is None:
        return
    if value < 0:
        f.refuse(
            path,
            f"{kind}/fair-sharing-weight-negative",
            f"fairSharing.weight {_show(weight)}: must be greater than or equal to 0",
        )
    elif 0 < value <= Fraction(1, 10**9):
        f.refuse(
            path,
            f"{kind}/fair-sharing-weight-too-small",
            f"fairSharing.weight {_show(weight)}: when not 0, weight must be > 10e-9",
        )


# --------------------------------------------------------------------------- per kind


def _cluster_queue(o: Obj) -> list[KueueProblem]:
    f = _Findings(o)
    spec = _dict(o.get("spec"))
    cohort_field = "cohort" if version_of(o) == "v1beta1" else "cohortName"
    cohort = spec.get(cohort_field)
    if cohort:
        for msg in dns1123_subdomain_errors(str(cohort)):
            f.refuse(["spec", cohort_field], "clusterqueue/cohort-name", f"{cohort_field} {cohort!r}: {msg}")
    groups = _list(spec.get("resourceGroups"))
    _resource_groups(f, "clusterqueue", groups, has_parent=bool(cohort), enforce_lending=True)
    _label_selector(f, spec.get("namespaceSelector"), ["spec", "namespaceSelector"])
    _preemption(f, spec.get("preemption"))
    _fungibility(f, spec.get("flavorFungibility"))
    _fair_sharing(f, "clusterqueue", spec.get("fairSharing"))
    _sizes(f, groups)
    return f.problems


def _sizes(f: _Findings, groups: list) -> None:
    """validateTotalFlavors, validateTotalCoveredResources, validateFlavorResourceCombinations:
    caps on the whole queue, below what the CRD's per-list maxItems (16 groups, 64 flavors and
    64 resources each) would allow, which the schema stage checks."""
    groups = [_dict(g) for g in groups]
    flavors = sum(len(_list(g.get("flavors"))) for g in groups)
    if flavors > 256:
        f.refuse(
            ["spec", "resourceGroups"],
            "clusterqueue/too-many-flavors",
            f"total number of flavors across all resourceGroups must be <= 256, got {flavors}",
        )
    covered = sum(len(_list(g.get("coveredResources"))) for g in groups)
    if covered > 256:
        f.refuse(
            ["spec", "resourceGroups"],
            "clusterqueue/too-many-covered-resources",
            f"total number of covered resources across all resourceGroups must be <= 256, got {covered}",
        )
    for i, g in enumerate(groups):
        combinations = sum(len(_list(_dict(fq).get("resources"))) for fq in _list(g.get("flavors")))
        if combinations > 512:
            f.refuse(
                ["spec", "resourceGroups", i],
                "clusterqueue/too-many-flavor-resources",
                f"number of flavor-resource combinations in a resourceGroup must be <= 512, got {combinations}",
            )


def _label_selector(f: _Findings, selector: Any, path: list) -> None:
    """metav1 validation.ValidateLabelSelector with default options (invalid label values in
    selectors are refused)."""
    if not isinstance(selector, dict):
        return
    rule = "clusterqueue/namespace-selector"
    _labels(f, _dict(selector.get("matchLabels")), path + ["matchLabels"], rule)
    for i, expr in enumerate(_list(selector.get("matchExpressions"))):
        expr = _dict(expr)
        epath = path + ["matchExpressions", i]
        op, values, key = expr.get("operator"), _list(expr.get("values")), str(expr.get("key", ""))
        if op in ("In", "NotIn"):
            if not values:
                f.refuse(
                    epath + ["values"], rule, f"values of {key} must be specified when `operator` is 'In' or 'NotIn'"
                )
        elif op in ("Exists", "DoesNotExist"):
            if values:
                f.refuse(
                    epath + ["values"],
                    rule,
                    f"values of {key} may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
        else:
            f.refuse(
                epath + ["operator"],
                rule,
                f"operator {op!r} of {key}: not a valid selector operator (In, NotIn, Exists, DoesNotExist)",
            )
        for msg in qualified_name_errors(key):
            f.refuse(epath + ["key"], rule, f"key {key!r}: {msg}")
        for k, value in enumerate(values):
            for msg in label_value_errors(str(value)):
                f.refuse(epath + ["values", k], rule, f"value {value!r} of {key}: {msg}")


def _labels(f: _Findings, labels: dict, path: list, rule: str) -> None:
    """metav1 validation.ValidateLabels: reported at the map, naming the key."""
    for key, value in labels.items():
        for msg in qualified_name_errors(str(key)):
            f.refuse(path, rule, f"label key {key!r}: {msg}")
        if isinstance(value, str):  # a non-string is a schema finding
            for msg in label_value_errors(value):
                f.refuse(path, rule, f"label {key}={value!r}: {msg}")


def _preemption(f: _Findings, preemption: Any) -> None:
    """Borrowing with preemption inside the cohort needs reclaiming inside it too. The CRD
    defaults reclaimWithinCohort and borrowWithinCohort.policy to Never."""
    if not isinstance(preemption, dict):
        return
    reclaim = preemption.get("reclaimWithinCohort", "Never")
    borrow = preemption.get("borrowWithinCohort")
    if reclaim == "Never" and isinstance(borrow, dict) and borrow.get("policy", "Never") != "Never":
        f.refuse(
            ["spec", "preemption"],
            "clusterqueue/borrow-within-cohort-needs-reclaim",
            f"reclaimWithinCohort=Never and borrowWithinCohort.Policy!=Never (borrowWithinCohort.policy is {borrow.get('policy')})",
        )


def _fungibility(f: _Findings, fungibility: Any) -> None:
    """A flavor preference only applies when Kueue tries every flavor before borrowing and
    before preempting. The CRD defaults whenCanBorrow to MayStopSearch, whenCanPreempt to
    TryNextFlavor."""
    if not isinstance(fungibility, dict) or fungibility.get("preference") is None:
        return
    borrow = fungibility.get("whenCanBorrow", "MayStopSearch")
    preempt = fungibility.get("whenCanPreempt", "TryNextFlavor")
    if borrow != "TryNextFlavor" or preempt != "TryNextFlavor":
        f.refuse(
            ["spec", "flavorFungibility", "preference"],
            "clusterqueue/fungibility-preference",
            f"preference {fungibility['preference']!r} requires both whenCanBorrow and whenCanPreempt to be TryNextFlavor "
            f"(they are {borrow} and {preempt})",
        )


def _cohort(o: Obj) -> list[KueueProblem]:
    f = _Findings(o)
    spec = _dict(o.get("spec"))
    parent = spec.get("parentName")
    if parent:
        for msg in dns1123_subdomain_errors(str(parent)):
            f.refuse(["spec", "parentName"], "cohort/parent-name", f"parentName {parent!r}: {msg}")
    _fair_sharing(f, "cohort", spec.get("fairSharing"))
    _resource_groups(f, "cohort", _list(spec.get("resourceGroups")), has_parent=bool(parent), enforce_lending=False)
    return f.problems


_TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def _resource_flavor(o: Obj) -> list[KueueProblem]:
    f = _Findings(o)
    spec = _dict(o.get("spec"))
    _labels(f, _dict(spec.get("nodeLabels")), ["spec", "nodeLabels"], "resourceflavor/node-label")
    _node_taints(f, _list(spec.get("nodeTaints")))
    _tolerations(f, _list(spec.get("tolerations")))
    return f.problems


def _node_taints(f: _Findings, taints: list) -> None:
    seen: set[tuple[str, str]] = set()
    for i, t in enumerate(taints):
        t = _dict(t)
        path = ["spec", "nodeTaints", i]
        key, value, effect = str(t.get("key", "")), str(t.get("value", "") or ""), t.get("effect")
        for msg in qualified_name_errors(key):
            f.refuse(path + ["key"], "resourceflavor/taint-key", f"taint key {key!r}: {msg}")
        for msg in label_value_errors(value):
            f.refuse(path + ["value"], "resourceflavor/taint-value", f"taint value {value!r}: {msg}")
        if effect not in _TAINT_EFFECTS:
            f.refuse(
                path + ["effect"],
                "resourceflavor/taint-effect",
                f"taint effect {effect!r}: supported taint effect values: 'NoSchedule', 'PreferNoSchedule', 'NoExecute'",
            )
        if (key, str(effect)) in seen:
            f.refuse(
                path,
                "resourceflavor/taint-duplicate",
                f"taint {key}:{effect} again: taints must be unique by key and effect pair",
            )
        seen.add((key, str(effect)))


def _tolerations(f: _Findings, tolerations: list) -> None:
    """Kubernetes' ValidateTolerations, as Kueue applies it to a flavor's tolerations, with its
    paths (an operator/value mismatch is reported at `operator`)."""
    for i, t in enumerate(tolerations):
        t = _dict(t)
        path = ["spec", "tolerations", i]
        key, op = str(t.get("key") or ""), t.get("operator") or ""
        value, effect = str(t.get("value") or ""), t.get("effect") or ""
        if key:
            for msg in qualified_name_errors(key):
                f.refuse(path + ["key"], "resourceflavor/toleration-key", f"toleration key {key!r}: {msg}")
        elif op != "Exists":
            # An empty key matches every taint, which only makes sense for "any value".
            f.refuse(
                path + ["operator"],
                "resourceflavor/toleration-empty-key-needs-exists",
                f"operator {op or 'Equal'!r} with no key: operator must be Exists when `key` is empty, "
                'which means "match all values and all keys"',
            )
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            f.refuse(
                path + ["effect"],
                "resourceflavor/toleration-seconds-needs-noexecute",
                f"tolerationSeconds {t['tolerationSeconds']} with effect {effect or '(all)'}: "
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            )
        if op in ("Equal", ""):
            for msg in label_value_errors(value):
                f.refuse(path + ["operator"], "resourceflavor/toleration-value", f"toleration value {value!r}: {msg}")
        elif op == "Exists":
            if value:
                f.refuse(
                    path + ["operator"],
                    "resourceflavor/toleration-exists-with-value",
                    f"toleration {key or '(any key)'} has operator Exists and value {value!r}: "
                    "value must be empty when `operator` is 'Exists'",
                )
        else:
            f.refuse(
                path + ["operator"],
                "resourceflavor/toleration-operator",
                f"operator {op!r}: supported values: 'Equal', 'Exists'",
            )
        if effect and effect not in _TAINT_EFFECTS:
            f.refuse(
                path + ["effect"],
                "resourceflavor/toleration-effect",
                f"effect {effect!r}: supported values: 'NoSchedule', 'PreferNoSchedule', 'NoExecute'",
            )


def _local_queue(o: Obj) -> list[KueueProblem]:
    f = _Findings(o)
    cq = _dict(o.get("spec")).get("clusterQueue")
    if isinstance(cq, str):
        for msg in dns1123_subdomain_errors(cq):
            f.refuse(["spec", "clusterQueue"], "localqueue/cluster-queue-name", f"clusterQueue {cq!r}: {msg}")
    return f.problems


_CHECKS = {
    "ClusterQueue": _cluster_queue,
    "Cohort": _cohort,
    "ResourceFlavor": _resource_flavor,
    "LocalQueue": _local_queue,
    # WorkloadPriorityClass: no webhook in Kueue, and nothing in the CRD beyond the schema.
}


# --------------------------------------------------------------------------- across objects


def _names(objs: Iterable[Obj], kind: str) -> set[str]:
    return {_dict(o.get("metadata")).get("name", "") for o in objs if o.get("kind") == kind}


def _cross_object(objs: list[Obj]) -> list[KueueProblem]:
    """What Kueue's controllers find missing: the object is admitted, its queue is not active."""
    flavors = _names(objs, "ResourceFlavor")
    checks = _names(objs, "AdmissionCheck")
    queues = _names(objs, "ClusterQueue")
    problems: list[KueueProblem] = []
    for o in objs:
        f = _Findings(o)
        spec = _dict(o.get("spec"))
        if o.get("kind") == "ClusterQueue":
            for i, rg in enumerate(_list(spec.get("resourceGroups"))):
                for j, fq in enumerate(_list(_dict(rg).get("flavors"))):
                    name = _dict(fq).get("name")
                    if isinstance(name, str) and name and name not in flavors:
                        f.inactive(
                            ["spec", "resourceGroups", i, "flavors", j, "name"],
                            "clusterqueue/flavor-not-found",
                            f"ResourceFlavor {name} is not among the objects: the ClusterQueue stays inactive "
                            "(admits no workload) until it exists",
                        )
            # v1beta1 lists check names in spec.admissionChecks; both versions in the strategy.
            refs = [(["spec", "admissionChecks", k], n) for k, n in enumerate(_list(spec.get("admissionChecks")))]
            strategy = _list(_dict(spec.get("admissionChecksStrategy")).get("admissionChecks"))
            refs += [
                (["spec", "admissionChecksStrategy", "admissionChecks", k, "name"], _dict(c).get("name"))
                for k, c in enumerate(strategy)
            ]
            for path, name in refs:
                if isinstance(name, str) and name and name not in checks:
                    f.inactive(
                        path,
                        "clusterqueue/admission-check-not-found",
                        f"AdmissionCheck {name} is not among the objects: the ClusterQueue stays inactive until it exists",
                    )
        elif o.get("kind") == "LocalQueue":
            cq = spec.get("clusterQueue")
            if isinstance(cq, str) and cq and cq not in queues:
                f.inactive(
                    ["spec", "clusterQueue"],
                    "localqueue/cluster-queue-not-found",
                    f"ClusterQueue {cq} is not among the objects: the LocalQueue stays inactive "
                    "(workloads submitted to it are not admitted) until it exists",
                )
        problems += f.problems
    return problems


# --------------------------------------------------------------------------- entry point


def check(objs: list[dict]) -> list[KueueProblem]:
    """Every kueue.x-k8s.io object of one cluster at once (other objects are ignored): what the
    Kueue webhook would refuse and which queues Kueue would leave inactive. Sorted; an object
    given twice is reported once."""
    kueue = [o for o in objs if isinstance(o, dict) and group_of(o) == KUEUE and version_of(o) in VERSIONS]
    problems: set[KueueProblem] = set()
    for o in kueue:
        run = _CHECKS.get(o.get("kind", ""))
        if run is not None:
            problems.update(run(o))
    problems.update(_cross_object(kueue))
    return sorted(problems)
