"""The spec: loading, positioned errors, defaults merge, cross-field rules (issue 2)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.cli import main
from generator.core.errors import SpecErrors
from generator.spec.loader import load_specs

from conftest import EXAMPLES, PROJECT, load_spec_text, write_spec

MINIMAL = """\
metadata:
  name: {name}
cluster:
  apiServer: https://api.{name}.example.com:6443
"""


def run(repo: Path, *args: str, capsys) -> tuple[int, str, str]:
    rc = main(["--repo", str(repo), *args])
    out, err = capsys.readouterr()
    return rc, out, err


def errors_of(text: str, source: str = "clusters/x.yaml") -> list[str]:
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(textwrap.dedent(text), source)
    return [str(e) for e in exc.value.errors]


def test_examples_lint(capsys):
    rc, out, err = run(PROJECT, "lint", capsys=capsys)
    assert rc == 0, err
    assert [line.split()[-1] for line in out.splitlines()] == [f"clusters/{n}.yaml" for n in EXAMPLES]
    assert len(EXAMPLES) >= 3


def test_minimal_spec_is_a_few_lines():
    loaded = load_spec_text(MINIMAL.format(name="x"), "clusters/x.yaml")
    spec = loaded.spec
    assert spec.distribution.name == "rhoai"
    assert spec.namespaces["applications"] == "redhat-ods-applications"
    assert spec.auth.admin_groups is None
    assert spec.admin_groups == ["rhods-admins"]  # the operator's own default for self-managed RHOAI
    assert spec.auth.allowed_groups == ["system:authenticated"]
    sizes = {s.name: (s.requests.memory, s.requests.cpu, s.limits.memory, s.limits.cpu) for s in spec.notebook_sizes}
    assert sizes == {
        "Small": ("8Gi", "1", "8Gi", "2"),
        "Medium": ("24Gi", "3", "24Gi", "6"),
        "Large": ("56Gi", "7", "56Gi", "14"),
        "X Large": ("120Gi", "15", "120Gi", "30"),
    }


def test_odh_distribution_decides_namespaces():
    text = MINIMAL.format(name="x") + "distribution:\n  name: odh\n  channel: fast\n"
    spec = load_spec_text(text, "clusters/x.yaml").spec
    assert spec.namespaces["operator"] == "opendatahub-operators"
    assert spec.namespaces["applications"] == "opendatahub"


def test_wrong_type_points_at_the_value():
    errs = errors_of(
        """\
        metadata:
          name: x
        gpuNodePools:
          - name: a
            accelerator: {product: A100, count: "8"}
            replicas: {max: 2}
        """
    )
    assert (
        "clusters/x.yaml:5:41: gpuNodePools[0].accelerator.count: expected a whole number, not the text '8': remove the quotes"
        in errs
    ), errs


def test_unknown_key_points_at_the_key_and_lists_allowed():
    errs = errors_of(
        """\
        metadata:
          name: x
        components:
          kserve:
            deploymentMod: Serverless
        """
    )
    assert len(errs) == 1
    assert errs[0].startswith("clusters/x.yaml:5:5: components.kserve.deploymentMod: unknown field; allowed here: ")
    assert "deploymentMode" in errs[0]


def test_duplicate_key():
    errs = errors_of(
        """\
        metadata:
          name: x
        distribution:
          name: rhoai
          name: odh
        cluster:
          apiServer: https://api.x.example.com:6443
        """
    )
    assert errs == ["clusters/x.yaml:5:3: distribution.name: duplicate key (first at line 4, column 3)"]


def test_a_yaml_error_does_not_hide_the_others():
    errs = errors_of(
        """\
        metadata:
          name: x
          name: y
        cluster:
          apiServer: https://api.x.example.com:6443
          provider: moon
        monitoring:
          enabled: !!bool maybe
        """
    )
    assert errs == [
        "clusters/x.yaml:3:3: metadata.name: duplicate key (first at line 2, column 3)",
        "clusters/x.yaml:6:13: cluster.provider: Input should be 'aws', 'gcp', 'azure' or 'baremetal' (got 'moon')",
        "clusters/x.yaml:8:12: monitoring.enabled: 'maybe' is not a boolean (true or false)",
    ], errs


def test_python_tag_is_refused_not_constructed():
    errs = errors_of(
        """\
        metadata:
          name: !!python/object/apply:os.system ["touch /tmp/pwned"]
        """
    )
    assert len(errs) == 1
    assert errs[0].startswith(
        "clusters/x.yaml:2:9: metadata.name: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"
    )
    assert not Path("/tmp/pwned").exists()


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    text = "metadata:\n  name: x\n" + "\n".join(lines) + "\n"
    with pytest.raises(SpecErrors) as exc:
        load_spec_text(text, "clusters/x.yaml")
    assert len(exc.value.errors) == 1
    assert "alias bomb" in exc.value.errors[0].message


def test_non_mapping_document():
    assert errors_of("- a\n- b\n") == [
        "clusters/x.yaml:1:1: the document must be a mapping (key: value), not a list or a scalar"
    ]
    assert errors_of("a: 1\n---\nb: 2\n") == ["clusters/x.yaml:1:1: expected exactly one YAML document, found 2"]


def test_invalid_name_like_path_traversal():
    errs = errors_of("metadata:\n  name: ../x\n")
    assert len(errs) == 1
    assert errs[0].startswith(
        "clusters/x.yaml:2:9: metadata.name: '../x' is not allowed here: write lower-case letters"
    )


def test_name_must_match_file(repo, capsys):
    write_spec(repo, "alpha", MINIMAL.format(name="beta"))
    rc, _, err = run(repo, "lint", "alpha", capsys=capsys)
    assert rc == 2
    assert "clusters/alpha.yaml:2:9: metadata.name: must equal the file name 'alpha'" in err


def test_missing_field_points_at_parent():
    errs = errors_of(
        """\
        metadata:
          name: x
        gpuNodePools:
          - name: a
            replicas: {max: 2}
        """
    )
    assert errs == ["clusters/x.yaml:4:5: gpuNodePools[0].accelerator: required field is missing"]


def test_cross_reference_names_both_ends():
    errs = errors_of(
        """\
        metadata:
          name: x
        cluster:
          apiServer: https://api.x:6443
        components:
          kserve:
            deploymentMode: Serverless
        serviceMesh:
          managementState: Removed
        """
    )
    assert errs == [
        "clusters/x.yaml:9:20: serviceMesh.managementState: must be Managed (or Unmanaged, run by you): KServe "
        "Serverless (components.kserve.deploymentMode (clusters/x.yaml:7)) needs Service Mesh; or use deploymentMode RawDeployment"
    ]


def test_quota_flavor_must_name_a_pool():
    errs = errors_of(
        """\
        metadata:
          name: x
        cluster:
          apiServer: https://api.x:6443
          provider: baremetal
        gpuNodePools:
          - name: a100
            accelerator: {product: A100, count: 8}
            replicas: {max: 2}
        quotas:
          teams:
            - name: t
              namespaces: [t]
              quotas:
                - flavor: h100
                  resources:
                    nvidia.com/gpu: {nominal: 1}
        """
    )
    assert any(
        e.startswith(
            "clusters/x.yaml:15:19: quotas.teams[0].quotas[0].flavor: flavor 'h100' names no GPU pool (gpuNodePools (clusters/x.yaml:7))"
        )
        for e in errs
    ), errs


def test_codeflare_needs_ray_and_quotas_need_kueue():
    errs = errors_of(
        """\
        metadata:
          name: x
        cluster:
          apiServer: https://api.x:6443
        components:
          ray: {managementState: Removed}
          kueue: {managementState: Removed}
        quotas:
          teams:
            - name: t
              namespaces: [t]
              quotas:
                - flavor: default-flavor
                  resources: {cpu: {nominal: 4}}
        """
    )
    assert any(
        e.startswith("clusters/x.yaml:6:26: components.ray.managementState: must be Managed: CodeFlare") for e in errs
    ), errs
    assert any(
        e.startswith(
            "clusters/x.yaml:7:28: components.kueue.managementState: must be Managed or Unmanaged (run by the Red Hat build of Kueue): Kueue quotas are defined (quotas.teams (clusters/x.yaml:10))"
        )
        for e in errs
    ), errs


def test_channel_must_exist_for_version():
    errs = errors_of(MINIMAL.format(name="x") + 'distribution:\n  version: "2.22"\n  channel: eus-2.16\n')
    assert len(errs) == 1
    assert errs[0] == (
        "clusters/x.yaml:7:12: distribution.channel: channel 'eus-2.16' does not ship rhoai 2.22 (distribution.version, "
        "clusters/x.yaml:6) (it ships 2.16); channels that ship 2.22: alpha, fast, stable, stable-2.22, stable-2.25"
    )


def test_component_absent_in_version():
    errs = errors_of(
        MINIMAL.format(name="x")
        + 'distribution:\n  version: "2.16"\ncomponents:\n  feastoperator: {managementState: Managed}\n'
    )
    assert len(errs) == 1
    assert errs[0] == (
        "clusters/x.yaml:8:36: components.feastoperator.managementState: DataScienceCluster "
        "spec.components.feastoperator.managementState does not exist in rhoai 2.16 (distribution.version, "
        "clusters/x.yaml:6); rhoai 2.20 and later take it"
    )


def test_unique_names_and_empty_admins():
    errs = errors_of(
        MINIMAL.format(name="x")
        + "auth:\n  adminGroups: []\nnotebookSizes:\n"
        + "  - {name: S, requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}\n" * 2
    )
    assert any("auth.adminGroups: must name at least one group" in e for e in errs), errs
    assert any(
        e.startswith(
            "clusters/x.yaml:9:12: notebookSizes[1].name: duplicate notebook size 'S'; first at notebookSizes[0].name"
        )
        for e in errs
    ), errs


def test_all_errors_at_once_across_files(repo, capsys):
    write_spec(repo, "bad1", "metadata:\n  name: bad1\nbogus: 1\n")
    write_spec(repo, "bad2", "metadata:\n  name: bad2\ncluster:\n  provider: moon\n")
    out_before = sorted(p.name for p in repo.iterdir())
    rc, _, err = run(repo, "render", capsys=capsys)
    assert rc == 2
    assert "clusters/bad1.yaml:3:1: bogus: unknown field" in err
    assert "clusters/bad2.yaml:4:13: cluster.provider: Input should be 'aws', 'gcp', 'azure' or 'baremetal'" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in repo.iterdir()) == out_before  # nothing written


def test_fleet_defaults_merge_under_cluster(repo):
    (repo / "clusters" / "_defaults.yaml").write_text(
        "argocd:\n  repoURL: https://github.com/acme/fork.git\n  targetRevision: release\n"
        "auth:\n  adminGroups: [fleet-admins]\n"
    )
    write_spec(repo, "own", MINIMAL.format(name="own") + "argocd:\n  targetRevision: hotfix\n")
    specs = {s.name: s for s in load_specs(repo)}
    own = specs["own"].spec
    assert own.argocd.repo_url == "https://github.com/acme/fork.git"
    assert own.argocd.target_revision == "hotfix"  # the cluster's own value wins
    assert own.auth.admin_groups == ["fleet-admins"]
    assert specs["prod-aws"].spec.auth.admin_groups == ["rhoai-admins", "platform-sre"]


def test_error_in_defaults_points_into_defaults_file(repo):
    (repo / "clusters" / "_defaults.yaml").write_text(
        "monitoring:\n  retention: forever\nargocd:\n  repoURL: https://github.com/a/b\n"
    )
    # prod-aws sets its own retention, but the bad default is in git all the same: every load
    # reports it, once, where it is written.
    for cluster in ("prod-aws", "odh-sandbox"):
        with pytest.raises(SpecErrors) as exc:
            load_specs(repo, [cluster])
        assert [str(e)[:103] for e in exc.value.errors] == [
            "clusters/_defaults.yaml:2:14: monitoring.retention: 'forever' is not allowed here: write a whole number"
        ]


def test_module_entry_point_and_exit_code():
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "--repo", str(PROJECT), "lint", "no-such-cluster"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "no spec for cluster(s) no-such-cluster" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_credentials_in_urls_are_refused():
    errs = errors_of(
        MINIMAL.format(name="x")
        + "  proxy:\n    httpsProxy: http://svc:hunter2@proxy.example.com:3128\n"
        + "argocd:\n  repoURL: https://oauth2:ghp_abc@github.com/acme/gitops.git\n"
    )
    assert [e.split(": ")[0:2] for e in errs] == [
        ["clusters/x.yaml:6:17", "cluster.proxy.httpsProxy"],
        ["clusters/x.yaml:8:12", "argocd.repoURL"],
    ], errs
    assert all("holds credentials in a URL" in e for e in errs)
    # An @ elsewhere in a URL (a path, an scp-like remote without scheme) is not userinfo.
    load_spec_text(
        MINIMAL.format(name="x") + "argocd:\n  repoURL: https://github.com/team@ml/gitops.git\n", "clusters/x.yaml"
    )


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://github.com/acme/gitops.git", "https://github.com/acme/gitops/blob/rel/docs/runbooks.md"),
        ("git@github.com:acme/gitops.git", "https://github.com/acme/gitops/blob/rel/docs/runbooks.md"),
        (
            "https://gitlab.example.com/ml/platform/gitops",
            "https://gitlab.example.com/ml/platform/gitops/-/blob/rel/docs/runbooks.md",
        ),
        ("ssh://git@bitbucket.org/acme/gitops.git", "https://bitbucket.org/acme/gitops/src/rel/docs/runbooks.md"),
        ("https://git.internal.example/acme/gitops.git", None),
    ],
)
def test_runbooks_link_this_repository(url, expected):
    from generator.spec.model import repo_file_url

    assert repo_file_url(url, "rel", "docs/runbooks.md") == expected


def test_runbook_url_needed_where_it_cannot_be_derived():
    text = MINIMAL.format(name="x") + "argocd:\n  repoURL: https://git.internal.example/acme/gitops.git\n"
    errs = errors_of(text)
    assert len(errs) == 1 and errs[0].startswith("clusters/x.yaml:1:1: monitoring.runbookBaseURL: is not set"), errs
    load_spec_text(text + "monitoring:\n  enabled: false\n", "clusters/x.yaml")
    spec = load_spec_text(text + "monitoring:\n  runbookBaseURL: https://wiki.example/rb\n", "clusters/x.yaml").spec
    assert spec.runbook_url == "https://wiki.example/rb"


def test_ssh_user_is_not_a_credential():
    load_spec_text(
        MINIMAL.format(name="x") + "argocd:\n  repoURL: ssh://git@github.com/acme/gitops.git\n", "clusters/x.yaml"
    )
    assert errors_of(MINIMAL.format(name="x") + "argocd:\n  repoURL: https://ghp_abc123@github.com/acme/gitops.git\n")


@pytest.mark.parametrize(
    "tail, expected",
    [
        (
            "distribution:\n  name: rhoai\n  version: 2.20\n",
            'distribution.version: expected text, but YAML reads 2.20 as the number 2.2: write it in quotes ("2.20")',
        ),
        (
            "  labels:\n    gpu: true\n",
            'metadata.labels.gpu: expected text, but YAML reads true as true: write it in quotes ("true")',
        ),
    ],
)
def test_yaml_typing_mistakes_say_what_to_write(tail, expected):
    text = MINIMAL.format(name="x")
    if tail.startswith("  labels"):
        text = text.replace("  name: x\n", "  name: x\n" + tail)
    else:
        text += tail
    errs = errors_of(text)
    assert [e.split(": ", 1)[1] for e in errs] == [expected], errs


def test_empty_section_is_reported_on_its_own_line():
    errs = errors_of("metadata:\n  name: x\nargocd:\ncluster:\n  apiServer: https://api.x.example.com:6443\n")
    assert errs == ["clusters/x.yaml:3:8: argocd: is empty: give it fields (key: value) below it, or remove the line"]


def test_quoted_number_says_remove_the_quotes():
    errs = errors_of(MINIMAL.format(name="x") + "monitoring:\n  collectorReplicas: '2'\n")
    assert errs == [
        "clusters/x.yaml:6:22: monitoring.collectorReplicas: expected a whole number, not the text '2': remove the quotes"
    ]
