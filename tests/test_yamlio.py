"""The YAML emitter: whatever plain data goes in comes back out unchanged, in one stable form."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from generator.core import yamlio

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "~",
            "null",
            "1e3",
            "0x1F",
            "0o17",
            "1_000",
            "12:30",
            "2024-01-01",
            ".inf",
            "-",
            "- a",
            "a: b",
            "a #b",
            "#x",
            "&a",
            "*a",
            "!t",
            "%x",
            "@x",
            "`x",
            "'q'",
            '"q"',
            "{a}",
            "[a]",
            "a\nb\n",
            "a\n\nb",
            " lead",
            "trail ",
            "",
            "=",
            "<<",
            "1.0",
            "08",
        ]
    ),
)
keys = st.one_of(st.text(min_size=1, max_size=12), st.sampled_from(["nvidia.com/gpu", "on", "yes", "1", "a b", "-x"]))
data = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=25,
)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(keys, data, min_size=1, max_size=5))
def test_round_trip_yaml11_reader(value):
    # PyYAML reads YAML 1.1 (what kustomize's and most tools' readers accept too).
    text = yamlio.dumps(value)
    assert _same(yamlio.loads(text), value), text


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, data, min_size=1, max_size=5))
def test_round_trip_yaml12_reader(value):
    text = yamlio.dumps(value)
    got = YAML(typ="safe", pure=True).load(text)
    assert _same(got, value), text


def test_kubernetes_style_and_stable():
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "labels": {"a": "true"}},
        "data": {"script": "line1\nline2\n", "num": "08"},
        "list": [{"name": "a", "v": [1, 2]}, []],
    }
    text = yamlio.dumps(obj)
    assert text == (
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    a: "true"\n'
        'data:\n  script: |\n    line1\n    line2\n  num: "08"\n'
        "list:\n- name: a\n  v:\n  - 1\n  - 2\n- []\n"
    )
    assert yamlio.dumps(obj) == text


def test_reads_lone_equals_as_a_string():
    # kustomize writes AlertmanagerConfig `matchType: =` unquoted; YAML 1.1's value tag must not break reading it.
    assert yamlio.loads_all("matchers:\n- matchType: =\n  name: severity\n") == [
        {"matchers": [{"matchType": "=", "name": "severity"}]}
    ]
