"""Team access: each team's groups bound in its namespaces with their role, its queue and
hardware profiles, OpenShift Groups where the spec lists members, the platform admins; strict
validation (Group from OpenShift's own OpenAPI); spec errors naming both ends."""

from __future__ import annotations

import pytest

from generator.components import access, kueue, profiles
from generator.core.errors import SpecErrors
from generator.spec.loader import load_spec_text, load_specs

from conftest import PROJECT, assert_valid, validator_for


def spec_of(name: str):
    return load_specs(PROJECT, [name])[0].spec


def by(objs, kind, name, ns=None):
    found = [
        o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name and o["metadata"].get("namespace") == ns
    ]
    assert len(found) == 1, (kind, name, ns)
    return found[0]


def groups_of(binding) -> list[str]:
    assert all(s["kind"] == "Group" and s["apiGroup"] == "rbac.authorization.k8s.io" for s in binding["subjects"])
    return [s["name"] for s in binding["subjects"]]


def test_team_groups_bound_in_every_team_namespace_with_their_role():
    spec = spec_of("prod-aws")
    objs = access.build(spec)
    for ns in ("team-nlp", "team-nlp-dev"):
        edit = by(objs, "RoleBinding", "team-edit", ns)
        assert edit["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"}
        assert groups_of(edit) == ["nlp-researchers"]
        assert groups_of(by(objs, "RoleBinding", "team-view", ns)) == ["ml-auditors"]
        assert groups_of(by(objs, "RoleBinding", access.QUEUE_USER, ns)) == ["nlp-researchers", "ml-auditors"]
        assert groups_of(by(objs, "RoleBinding", access.PLATFORM_ADMIN, ns)) == ["rhoai-admins", "platform-sre"]
    assert groups_of(by(objs, "RoleBinding", "team-admin", "team-risk")) == ["risk-leads"]
    # a team's groups get nothing in another team's namespaces
    for o in objs:
        if o["kind"] == "RoleBinding" and o["metadata"]["namespace"] == "team-vision":
            assert not {"risk-leads", "risk-ml-engineers", "nlp-researchers"} & set(groups_of(o))


def test_queue_access_is_the_teams_own_queue():
    spec = spec_of("prod-aws")
    objs = access.build(spec)
    role = by(objs, "Role", access.QUEUE_USER, "team-risk")
    assert role["rules"] == [
        {"apiGroups": ["kueue.x-k8s.io"], "resources": ["localqueues", "workloads"], "verbs": ["get", "list", "watch"]}
    ]
    assert by(kueue.build(spec), "LocalQueue", kueue.LOCAL_QUEUE, "team-risk")["spec"]["clusterQueue"] == "risk"
    cq = by(objs, "ClusterRole", "rhoai-gitops-team-risk-queue")
    assert cq["rules"] == [
        {
            "apiGroups": ["kueue.x-k8s.io"],
            "resources": ["clusterqueues"],
            "verbs": ["get", "watch"],
            "resourceNames": ["risk"],
        }
    ]
    assert groups_of(by(objs, "ClusterRoleBinding", "rhoai-gitops-team-risk-queue")) == [
        "risk-ml-engineers",
        "risk-leads",
    ]


def test_hardware_profiles_a_team_may_use_are_those_of_its_pools():
    spec = spec_of("ai3-aws")
    objs = access.build(spec)
    role = by(objs, "Role", "team-llm-training-hardware-profiles", spec.namespaces["applications"])
    (rule,) = role["rules"]
    rendered = {o["metadata"]["name"] for o in profiles.build(spec) if o["kind"] == "HardwareProfile"}
    assert set(rule["resourceNames"]) <= rendered
    assert "cpu" in rule["resourceNames"]
    team = next(t for t in spec.quotas.teams if t.name == "llm-training")
    pools = {q.flavor for q in team.quotas}
    for name in rule["resourceNames"]:
        if name != "cpu":
            assert any(name == p or name.startswith(p + "-") for p in pools), name
    assert rule["apiGroups"] == [spec.release.api_version("HardwareProfile").split("/")[0]]
    # 2.22 serves no HardwareProfile kind: no profile role
    assert not [o for o in access.build(spec_of("prod-aws")) if o["metadata"]["name"].endswith("-hardware-profiles")]


def test_groups_with_members_become_openshift_groups_and_validate_strictly():
    spec = spec_of("prod-aws")
    objs = access.build(spec)
    groups = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Group"}
    assert set(groups) == {"risk-leads", "vision-team"}  # the others come from the identity provider
    assert groups["vision-team"]["apiVersion"] == "user.openshift.io/v1"
    assert groups["vision-team"]["users"] == ["li.wei", "maria.garcia", "sam.okafor"]
    validator = validator_for(spec)
    assert_valid(validator, [o for o in objs if o["kind"] == "Group"])
    bad = dict(groups["risk-leads"], members=["alice.chen"])
    del bad["users"]
    problems = validator.problems(bad)
    assert any("members" in str(p) for p in problems) and any("users" in str(p) for p in problems), problems


def test_no_team_access_without_teams():
    assert access.build(spec_of("edge-baremetal")) == []


SPEC = """\
metadata: {name: x}
cluster: {apiServer: "https://api.x.example.com:6443"}
quotas:
  teams:
    - name: a
      namespaces: [team-a]
      quotas: [{flavor: default-flavor, resources: {cpu: {nominal: 4}}}]
      groups:
        - {name: a-devs, role: edit, members: [ann]}
        - {name: system:authenticated, role: edit}
        - {name: system:serviceaccounts, role: view, members: [x]}
        - {name: a-devs, role: view}
    - name: b
      namespaces: [team-b]
      quotas: [{flavor: default-flavor, resources: {cpu: {nominal: 4}}}]
      groups:
        - {name: a-devs, role: view, members: [bob]}
"""


def test_spec_errors_name_both_ends():
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(SPEC, "clusters/x.yaml")
    text = "\n".join(str(e) for e in exc.value.errors)
    assert (
        "clusters/x.yaml:10:46: quotas.teams[0].groups[1].role: 'system:authenticated' is every user: it may only get view"
        in text
    )
    assert "'system:serviceaccounts' is a virtual group" in text
    assert (
        "quotas.teams[0].groups[3].name: duplicate group 'a-devs'; first at quotas.teams[0].groups[0].name (clusters/x.yaml:9)"
        in text
    )
    assert (
        "members of group 'a-devs' are already listed at quotas.teams[0].groups[0].members (clusters/x.yaml:9)" in text
    )
