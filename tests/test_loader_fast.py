"""libyaml composes specs (the fast path); ruamel is the reference. Over the example specs, their
mutations and generated documents, both paths must give the same data (types included), the same
positions (keys, values, raw scalars, document) and the same errors."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.spec import loader

from conftest import PROJECT

pytestmark = pytest.mark.skipif(not loader._FAST, reason="PyYAML without libyaml: only the ruamel path exists")

EXAMPLES = sorted((PROJECT / "clusters").glob("*.yaml"))
TEXTS = [p.read_text(encoding="utf-8") for p in EXAMPLES]

# Plain scalars where YAML 1.1 and 1.2 (or libyaml and ruamel) could part ways.
TRICKY = [
    "yes",
    "no",
    "on",
    "off",
    "Yes",
    "ON",
    "y",
    "n",
    "true",
    "False",
    "TRUE",
    "tRUE",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "",
    "0o17",
    "017",
    "0x1F",
    "0b101",
    "0B1",
    "1_000",
    "1__0",
    "+1",
    "-0",
    "012345678",
    "08",
    "1e3",
    "1E+3",
    "1.5e-3",
    ".5",
    "-.5",
    "+.5",
    "5.",
    ".inf",
    "-.Inf",
    "+.INF",
    ".nan",
    ".NaN",
    ".NAN",
    "nan",
    "inf",
    "1:20",
    "1:20.5",
    "190:20:30",
    "2020-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "=",
    "<<",
    "1.2.3",
    "2.20",
    "0.0",
    "-0.0",
    "1_0.5",
    "0x_1",
    "0o",
    "0b",
    "12Gi",
    "100m",
    "a b",
    "'q'",
    '"d"',
    "x:y",
    "-",
    "—",
    "é",
    "\U0001f600",
    "0777",
    "+0x10",
    "-0b11",
    "0o8",
    "1e",
    "e3",
]


def canon(value):
    """Data with its types spelled out (True is not 1, nan equals nan)."""
    if isinstance(value, dict):
        return ("map", [(canon(k), canon(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [canon(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def both(text: str):
    """(fast, reference) results of read_yaml, each as comparable plain data."""
    out = []
    for fast in (True, False):
        saved = loader._FAST
        loader._FAST = fast
        try:
            data, pos, errors = loader.read_yaml(text, "clusters/x.yaml")
        finally:
            loader._FAST = saved
        out.append(
            (
                canon(data),
                dict(pos.keys),
                dict(pos.values),
                dict(pos.raw),
                pos.document,
                [(e.line, e.column, e.path, e.message) for e in errors],
            )
        )
    return out


def assert_same(text: str) -> None:
    fast, reference = both(text)
    for name, f, r in zip(("data", "keys", "values", "raw", "document", "errors"), fast, reference):
        assert f == r, f"{name} differ for {text!r}"


def test_the_fast_path_is_taken_for_the_examples():
    # Not a fallback in disguise: libyaml composes every example spec itself.
    for text in TEXTS:
        nodes = loader._compose_fast(text)
        assert nodes and nodes[0].id == "mapping"
        assert type(nodes[0]).__module__.startswith("yaml")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_read_the_same(path):
    assert_same(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("scalar", TRICKY)
def test_plain_scalars_resolve_as_yaml_1_2(scalar):
    for text in (
        f"a: {scalar}\n",
        f"a:\n- {scalar}\n- x\n",
        f"{scalar}: v\nb: 1\n",
        f"a: [{scalar}, x]\n",
        f"a: !!str {scalar}\n",
        f"a: !!int {scalar}\n",
        f"a: !!float {scalar}\n",
        f"a: !!bool {scalar}\n",
        f"a: !!null {scalar}\n",
        f"a: ! {scalar}\n",
        f"a: '{scalar}'\n",
    ):
        assert_same(text)


def test_yes_stays_text_and_ints_floats_are_numbers():
    data, _, errors = loader.read_yaml("a: yes\nb: on\nc: 0o17\nd: -.inf\ne: 1_000\nf: 2.20\ng: null\n", "x.yaml")
    assert not errors
    assert data == {"a": "yes", "b": "on", "c": 15, "d": -math.inf, "e": 1000, "f": 2.2, "g": None}


@st.composite
def mutated(draw):
    """An example spec with a few edits: lines dropped, doubled or re-indented, scalars replaced by
    tricky ones, YAML's special characters inserted."""
    lines = draw(st.sampled_from(TEXTS)).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "dup", "indent", "dedent", "value", "insert", "tab", "anchor"]))
        line = lines[i]
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, line)
        elif op == "indent":
            lines[i] = "  " + line
        elif op == "dedent":
            lines[i] = line[2:] if line.startswith("  ") else line
        elif op == "value" and ":" in line:
            lines[i] = line.split(":", 1)[0] + ": " + draw(st.sampled_from(TRICKY))
        elif op == "insert":
            at = draw(st.integers(0, len(line)))
            ch = draw(st.sampled_from(list(":-[]{}&*!#|>%@`'\",? \t\x07\x85\u2028\ufeff") + ["\r\n", "<<: *a"]))
            lines[i] = line[:at] + ch + line[at:]
        elif op == "tab":
            lines[i] = "\t" + line
        elif op == "anchor" and ": " in line:
            key, value = line.split(": ", 1)
            lines[i] = f"{key}: &a {value}" if value else line
    return "\n".join(lines)


scalars = st.one_of(
    st.sampled_from(TRICKY),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
)
documents = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4),
        max_leaves=20,
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_examples_read_the_same(text):
    assert_same(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from(["block", "flow", "plain"]))
def test_generated_documents_read_the_same(doc, style):
    from io import StringIO

    from ruamel.yaml import YAML

    if style == "plain":
        # Every scalar written bare (unquoted) where it is text: resolution does the work.
        def bare(v, indent=""):
            if isinstance(v, dict):
                return "".join(f"\n{indent}{k}: {bare(x, indent + '  ')}" for k, x in v.items()) or " {}"
            if isinstance(v, list):
                return "".join(f"\n{indent}- {bare(x, indent + '  ')}" for x in v) or " []"
            return str(v).replace("\n", " ")

        text = bare(doc).lstrip("\n") + "\n"
    else:
        out = StringIO()
        y = YAML(typ="safe", pure=True)
        y.default_flow_style = style == "flow"
        y.dump(doc, out)
        text = out.getvalue()
    assert_same(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("ab: -[]{}&*!#|>'\"\n\t,?~01.") + ["<<", "yes", "!!str ", "&x ", "*x"]), max_size=40
    ).map("".join)
)
def test_arbitrary_text_reads_the_same(text):
    assert_same(text)
