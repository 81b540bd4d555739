"""`rhoai-gitops upgrade`: the OLM path through the real catalog, the spec changes the target
requires at their lines, the object plan and the manual steps, on the example repo."""

from __future__ import annotations

import json

from generator.cli import main

from conftest import write_spec


def upgrade(repo, capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--repo", str(repo), "upgrade", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def on_openshift(repo, cluster: str, version: str) -> None:
    spec = repo / "clusters" / f"{cluster}.yaml"
    text = spec.read_text()
    spec.write_text(text.replace('openshiftVersion: "4.18"', f'openshiftVersion: "{version}"'))


def test_prod_from_2_22_to_3_4_goes_through_2_25_and_lists_what_3x_lacks(repo, capsys):
    on_openshift(repo, "prod-aws", "4.20")
    code, out, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4", "--output", "json")
    assert code == 1  # the spec needs changes before it renders for 3.4
    plan = json.loads(out)
    assert plan["from"] == {"release": "2.22", "bundle": "rhods-operator.2.22.1", "channel": "stable"}
    hops = plan["olm"]["hops"]
    assert [h["to"].removeprefix("rhods-operator.")[:4] for h in hops] == ["2.25", "3.3.", "3.4."]
    assert "support-required-upgrade" in plan["olm"]["channels"]
    assert plan["olm"]["target"].startswith("rhods-operator.3.4.")
    errors = plan["specErrors"]
    assert [e.split(": ")[1] for e in errors] == [
        "distribution.channel",
        "distribution.startingCSV",
        "components.kserve.deploymentMode",
        "components.kserve.serving.certificate.type",
        # team environments: the 2.x-only image and runtime, a template 3.4 no longer ships
        "workloads.workbenchImages[0].releaseLines",
        "workloads.servingRuntimes[0].releaseLines",
        "workloads.runtimeTemplates.disabled[0]",
    ]
    assert errors[0].startswith("clusters/prod-aws.yaml:27:12: ")  # where the user wrote it
    names = {o["object"]: o for o in plan["objects"]}
    assert names["DataScienceCluster.datasciencecluster.opendatahub.io default-dsc"]["status"] == "changed"
    assert names["Kueue.kueue.openshift.io cluster"]["status"] == "added"
    assert names["Subscription.operators.coreos.com openshift-serverless/serverless-operator"]["status"] == "removed"
    steps = " ".join(s["what"] for s in plan["manualSteps"])
    for needle in (
        "support-required-upgrade",
        "Serverless InferenceService",
        "ModelMesh",
        "CodeFlare",
        "Red Hat build of Kueue",
    ):
        assert needle in steps
    assert all(s["source"] for s in plan["manualSteps"])


def test_text_and_markdown(repo, capsys):
    on_openshift(repo, "prod-aws", "4.20")
    code, out, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4")
    assert code == 1 and out.startswith(
        "prod-aws: rhoai 2.22 -> 3.4\n\nOLM path:\n  installed: rhods-operator.2.22.1 (channel stable)\n"
    )
    assert "set the Subscription's channel to support-required-upgrade" in out
    code, md, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4", "--output", "markdown")
    assert md.startswith("### Upgrade `prod-aws`: rhoai 2.22 → 3.4")
    assert "| 2 | `support-required-upgrade` (switch) |" in md
    assert "` — applied: set distribution.channel to stable-3.4\n" in md
    assert "**Objects** of the target spec with the applied changes (" in md


def test_an_openshift_too_old_for_the_target_is_a_refusal_with_the_reason(repo, capsys):
    code, out, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4", "--output", "json")
    assert code == 1
    refused = json.loads(out)["olm"]["refused"]
    assert (
        "ships no 3.4 bundle" in refused
        and "rhoai 3.4 needs OpenShift 4.19 or later (cluster.openshiftVersion 4.18)" in refused
    )


def test_odh_2_35_to_3_0_is_refused_with_the_reason(repo, capsys):
    write_spec(
        repo,
        "odh-old",
        "metadata:\n  name: odh-old\ncluster:\n  apiServer: https://api.x:6443\n"
        "distribution:\n  name: odh\n  version: '2.35'\n",
    )
    code, out, _ = upgrade(repo, capsys, "odh-old", "--to", "3.0", "--output", "json")
    plan = json.loads(out)
    assert code == 1
    assert "opendatahub-operator.v3.0.0 replaces nothing and has no skips or skipRange" in plan["olm"]["refused"]
    assert any("no OLM upgrade from ODH 2.x to 3.x" in s["what"] for s in plan["manualSteps"])


def test_within_a_line_nothing_to_change(repo, capsys):
    code, out, _ = upgrade(repo, capsys, "ai3-aws", "--to", "3.4", "--output", "json")
    plan = json.loads(out)
    assert code == 0 and plan["specErrors"] == [] and plan["objects"] == [] and plan["manualSteps"] == []


def test_a_target_the_catalog_lacks_is_a_clear_error(repo, capsys):
    code, _, err = upgrade(repo, capsys, "prod-aws", "--to", "3.1")
    assert (
        code == 2
        and "no OLM catalog of rhods-operator ships rhoai 3.1; supported: 2.13" in err
        and "Traceback" not in err
    )
    code, _, err = upgrade(repo, capsys, "prod-aws", "--to", "three")
    assert code == 2 and "--to 'three'" in err


def kueue_managed(repo) -> None:
    """prod-aws on OpenShift 4.20 with `components.kueue.managementState: Managed`, valid on 2.x
    and refused by 3.x (the Red Hat build of Kueue runs it there: Unmanaged)."""
    on_openshift(repo, "prod-aws", "4.20")
    spec = repo / "clusters" / "prod-aws.yaml"
    text = spec.read_text()
    spec.write_text(
        text.replace(
            "components:\n",
            "components:\n  # Kueue as a platform component (2.x)\n  kueue:\n    managementState: Managed\n",
            1,
        )
    )


def test_the_object_plan_is_the_end_state_with_the_mechanical_changes_applied(repo, capsys):
    kueue_managed(repo)
    code, out, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4", "--output", "json")
    assert code == 1  # the version alone does not render
    plan = json.loads(out)
    applied = {c["path"]: c for c in plan["specChanges"]["applied"]}
    assert applied["components.kueue.managementState"] == {
        "path": "components.kueue.managementState",
        "action": "set",
        "from": "Managed",
        "to": "Unmanaged",
    }
    assert applied["distribution.channel"]["to"] == plan["olm"]["hops"][-1]["channel"] == "stable-3.4"
    assert applied["distribution.startingCSV"]["to"] == plan["olm"]["target"]
    assert applied["components.kserve.deploymentMode"]["action"] == "remove"
    assert applied["components.kserve.serving"]["action"] == "remove"
    # what no rule can change for the user: the teams' images and runtime built for 2.x, and a
    # 2.x template the 3.x dashboard no longer ships
    assert {line.split(": ")[1] for line in plan["specChanges"]["needPerson"]} == {
        "workloads.workbenchImages[0].releaseLines",
        "workloads.servingRuntimes[0].releaseLines",
        "workloads.runtimeTemplates.disabled[0]",
    }
    added = {o["object"] for o in plan["objects"] if o["status"] == "added"}
    # what the 3.x render really holds once Kueue is Unmanaged: the Kueue operator and its Kueue
    assert {
        "Subscription.operators.coreos.com openshift-kueue-operator/kueue-operator",
        "Kueue.kueue.openshift.io cluster",
        "Namespace openshift-kueue-operator",
    } <= added
    code, text, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4")
    assert 'applied: set components.kueue.managementState: "Managed" -> "Unmanaged"' in text
    assert "Objects (the target spec with the applied changes):" in text


def test_write_spec_writes_the_target_spec_keeping_comments_and_it_renders(repo, capsys):
    kueue_managed(repo)
    target = repo / "clusters" / "prod-aws.yaml"
    # the platform alone: the teams' 2.x builds need a person (the test above), their moves are
    # test_workloads' and test_models'
    text = target.read_text()
    target.write_text(text[: text.index("\nworkloads:\n") + 1] + text[text.index("\nargocd:\n") + 1 :])
    before = target.read_text()
    code, _, err = upgrade(repo, capsys, "prod-aws", "--to", "3.4", "--write-spec", str(target))
    assert code == 1 and "wrote" in err and "5 change(s) applied" in err
    after = target.read_text()
    assert after.splitlines()[:2] == before.splitlines()[:2]  # the header comments
    assert "  # Kueue as a platform component (2.x)\n  kueue:\n    managementState: Unmanaged\n" in after
    assert 'version: "3.4"' in after and "deploymentMode" not in after and "serving:" not in after
    assert "    storageClass: gp3-csi\n" in after and "rootVolumeGib: 300" in after
    # the merge request is that one file: the target spec reads, with nothing left to change
    code, out, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4", "--output", "json")
    plan = json.loads(out)
    assert code == 0 and plan["specErrors"] == [] and plan["objects"] == []


def test_what_no_rule_can_change_is_left_to_a_person(repo, capsys):
    # OpenShift 4.18 ships no 3.4: no mechanical change; the spec's other fixes are still made
    code, out, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4", "--output", "json")
    plan = json.loads(out)
    people = plan["specChanges"]["needPerson"]
    assert any(": cluster.openshiftVersion: " in e and "needs OpenShift 4.19 or later" in e for e in people)
    assert {c["path"] for c in plan["specChanges"]["applied"]} >= {"components.kserve.deploymentMode"}
    code, _, err = upgrade(repo, capsys, "prod-aws", "--to", "3.4", "--write-spec", str(repo))
    assert code == 2 and "is a folder" in err
