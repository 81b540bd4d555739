"""The exported JSON Schema (schemas/platform-spec.schema.json) against the spec model (issue 20).

The claim is about types: what the model accepts at the type level (types, coercions such as
quantities written as numbers, patterns, enums, required and unknown keys) the schema accepts,
and what the model refuses there the schema refuses, checked with a real validator (jsonschema,
Draft 2020-12, with ECMA-262 patterns through regress, as editors evaluate them). Cross-field
rules (generator/spec/rules.py: a pool's quota needs the pool, a channel must ship the release
in the cluster's catalog...) are not expressible in the schema and stay with `rhoai-gitops lint`;
so the valid corpus is of specs the CLI loads without any error, while the invalid corpus is of
specs the model itself refuses. The exception the release data adds: distribution.version and
.channel are enums of what the release data supports, which the CLI checks in its rules.

Last, yaml-language-server itself (node_modules) is driven as an editor drives it: the examples
show no problem, completions and hovers come from the model and the release data.

Differences JSON cannot express: a float with no fraction (`replicas: 2.0`) is refused where
the model wants an integer, but JSON Schema's `integer` is a value, not a spelling, so the schema
takes it; and YAML's .inf and .nan, which no JSON document holds. The invalid corpus leaves both
out.
"""

from __future__ import annotations

import json
import math
import re
import types
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
import regress
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, validators
from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, ValidationError

from generator.core.errors import SpecErrors
from generator.facts import catalogs, releases
from generator.spec import loader
from generator.spec.model import QUANTITY, PlatformSpec
from generator.spec.schema import SCHEMA_PATH, choices, schema_text

from conftest import EXAMPLES, PROJECT

SCHEMA = json.loads(schema_text())


# --------------------------------------------------------------------------- the validator


@cache
def _ecma(pattern: str) -> regress.Regex:
    return regress.Regex(pattern)


def _pattern(validator, pattern, instance, schema):
    # JSON Schema patterns are ECMA-262 (what editors run): `$` is the end of the text, where
    # Python's re (jsonschema's default) also matches before a final newline.
    if validator.is_type(instance, "string") and _ecma(pattern).find(instance) is None:
        from jsonschema.exceptions import ValidationError as SchemaError

        yield SchemaError(f"{instance!r} does not match {pattern!r}")


Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})
Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = Validator(SCHEMA)


def schema_errors(data: Any) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(data)]


# --------------------------------------------------------------------------- the examples


def composed(name: str) -> dict:
    """An example spec as the loader sees it: merged over clusters/_defaults.yaml."""
    defaults = loader.read_defaults(PROJECT)
    path = PROJECT / "clusters" / f"{name}.yaml"
    data, positions, errors = loader.read_yaml(path.read_text(encoding="utf-8"), str(path))
    assert not errors
    if defaults is None:
        return data
    return loader.deep_merge(defaults[0], data, defaults[1], positions, loader.Positions())


EXAMPLE_DATA = {name: composed(name) for name in EXAMPLES}


def test_committed_schema_is_the_export():
    assert json.loads((PROJECT / SCHEMA_PATH).read_text(encoding="utf-8")) == SCHEMA


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_are_valid(name):
    loader.load_specs(PROJECT, [name])  # the CLI loads it
    assert schema_errors(EXAMPLE_DATA[name]) == []
    # ...and the file alone, as an editor checks it (the defaults only add argocd.repoURL).
    raw, _, _ = loader.read_yaml((PROJECT / "clusters" / f"{name}.yaml").read_text(encoding="utf-8"), name)
    assert schema_errors(raw) == []


def test_the_starter_is_valid(tmp_path):
    from generator.cli import main

    assert main(["--repo", str(tmp_path), "init", "team-dev", "--repo-url", "https://github.com/acme/gitops.git"]) == 0
    raw, _, errors = loader.read_yaml((tmp_path / "clusters" / "team-dev.yaml").read_text(encoding="utf-8"), "team-dev")
    assert not errors and schema_errors(raw) == []


def test_quantities_as_numbers_were_the_reported_mismatch():
    # The issue's examples: `nominal: 64` and `cpu: 2` load, and the schema takes them.
    data = json.loads(json.dumps(EXAMPLE_DATA["prod-aws"]))
    data["quotas"]["teams"][0]["quotas"][0]["resources"]["cpu"]["nominal"] = 64
    data["notebookSizes"] = [
        {"name": "S", "requests": {"cpu": 2, "memory": "8Gi"}, "limits": {"cpu": 2.5, "memory": "8Gi"}}
    ]
    loads(data)
    assert schema_errors(data) == []
    data["notebookSizes"][0]["requests"]["cpu"] = True
    assert schema_errors(data)
    assert refused_by_model(data)
    # A fraction whose text has a three-digit exponent (6.1e-222) is no quantity in either; the
    # two-digit extremes are, and so is a whole number however written (1e100).
    for value, ok in ((6.1e-222, False), (1.5e-100, False), (-1, False), (1e-99, True), (9.9e99, True), (1e100, True)):
        data["notebookSizes"][0]["requests"]["cpu"] = value
        assert (schema_errors(data) == []) is ok and refused_by_model(data) is not ok, value


@pytest.mark.parametrize(
    "path, value",
    [
        (("metadata", "name"), "prod-aws\n"),
        (("components", "workbenches", "pvcSize"), "10Gi\n"),
        (("monitoring", "retention"), "15d\n"),
    ],
)
def test_a_final_newline_is_refused_by_both(path, value):
    # Python's `$` matches before a final newline; the model (Rust regex, fullmatch) and
    # ECMA-262, which editors and this test's validator use, do not.
    data = json.loads(json.dumps(EXAMPLE_DATA["prod-aws"]))
    _set(data, path, value)
    assert refused_by_model(data)
    assert schema_errors(data)


def test_unquoted_version_is_an_error_in_both():
    data = json.loads(json.dumps(EXAMPLE_DATA["prod-aws"]))
    data["distribution"]["version"] = 2.2  # `version: 2.20` unquoted
    assert refused_by_model(data)
    assert schema_errors(data)


# --------------------------------------------------------------------------- the model, walked


def _strip_annotated(tp: Any) -> tuple[Any, list]:
    meta: list = []
    while get_origin(tp) is Annotated:
        tp, *extra = get_args(tp)
        meta = [*extra, *meta]
    return tp, meta


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _field_type(info) -> Any:
    return Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation


def _models_in(tp: Any) -> list[type[BaseModel]]:
    tp, _ = _strip_annotated(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return [m for a in get_args(tp) for m in _models_in(a)]


def slots(model: type[BaseModel], data: Any, path: tuple = ()) -> list[tuple[tuple, Any, type[BaseModel]]]:
    """Every field of the model under `data`, present or not, with its type: (path, type, owner);
    written nested models are entered (lists and maps of models item by item)."""
    found = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        tp = _field_type(info)
        found.append((path + (key,), tp, model))
        value = data.get(key) if isinstance(data, dict) else None
        inner, _ = _strip_annotated(info.annotation)
        for sub in _models_in(tp):
            if isinstance(value, dict) and get_origin(inner) is not dict:
                found += slots(sub, value, path + (key,))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    found += slots(sub, item, path + (key, i))
            elif isinstance(value, dict):
                for k, item in value.items():
                    found += slots(sub, item, path + (key, k))
    return found


def _constraint(meta: list, name: str) -> Any:
    for m in meta:
        value = getattr(m, name, None)
        if value is not None:
            return value
        for sub in getattr(m, "metadata", []) or []:
            value = getattr(sub, name, None)
            if value is not None:
                return value
    return None


def _is_quantity(meta: list) -> bool:
    return any(isinstance(m, BeforeValidator) for m in meta)


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
SIMPLE_TEXT = st.from_regex(r"[a-z][a-z0-9.-]{0,10}", fullmatch=True)


def valid(tp: Any) -> st.SearchStrategy:
    """Values of `tp` as the model declares it (the model's own types, bounds and patterns)."""
    tp, meta = _strip_annotated(tp)
    if _is_union(tp):
        return st.one_of([valid(Annotated[(a, *meta)] if meta else a) for a in get_args(tp)])
    if tp is type(None):
        return st.none()
    if get_origin(tp) is Literal:
        return st.sampled_from(get_args(tp))
    if tp is bool:
        return st.booleans()
    if tp is int:
        lo = _constraint(meta, "ge")
        hi = _constraint(meta, "le")
        return st.integers(min_value=lo if lo is not None else -(10**6), max_value=hi if hi is not None else 10**6)
    if tp is float:
        return st.floats(
            min_value=_constraint(meta, "ge") if _constraint(meta, "ge") is not None else _constraint(meta, "gt"),
            max_value=_constraint(meta, "le") if _constraint(meta, "le") is not None else _constraint(meta, "lt"),
            exclude_min=_constraint(meta, "gt") is not None,
            exclude_max=_constraint(meta, "lt") is not None,
            allow_nan=False,
            allow_infinity=False,
        )
    if tp is str:
        if _is_quantity(meta):
            return st.one_of(
                st.integers(-(10**9), 10**9),
                st.floats(allow_nan=False, allow_infinity=False),
                # Exponents of 4+ digits left out: quantity.parse computes 10**exponent exactly,
                # so `lendingLimit: 1e999999999` hangs the CLI (a bug of its own, reported).
                st.from_regex(QUANTITY, fullmatch=True).filter(lambda s: not re.search(r"[eE][-+]?[0-9]{4,}", s)),
            )
        pattern = _constraint(meta, "pattern")
        max_len = _constraint(meta, "max_length")
        min_len = _constraint(meta, "min_length") or 0
        if pattern:
            strings = st.from_regex(pattern, fullmatch=True).filter(lambda s: "\n" not in s)
        else:
            strings = TEXT.filter(lambda s: len(s) >= min_len)
        return strings.filter(lambda s: max_len is None or len(s) <= max_len)
    if get_origin(tp) is list:
        (item,) = get_args(tp)
        return st.lists(valid(item), min_size=_constraint(meta, "min_length") or 0, max_size=3)
    if get_origin(tp) is dict:
        _, value = get_args(tp)
        return st.dictionaries(SIMPLE_TEXT, valid(value), max_size=3)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        required, optional = {}, {}
        for name, info in tp.model_fields.items():
            (required if info.is_required() else optional)[info.alias or name] = valid(_field_type(info))
        return st.fixed_dictionaries(required, optional=optional)
    raise AssertionError(f"no strategy for {tp!r}: extend valid() with the model's new type")


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    st.sampled_from(["", "Abc", "a_b", "-a", "a" * 64, "4Gi\n", "abc\n", "2.20", "1.2.3.4", "True", "16Gb", "0x1F"]),
    st.lists(st.one_of(st.integers(), TEXT, st.booleans()), max_size=2),
    st.dictionaries(SIMPLE_TEXT, st.one_of(st.integers(), TEXT, st.none()), max_size=2),
)


@cache
def _adapter(tp: Any) -> TypeAdapter:
    """The model's own validation of one field (strict, as the model's config makes it; a model
    type brings its own config)."""
    bare, _ = _strip_annotated(tp)
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        return TypeAdapter(tp)
    return TypeAdapter(tp, config=ConfigDict(strict=True))


def accepts(tp: Any, value: Any) -> bool:
    try:
        _adapter(tp).validate_python(value)
        return True
    except ValidationError:
        return False


def _integral_float_for_int(tp: Any, value: Any) -> bool:
    return isinstance(value, float) and math.isfinite(value) and value.is_integer() and accepts(tp, int(value))


# --------------------------------------------------------------------------- load / refuse


def loads(data: dict) -> bool:
    """The CLI loads the spec: the YAML reader (JSON is YAML), the model, every rule."""
    name = data.get("metadata", {}).get("name", "x") if isinstance(data.get("metadata"), dict) else "x"
    try:
        loader.load_spec_text(json.dumps(data, ensure_ascii=False), f"clusters/{name}.yaml")
        return True
    except SpecErrors:
        return False


def refused_by_model(data: dict) -> bool:
    try:
        PlatformSpec.model_validate(data)
        return False
    except ValidationError:
        return True


def _set(data: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _present(data: Any, path: tuple) -> bool:
    try:
        _get(data, path)
        return True
    except (KeyError, IndexError, TypeError):
        return False


# --------------------------------------------------------------------------- the corpora

COUNTS = {"valid": 0, "invalid": 0}


@st.composite
def valid_specs(draw) -> dict:
    """An example with 1-4 of its fields (written or not, nested ones included) given values of
    the model's own types; kept when the CLI loads it."""
    data = json.loads(json.dumps(EXAMPLE_DATA[draw(st.sampled_from(EXAMPLES))]))
    for _ in range(draw(st.integers(1, 4))):
        candidates = [(p, tp) for p, tp, _ in slots(PlatformSpec, data) if _present(data, p[:-1])]
        path, tp = draw(st.sampled_from(candidates))
        if path == ("distribution", "version"):
            dist = data["distribution"].get("name", "rhoai")
            found = choices(dist)
            value = draw(st.sampled_from(found["releases"] + found["patches"]))
        else:
            value = draw(valid(tp))
        _set(data, path, value)
    return data


@st.composite
def invalid_specs(draw) -> tuple[dict, str]:
    """An example with one field given a value its type refuses, an unknown key in one of its
    maps, or a required field taken out."""
    data = json.loads(json.dumps(EXAMPLE_DATA[draw(st.sampled_from(EXAMPLES))]))
    candidates = [(p, tp, owner) for p, tp, owner in slots(PlatformSpec, data) if _present(data, p[:-1])]
    path, tp, owner = draw(st.sampled_from(candidates))
    how = draw(st.sampled_from(["value", "value", "value", "unknown key", "missing"]))
    if how == "unknown key":
        key = draw(SIMPLE_TEXT.filter(lambda k: k not in {i.alias or n for n, i in owner.model_fields.items()}))
        _set(data, path[:-1] + (key,), draw(JUNK))
        return data, f"unknown key {path[:-1] + (key,)}"
    required = [i.alias or n for n, i in owner.model_fields.items() if i.is_required()]
    if how == "missing" and required:
        gone = draw(st.sampled_from(required))
        parent = _get(data, path[:-1]) if path[:-1] else data
        parent.pop(gone, None)
        return data, f"missing {path[:-1] + (gone,)}"
    value = draw(JUNK.filter(lambda v: not accepts(tp, v) and not _integral_float_for_int(tp, v)))
    _set(data, path, value)
    return data, f"{path} = {value!r}"


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(valid_specs())
def _cli_loads_only_what_the_schema_takes(data):
    if not loads(data):
        return  # a cross-field rule refused it: nothing the schema claims
    COUNTS["valid"] += 1
    assert schema_errors(data) == []


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(invalid_specs())
def _schema_refuses_what_the_model_refuses(case):
    data, what = case
    assert refused_by_model(data), f"the model took {what}"
    COUNTS["invalid"] += 1
    assert schema_errors(data), f"the schema took {what}"


@pytest.mark.parametrize(
    ("schedule", "taken"),
    [
        ("*/5 * * * *", True),
        ("0 6 * * 1-5", True),
        # Whitespace the CLI's regex engine and the schema's (ECMA-262) disagree on: U+0085 is
        # whitespace to one and not the other (found by the property below), so a cron schedule
        # is printable ASCII fields between spaces, in both.
        ("0\x850\x850\x850\x850", False),
        ("0\u20030 * * *", False),
        ("0\t0 * * * *", False),
    ],
)
def test_cron_schedule_is_judged_alike_by_cli_and_schema(schedule, taken):
    data = json.loads(json.dumps(EXAMPLE_DATA["odh-sandbox"]))
    data["distribution"]["approver"] = {"enabled": False, "schedule": schedule}
    assert loads(data) is taken
    assert (schema_errors(data) == []) is taken


# Each property counts the generated specs it judged, and its test checks that most counted: else
# the corpus is mostly specs the rules refused (or the model took) and proves little.
def test_every_spec_the_cli_loads_is_valid_in_the_schema():
    COUNTS["valid"] = 0
    _cli_loads_only_what_the_schema_takes()
    assert COUNTS["valid"] >= 100, COUNTS


def test_every_spec_the_model_refuses_is_invalid_in_the_schema():
    COUNTS["invalid"] = 0
    _schema_refuses_what_the_model_refuses()
    assert COUNTS["invalid"] >= 200, COUNTS


# --------------------------------------------------------------------------- release data


def _distribution_schema(dist: str, field: str) -> list[str]:
    for case in SCHEMA["$defs"]["Distribution"]["allOf"]:
        if case["if"]["properties"]["name"]["const"] == dist:
            return [v for branch in case["then"]["properties"][field]["anyOf"] for v in branch.get("enum", [])]
    raise AssertionError(dist)


@pytest.mark.parametrize("dist", ["rhoai", "odh"])
def test_versions_and_channels_are_the_release_data(dist):
    offered = {
        b.version
        for k in catalogs.catalog_keys(dist)
        for c in catalogs.catalog(dist, k).channels()
        for b in catalogs.catalog(dist, k).bundles(c)
    }
    supported = releases.supported(dist)
    patches = sorted(
        (v for v in offered if re.fullmatch(r"\d+\.\d+\.\d+", v) and v.rsplit(".", 1)[0] in supported),
        key=lambda v: tuple(map(int, v.split("."))),
    )
    assert _distribution_schema(dist, "version") == supported + patches
    channels = sorted(
        {
            c
            for k in catalogs.catalog_keys(dist)
            for c in catalogs.catalog(dist, k).channels()
            if set(catalogs.catalog(dist, k).releases(c)) & set(supported)
        }
    )
    assert _distribution_schema(dist, "channel") == channels
    # The properties keep the model's type: a number is a type error whatever the distribution.
    props = SCHEMA["$defs"]["Distribution"]["properties"]
    assert {b.get("type") for b in props["version"]["anyOf"]} == {"string", "null"}


def _spec(dist: str, version: str | None = None, channel: str | None = None, openshift: str = "4.16") -> dict:
    data = json.loads(json.dumps(EXAMPLE_DATA["prod-aws"]))
    data.pop("quotas", None)
    data.pop("workloads", None)  # team environments name the example's teams and its release's templates
    data["gpuNodePools"] = []
    data["components"] = {}
    data["distribution"] = {
        "name": dist,
        **({"version": version} if version else {}),
        **({"channel": channel} if channel else {}),
    }
    data["cluster"]["openshiftVersion"] = openshift
    return data


def _catalog_with(dist: str, release: str, channel: str | None = None) -> tuple[str, str]:
    """An OpenShift version whose catalog ships `release` (in `channel`), and such a channel."""
    for key in catalogs.catalog_keys(dist):
        cat = catalogs.catalog(dist, key)
        for c in [channel] if channel else cat.channels_with(release):
            if cat.bundles(c, release):
                return ("4.16" if key == "*" else key), c
    raise AssertionError(f"{dist} {release} in no catalog")


@pytest.mark.parametrize("dist", ["rhoai", "odh"])
def test_the_cli_takes_what_the_enums_list(dist):
    """Every release and channel the schema lists is one a spec can name (some spec with it
    loads), and every patch release is a bundle the CLI pins."""
    found = choices(dist)
    for version in found["releases"]:
        openshift, channel = _catalog_with(dist, version)
        data = _spec(dist, version, channel, openshift)
        assert schema_errors(data) == [], version
        assert _loads_or_why(data) is None, (version, _loads_or_why(data))
    for channel in found["channels"]:
        release = next(
            v
            for v in found["releases"]
            if any(catalogs.catalog(dist, k).bundles(channel, v) for k in catalogs.catalog_keys(dist))
        )
        openshift, _ = _catalog_with(dist, release, channel)
        assert _loads_or_why(_spec(dist, release, channel, openshift)) is None, (channel, release)
    for patch in found["patches"][-3:]:
        release = patch.rsplit(".", 1)[0]
        for key in catalogs.catalog_keys(dist):
            cat = catalogs.catalog(dist, key)
            channel = next(
                (c for c in cat.channels() if any(b.version == patch for b in cat.bundles(c, release))), None
            )
            if channel:
                assert _loads_or_why(_spec(dist, patch, channel, "4.16" if key == "*" else key)) is None, patch
                break


def _loads_or_why(data: dict) -> str | None:
    try:
        loader.load_spec_text(json.dumps(data, ensure_ascii=False), f"clusters/{data['metadata']['name']}.yaml")
        return None
    except SpecErrors as exc:
        return "; ".join(str(e) for e in exc.errors)


def test_names_outside_the_release_data_are_refused_by_both():
    unsupported = _spec("rhoai", "2.8")  # in the data's catalogs, not a supported release
    assert schema_errors(unsupported) and _loads_or_why(unsupported)
    odh_channel_on_rhoai = _spec("rhoai", "2.22", "fast-3")
    assert schema_errors(odh_channel_on_rhoai) and _loads_or_why(odh_channel_on_rhoai)
    rhoai_release_on_odh = _spec("odh", "3.5.0-ea.2")
    assert schema_errors(rhoai_release_on_odh) and _loads_or_why(rhoai_release_on_odh)
    no_name = _spec("rhoai", "2.35")  # an ODH release; without a name the spec is RHOAI's
    no_name["distribution"].pop("name")
    assert schema_errors(no_name) and _loads_or_why(no_name)


# --------------------------------------------------------------------------- descriptions, titles


def properties(schema: dict = SCHEMA) -> list[tuple[str, str, dict]]:
    """(model, property, its schema) of every property, the root's and every $defs model's."""
    found = [("PlatformSpec", k, v) for k, v in schema["properties"].items()]
    for model, node in schema["$defs"].items():
        found += [(model, k, v) for k, v in node.get("properties", {}).items()]
    return found


def test_every_property_is_described():
    missing = [f"{m}.{k}" for m, k, v in properties() if not (v.get("description") or "").strip()]
    assert missing == [], f"{len(missing)} properties without a description"


def _squashed(word: str, vocabulary: set[str]) -> bool:
    """`word` is two or more vocabulary words run together (gpunodepools)."""
    word = word.lower()

    @cache
    def split(at: int, parts: int) -> bool:
        if at == len(word):
            return parts >= 2
        return any(word[at:end] in vocabulary and split(end, parts + 1) for end in range(at + 3, len(word) + 1))

    return split(0, 0)


def test_every_property_has_a_readable_title():
    titles = [(f"{m}.{k}", k, v.get("title", "")) for m, k, v in properties()]
    assert [p for p, _, t in titles if not t.strip()] == []
    # pydantic's own title of a camelCase key is its str.title(): "Gpunodepools".
    machine = [(p, t) for p, k, t in titles if t == k.title() and k != k.lower()]
    assert machine == []
    vocabulary = {w.lower() for _, _, t in titles for w in re.findall(r"[A-Za-z]+", t) if len(w) >= 3}
    # A word spelled with inner capitals (ModelMesh, CodeFlare) is a product's name, written so.
    # English words that happen to be two others run together are not squashed names.
    english = {"database", "username"}
    squashed = [
        (p, t)
        for p, _, t in titles
        if any(
            w[1:].islower() and w.lower() not in english and _squashed(w, vocabulary - {w.lower()})
            for w in re.findall(r"[A-Za-z]+", t)
        )
    ]
    assert squashed == []
    # Acronyms as written in prose.
    for word in ("Cpu", "Gpu", "Url", "Csv", "Api", "Tls", "Mig", "Kserve", "Nvidia", "Gib", "Openshift"):
        assert not [p for p, _, t in titles if re.search(rf"\b{word}\b", t)], word


def test_title_generator_on_the_issue_examples():
    props = SCHEMA["properties"]
    assert props["gpuNodePools"]["title"] == "GPU node pools"
    assert SCHEMA["$defs"]["ArgoCD"]["properties"]["repoURL"]["title"] == "Repository URL"
    assert props["trustedCABundle"]["title"] == "Trusted CA bundle"
    assert SCHEMA["$defs"]["Components"]["properties"]["datasciencepipelines"]["title"] == "Data science pipelines"


# --------------------------------------------------------------------------- in the editor

EDITOR = PROJECT / "node_modules" / "yaml-language-server"
MODELINE = "# yaml-language-server: $schema=../schemas/platform-spec.schema.json\n"


def _line_of(text: str, start: str, after: str = "") -> int:
    """0-based line of the first line starting with `start` (below the first starting with `after`)."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(after)) if after else 0
    return next(i for i in range(first, len(lines)) if lines[i].startswith(start))


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    """What yaml-language-server, the engine of VS Code's YAML extension and of LSP editors, says
    of the examples and of a few documents, through their modeline."""
    import shutil
    import subprocess

    if not shutil.which("node") or not EDITOR.is_dir():
        pytest.skip("no node or node_modules/yaml-language-server (`make setup` installs it)")
    repo = tmp_path_factory.mktemp("editor")
    (repo / "schemas").mkdir()
    (repo / "schemas" / "platform-spec.schema.json").write_text(schema_text(), encoding="utf-8")
    clusters = repo / "clusters"
    clusters.mkdir()
    docs: list[dict] = []
    for name in EXAMPLES:
        shutil.copy(PROJECT / "clusters" / f"{name}.yaml", clusters / f"{name}.yaml")
        docs.append({"path": str(clusters / f"{name}.yaml")})
    bad = (PROJECT / "clusters" / "prod-aws.yaml").read_text(encoding="utf-8")
    bad = re.sub(r'(?m)^  version: "[0-9.]+"$', "  version: 2.20", bad, count=1)
    bad = bad.replace("nominal: 16,", "nominal: true,", 1)
    (clusters / "bad.yaml").write_text(bad, encoding="utf-8")
    docs.append({"path": str(clusters / "bad.yaml")})
    for dist in ("rhoai", "odh"):
        text = f"{MODELINE}metadata:\n  name: {dist}\ndistribution:\n  name: {dist}\n  version: \n  channel: \ncluster:\n  \n"
        (clusters / f"{dist}.yaml").write_text(text, encoding="utf-8")
        docs.append(
            {
                "path": str(clusters / f"{dist}.yaml"),
                "complete": [
                    [_line_of(text, "  version:"), len("  version: ")],
                    [_line_of(text, "  channel:"), len("  channel: ")],
                    [_line_of(text, "  ", "cluster:"), 2],
                ],
                "hover": [[_line_of(text, "cluster:"), 2]],
            }
        )
    result = subprocess.run(
        ["node", str(Path(__file__).with_name("editor_session.js"))],
        input=json.dumps({"root": str(repo), "documents": docs}),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT,
    )
    assert result.returncode == 0, result.stderr
    return {Path(p).stem: v for p, v in json.loads(result.stdout).items()}, bad


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_editor_finds_nothing_wrong_in_the_examples(editor, name):
    assert editor[0][name]["diagnostics"] == []


def test_the_editor_flags_an_unquoted_version_and_a_wrong_quantity(editor):
    found, bad = editor
    lines = {d["line"] for d in found["bad"]["diagnostics"]}
    version = _line_of(bad, "  version: 2.20", "distribution:") + 1
    nominal = next(i for i, line in enumerate(bad.splitlines()) if "nominal: true" in line) + 1
    assert lines == {version, nominal}, found["bad"]["diagnostics"]


@pytest.mark.parametrize("dist", ["rhoai", "odh"])
def test_the_editor_completes_the_named_distributions_versions_and_channels(editor, dist):
    version, channel, keys = editor[0][dist]["completions"]
    found = choices(dist)
    # Besides the values: null (the field is optional) and the default (null).
    extra = {"null", "Default value"}
    assert {c["label"].strip('"') for c in version} - extra == set(found["releases"] + found["patches"])
    assert {c["label"].strip('"') for c in channel} - extra == set(found["channels"])
    # Keys of a section complete with their descriptions, as the model has them.
    from generator.spec.model import Cluster

    described = {c["label"]: c["documentation"] for c in keys}
    for name, info in Cluster.model_fields.items():
        assert " ".join(info.description.split()) in " ".join(described[info.alias or name].split()), name
    assert "The OpenShift cluster" in editor[0][dist]["hovers"][0]
