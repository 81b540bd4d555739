"""Checks for what a reviewer would miss, each at the line that causes it: a disconnected
cluster syncing from a public git host, two fleet clusters deploying onto one cluster (inCluster
in fleet mode is the hub), and a team namespace the platform, OpenShift or another unit owns."""

from __future__ import annotations

import pytest

from generator.cli import main
from generator.core.errors import SpecErrors
from generator.spec.loader import load_specs
from generator.spec.rules import git_host


def errors_of(repo, cluster: str) -> list:
    with pytest.raises(SpecErrors) as exc:
        load_specs(repo, [cluster])
    return exc.value.errors


def line_of(path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "url,host",
    [
        ("https://github.com/example/rhoai-gitops.git", "github.com"),
        ("ssh://git@gitlab.com:22/org/repo.git", "gitlab.com"),
        ("git@bitbucket.org:org/repo.git", "bitbucket.org"),
        ("https://git.factory3.example.internal/platform/rhoai-gitops.git", "git.factory3.example.internal"),
    ],
)
def test_git_host(url, host):
    assert git_host(url) == host


def test_a_disconnected_cluster_taking_a_public_repo_url_from_the_defaults_is_refused_at_the_defaults_line(
    repo, capsys
):
    spec = repo / "clusters" / "edge-baremetal.yaml"
    text = spec.read_text()
    # the spec no longer overrides the defaults file's github.com URL
    spec.write_text(
        text.replace("  repoURL: https://git.factory3.example.internal/platform/rhoai-gitops.git\n", "").replace(
            "    httpsProxy: http://proxy.factory3.example.internal:3128\n", ""
        )
    )
    (err,) = [e for e in errors_of(repo, "edge-baremetal") if e.path == "argocd.repoURL"]
    defaults = repo / "clusters" / "_defaults.yaml"
    assert (err.file, err.line) == ("clusters/_defaults.yaml", line_of(defaults, "repoURL:"))
    assert (
        "public host github.com" in err.message and "cluster.disconnected (clusters/edge-baremetal.yaml:" in err.message
    )
    # the spec's own public URL: at the spec's line
    spec.write_text(
        text.replace("https://git.factory3.example.internal/platform/rhoai-gitops.git", "git@gitlab.com:me/gitops.git")
    )
    (err,) = [e for e in errors_of(repo, "edge-baremetal") if e.path == "argocd.repoURL"]
    assert (err.file, err.line) == ("clusters/edge-baremetal.yaml", line_of(spec, "repoURL:"))
    assert main(["--repo", str(repo), "lint", "edge-baremetal"]) == 2
    # through the cluster's HTTPS proxy the public host is reachable; over SSH it is not
    spec.write_text(text.replace("  repoURL: https://git.factory3.example.internal/platform/rhoai-gitops.git\n", ""))
    assert load_specs(repo, ["edge-baremetal"])
    spec.write_text(
        text.replace("https://git.factory3.example.internal/platform/rhoai-gitops.git", "git@github.com:me/gitops.git")
    )
    assert [e.path for e in errors_of(repo, "edge-baremetal")] == ["argocd.repoURL"]
    # connected clusters may use the public host
    assert load_specs(repo, ["prod-aws"])


def _fleet(repo, cluster: str, destination: str) -> None:
    path = repo / "clusters" / f"{cluster}.yaml"
    text = path.read_text()
    path.write_text(
        text.replace("argocd:\n", f"argocd:\n  fleet: {{enabled: true}}\n  destination: {destination}\n", 1)
    )


def test_two_fleet_clusters_on_the_hub_are_refused_at_the_second_ones_line(repo, capsys):
    _fleet(repo, "prod-aws", "{inCluster: true}")
    _fleet(repo, "odh-sandbox", "{inCluster: true}")
    capsys.readouterr()
    assert main(["--repo", str(repo), "lint"]) == 2
    err = capsys.readouterr().err
    line = line_of(repo / "clusters" / "prod-aws.yaml", "inCluster: true")
    assert f"clusters/prod-aws.yaml:{line}:" in err and "argocd.destination.inCluster" in err
    assert (
        "the same cluster as odh-sandbox's destination (argocd.destination.inCluster (clusters/odh-sandbox.yaml:" in err
    )
    assert "two fleet clusters would deploy their platforms onto one cluster" in err


def test_one_fleet_cluster_in_cluster_is_the_hub(repo, capsys):
    _fleet(repo, "prod-aws", "{inCluster: true}")
    _fleet(repo, "odh-sandbox", "{server: 'https://api.odh-sandbox.example.com:6443'}")
    assert main(["--repo", str(repo), "lint"]) == 0


@pytest.mark.parametrize(
    "namespace,owner",
    [
        ("redhat-ods-monitoring", "the platform's monitoring namespace"),
        ("openshift-kueue-operator", "the kueue-operator operator's namespace"),
        ("openshift-monitoring", "one of OpenShift's own namespaces"),
        ("rhoai-gitops-alerting", "the alerting namespace of the monitoring unit"),
    ],
)
def test_a_team_namespace_someone_else_owns_is_refused_at_its_line(repo, namespace, owner):
    path = repo / "clusters" / "prod-aws.yaml"
    path.write_text(
        path.read_text().replace("namespaces: [team-nlp, team-nlp-dev]", f"namespaces: [team-nlp, {namespace}]")
    )
    (err,) = [e for e in errors_of(repo, "prod-aws") if e.path == "quotas.teams[1].namespaces[1]"]
    assert err.line == line_of(path, namespace) and owner in err.message
    assert "two Applications would own one Namespace" in err.message
