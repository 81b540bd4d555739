"""Team environments (workloads:): connections, pipeline servers, model registries, workbench
images and serving runtimes, rendered for every supported release at that release's API versions
and valid against its own CRDs (schema and CEL), from the shipped data only; bad input refused at
the spec's line."""

from __future__ import annotations

import copy

import pytest
from test_releases import SUPPORTED, full_spec

from generator.core import yamlio
from generator.core.errors import SpecErrors
from generator.facts import releases
from generator.facts.workloads import DSPA, MODEL_REGISTRY, SERVING_RUNTIME, workload_facts
from generator.units import COMPONENTS
from generator.validate import cel
from generator.validate.validator import SchemaValidator

from conftest import COMPILED_VALIDATORS, load_spec_text

DIGEST = "@sha256:" + "ab" * 32
UNITS = ("team-connections", "team-pipelines", "model-registries", "workbench-images", "serving-runtimes")


def workloads_for(dist: str, version: str) -> dict:
    """Every kind of workload the release takes, written only where it has it."""
    facts = workload_facts(dist, version)
    line = f"{version.split('.')[0]}.x"
    store = {"store": {"name": "vault", "kind": "ClusterSecretStore"}, "remoteKey": "teams/a/s3"}
    connections = [
        {
            "name": "artifacts",
            "namespace": "team-a",
            "type": "s3",
            "endpoint": "https://s3.eu-west-1.amazonaws.com:443",
            "bucket": "team-a",
            "region": "eu-west-1",
            "externalSecret": store,
        }
    ]
    if "uri-v1" in facts.known_connection_types():
        connections.append(
            {
                "name": "model-uri",
                "namespace": "team-a",
                "type": "uri-v1",
                "uri": "https://models.example.com/m.onnx",
                "existingSecret": True,
            }
        )
    server = {"namespace": "team-a", "objectStorage": {"connection": "artifacts", "basePath": "pipelines"}}
    if facts.has(DSPA, "spec.apiServer.pipelineStore"):
        server["pipelineStore"] = "kubernetes"
    servers = [
        server,
        {
            "namespace": "team-b",
            "name": "pipelines",
            "objectStorage": {
                "endpoint": "minio.storage.svc:9000",
                "bucket": "b",
                "credentialsSecret": {"name": "b-s3"},
            },
            "database": {
                "external": {
                    "host": "mysql.db.svc",
                    "username": "dsp",
                    "database": "b",
                    "passwordSecret": {"name": "b-db", "key": "password"},
                }
            },
        },
    ]
    out: dict = {"connections": connections, "pipelineServers": servers}
    if facts.serves(MODEL_REGISTRY):
        registries = [
            {
                "name": "shared",
                "teams": ["a"],
                "database": {
                    "type": "mysql",
                    "host": "mysql.db.svc",
                    "database": "registry",
                    "username": "mr",
                    "passwordSecret": {"name": "registry-db", "key": "password"},
                },
            }
        ]
        if facts.has(MODEL_REGISTRY, "spec.postgres.generateDeployment"):
            registries.append({"name": "own-db", "database": {"type": "postgres", "generate": True}})
        out["modelRegistries"] = registries
    out["workbenchImages"] = [
        {
            "name": "custom-pytorch",
            "displayName": "Custom PyTorch",
            "releaseLines": [line],
            "order": 3,
            "tags": [
                {
                    "name": "1.0",
                    "image": "quay.io/example/pytorch" + DIGEST,
                    "software": [{"name": "Python", "version": "3.11"}],
                    "recommended": True,
                }
            ],
        }
    ]
    out["servingRuntimes"] = [
        {
            "name": "triton",
            "displayName": "Triton",
            "releaseLines": [line],
            "image": "nvcr.io/nvidia/triton" + DIGEST,
            "formats": [{"name": "onnx", "version": "1"}],
            "modelTypes": ["predictive"],
        }
    ]
    shipped = sorted(facts.runtime_templates)
    out["runtimeTemplates"] = {"order": shipped[:1] + ["triton-template"], "disabled": shipped[-1:]}
    return out


def spec_with_workloads(dist: str, version: str) -> dict:
    data = full_spec(dist, version)
    data["quotas"]["teams"][0]["groups"] = [{"name": "team-a-users"}]
    data["quotas"]["teams"].append(
        copy.deepcopy(data["quotas"]["teams"][0]) | {"name": "b", "namespaces": ["team-b"], "groups": []}
    )
    data["workloads"] = workloads_for(dist, version)
    return data


def load(data: dict):
    return load_spec_text(yamlio.dumps(data), "clusters/release.yaml").spec


def workload_objects(spec) -> list[dict]:
    units = {c.name: c for c in COMPONENTS}
    return [o for name in UNITS for o in units[name].build(spec)]


@pytest.mark.parametrize(("dist", "version"), SUPPORTED)
def test_every_release_renders_its_workloads_valid_against_its_own_crds(dist, version):
    """Done-when of issue 25: each release's objects at its API versions, each valid against that
    release's own schema and CEL rules (ExternalSecret, ImageStream, Template: the shipped
    common schemas), from the shipped data alone."""
    spec = load(spec_with_workloads(dist, version))
    facts = workload_facts(dist, version)
    objs = workload_objects(spec)
    inner = [i for o in objs if o["kind"] == "Template" for i in o["objects"]]
    validator = SchemaValidator([facts.schema_files(), releases.common_schema_files()], cache=COMPILED_VALIDATORS)
    problems = []
    checked = []
    for o in objs + inner:
        if o["kind"] == "RoleBinding":
            continue
        assert validator.has_schema(o), f"{dist} {version}: no schema for {o['apiVersion']} {o['kind']}"
        problems += [f"{o['kind']} {p}" for p in validator.problems(o)]
        problems += [f"{o['kind']} {f.path}: {f.message} ({f.rule})" for f in cel.check(validator.schema(o), o)]
        checked.append(o["kind"])
    assert not problems, f"{dist} {version}:\n" + "\n".join(map(str, problems))
    dspas = [o for o in objs if o["kind"] == DSPA]
    assert [o["apiVersion"] for o in dspas] == [facts.api_version(DSPA)] * 2
    assert dspas[0]["spec"]["objectStorage"]["externalStorage"]["port"] == "443"
    assert ("pipelineStore" in dspas[0]["spec"].get("apiServer", {})) == facts.has(DSPA, "spec.apiServer.pipelineStore")
    assert [o["apiVersion"] for o in inner] == [facts.api_version(SERVING_RUNTIME)]
    registries = [o for o in objs if o["kind"] == MODEL_REGISTRY]
    if facts.serves(MODEL_REGISTRY):
        assert registries and {o["apiVersion"] for o in registries} == {facts.api_version(MODEL_REGISTRY)}
        assert checked.count(MODEL_REGISTRY) == len(registries)
    else:
        assert registries == []


def test_registry_proxy_is_written_in_the_form_the_release_keeps():
    """3.x: the webhook moves oauthProxy to kubeRBACProxy, so the bundle writes kubeRBACProxy;
    2.x releases with oauthProxy keep it; older ones (istio era) get neither."""

    def proxy(dist, version):
        spec = load(spec_with_workloads(dist, version))
        mr = next(o for o in workload_objects(spec) if o["kind"] == MODEL_REGISTRY)
        return sorted(k for k in mr["spec"] if k.endswith("Proxy"))

    assert proxy("rhoai", "3.4") == ["kubeRBACProxy"]
    assert proxy("rhoai", "2.22") == ["oauthProxy"]
    assert proxy("rhoai", "2.16") == []


def test_connection_secret_metadata_per_release():
    def annotations(dist, version):
        spec = load(spec_with_workloads(dist, version))
        es = next(o for o in workload_objects(spec) if o["kind"] == "ExternalSecret")
        meta = es["spec"]["target"]["template"]["metadata"]
        assert meta["labels"] == {"opendatahub.io/dashboard": "true", "opendatahub.io/managed": "true"}
        return {k: v for k, v in meta["annotations"].items() if k.startswith("opendatahub.io/")}

    assert annotations("rhoai", "2.15") == {"opendatahub.io/connection-type": "s3"}
    assert annotations("rhoai", "3.4") == {
        "opendatahub.io/connection-type": "s3",
        "opendatahub.io/connection-type-ref": "s3",
    }


def test_no_secret_value_is_rendered():
    spec = load(spec_with_workloads("rhoai", "3.4"))
    for o in workload_objects(spec):
        assert o["kind"] != "Secret"
        text = yamlio.dumps(o)
        assert "AWS_SECRET_ACCESS_KEY:" not in text and "password:" not in text


# --------------------------------------------------------------------------- bad input


def refused(data: dict) -> str:
    with pytest.raises(SpecErrors) as exc:
        load(data)
    return str(exc.value)


def test_inline_credentials_are_refused_at_their_line_without_echoing_them():
    data = spec_with_workloads("rhoai", "3.4")
    data["workloads"]["connections"][0]["secretAccessKey"] = "wJalrXUtnFEMI-not-echoed"
    data["workloads"]["pipelineServers"][1]["database"]["external"]["password"] = "hunter2-not-echoed"
    text = refused(data)
    assert "workloads.connections[0].secretAccessKey: is an inline credential" in text
    assert "workloads.pipelineServers[1].database.external.password: is an inline credential" in text
    assert "not-echoed" not in text
    assert text.startswith("clusters/release.yaml:")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda w: w["connections"][0].update(namespace="nobody"),
            "workloads.connections[0].namespace: 'nobody' is not a namespace of any team",
        ),
        (
            lambda w: w["pipelineServers"][1].update(namespace="team-a"),
            "workloads.pipelineServers[1].namespace: team-a already has a pipeline server",
        ),
        (
            lambda w: w["connections"][0].update(type="oci-v1"),
            "workloads.connections[0].type: rhoai 2.15 does not know connection type 'oci-v1'",
        ),
        (
            lambda w: w["workbenchImages"][0].update(releaseLines=["3.x"]),
            "workloads.workbenchImages[0].releaseLines: the image runs on 3.x, but this cluster runs rhoai 2.15",
        ),
        (
            lambda w: w["servingRuntimes"][0].update(releaseLines=["3.x"]),
            "workloads.servingRuntimes[0].releaseLines: the runtime runs on 3.x",
        ),
        (
            lambda w: w["runtimeTemplates"].update(disabled=["vllm-cuda-runtime-template"]),
            "workloads.runtimeTemplates.disabled[0]: rhoai 2.15 ships no serving-runtime template 'vllm-cuda-runtime-template'",
        ),
        (
            lambda w: w["runtimeTemplates"].update(disabled=["vllm-template"]),
            "'vllm-template' is the template's file name; the dashboard names templates by metadata.name: write 'vllm-runtime-template'",
        ),
        (
            lambda w: w["pipelineServers"][0].update(pipelineStore="kubernetes"),
            "workloads.pipelineServers[0].pipelineStore: DataSciencePipelinesApplication spec.apiServer.pipelineStore does not exist in rhoai 2.15",
        ),
        (
            lambda w: w["modelRegistries"][0]["database"].update(
                type="postgres", generate=True, host=None, database=None, username=None, passwordSecret=None
            ),
            "workloads.modelRegistries[0].database.generate: the operator's own database is a PostgreSQL that rhoai 2.15's ModelRegistry does not offer",
        ),
    ],
)
def test_bad_workloads_are_refused_at_the_line(edit, expected):
    data = spec_with_workloads("rhoai", "2.15")
    edit(data["workloads"])
    for item in data["workloads"].get("modelRegistries", []):
        item["database"] = {k: v for k, v in item["database"].items() if v is not None}
    assert expected in refused(data)


def test_a_pipeline_server_or_registry_needs_its_component():
    data = spec_with_workloads("rhoai", "3.4")
    data["components"]["datasciencepipelines"] = {"managementState": "Removed"}
    data["components"]["modelregistry"] = {"managementState": "Removed"}
    text = refused(data)
    assert (
        "workloads.pipelineServers[0]: a pipeline server needs the datasciencepipelines component, which is Removed"
        in text
    )
    assert "workloads.modelRegistries[0]: a model registry needs the modelregistry component, which is Removed" in text


def test_a_registry_on_a_release_without_the_crd_is_refused():
    data = spec_with_workloads("rhoai", "2.14")
    data["distribution"]["version"] = "2.13"
    data["workloads"]["modelRegistries"] = [
        {
            "name": "r",
            "database": {
                "type": "mysql",
                "host": "h",
                "database": "d",
                "username": "u",
                "passwordSecret": {"name": "s", "key": "k"},
            },
        }
    ]
    data["components"]["modelregistry"] = {"managementState": "Managed"}
    text = refused(data)
    assert (
        "workloads.modelRegistries[0]: a model registry needs the modelregistry component, which rhoai 2.13 (distribution.version"
        in text
    )


def test_mirror_copies_workbench_and_runtime_images_and_a_disconnected_cluster_pulls_them_through_its_mirror():
    from generator.build import build_units
    from generator.mirror import imageset as mirror

    data = spec_with_workloads("rhoai", "3.4")
    loaded = load_spec_text(yamlio.dumps(data), "clusters/release.yaml")
    extra = {i["name"] for i in mirror.plan([loaded]).config["mirror"]["additionalImages"]}
    assert {"quay.io/example/pytorch" + DIGEST, "nvcr.io/nvidia/triton" + DIGEST} <= extra
    data["cluster"]["disconnected"] = {"mirrorRegistry": "mirror.example.internal:8443/ocp"}
    # a disconnected cluster's Argo CD reads the site's own git server, not the example's public one
    data.setdefault("argocd", {})["repoURL"] = "https://gitlab.site.example.internal/platform/gitops.git"
    data["workloads"]["workbenchImages"][0]["tags"][0]["image"] = "images.teams.example.com/pytorch" + DIGEST
    data["workloads"]["servingRuntimes"][0]["image"] = "runtimes.teams.example.com/triton" + DIGEST
    units = build_units(load(data))
    sources = {
        m["source"]
        for o in units["egress"]
        if o["kind"] == "ImageDigestMirrorSet"
        for m in o["spec"]["imageDigestMirrors"]
    }
    # digest pulls: their registries are redirected to the mirror
    assert {"images.teams.example.com", "runtimes.teams.example.com"} <= sources


def test_upgrade_lists_the_moves_workloads_need():
    from generator.workloads.moves import moves

    spec = load(spec_with_workloads("rhoai", "2.15"))
    steps = {s["what"] for s in moves(spec, "3.4")}
    assert any(
        "DataSciencePipelinesApplication datasciencepipelinesapplications.opendatahub.io/v1 on rhoai 3.4 (now "
        "datasciencepipelinesapplications.opendatahub.io/v1alpha1); rhoai 3.4 no longer serves v1alpha1" in s
        for s in steps
    )
    assert any(
        "ModelRegistry moves from modelregistry.opendatahub.io/v1alpha1 to modelregistry.opendatahub.io/v1beta1; "
        "rhoai 3.4's webhook moves spec.oauthProxy to spec.kubeRBACProxy" in s
        for s in steps
    )
    assert any(s.startswith("Custom workbench images built for 2.x only (custom-pytorch)") for s in steps)
    assert moves(spec, "2.15") == []


def test_drift_names_the_webhook_rewrite_and_the_bundle_writes_the_rewritten_form():
    from generator.diff.drift import compare

    spec = load(spec_with_workloads("rhoai", "3.4"))
    mr = next(o for o in workload_objects(spec) if o["kind"] == MODEL_REGISTRY)
    assert "kubeRBACProxy" in mr["spec"] and "oauthProxy" not in mr["spec"]
    assert "spec.oauthProxy -> spec.kubeRBACProxy" in mr["metadata"]["annotations"]["rhoai-gitops.io/webhook-rewrite"]
    # a registry written by hand in the 2.x form, as the API server returns it after the webhook
    hand = copy.deepcopy(mr)
    hand["spec"] = {k: v for k, v in hand["spec"].items() if k != "kubeRBACProxy"} | {
        "oauthProxy": {"serviceRoute": "enabled"}
    }
    live = copy.deepcopy(mr)
    live["metadata"].update(uid="0b0c", resourceVersion="9", generation=1, creationTimestamp="2026-12-01T00:00:00Z")
    live["spec"]["kubeRBACProxy"] = {"port": 8443, "routePort": 443, "serviceRoute": "enabled"}
    report = compare("release", [hand], [live], [])
    assert report.drifted
    (warning,) = [w for w in report.warnings if "kubeRBACProxy" in w]
    assert "the live object has spec.kubeRBACProxy where the desired one has spec.oauthProxy" in warning
    assert "model-registry-operator" in warning
    assert compare("release", [mr], [live], []).warnings == []


def test_teams_report_shows_what_each_team_has():
    from generator.workloads import report

    spec = load(spec_with_workloads("rhoai", "2.15"))
    r = report.report(spec)
    (a,) = [t for t in r.teams if t.team == "a"]
    assert a.pipeline_server == "dspa (datasciencepipelinesapplications.opendatahub.io/v1alpha1)"
    assert a.connections == ["artifacts (s3)"] and a.registries == ["shared (modelregistry.opendatahub.io/v1alpha1)"]
    (b,) = [t for t in r.teams if t.team == "b"]
    assert (
        b.pipeline_server == "pipelines (datasciencepipelinesapplications.opendatahub.io/v1alpha1)"
        and b.registries == []
    )
    text = report.render_text([r])
    assert "workbench images: Custom PyTorch (1.0)" in text and "serving runtimes: Triton (triton-template)" in text
