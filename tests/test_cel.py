"""CRD validation rules (x-kubernetes-validations) evaluated as the API server does. The rule
texts are copied from the real CRDs (RHOAI/ODH operator, Kueue); the schemas around them are cut
down to what the rules need and go through the project's CRD conversion (crd_schemas) first."""

from __future__ import annotations

import copy

import pytest

from generator.validate import cel
from generator.validate.cel import CelStats, RuleFinding, check, with_defaults
from generator.validate.schemas import crd_documents, crd_schemas

from conftest import SHARED, needs_shared


def converted(kind: str, spec: dict, root_rules: list | None = None, group: str = "example.io") -> dict:
    """The converted (kubeconform-style) schema of a one-version CRD whose spec is `spec`."""
    root: dict = {"type": "object", "properties": {"spec": spec}}
    if root_rules:
        root["x-kubernetes-validations"] = root_rules
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{kind.lower()}s.{group}"},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": f"{kind.lower()}s"},
            "scope": "Cluster",
            "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": root}}],
        },
    }
    (schema,) = crd_schemas(crd).values()
    return schema


def obj(kind: str, spec: dict, name: str = "x") -> dict:
    return {"apiVersion": "example.io/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}


def node(rules: list, properties: dict | None = None, **extra) -> dict:
    out: dict = {"type": "object", "x-kubernetes-validations": rules, **extra}
    if properties is not None:
        out["properties"] = properties
    return out


# -- DataScienceCluster (RHOAI 2.21): a defaulted field with a rule --------------------------

WORKBENCH_RULE = "self == '' || self == 'rhods-notebooks'"
WORKBENCH_MESSAGE = "WorkbenchNamespace must be empty or 'rhods-notebooks'"


@pytest.fixture(scope="module")
def dsc() -> dict:
    workbenches = {
        "type": "object",
        "properties": {
            "managementState": {"type": "string", "enum": ["Managed", "Removed"]},
            "workbenchNamespace": {
                "type": "string",
                "default": "rhods-notebooks",
                "maxLength": 63,
                "pattern": "^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$",
                "x-kubernetes-validations": [{"rule": WORKBENCH_RULE, "message": WORKBENCH_MESSAGE}],
            },
        },
    }
    spec = {
        "type": "object",
        "properties": {"components": {"type": "object", "properties": {"workbenches": workbenches}}},
    }
    return converted("DataScienceCluster", spec)


def test_dsc_workbench_namespace_refused(dsc):
    o = obj(
        "DataScienceCluster",
        {"components": {"workbenches": {"managementState": "Managed", "workbenchNamespace": "my-notebooks"}}},
    )
    stats = CelStats()
    assert check(dsc, o, stats) == [
        RuleFinding("spec.components.workbenches.workbenchNamespace", WORKBENCH_RULE, WORKBENCH_MESSAGE)
    ]
    assert stats == CelStats(evaluated=1)


def test_dsc_workbench_namespace_defaulted_then_accepted(dsc):
    o = obj("DataScienceCluster", {"components": {"workbenches": {"managementState": "Managed"}}})
    assert with_defaults(dsc, o)["spec"]["components"]["workbenches"]["workbenchNamespace"] == "rhods-notebooks"
    stats = CelStats()
    assert check(dsc, o, stats) == []
    assert stats.evaluated == 1  # the rule ran, on the default
    for ok in ("", "rhods-notebooks"):
        o["spec"]["components"]["workbenches"]["workbenchNamespace"] = ok
        assert check(dsc, o) == []


def test_no_value_no_rule(dsc):
    # workbenches absent: its property is not defaulted (only properties of present objects are)
    stats = CelStats()
    assert check(dsc, obj("DataScienceCluster", {"components": {}}), stats) == []
    assert stats == CelStats()


# -- Auth: list rules and a root rule ------------------------------------------------------------

AUTH_RULES = [
    {"rule": "size(self) > 0", "message": "AdminGroups cannot be empty"},
    {
        "rule": "self.all(group, group != 'system:authenticated' && group != '')",
        "message": "AdminGroups cannot contain 'system:authenticated' or empty strings",
    },
]


@pytest.fixture(scope="module")
def auth() -> dict:
    spec = {
        "type": "object",
        "properties": {
            "adminGroups": {"type": "array", "items": {"type": "string"}, "x-kubernetes-validations": AUTH_RULES},
            "allowedGroups": {
                "type": "array",
                "items": {"type": "string"},
                "x-kubernetes-validations": [
                    {"rule": "self.all(group, group != '')", "message": "AllowedGroups cannot contain empty strings"}
                ],
            },
        },
        "required": ["adminGroups"],
    }
    return converted(
        "Auth", spec, root_rules=[{"rule": "self.metadata.name == 'auth'", "message": "Auth name must be auth"}]
    )


def test_auth_accepted(auth):
    stats = CelStats()
    assert (
        check(
            auth,
            obj("Auth", {"adminGroups": ["rhods-admins"], "allowedGroups": ["system:authenticated"]}, "auth"),
            stats,
        )
        == []
    )
    assert stats.evaluated == 4


def test_auth_refused(auth):
    o = obj("Auth", {"adminGroups": [], "allowedGroups": ["ok", ""]}, "cluster-auth")
    assert check(auth, o) == [
        RuleFinding("", "self.metadata.name == 'auth'", "Auth name must be auth"),
        RuleFinding("spec.adminGroups", "size(self) > 0", "AdminGroups cannot be empty"),
        RuleFinding("spec.allowedGroups", "self.all(group, group != '')", "AllowedGroups cannot contain empty strings"),
    ]
    o["spec"]["adminGroups"] = ["system:authenticated"]
    assert [f.message for f in check(auth, o) if f.path == "spec.adminGroups"] == [
        "AdminGroups cannot contain 'system:authenticated' or empty strings"
    ]


def test_root_metadata_has_only_name_and_generate_name(auth):
    # The API server gives root rules ObjectMeta with name and generateName only.
    schema = converted(
        "Auth",
        {"type": "object"},
        root_rules=[
            {
                "rule": "has(self.metadata.name) && !has(self.metadata.labels) && self.kind == 'Auth' && has(self.apiVersion)"
            }
        ],
    )
    o = obj("Auth", {}, "auth")
    o["metadata"]["labels"] = {"a": "b"}
    assert check(schema, o) == []


# -- DSCInitialization traces storage: defaults apply before rules --------------------------------

TRACES_RULE = "self.backend != 'pv' ? has(self.secret) : true"


@pytest.fixture(scope="module")
def dsci() -> dict:
    storage = node(
        [
            {
                "rule": TRACES_RULE,
                "message": "When backend is s3 or gcs, the 'secret' field must be specified and non-empty",
            }
        ],
        {
            "backend": {"type": "string", "default": "pv", "enum": ["pv", "s3", "gcs"]},
            "secret": {"type": "string"},
            "size": {"type": "string"},
        },
    )
    traces = {"type": "object", "properties": {"storage": storage}}
    spec = {"type": "object", "properties": {"monitoring": {"type": "object", "properties": {"traces": traces}}}}
    return converted("DSCInitialization", spec)


@pytest.mark.parametrize(
    "storage, refused",
    [({}, False), ({"backend": "pv"}, False), ({"backend": "s3"}, True), ({"backend": "s3", "secret": "creds"}, False)],
)
def test_dsci_traces_storage(dsci, storage, refused):
    found = check(dsci, obj("DSCInitialization", {"monitoring": {"traces": {"storage": storage}}}))
    assert [(f.path, f.rule) for f in found] == ([("spec.monitoring.traces.storage", TRACES_RULE)] if refused else [])


# -- Evaluation errors: reading an absent field ------------------------------------------------------

REPLICAS_RULE = "!(self.storage == null && self.resources == null) || !has(self.replicas) || self.replicas == 0"


def test_absent_field_is_an_evaluation_error():
    metrics = node(
        [
            {
                "rule": REPLICAS_RULE,
                "message": "Replicas can only be set to non-zero value when either Storage or Resources is configured",
            }
        ],
        {
            "storage": {"type": "object", "properties": {"size": {"type": "string"}}},
            "resources": {"type": "object", "properties": {"cpu": {"type": "string"}}},
            "replicas": {"type": "integer", "format": "int32"},
        },
    )
    schema = converted("Monitoring", {"type": "object", "properties": {"metrics": metrics}})
    stats = CelStats()
    found = check(schema, obj("Monitoring", {"metrics": {"replicas": 2}}), stats)
    assert found == [RuleFinding("spec.metrics", REPLICAS_RULE, "evaluation error: no such key: storage")]
    assert stats == CelStats(evaluated=1)  # an evaluation error is not "unsupported"
    # Both present: the rule evaluates normally.
    assert (
        check(schema, obj("Monitoring", {"metrics": {"replicas": 2, "storage": {"size": "5Gi"}, "resources": {}}}))
        == []
    )


# -- Transition rules ---------------------------------------------------------------------------------


def test_transition_rules_are_skipped_and_counted():
    schema = converted(
        "DataScienceCluster",
        node(
            [],
            {
                "workbenchNamespace": {
                    "type": "string",
                    "x-kubernetes-validations": [
                        {"rule": "self == oldSelf", "message": "WorkbenchNamespace is immutable"},
                        {"rule": "self.size() > 100", "optionalOldSelf": True},
                        {"rule": "self != 'oldSelf'", "message": "a string is not a reference"},
                    ],
                },
                "mlflow": {
                    "type": "object",
                    "properties": {"oldSelf": {"type": "string"}},
                    "x-kubernetes-validations": [
                        {
                            "rule": "!has(self.oldSelf) || self.oldSelf != 'x'",
                            "message": "a field named oldSelf is not a reference",
                        },
                    ],
                },
            },
        ),
    )
    stats = CelStats()
    assert check(
        schema, obj("DataScienceCluster", {"workbenchNamespace": "oldSelf", "mlflow": {"oldSelf": "x"}}), stats
    ) == [
        RuleFinding(
            "spec.mlflow", "!has(self.oldSelf) || self.oldSelf != 'x'", "a field named oldSelf is not a reference"
        ),
        RuleFinding("spec.workbenchNamespace", "self != 'oldSelf'", "a string is not a reference"),
    ]
    assert stats == CelStats(evaluated=2, transition_skipped=2)


def test_references_old_self():
    assert cel.references_old_self("self == oldSelf")
    assert cel.references_old_self("!has(oldSelf.topologyName) || self.x")
    assert not cel.references_old_self("self.oldSelf == 1")
    assert not cel.references_old_self("self == 'oldSelf' && self != \"oldSelf\" // oldSelf")
    assert cel.references_old_self("r'\\' == oldSelf")  # a raw string ends at its first quote


# -- HardwareProfile, Kueue ClusterQueue -------------------------------------------------------------

HWP_RULE = "self.type == 'Queue' ? (has(self.kueue) && has(self.kueue.localQueueName) && !has(self.node)) : true"


def test_hardware_profile_scheduling():
    scheduling = node(
        [
            {
                "rule": HWP_RULE,
                "message": "When schedulingType is 'Queue', the 'kueue.localQueueName' field must be specified and non-empty, and the 'node' field must not be set",
            }
        ],
        {
            "type": {"type": "string", "enum": ["Queue", "Node"]},
            "kueue": {
                "type": "object",
                "properties": {"localQueueName": {"type": "string"}, "priorityClass": {"type": "string"}},
            },
            "node": {
                "type": "object",
                "properties": {"nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}}},
            },
        },
    )
    schema = converted(
        "HardwareProfile",
        {"type": "object", "properties": {"scheduling": scheduling}},
        group="infrastructure.opendatahub.io",
    )
    ok = obj("HardwareProfile", {"scheduling": {"type": "Queue", "kueue": {"localQueueName": "default"}}})
    assert check(schema, ok) == []
    assert check(schema, obj("HardwareProfile", {"scheduling": {"type": "Node", "node": {"nodeSelector": {}}}})) == []
    for bad in (
        {"type": "Queue"},
        {"type": "Queue", "kueue": {}},
        {"type": "Queue", "kueue": {"localQueueName": "q"}, "node": {}},
    ):
        found = check(schema, obj("HardwareProfile", {"scheduling": bad}))
        assert [(f.path, f.rule) for f in found] == [("spec.scheduling", HWP_RULE)]
        assert found[0].message.startswith("When schedulingType is 'Queue'")


KUEUE_RULE = (
    "!has(self.cohort) && has(self.resourceGroups) ? self.resourceGroups.all(rg, rg.flavors.all(f, "
    "f.resources.all(r, !has(r.borrowingLimit)))) : true"
)


def test_kueue_cluster_queue_borrowing_limit_needs_cohort():
    quantity = {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True}
    resource = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "nominalQuota": quantity, "borrowingLimit": quantity},
    }
    flavor = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "resources": {"type": "array", "items": resource}},
    }
    group = {
        "type": "object",
        "properties": {
            "coveredResources": {"type": "array", "items": {"type": "string"}},
            "flavors": {"type": "array", "items": flavor},
        },
        "x-kubernetes-validations": [
            {
                "rule": "self.flavors.all(x, size(x.resources) == size(self.coveredResources))",
                "message": "flavors must have the same number of resources as the coveredResources",
            }
        ],
    }
    spec = node(
        [{"rule": KUEUE_RULE, "message": "borrowingLimit must be nil when cohort is empty"}],
        {"cohort": {"type": "string"}, "resourceGroups": {"type": "array", "items": group}},
    )
    schema = converted("ClusterQueue", spec, group="kueue.x-k8s.io")
    groups = [
        {
            "coveredResources": ["cpu", "nvidia.com/gpu"],
            "flavors": [
                {
                    "name": "default",
                    "resources": [
                        {"name": "cpu", "nominalQuota": 8},
                        {"name": "nvidia.com/gpu", "nominalQuota": "4", "borrowingLimit": 2},
                    ],
                }
            ],
        }
    ]
    assert check(schema, obj("ClusterQueue", {"resourceGroups": groups})) == [
        RuleFinding("spec", KUEUE_RULE, "borrowingLimit must be nil when cohort is empty")
    ]
    assert check(schema, obj("ClusterQueue", {"cohort": "team", "resourceGroups": groups})) == []
    groups[0]["coveredResources"] = ["cpu"]
    assert [f.path for f in check(schema, obj("ClusterQueue", {"cohort": "team", "resourceGroups": groups}))] == [
        "spec.resourceGroups[0]"
    ]


# -- Kubernetes' format library ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, good, bad",
    [
        (
            "!format.dns1123Label().validate(self).hasValue()",
            ["abc", "a-1", "0"],
            ["ABC_", "a.b", "-a", "a" * 64, "", "abc\n"],
        ),
        (
            "!format.dns1123Subdomain().validate(self).hasValue()",
            ["gpu.nvidia.com", "a"],
            ["Gpu.com", "a..b", "a" * 254],
        ),
        (
            "!format.qualifiedName().validate(self).hasValue()",
            ["nvidia.com/gpu", "cpu", "My_Name.x"],
            ["a/b/c", "/gpu", "nvidia.com/", "-x", "Nvidia.com/gpu"],
        ),
    ],
)
def test_format_library(rule, good, bad):
    schema = converted(
        "DeviceClass",
        {
            "type": "object",
            "properties": {
                "name": {"type": "string", "x-kubernetes-validations": [{"rule": rule, "message": "invalid"}]}
            },
        },
    )
    for value in good:
        assert check(schema, obj("DeviceClass", {"name": value})) == [], value
    for value in bad:
        assert check(schema, obj("DeviceClass", {"name": value})) == [RuleFinding("spec.name", rule, "invalid")], value


def test_format_library_messages_and_lookup():
    rule = {
        "rule": "!format.dns1123Label().validate(self).hasValue()",
        "messageExpression": "format.dns1123Label().validate(self).value().join(', ')",
    }
    schema = {"type": "string", "x-kubernetes-validations": [rule]}
    assert check(schema, "a.b") == [RuleFinding("", rule["rule"], "must not contain dots")]
    assert check(schema, "a_b")[0].message.startswith(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric"
    )
    more = {
        "type": "string",
        "x-kubernetes-validations": [
            {"rule": "format.named('uuid').hasValue() && !format.named('nope').hasValue()"},
            {"rule": "!format.named('uuid').value().validate(self).hasValue()", "message": "not a uuid"},
            {"rule": "format.named('nope').orValue(format.labelValue()) == format.labelValue()"},
        ],
    }
    assert check(more, "123e4567-e89b-12d3-a456-426614174000") == []
    assert [f.message for f in check(more, "nope")] == ["not a uuid"]
    assert cel.FORMATS["dns1123SubdomainPrefix"]("mysubdomain.prefix.-") == []
    assert cel.FORMATS["datetime"]("2020-01-32T00:00:00Z") == ["invalid datetime"]
    assert cel.FORMATS["byte"]("aGVsbG8") == ["invalid base64"]


# -- messageExpression, fieldPath, arrays, maps ------------------------------------------------------


def test_message_expression_and_field_path():
    schema = converted(
        "Thing",
        node(
            [
                {
                    "rule": "self.replicas <= self.max",
                    "messageExpression": "'replicas ' + string(self.replicas) + ' above ' + string(self.max)",
                    "fieldPath": ".replicas",
                },
                {
                    "rule": "self.replicas != 3",
                    "messageExpression": "self.replicas",
                    "message": "  not three  ",
                },  # not a string: message
                {"rule": "self.replicas != 3", "messageExpression": "'  '"},  # empty: the default message
                {
                    "rule": "self.replicas < 3",
                    "messageExpression": "self.nope",
                    "fieldPath": "['labels']['a.b']",
                },  # error: default
            ],
            {
                "replicas": {"type": "integer"},
                "max": {"type": "integer"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        ),
    )
    assert check(schema, obj("Thing", {"replicas": 3, "max": 2})) == [
        RuleFinding("spec", "self.replicas != 3", "failed rule: self.replicas != 3"),
        RuleFinding("spec", "self.replicas != 3", "not three"),
        RuleFinding("spec.labels.a.b", "self.replicas < 3", "failed rule: self.replicas < 3"),
        RuleFinding("spec.replicas", "self.replicas <= self.max", "replicas 3 above 2"),
    ]


def test_rules_in_array_items_and_map_values():
    item = node(
        [{"rule": "self.name.startsWith('gpu-')", "message": "names start with gpu-"}], {"name": {"type": "string"}}
    )
    value = {
        "type": "string",
        "x-kubernetes-validations": [
            {"rule": "self != ''", "message": "exporter configuration values must be non-empty strings"}
        ],
    }
    exporters = {
        "type": "object",
        "additionalProperties": value,
        "x-kubernetes-validations": [
            {"rule": "!('prometheus' in self)", "message": "exporter name 'prometheus' is reserved and cannot be used"},
            {"rule": "size(self) <= 10", "message": "maximum 10 exporters allowed"},
        ],
    }
    schema = converted(
        "Pool", {"type": "object", "properties": {"items": {"type": "array", "items": item}, "exporters": exporters}}
    )
    o = obj(
        "Pool",
        {
            "items": [{"name": "gpu-a"}, {"name": "gpu-b"}, {"name": "cpu"}],
            "exporters": {"otlp": "x", "debug": "", "prometheus": "y"},
        },
    )
    stats = CelStats()
    assert check(schema, o, stats) == [
        RuleFinding(
            "spec.exporters", "!('prometheus' in self)", "exporter name 'prometheus' is reserved and cannot be used"
        ),
        RuleFinding("spec.exporters.debug", "self != ''", "exporter configuration values must be non-empty strings"),
        RuleFinding("spec.items[2]", "self.name.startsWith('gpu-')", "names start with gpu-"),
    ]
    assert stats.evaluated == 3 + 2 + 3


def test_null_values_are_not_validated():
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "nullable": True, "x-kubernetes-validations": [{"rule": "self != ''"}]}},
    }
    stats = CelStats()
    assert check(schema, {"a": None}, stats) == [] and stats.evaluated == 0


# -- CEL values: numbers, escaped names, raw openAPIV3Schema -------------------------------------------


def test_numbers_and_escaped_property_names():
    schema = converted(
        "Thing",
        node(
            [
                {"rule": "type(self.ratio) == double && type(self.count) == int"},
                {"rule": "self.foo__dash__bar == 'x' && self.__namespace__ == 'ns' && self.a__dot__b == 1"},
                {"rule": "self.extra.all(k, type(self.extra[k]) == int)"},
            ],
            {
                "ratio": {"type": "number"},
                "count": {"type": "integer"},
                "foo-bar": {"type": "string"},
                "namespace": {"type": "string"},
                "a.b": {"type": "integer"},
                "extra": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        ),
    )
    o = obj("Thing", {"ratio": 1, "count": 2, "foo-bar": "x", "namespace": "ns", "a.b": 1, "extra": {"some-key": 1}})
    assert check(schema, o) == []


def test_byte_strings_are_bytes_and_timestamps_unsupported():
    # format: byte reaches CEL as bytes, as on the API server. date-time would be a timestamp
    # there, which cel-expr-python cannot take from Python: such a rule is unsupported, not failed.
    schema = {
        "type": "object",
        "properties": {"at": {"type": "string", "format": "date-time"}, "data": {"type": "string", "format": "byte"}},
        "x-kubernetes-validations": [
            {"rule": "self.at < timestamp('2030-01-01T00:00:00Z')"},
            {"rule": "self.data == b'hello'"},
        ],
    }
    stats = CelStats()
    assert check(schema, {"at": "2020-01-01T00:00:00Z", "data": "aGVsbG8="}, stats) == []
    assert stats == CelStats(evaluated=1, unsupported=1)


def test_raw_open_api_v3_schema():
    raw = {
        "type": "object",
        "x-kubernetes-validations": [{"rule": "self.spec.port == 80 || self.spec.port == 'http'", "message": "port"}],
        "properties": {
            "spec": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "properties": {
                    "port": {"x-kubernetes-int-or-string": True},
                    "replicas": {"type": "integer", "default": 1, "x-kubernetes-validations": [{"rule": "self >= 1"}]},
                },
            }
        },
    }
    assert check(raw, {"metadata": {"name": "a"}, "spec": {"port": 80}}) == []
    assert check(raw, {"metadata": {"name": "a"}, "spec": {"port": "http", "other": {"x": 1}}}) == []
    assert check(raw, {"metadata": {"name": "a"}, "spec": {"port": 81, "replicas": 0}}) == [
        RuleFinding("", raw["x-kubernetes-validations"][0]["rule"], "port"),
        RuleFinding("spec.replicas", "self >= 1", "failed rule: self >= 1"),
    ]


def test_kubernetes_library_functions():
    schema = {
        "type": "object",
        "x-kubernetes-validations": [
            {"rule": r}
            for r in [
                "self.n.isSorted() && !self.s.isSorted()",
                "self.n.sum() == 6 && self.n.min() == 1 && self.n.max() == 3 && self.s.min() == 'a'",
                "[].sum() == 0 && [0.5, 1.5].sum() == 2.0",
                "'ab12cd34'.find('[0-9]+') == '12' && 'ab12cd34'.findAll('[0-9]+') == ['12', '34'] && 'x'.find('[0-9]') == ''",
                "sets.contains(self.n, [1, 2]) && sets.equivalent([1, 2], [2, 1, 1]) && !sets.intersects(self.n, [true])",
                "isURL('https://example.com/x') && !isURL('example.com')",
                "self.s.join('-').upperAscii().split('-') == ['C', 'A'] && 'a b'.replace(' ', '') == 'ab'",  # strings extension
                "cel.bind(x, self.n, size(x) == 3) && math.greatest(self.n) == 3 && base64.encode(b'a') == 'YQ=='",
                "self.?missing.orValue(1) == 1 && optional.of(1).hasValue()",  # optional values
                "self.n[0] < 1.5",  # int compared with double
            ]
        ],
    }
    stats = CelStats()
    assert check(schema, {"n": [1, 2, 3], "s": ["c", "a"]}, stats) == []
    assert stats == CelStats(evaluated=10)
    assert check({"x-kubernetes-validations": [{"rule": "self.min() == 0"}]}, []) == [
        RuleFinding("", "self.min() == 0", "evaluation error: min called on empty list")
    ]


def test_unsupported_rule_is_counted_never_reported():
    schema = {
        "type": "string",
        "x-kubernetes-validations": [
            {"rule": "url(self).getScheme() == 'https'"},
            {"rule": "quantity(self).isInteger()"},
            {"rule": "self != ''"},
        ],
    }
    stats = CelStats()
    assert check(schema, "", stats) == [RuleFinding("", "self != ''", "failed rule: self != ''")]
    assert stats == CelStats(evaluated=1, unsupported=2)
    assert [r for r, _ in cel.unsupported_rules(schema)] == [
        "quantity(self).isInteger()",
        "url(self).getScheme() == 'https'",
    ]
    assert "undeclared reference to 'url'" in cel.compile_error("url(self).getScheme() == 'https'")


def test_stats_add():
    total = CelStats(1, 2, 3)
    total.add(CelStats(10, 20, 30))
    assert total == CelStats(11, 22, 33)


def test_compiled_once():
    assert cel._compile("self == 'cached'") is cel._compile("self == 'cached'")


# -- Defaulting -------------------------------------------------------------------------------------------


def test_with_defaults_does_not_mutate_and_nests():
    schema = {
        "type": "object",
        "properties": {
            "monitoring": {
                "type": "object",
                "default": {},
                "properties": {
                    "namespace": {"type": "string", "default": "redhat-ods-monitoring"},
                    "metrics": {
                        "type": "object",
                        "default": {"replicas": 2},
                        "properties": {
                            "replicas": {"type": "integer"},
                            "storage": {"type": "object", "default": {"size": "5Gi"}, "properties": {}},
                        },
                    },
                },
            },
            "pools": {
                "type": "array",
                "items": {"type": "object", "default": {}, "properties": {"count": {"type": "integer", "default": 1}}},
            },
            "labels": {
                "type": "object",
                "additionalProperties": {"type": "object", "properties": {"v": {"type": "string", "default": "x"}}},
            },
            "gone": {"type": "string"},
            "kept": {"type": "string", "nullable": True},
            "defaulted": {"type": "string", "default": "d"},
        },
    }
    before = {"pools": [{}, {"count": 3}, None], "labels": {"a": {}}, "gone": None, "kept": None, "defaulted": None}
    original = copy.deepcopy(before)
    frozen_schema = copy.deepcopy(schema)
    after = with_defaults(schema, before)
    assert before == original and schema == frozen_schema
    assert after == {
        "pools": [{"count": 1}, {"count": 3}, {"count": 1}],
        "labels": {"a": {"v": "x"}},
        "kept": None,  # nullable: stays null; a non-nullable null is dropped, or defaulted
        "defaulted": "d",
        "monitoring": {"namespace": "redhat-ods-monitoring", "metrics": {"replicas": 2, "storage": {"size": "5Gi"}}},
    }
    after["monitoring"]["metrics"]["replicas"] = 5
    assert schema == frozen_schema  # defaults are copied, not shared


# -- The real CRDs ---------------------------------------------------------------------------------------------


@pytest.mark.upstream
def test_every_rule_of_the_real_crds_compiles():
    needs_shared()
    sources = [p for p in (SHARED / "crds", SHARED / "upstream") if p.is_dir()]
    rules: set[str] = set()
    transition: set[str] = set()
    unsupported: dict[str, str] = {}

    def collect(n):
        if isinstance(n, dict):
            for r in n.get("x-kubernetes-validations") or []:
                (transition if cel.references_old_self(r["rule"]) else rules).add(r["rule"])
            for v in n.values():
                collect(v)
        elif isinstance(n, list):
            for v in n:
                collect(v)

    for crd in crd_documents(sources):
        for schema in crd_schemas(crd).values():
            collect(schema)
            unsupported.update(cel.unsupported_rules(schema))
    assert unsupported == {}
    assert len(rules) >= 90 and len(transition) >= 10  # 115 distinct rules when this was written
    assert all(cel.compile_error(r) is None for r in rules)
