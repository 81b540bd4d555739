"""The floors of docs/architecture.md hold beyond what .importlinter checks package by package:
no module of the generator imports, through any chain, a module that imports it back (imports
inside functions count: one there to dodge a cycle is still a cycle)."""

from __future__ import annotations

from itertools import pairwise

import grimp


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
