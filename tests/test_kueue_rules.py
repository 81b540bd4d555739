"""Kueue's webhook rules (generator/validate/kueue_rules.py): for each rule an object that
passes and one that fails with the rule's id, path and effect; the quantity parser; and the
example clusters, whose Kueue objects must pass."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from generator.build import build_units
from generator.spec.loader import load_specs
from generator.validate.kueue_rules import RULES, KueueProblem, QuantityError, check, parse_quantity

from conftest import PROJECT

COVERED = ["cpu", "memory", "nvidia.com/gpu"]


# --------------------------------------------------------------------------- builders


def flavor(
    name: str = "gpu",
    labels: dict | None = None,
    tolerations: list | None = None,
    taints: list | None = None,
    version: str = "v1beta1",
) -> dict:
    spec: dict = {}
    if labels is not None:
        spec["nodeLabels"] = labels
    if taints is not None:
        spec["nodeTaints"] = taints
    if tolerations is not None:
        spec["tolerations"] = tolerations
    o = {"apiVersion": f"kueue.x-k8s.io/{version}", "kind": "ResourceFlavor", "metadata": {"name": name}}
    if spec:
        o["spec"] = spec
    return o


def resources(gpu: dict | None = None, **extra) -> list[dict]:
    """cpu, memory, nvidia.com/gpu in the order COVERED lists them."""
    return [
        {"name": "cpu", "nominalQuota": "8"},
        {"name": "memory", "nominalQuota": "32Gi"},
        {"name": "nvidia.com/gpu", "nominalQuota": "4", **(gpu or {})},
    ]


def queue(
    name: str = "team", cohort: str | None = None, flavors: list[dict] | None = None, version: str = "v1beta1", **spec
) -> dict:
    """A ClusterQueue with one resource group covering COVERED; `flavors` as (name, resources)."""
    body: dict = {"namespaceSelector": {}}
    if cohort is not None:
        body["cohort" if version == "v1beta1" else "cohortName"] = cohort
    body["resourceGroups"] = [
        {
            "coveredResources": list(COVERED),
            "flavors": flavors if flavors is not None else [{"name": "gpu", "resources": resources()}],
        }
    ]
    body.update(spec)
    return {"apiVersion": f"kueue.x-k8s.io/{version}", "kind": "ClusterQueue", "metadata": {"name": name}, "spec": body}


def local_queue(cluster_queue: str = "team", namespace: str = "team-a", version: str = "v1beta1") -> dict:
    return {
        "apiVersion": f"kueue.x-k8s.io/{version}",
        "kind": "LocalQueue",
        "metadata": {"name": "default", "namespace": namespace},
        "spec": {"clusterQueue": cluster_queue},
    }


def cohort(
    name: str = "org", parent: str | None = None, groups: list | None = None, version: str = "v1beta2", **spec
) -> dict:
    body: dict = dict(spec)
    if parent is not None:
        body["parentName"] = parent
    if groups is not None:
        body["resourceGroups"] = groups
    return {"apiVersion": f"kueue.x-k8s.io/{version}", "kind": "Cohort", "metadata": {"name": name}, "spec": body}


def problems(*objs: dict) -> list[KueueProblem]:
    """check() on the objects plus the flavor `gpu`, so a queue naming it is not inactive."""
    given = list(objs)
    if not any(o["kind"] == "ResourceFlavor" and o["metadata"]["name"] == "gpu" for o in given):
        given.append(flavor("gpu"))
    return check(given)


def found(*objs: dict) -> set[tuple[str, str, str]]:
    """(rule, path, effect) of every problem."""
    return {(p.rule, p.path, p.effect) for p in problems(*objs)}


GPU = "spec.resourceGroups[0].flavors[0].resources[2]"


# --------------------------------------------------------------------------- quantities


@pytest.mark.parametrize(
    "text, value",
    [
        ("96", Decimal(96)),
        (96, Decimal(96)),
        ("1Ti", Decimal(2**40)),
        ("1.5Gi", Decimal(3 * 2**29)),
        ("500m", Decimal("0.5")),
        ("2u", Decimal("0.000002")),
        ("1n", Decimal("1e-9")),
        ("1k", Decimal(1000)),
        ("1M", Decimal(10**6)),
        ("1E", Decimal(10**18)),
        ("1Ei", Decimal(2**60)),
        ("1e3", Decimal(1000)),
        ("1E3", Decimal(1000)),
        ("1.5e+3", Decimal(1500)),
        ("25e-1", Decimal("2.5")),
        ("+1", Decimal(1)),
        ("-1", Decimal(-1)),
        (".5", Decimal("0.5")),
        ("5.", Decimal(5)),
        (1.5, Decimal("1.5")),
        # finer than a nano: rounded up (away from zero), as resource.ParseQuantity does
        ("0.1n", Decimal("1e-9")),
        ("1e-12", Decimal("1e-9")),
        ("1.0000000001", Decimal("1.000000001")),
        ("-0.1n", Decimal("-1e-9")),
        # exact far beyond float precision
        ("123456789012345678901234567890Ei", Decimal(123456789012345678901234567890 * 2**60)),
    ],
)
def test_quantities_parse_exactly(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    "text", ["", "abc", "1.5.5", "1e1.5", "Ki", "1 Gi", "1KiB", "1e", "e3", "1mi", " 1", True, None, [1]]
)
def test_what_is_no_quantity(text):
    with pytest.raises(QuantityError):
        parse_quantity(text)


@pytest.mark.parametrize(
    "small, large", [("4", "8"), ("1Gi", "2Gi"), ("1500m", "2"), ("1G", "1Gi"), ("999Mi", "1Gi"), ("1e3", "1001")]
)
def test_quantities_compare_across_suffixes(small, large):
    assert parse_quantity(small) < parse_quantity(large)


def test_equal_quantities_in_different_forms():
    assert parse_quantity("1Gi") == parse_quantity("1073741824") == parse_quantity(1073741824)
    assert parse_quantity("1k") == parse_quantity("1e3") == parse_quantity("1000000m")


# --------------------------------------------------------------------------- ClusterQueue: limits


def test_a_plain_queue_passes():
    assert problems(queue()) == []


@pytest.mark.parametrize("version", ["v1beta1", "v1beta2"])
def test_lending_limit_needs_a_cohort(version):
    bad = queue(version=version, flavors=[{"name": "gpu", "resources": resources({"lendingLimit": "2"})}])
    [p] = problems(bad)
    assert (p.rule, p.path, p.effect) == ("clusterqueue/lending-limit-needs-cohort", f"{GPU}.lendingLimit", "refused")
    assert p.object == "ClusterQueue.kueue.x-k8s.io team"
    assert "lendingLimit 2" in p.message and "must be nil when cohort is empty" in p.message
    assert p.message.endswith("[clusterqueue_webhook.go validateLimit]")
    ok = queue(version=version, cohort="org", flavors=[{"name": "gpu", "resources": resources({"lendingLimit": "2"})}])
    assert problems(ok) == []


@pytest.mark.parametrize("nominal, lending", [("4", "8"), ("1Gi", "2Gi"), ("1", "1001m"), ("1Gi", "1.1G")])
def test_lending_limit_above_nominal_is_refused(nominal, lending):
    bad = queue(
        cohort="org",
        flavors=[{"name": "gpu", "resources": resources({"nominalQuota": nominal, "lendingLimit": lending})}],
    )
    [p] = problems(bad)
    assert (p.rule, p.path, p.effect) == ("clusterqueue/lending-limit-above-nominal", f"{GPU}.lendingLimit", "refused")
    assert f"lendingLimit {lending}" in p.message and f"nominalQuota {nominal}" in p.message


@pytest.mark.parametrize(
    "nominal, lending", [("2", "1500m"), ("4", "4"), ("1Gi", "1073741824"), ("1Gi", "1G"), (8, "8")]
)
def test_lending_limit_up_to_nominal_passes(nominal, lending):
    ok = queue(
        cohort="org",
        flavors=[{"name": "gpu", "resources": resources({"nominalQuota": nominal, "lendingLimit": lending})}],
    )
    assert problems(ok) == []


def test_lending_limit_without_cohort_and_above_nominal_is_both():
    bad = queue(flavors=[{"name": "gpu", "resources": resources({"lendingLimit": "8"})}])
    assert found(bad) == {
        ("clusterqueue/lending-limit-needs-cohort", f"{GPU}.lendingLimit", "refused"),
        ("clusterqueue/lending-limit-above-nominal", f"{GPU}.lendingLimit", "refused"),
    }


@pytest.mark.parametrize("version", ["v1beta1", "v1beta2"])
def test_borrowing_limit_needs_a_cohort(version):
    bad = queue(version=version, flavors=[{"name": "gpu", "resources": resources({"borrowingLimit": "4"})}])
    assert found(bad) == {("clusterqueue/borrowing-limit-needs-cohort", f"{GPU}.borrowingLimit", "refused")}
    # a borrowing limit may exceed the nominal quota: it bounds what is borrowed on top
    ok = queue(
        version=version, cohort="org", flavors=[{"name": "gpu", "resources": resources({"borrowingLimit": "40"})}]
    )
    assert problems(ok) == []


def test_a_v1beta1_queue_with_cohortName_has_no_cohort():
    # v1beta1 spells it `cohort`; `cohortName` there is an unknown field (the schema's finding)
    bad = queue(flavors=[{"name": "gpu", "resources": resources({"borrowingLimit": "4"})}])
    bad["spec"]["cohortName"] = "org"
    assert ("clusterqueue/borrowing-limit-needs-cohort", f"{GPU}.borrowingLimit", "refused") in found(bad)


@pytest.mark.parametrize("field", ["nominalQuota", "borrowingLimit", "lendingLimit"])
def test_negative_quantities_are_refused(field):
    bad = queue(cohort="org", flavors=[{"name": "gpu", "resources": resources({field: "-1"})}])
    assert ("clusterqueue/negative-quantity", f"{GPU}.{field}", "refused") in found(bad)
    ok = queue(cohort="org", flavors=[{"name": "gpu", "resources": resources({field: "0"})}])
    assert problems(ok) == []


def test_an_unparseable_quantity_is_refused():
    bad = queue(cohort="org", flavors=[{"name": "gpu", "resources": resources({"lendingLimit": "1e1.5"})}])
    assert found(bad) == {("clusterqueue/invalid-quantity", f"{GPU}.lendingLimit", "refused")}


# --------------------------------------------------------------------------- ClusterQueue: resource groups


def test_flavor_resources_in_another_order_are_refused():
    swapped = [
        {"name": "memory", "nominalQuota": "32Gi"},
        {"name": "cpu", "nominalQuota": "8"},
        {"name": "nvidia.com/gpu", "nominalQuota": "4"},
    ]
    bad = queue(flavors=[{"name": "gpu", "resources": swapped}])
    assert found(bad) == {
        ("clusterqueue/flavor-resource-order", "spec.resourceGroups[0].flavors[0].resources[0].name", "refused"),
        ("clusterqueue/flavor-resource-order", "spec.resourceGroups[0].flavors[0].resources[1].name", "refused"),
    }
    p = problems(bad)[0]
    assert "lists memory at position 0, coveredResources has cpu there" in p.message


def test_a_flavor_missing_a_covered_resource_is_refused():
    missing = [{"name": "cpu", "nominalQuota": "8"}, {"name": "nvidia.com/gpu", "nominalQuota": "4"}]
    bad = queue(flavors=[{"name": "gpu", "resources": missing}])
    assert found(bad) == {
        ("clusterqueue/flavor-resource-count", "spec.resourceGroups[0].flavors[0].resources", "refused"),
        ("clusterqueue/flavor-resource-order", "spec.resourceGroups[0].flavors[0].resources[1].name", "refused"),
    }


def test_a_flavor_with_an_extra_resource_is_refused():
    extra = resources() + [{"name": "pods", "nominalQuota": "10"}]
    bad = queue(flavors=[{"name": "gpu", "resources": extra}])
    [p] = problems(bad)
    assert (p.rule, p.path, p.effect) == (
        "clusterqueue/flavor-resource-count",
        "spec.resourceGroups[0].flavors[0].resources",
        "refused",
    )
    assert "lists 4 resources, coveredResources has 3" in p.message


def test_a_resource_in_two_groups_is_refused():
    bad = queue()
    bad["spec"]["resourceGroups"].append(
        {
            "coveredResources": ["nvidia.com/gpu"],
            "flavors": [{"name": "spare", "resources": [{"name": "nvidia.com/gpu", "nominalQuota": "1"}]}],
        }
    )
    [p] = problems(bad, flavor("spare"))
    assert (p.rule, p.path, p.effect) == (
        "clusterqueue/resource-in-two-groups",
        "spec.resourceGroups[1].coveredResources[0]",
        "refused",
    )
    assert "already covered at spec.resourceGroups[0].coveredResources[2]" in p.message
    ok = queue()
    ok["spec"]["resourceGroups"].append(
        {
            "coveredResources": ["pods"],
            "flavors": [{"name": "spare", "resources": [{"name": "pods", "nominalQuota": "1"}]}],
        }
    )
    assert problems(ok, flavor("spare")) == []


def test_a_flavor_in_two_groups_is_refused():
    bad = queue()
    bad["spec"]["resourceGroups"].append(
        {
            "coveredResources": ["pods"],
            "flavors": [{"name": "gpu", "resources": [{"name": "pods", "nominalQuota": "1"}]}],
        }
    )
    [p] = problems(bad)
    assert (p.rule, p.path, p.effect) == (
        "clusterqueue/flavor-in-two-groups",
        "spec.resourceGroups[1].flavors[0].name",
        "refused",
    )
    assert "already listed at spec.resourceGroups[0].flavors[0].name" in p.message


def test_several_flavors_in_one_group_pass():
    ok = queue(
        flavors=[{"name": "default-flavor", "resources": resources()}, {"name": "gpu", "resources": resources()}]
    )
    assert problems(ok, flavor("default-flavor")) == []


def test_resource_and_flavor_names_are_checked():
    bad = queue(flavors=[{"name": "GPU_pool", "resources": resources()}])
    bad["spec"]["resourceGroups"][0]["coveredResources"][2] = "nvidia.com/gpu!"
    bad["spec"]["resourceGroups"][0]["flavors"][0]["resources"][2]["name"] = "nvidia.com/gpu!"
    rules = {(r, p) for r, p, e in found(bad) if e == "refused"}
    assert rules == {
        ("clusterqueue/resource-name", "spec.resourceGroups[0].coveredResources[2]"),
        ("clusterqueue/flavor-name", "spec.resourceGroups[0].flavors[0].name"),
    }


def test_too_many_flavors_in_a_queue_are_refused():
    def group(g: int, n: int) -> dict:
        return {
            "coveredResources": [f"example.com/r{g}"],
            "flavors": [
                {"name": f"f{g}-{k}", "resources": [{"name": f"example.com/r{g}", "nominalQuota": "1"}]}
                for k in range(n)
            ],
        }

    names = [flavor(f"f{g}-{k}") for g in range(5) for k in range(64)]
    bad = queue()
    bad["spec"]["resourceGroups"] = [group(g, 64) for g in range(5)]  # 320 flavors, 64 a group as the CRD allows
    assert found(bad, *names) == {("clusterqueue/too-many-flavors", "spec.resourceGroups", "refused")}
    ok = queue()
    ok["spec"]["resourceGroups"] = [group(g, 64) for g in range(4)]  # 256
    assert problems(ok, *names) == []


# --------------------------------------------------------------------------- ClusterQueue: other fields


def test_cohort_name_must_be_a_dns_subdomain():
    assert found(queue(cohort="ML_Research")) == {("clusterqueue/cohort-name", "spec.cohort", "refused")}
    assert found(queue(cohort="ML_Research", version="v1beta2")) == {
        ("clusterqueue/cohort-name", "spec.cohortName", "refused")
    }
    assert problems(queue(cohort="ml-research.example")) == []


def test_borrow_within_cohort_needs_reclaim_within_cohort():
    bad = queue(
        cohort="org", preemption={"borrowWithinCohort": {"policy": "LowerPriority"}}
    )  # reclaim defaults to Never
    assert found(bad) == {("clusterqueue/borrow-within-cohort-needs-reclaim", "spec.preemption", "refused")}
    ok = queue(
        cohort="org", preemption={"reclaimWithinCohort": "Any", "borrowWithinCohort": {"policy": "LowerPriority"}}
    )
    assert problems(ok) == []
    assert (
        problems(
            queue(cohort="org", preemption={"reclaimWithinCohort": "Never", "borrowWithinCohort": {"policy": "Never"}})
        )
        == []
    )


def test_a_flavor_preference_needs_try_next_flavor():
    bad = queue(flavorFungibility={"preference": "BorrowingOverPreemption"})  # whenCanBorrow defaults to MayStopSearch
    assert found(bad) == {("clusterqueue/fungibility-preference", "spec.flavorFungibility.preference", "refused")}
    ok = queue(
        flavorFungibility={
            "preference": "BorrowingOverPreemption",
            "whenCanBorrow": "TryNextFlavor",
            "whenCanPreempt": "TryNextFlavor",
        }
    )
    assert problems(ok) == []


@pytest.mark.parametrize(
    "weight, rule",
    [
        ("-1", "clusterqueue/fair-sharing-weight-negative"),
        ("0.5n", "clusterqueue/fair-sharing-weight-too-small"),
        ("1n", "clusterqueue/fair-sharing-weight-too-small"),
    ],
)
def test_fair_sharing_weight(weight, rule):
    assert found(queue(fairSharing={"weight": weight})) == {(rule, "spec.fairSharing", "refused")}


@pytest.mark.parametrize("weight", ["0", "2n", "1", "500m"])
def test_fair_sharing_weight_passes(weight):
    assert problems(queue(fairSharing={"weight": weight})) == []


@pytest.mark.parametrize(
    "selector, path",
    [
        (
            {"matchExpressions": [{"key": "team", "operator": "In", "values": []}]},
            "spec.namespaceSelector.matchExpressions[0].values",
        ),
        (
            {"matchExpressions": [{"key": "team", "operator": "Exists", "values": ["a"]}]},
            "spec.namespaceSelector.matchExpressions[0].values",
        ),
        (
            {"matchExpressions": [{"key": "team", "operator": "Equals", "values": ["a"]}]},
            "spec.namespaceSelector.matchExpressions[0].operator",
        ),
        (
            {"matchExpressions": [{"key": "-team", "operator": "Exists"}]},
            "spec.namespaceSelector.matchExpressions[0].key",
        ),
        (
            {"matchExpressions": [{"key": "team", "operator": "In", "values": ["a b"]}]},
            "spec.namespaceSelector.matchExpressions[0].values[0]",
        ),
        ({"matchLabels": {"team": "a/b"}}, "spec.namespaceSelector.matchLabels"),
    ],
)
def test_namespace_selector_is_a_valid_label_selector(selector, path):
    assert found(queue(namespaceSelector=selector)) == {("clusterqueue/namespace-selector", path, "refused")}


def test_a_valid_namespace_selector_passes():
    ok = queue(
        namespaceSelector={
            "matchLabels": {"kueue.openshift.io/managed": "true"},
            "matchExpressions": [
                {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["team-a", "team-b"]},
                {"key": "opendatahub.io/dashboard", "operator": "Exists"},
            ],
        }
    )
    assert problems(ok) == []


# --------------------------------------------------------------------------- across objects: inactive


def test_a_queue_naming_a_missing_flavor_is_inactive():
    cq = queue(flavors=[{"name": "gpu", "resources": resources()}, {"name": "a100", "resources": resources()}])
    [p] = check([cq, flavor("gpu")])
    assert (p.rule, p.path, p.effect) == (
        "clusterqueue/flavor-not-found",
        "spec.resourceGroups[0].flavors[1].name",
        "inactive",
    )
    assert "ResourceFlavor a100" in p.message
    assert check([cq, flavor("gpu"), flavor("a100", version="v1beta2")]) == []


def test_a_queue_naming_a_missing_admission_check_is_inactive():
    cq = queue(admissionChecksStrategy={"admissionChecks": [{"name": "prov"}]})
    assert found(cq) == {
        ("clusterqueue/admission-check-not-found", "spec.admissionChecksStrategy.admissionChecks[0].name", "inactive")
    }
    check_obj = {
        "apiVersion": "kueue.x-k8s.io/v1beta1",
        "kind": "AdmissionCheck",
        "metadata": {"name": "prov"},
        "spec": {},
    }
    assert problems(cq, check_obj) == []


def test_a_local_queue_to_a_missing_cluster_queue_is_inactive():
    [p] = check([local_queue("team")])
    assert (p.rule, p.path, p.effect) == ("localqueue/cluster-queue-not-found", "spec.clusterQueue", "inactive")
    assert p.object == "LocalQueue.kueue.x-k8s.io team-a/default"
    assert problems(local_queue("team"), queue("team")) == []


def test_local_queue_cluster_queue_name_must_be_a_dns_subdomain():
    assert ("localqueue/cluster-queue-name", "spec.clusterQueue", "refused") in found(
        local_queue("Team_A"), queue("team")
    )


# --------------------------------------------------------------------------- ResourceFlavor


def test_a_toleration_with_exists_and_a_value_is_refused():
    bad = flavor(tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists", "value": "true", "effect": "NoSchedule"}])
    [p] = check([bad])
    assert (p.rule, p.path, p.effect) == (
        "resourceflavor/toleration-exists-with-value",
        "spec.tolerations[0].operator",
        "refused",
    )
    assert p.object == "ResourceFlavor.kueue.x-k8s.io gpu"
    ok = flavor(
        tolerations=[
            {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "nvidia.com/gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
            {"operator": "Exists"},
        ]
    )
    assert check([ok]) == []


@pytest.mark.parametrize(
    "toleration, rule, path",
    [
        ({"key": "@gpu", "operator": "Exists"}, "resourceflavor/toleration-key", "spec.tolerations[0].key"),
        (
            {"operator": "Equal", "value": "x"},
            "resourceflavor/toleration-empty-key-needs-exists",
            "spec.tolerations[0].operator",
        ),
        (
            {"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 30},
            "resourceflavor/toleration-seconds-needs-noexecute",
            "spec.tolerations[0].effect",
        ),
        (
            {"key": "k", "operator": "Equal", "value": "a b"},
            "resourceflavor/toleration-value",
            "spec.tolerations[0].operator",
        ),
        (
            {"key": "k", "operator": "Lt", "value": "1"},
            "resourceflavor/toleration-operator",
            "spec.tolerations[0].operator",
        ),
        (
            {"key": "k", "operator": "Exists", "effect": "NoAdmit"},
            "resourceflavor/toleration-effect",
            "spec.tolerations[0].effect",
        ),
    ],
)
def test_invalid_tolerations_are_refused(toleration, rule, path):
    assert {(p.rule, p.path, p.effect) for p in check([flavor(tolerations=[toleration])])} == {(rule, path, "refused")}


def test_toleration_seconds_with_no_execute_passes():
    ok = flavor(tolerations=[{"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}])
    assert check([ok]) == []


@pytest.mark.parametrize("labels", [{"@pool": "a"}, {"pool": "a b"}, {"example.com/": "a"}, {"pool": "x" * 64}])
def test_node_labels_must_be_valid_labels(labels):
    assert {(p.rule, p.path, p.effect) for p in check([flavor(labels=labels)])} == {
        ("resourceflavor/node-label", "spec.nodeLabels", "refused")
    }


def test_valid_node_labels_pass():
    ok = flavor(
        labels={
            "rhoai-gitops.io/gpu-pool": "a100",
            "node-role.kubernetes.io/gpu": "",
            "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB",
        }
    )
    assert check([ok]) == []


def test_node_taints():
    taint = {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}
    assert check([flavor(taints=[taint, {**taint, "effect": "NoExecute"}])]) == []
    dup = {(p.rule, p.path) for p in check([flavor(taints=[taint, {**taint, "value": "false"}])])}
    assert dup == {("resourceflavor/taint-duplicate", "spec.nodeTaints[1]")}
    bad = {(p.rule, p.path) for p in check([flavor(taints=[{"key": "bad key", "value": "a b", "effect": "NoAdmit"}])])}
    assert bad == {
        ("resourceflavor/taint-key", "spec.nodeTaints[0].key"),
        ("resourceflavor/taint-value", "spec.nodeTaints[0].value"),
        ("resourceflavor/taint-effect", "spec.nodeTaints[0].effect"),
    }


# --------------------------------------------------------------------------- Cohort


def test_cohort_limits_need_a_parent():
    groups = [
        {
            "coveredResources": list(COVERED),
            "flavors": [{"name": "gpu", "resources": resources({"borrowingLimit": "2", "lendingLimit": "2"})}],
        }
    ]
    assert found(cohort(groups=groups)) == {
        ("cohort/borrowing-limit-needs-parent", f"{GPU}.borrowingLimit", "refused"),
        ("cohort/lending-limit-needs-parent", f"{GPU}.lendingLimit", "refused"),
    }
    assert "must be nil when parent is empty" in problems(cohort(groups=groups))[0].message
    assert problems(cohort(parent="root", groups=groups)) == []


def test_a_cohort_may_lend_more_than_its_nominal_quota():
    groups = [
        {"coveredResources": list(COVERED), "flavors": [{"name": "gpu", "resources": resources({"lendingLimit": "8"})}]}
    ]
    assert problems(cohort(parent="root", groups=groups)) == []


def test_cohort_resource_groups_follow_the_queue_rules():
    groups = [
        {
            "coveredResources": ["cpu", "cpu"],
            "flavors": [
                {
                    "name": "gpu",
                    "resources": [{"name": "cpu", "nominalQuota": "-1"}, {"name": "memory", "nominalQuota": "1"}],
                }
            ],
        }
    ]
    assert found(cohort(groups=groups, version="v1beta1")) == {
        ("cohort/resource-in-two-groups", "spec.resourceGroups[0].coveredResources[1]", "refused"),
        ("cohort/negative-quantity", "spec.resourceGroups[0].flavors[0].resources[0].nominalQuota", "refused"),
        ("cohort/flavor-resource-order", "spec.resourceGroups[0].flavors[0].resources[1].name", "refused"),
    }


def test_cohort_parent_name_and_weight():
    assert found(cohort(parent="Root")) == {("cohort/parent-name", "spec.parentName", "refused")}
    assert found(cohort(fairSharing={"weight": "-2"})) == {
        ("cohort/fair-sharing-weight-negative", "spec.fairSharing", "refused")
    }


# --------------------------------------------------------------------------- v1beta2, and the whole


def test_valid_v1beta2_objects_with_cohortName_pass():
    objs = [
        flavor("default-flavor", version="v1beta2"),
        flavor(
            "h100",
            version="v1beta2",
            labels={"rhoai-gitops.io/gpu-pool": "h100"},
            tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        ),
        cohort(
            "genai",
            parent="org",
            fairSharing={"weight": "2"},
            groups=[
                {
                    "coveredResources": list(COVERED),
                    "flavors": [
                        {
                            "name": "h100",
                            "resources": resources({"nominalQuota": "8", "borrowingLimit": "8", "lendingLimit": "16"}),
                        }
                    ],
                }
            ],
        ),
        cohort("org"),
        queue(
            "llm",
            cohort="genai",
            version="v1beta2",
            flavors=[
                {"name": "default-flavor", "resources": resources({"nominalQuota": "0"})},
                {
                    "name": "h100",
                    "resources": resources({"nominalQuota": "16", "borrowingLimit": "8", "lendingLimit": "8"}),
                },
            ],
            queueingStrategy="BestEffortFIFO",
            preemption={
                "reclaimWithinCohort": "Any",
                "borrowWithinCohort": {"policy": "LowerPriority"},
                "withinClusterQueue": "LowerPriority",
            },
            flavorFungibility={"whenCanBorrow": "MayStopSearch", "whenCanPreempt": "TryNextFlavor"},
            fairSharing={"weight": "1"},
        ),
        local_queue("llm", version="v1beta2"),
        {
            "apiVersion": "kueue.x-k8s.io/v1beta2",
            "kind": "WorkloadPriorityClass",
            "metadata": {"name": "high"},
            "value": 1000,
        },
    ]
    assert check(objs) == []


def test_other_objects_and_versions_are_ignored():
    others = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "team-a"}, "data": {}},
        {"apiVersion": "kueue.openshift.io/v1", "kind": "Kueue", "metadata": {"name": "cluster"}, "spec": {}},
        {
            "apiVersion": "kueue.x-k8s.io/v1alpha1",
            "kind": "Cohort",
            "metadata": {"name": "c"},
            "spec": {"parent": "Bad_Name"},
        },
        "not an object",
    ]
    assert check(others) == []


def test_findings_are_sorted_deterministic_and_once():
    bad = queue(flavors=[{"name": "a100", "resources": resources({"lendingLimit": "8"})}])
    lq = local_queue("nobody")
    first = check([bad, lq, copy.deepcopy(bad), flavor("gpu")])
    assert first == sorted(first)
    assert first == check([flavor("gpu"), lq, bad])
    assert len(first) == len(set(first)) == 4
    assert [p.effect for p in first].count("inactive") == 2


def test_every_rule_has_an_origin():
    assert all(origin for origin in RULES.values())
    assert {rid.split("/")[0] for rid in RULES} == {"clusterqueue", "cohort", "resourceflavor", "localqueue"}


# --------------------------------------------------------------------------- the examples


def test_the_example_clusters_kueue_objects_pass():
    specs = load_specs(PROJECT)
    assert specs
    found_kueue = False
    for loaded in specs:
        objs = [o for objs in build_units(loaded.spec).values() for o in objs]
        found_kueue |= any(o.get("apiVersion", "").startswith("kueue.x-k8s.io/") for o in objs)
        assert check(objs) == [], loaded.spec.name
    assert found_kueue  # the examples do render quotas
