"""The floors of docs/architecture.md hold beyond what .importlinter checks package by package:
no module of the generator imports, through any chain, a module that imports it back (imports
inside functions count: one there to dodge a cycle is still a cycle)."""

from __future__ import annotations

import ast
import typing
from itertools import pairwise
from pathlib import Path

import grimp
import pydantic

from generator.facts import matrix

GENERATOR = Path(__file__).resolve().parent.parent / "generator"


def _aggregates(package: str, module: str) -> bool:
    """A package's __init__ importing its own submodules (components/ lists its components)."""
    return module.startswith(package + ".")


def cycles(graph: grimp.ImportGraph) -> list[str]:
    found = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if _aggregates(module, imported) or _aggregates(imported, module):
                continue
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back and not any(_aggregates(a, b) for a, b in pairwise(back)):
                found.append(" -> ".join((module, *back)))
    return found


def test_no_import_cycles_between_modules():
    # Imports under `if TYPE_CHECKING:` name a type for the checker and run nothing.
    assert cycles(grimp.build_graph("generator", exclude_type_checking_imports=True)) == []


def test_a_cycle_through_an_in_function_import_is_found():
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    assert cycles(graph) == []
    graph.add_import(importer="pkg.c", imported="pkg.a")  # e.g. `from pkg import a` inside a function
    assert cycles(graph) == [
        "pkg.a -> pkg.b -> pkg.c -> pkg.a",
        "pkg.b -> pkg.c -> pkg.a -> pkg.b",
        "pkg.c -> pkg.a -> pkg.b -> pkg.c",
    ]


def _answers_with_a_model(fn) -> bool:
    returned = typing.get_type_hints(getattr(fn, "__wrapped__", fn)).get("return")
    return isinstance(returned, type) and issubclass(returned, pydantic.BaseModel)


# facts.matrix's questions whose answer is a model of matrix.yaml: matrix(), operator(...), ...
MODEL_QUESTIONS = frozenset(
    name
    for name, fn in vars(matrix).items()
    if callable(fn) and getattr(fn, "__module__", None) == matrix.__name__ and _answers_with_a_model(fn)
)


def raw_matrix_reads(source: str) -> list[int]:
    """Lines that index an answer of facts.matrix with a string (`matrix.operator("gpu")["channel"]`)
    or name matrix.yaml to a call (reading the file past its model)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call):
            func = node.value.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in MODEL_QUESTIONS:
                found.append(node.lineno)
        if isinstance(node, ast.Call):
            args = [*node.args, *(k.value for k in node.keywords)]
            if any(isinstance(a, ast.Constant) and str(a.value).endswith("matrix.yaml") for a in args):
                found.append(node.lineno)
    return found


def test_only_facts_matrix_reads_matrix_yaml_and_callers_ask_it_typed_questions():
    assert {"matrix", "operator", "distribution", "package", "source_catalog"} <= MODEL_QUESTIONS
    own = GENERATOR / "facts" / "matrix.py"
    found = [
        f"{path.relative_to(GENERATOR.parent)}:{line}"
        for path in sorted(GENERATOR.rglob("*.py"))
        if path != own
        for line in raw_matrix_reads(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_raw_read_of_the_matrix_is_found():
    assert raw_matrix_reads('x = matrix.operator("gpu").channel\ny = matrix.mig_layout("a", "b")["1g.5gb"]') == []
    assert raw_matrix_reads('x = matrix.matrix()["operators"]\ny = matrix.operator("gpu")["channel"]') == [1, 2]
    assert raw_matrix_reads('t = files("generator").joinpath("data/matrix.yaml").read_text()') == [1]
