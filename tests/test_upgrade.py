"""`rhoai-gitops upgrade`: the OLM path through the real catalog, the spec changes the target
requires at their lines, the object plan and the manual steps, on the example repo."""

from __future__ import annotations

import json

from conftest import write_spec
from generator.cli import main


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
        "distribution.channel", "distribution.startingCSV", "components.kserve.deploymentMode",
        "components.kserve.serving.certificate.type",
        # team environments: the 2.x-only image and runtime, a template 3.4 no longer ships
        "workloads.workbenchImages[0].releaseLines", "workloads.servingRuntimes[0].releaseLines",
        "workloads.runtimeTemplates.disabled[0]",
    ]
    assert errors[0].startswith("clusters/prod-aws.yaml:27:12: ")  # where the user wrote it
    names = {o["object"]: o for o in plan["objects"]}
    assert names["DataScienceCluster.datasciencecluster.opendatahub.io default-dsc"]["status"] == "changed"
    assert names["Kueue.kueue.openshift.io cluster"]["status"] == "added"
    assert names["Subscription.operators.coreos.com openshift-serverless/serverless-operator"]["status"] == "removed"
    steps = " ".join(s["what"] for s in plan["manualSteps"])
    for needle in ("support-required-upgrade", "Serverless InferenceService", "ModelMesh", "CodeFlare", "Red Hat build of Kueue"):
        assert needle in steps
    assert all(s["source"] for s in plan["manualSteps"])


def test_text_and_markdown(repo, capsys):
    on_openshift(repo, "prod-aws", "4.20")
    code, out, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4")
    assert code == 1 and out.startswith("prod-aws: rhoai 2.22 -> 3.4\n\nOLM path:\n  installed: rhods-operator.2.22.1 (channel stable)\n")
    assert "set the Subscription's channel to support-required-upgrade" in out
    code, md, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4", "--output", "markdown")
    assert md.startswith("### Upgrade `prod-aws`: rhoai 2.22 → 3.4")
    assert "| 2 | `support-required-upgrade` (switch) |" in md


def test_an_openshift_too_old_for_the_target_is_a_refusal_with_the_reason(repo, capsys):
    code, out, _ = upgrade(repo, capsys, "prod-aws", "--to", "3.4", "--output", "json")
    assert code == 1
    refused = json.loads(out)["olm"]["refused"]
    assert "ships no 3.4 bundle" in refused and "rhoai 3.4 needs OpenShift 4.19 or later (cluster.openshiftVersion 4.18)" in refused


def test_odh_2_35_to_3_0_is_refused_with_the_reason(repo, capsys):
    write_spec(repo, "odh-old", "metadata:\n  name: odh-old\ncluster:\n  apiServer: https://api.x:6443\n"
               "distribution:\n  name: odh\n  version: '2.35'\n")
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
    assert code == 2 and "no OLM catalog of rhods-operator ships rhoai 3.1; supported: 2.13" in err and "Traceback" not in err
    code, _, err = upgrade(repo, capsys, "prod-aws", "--to", "three")
    assert code == 2 and "--to 'three'" in err
