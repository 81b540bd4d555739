"""generator/data/matrix.yaml as a typed model: read once, strict, and a broken file is refused
with its file, line, field path and what is wrong (loaded through the loader production uses)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pydantic
import pytest
import yaml

from generator.core.errors import SpecErrors
from generator.facts import matrix

SHIPPED_TEXT = resources.files("generator").joinpath("data/matrix.yaml").read_text(encoding="utf-8")


def _load_changed(tmp_path: Path, old: str, new: str) -> list:
    """The errors of matrix.yaml with `old` (written once in it) replaced by `new`."""
    assert SHIPPED_TEXT.count(old) == 1, old
    path = tmp_path / "matrix.yaml"
    path.write_text(SHIPPED_TEXT.replace(old, new), encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        matrix.load(path, "matrix.yaml")
    return caught.value.errors


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_matrix_is_read_once_as_a_read_only_model():
    m = matrix.matrix()
    assert isinstance(m, matrix.Matrix) and matrix.matrix() is m
    with pytest.raises(pydantic.ValidationError):
        m.operators.gpu.channel = "stable"  # type: ignore[misc]
    assert isinstance(m.platform_namespaces, tuple)
    assert isinstance(m.operators.gpu.channels, tuple)
    # The model holds what the file says, key for key.
    raw = yaml.safe_load(SHIPPED_TEXT)
    assert m.model_dump(by_alias=True, exclude_defaults=True) == _lists_as_tuples(raw)


def _lists_as_tuples(data):
    if isinstance(data, dict):
        return {k: _lists_as_tuples(v) for k, v in data.items()}
    if isinstance(data, list):
        return tuple(_lists_as_tuples(v) for v in data)
    return data


def test_every_cited_source_is_kept_on_the_model():
    def sources(node) -> list[str]:
        found = []
        if isinstance(node, matrix.Sourced) and node.source is not None:
            found.append(node.source)
        if isinstance(node, pydantic.BaseModel):
            node = dict(node)
        values = node.values() if isinstance(node, dict) else node if isinstance(node, tuple) else ()
        for value in values:
            found += sources(value)
        return found

    kept = sources(matrix.matrix())
    assert kept and all(s.strip() for s in kept)
    assert len(kept) == sum(1 for line in SHIPPED_TEXT.splitlines() if line.strip().startswith("source:"))


def test_a_missing_field_is_named_at_its_section(tmp_path):
    errors = _load_changed(tmp_path, "    channel: v25.3\n", "")
    assert [(e.file, e.path) for e in errors] == [("matrix.yaml", "operators.gpu.channel")]
    assert "channel is missing" in errors[0].message
    assert errors[0].line == _line_of(SHIPPED_TEXT, "  gpu:")


def test_a_wrong_type_is_named_with_what_was_found(tmp_path):
    errors = _load_changed(tmp_path, 'defaultVersion: "2.30"', "defaultVersion: 2.30")
    assert [e.path for e in errors] == ["distributions.odh.defaultVersion"]
    assert "should be a valid string, not float 2.3" in errors[0].message
    assert errors[0].line == _line_of(SHIPPED_TEXT, 'defaultVersion: "2.30"')
    assert "matrix.yaml:" in str(SpecErrors(errors))


def test_a_version_that_is_no_version_is_refused(tmp_path):
    errors = _load_changed(tmp_path, '"4.20": "1.33"', '"4.20": "v1.33"')
    assert [e.path for e in errors] == ["kubernetesVersions.4.20"]


def test_an_unknown_key_is_refused_with_the_keys_the_section_takes(tmp_path):
    errors = _load_changed(tmp_path, "    channel: stable-v1.4\n", "    chanel: stable-v1.4\n")
    assert sorted(e.path for e in errors) == ["operators.kueue.chanel", "operators.kueue.channel"]
    unknown = next(e for e in errors if e.path.endswith("chanel"))
    assert unknown.message.startswith("unknown key 'chanel': this section takes ")
    assert "channel" in unknown.message and "frameworks" in unknown.message
    assert unknown.line == _line_of(SHIPPED_TEXT, "channel: stable-v1.4")


def test_a_name_another_section_lacks_is_refused(tmp_path):
    errors = _load_changed(tmp_path, "  nfd: {catalog: redhat-operators,", "  nfd: {catalog: redhat-operator,")
    assert [(e.path, e.message) for e in errors] == [
        ("packages.nfd.catalog", "catalog 'redhat-operator' is not in `sourceCatalogs`")
    ]
    errors = _load_changed(
        tmp_path,
        "      namespace: applications\n      name: {rhoai: kueue",
        "      namespace: apps\n      name: {rhoai: kueue",
    )
    assert [e.path for e in errors] == ["monitoring.deployments[4].namespace"]


def test_a_key_written_twice_is_refused(tmp_path):
    errors = _load_changed(tmp_path, "  - git.sr.ht\n", "  - git.sr.ht\nplatformNamespaces: [default]\n")
    assert [(e.path, e.message) for e in errors] == [
        ("platformNamespaces", "'platformNamespaces' is written twice in this mapping")
    ]


def test_unreadable_yaml_is_refused_at_its_line(tmp_path):
    errors = _load_changed(tmp_path, "  - codeberg.org\n", "  - [codeberg.org\n")
    assert len(errors) == 1 and errors[0].message.startswith("not readable as YAML")
    assert errors[0].line >= _line_of(SHIPPED_TEXT, "codeberg.org")


def test_questions_about_unknown_names_say_where_to_add_them():
    with pytest.raises(KeyError, match=r"not in generator/data/matrix\.yaml `operators`"):
        matrix.operator("nosuch")
    with pytest.raises(KeyError, match=r"not in generator/data/matrix\.yaml `distributions`"):
        matrix.distribution("nosuch")


def test_a_fix_is_judged_by_the_shape_written(tmp_path):
    # `fix` is `remove` or {set: VALUE}: a scalar is judged as the first, a mapping as the second.
    key = "replacedBy.components.kueue.managementState.fix"
    errors = _load_changed(tmp_path, "    fix: {set: Unmanaged}\n", "    fix: removed\n")
    assert [(e.path, e.message) for e in errors] == [(key, "should be 'remove', not str 'removed'")]
    errors = _load_changed(tmp_path, "    fix: {set: Unmanaged}\n", "    fix: {sett: Unmanaged}\n")
    assert [(e.path, e.message) for e in errors] == [
        (f"{key}.set", f"set is missing: add it under {key}"),
        (f"{key}.sett", "unknown key 'sett': this section takes set"),
    ]
