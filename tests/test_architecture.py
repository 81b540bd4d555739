"""The floors of docs/architecture.md hold beyond what .importlinter checks package by package:
no module of the generator imports, through any chain, a module that imports it back (imports
inside functions count: one there to dodge a cycle is still a cycle)."""

from __future__ import annotations

import ast
import types
import typing
from itertools import pairwise
from pathlib import Path

import grimp
import pydantic

from generator.facts import argocd, matrix, rewrites, scopes, serving, upgrades

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


def _is_model(annotation) -> bool:
    """A model of a hand-kept file, or a tuple or optional of such models."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, tuple):
        return any(_is_model(arg) for arg in typing.get_args(annotation) if arg not in (type(None), Ellipsis))
    return False


def _answers_with_a_model(fn) -> bool:
    return _is_model(typing.get_type_hints(getattr(fn, "__wrapped__", fn)).get("return"))


# The modules of generator.facts that own a hand-kept file of generator/data/, by the file.
HANDKEPT = {
    "matrix.yaml": matrix,
    "serving.yaml": serving,
    "rewrites.yaml": rewrites,
    "upgrades.yaml": upgrades,
    "kubernetes-scopes.yaml": scopes,
    "argocd.yaml": argocd,
}
DATA_FILES = frozenset(p.name for p in (GENERATOR / "data").glob("*.yaml"))

# Their questions whose answer is a model (or models) of the file: matrix(), operator(...),
# token_auth(...), steps(), ... (`load`, the loader itself with a path, is asked by nothing else).
MODEL_QUESTIONS = frozenset(
    name
    for module in HANDKEPT.values()
    for name, fn in vars(module).items()
    if callable(fn)
    and name != "load"
    and getattr(fn, "__module__", None) == module.__name__
    and _answers_with_a_model(fn)
)


def raw_data_reads(source: str) -> list[int]:
    """Lines that index an answer of a hand-kept file's model with a string
    (`matrix.operator("gpu")["channel"]`), or name a file of generator/data/*.yaml to a call
    (reading the file past its model)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call):
            func = node.value.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in MODEL_QUESTIONS and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                found.append(node.lineno)
        if isinstance(node, ast.Call):
            args = [*node.args, *(k.value for k in node.keywords)]
            if any(isinstance(a, ast.Constant) and str(a.value).split("/")[-1] in DATA_FILES for a in args):
                found.append(node.lineno)
    return found


def test_hand_kept_files_are_read_only_in_facts_and_callers_ask_typed_questions():
    assert {"matrix", "operator", "distribution", "package", "source_catalog"} <= MODEL_QUESTIONS
    assert {"serving", "token_auth", "rewrites", "steps", "scopes", "argocd"} <= MODEL_QUESTIONS
    assert set(HANDKEPT) <= DATA_FILES
    facts = GENERATOR / "facts"
    found = [
        f"{path.relative_to(GENERATOR.parent)}:{line}"
        for path in sorted(GENERATOR.rglob("*.py"))
        if path.parent != facts
        for line in raw_data_reads(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_each_hand_kept_file_is_read_by_its_own_module_only():
    facts = GENERATOR / "facts"
    readers = {
        name: sorted(
            path.stem for path in facts.glob("*.py") if f'shipped("{name}")' in path.read_text(encoding="utf-8")
        )
        for name in HANDKEPT
    }
    assert readers == {name: [module.__name__.rsplit(".", 1)[1]] for name, module in HANDKEPT.items()}


def test_a_raw_read_of_the_matrix_is_found():
    assert raw_data_reads('x = matrix.operator("gpu").channel\ny = matrix.mig_layout("a", "b")["1g.5gb"]') == []
    assert raw_data_reads('x = matrix.matrix()["operators"]\ny = matrix.operator("gpu")["channel"]') == [1, 2]
    assert raw_data_reads('t = files("generator").joinpath("data/matrix.yaml").read_text()') == [1]


def test_a_raw_read_of_another_hand_kept_file_is_found():
    assert raw_data_reads('a = serving.token_auth("odh", "2.23", "InferenceService", None).annotation') == []
    assert raw_data_reads('a = serving.token_auth("odh", "2.23", "InferenceService", None)["annotation"]') == [1]
    assert raw_data_reads('s = upgrades.steps()[0]\nw = argocd.argocd()["order"]') == [2]
    assert raw_data_reads('t = (data_dir().parent / "x").joinpath("kubernetes-scopes.yaml")') == [1]
    assert raw_data_reads('t = resources.files("generator").joinpath("data/upgrades.yaml")') == [1]


ROOT = Path(__file__).resolve().parents[1]

# Imports of the generator inside a function, by (file, function) -> modules: each names why it
# is not at the top. None dodges a cycle (test_no_import_cycles_between_modules counts them).
# Commands import their heavy modules when run: every invocation imports every command module to
# build the parser, and these add 40 to 110 ms each to that start (python -X importtime,
# measured against the parser alone; 42 modules, ~190 ms, in all).
START_UP = {
    ("generator/cli.py", "cmd_render"): {"generator.pipeline"},  # 16 modules, ~40 ms
    ("generator/commands/check.py", "cmd_check"): {"generator.pipeline"},
    ("generator/commands/plan.py", "_say_if_stale"): {"generator.pipeline"},
    ("generator/commands/mirror.py", "cmd_mirror"): {  # 7 modules, ~75 ms
        "generator.mirror",
        "generator.upgrade.plan",  # 4 modules, ~20 ms
    },
    ("generator/commands/upgrade.py", "cmd_upgrade"): {"generator.upgrade.plan"},
    ("generator/commands/validate.py", "cmd_validate"): {  # 32 modules, ~110 ms
        "generator.validate.output",
        "generator.validate.pipeline",
    },
    ("generator/commands/verify_argocd.py", "cmd_verify_argocd"): {"generator.validate.pipeline"},
}


def in_function_imports(path: Path) -> list[tuple[str, str]]:
    """(function, module) of every `import generator...` and `from generator... import` inside a
    function, at any depth (a method is `Class.method`, a nested function `outer.inner`)."""
    found: list[tuple[str, str]] = []

    def walk(node: ast.AST, qualname: str, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{qualname}.{child.name}" if qualname else child.name
                walk(child, name, in_function or not isinstance(child, ast.ClassDef))
                continue
            if in_function and isinstance(child, ast.Import):
                found.extend((qualname, a.name) for a in child.names if _generator(a.name))
            elif in_function and isinstance(child, ast.ImportFrom) and child.level == 0 and _generator(child.module):
                found.append((qualname, child.module or ""))
            walk(child, qualname, in_function)

    walk(ast.parse(path.read_text(encoding="utf-8")), "", False)
    return found


def _generator(module: str | None) -> bool:
    return module == "generator" or (module or "").startswith("generator.")


def _allowed(file: str, function: str, module: str) -> bool:
    prefixes = START_UP.get((file, function), set())
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_no_generator_import_inside_a_function():
    found, used = [], set()
    for path in sorted((ROOT / "generator").rglob("*.py")):
        file = path.relative_to(ROOT).as_posix()
        for function, module in in_function_imports(path):
            if _allowed(file, function, module):
                used.add((file, function))
            else:
                found.append(f"{file}: {function} imports {module}: import it at the top of the module")
    assert found == []
    # An entry nothing needs any more goes, so the list says what is true.
    assert set(START_UP) - used == set()


def test_an_import_inside_a_function_is_found(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import generator.core\n"
        "if TYPE_CHECKING:\n"
        "    from generator.spec import model\n"
        "import json\n"
        "def f():\n"
        "    import json, generator.facts.matrix\n"
        "    if True:\n"
        "        from generator import build\n"
        "    def inner():\n"
        "        from generator.store import tree\n"
        "    from . import sibling\n"
        "class C:\n"
        "    from generator.core import errors\n"
        "    def m(self):\n"
        "        from generatorx import y\n"
        "        from generator.spec.loader import load_specs\n",
        encoding="utf-8",
    )
    assert in_function_imports(source) == [
        ("f", "generator.facts.matrix"),
        ("f", "generator"),
        ("f.inner", "generator.store"),
        ("C.m", "generator.spec.loader"),
    ]


# Writes outside generator/store/ that are not disk state: each goes to a temporary folder the
# process made for one engine run and removes after it (the engine reads files, not stdin).
SCRATCH_WRITES = {
    "generator/validate/kubeconform.py",  # one file per object, in a TemporaryDirectory
    "generator/validate/policy.py",  # the merged policy file and each batch's data, in a temp dir
    "generator/joint_build.py",  # the wrapper kustomization, in a mkdtemp under the run's scratch
}
_WRITE_METHODS = {"write_text", "write_bytes"}
_MOVES = {("os", "replace"), ("os", "rename"), ("shutil", "move")}


def direct_writes(source: str) -> list[int]:
    """Lines that write or move a file themselves instead of through store.atomic.write_atomic:
    Path.write_text/write_bytes, os.replace/os.rename/shutil.move, open(..., "w"/"a"/"x")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr in _WRITE_METHODS) or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id, func.attr) in _MOVES
        ):
            found.append(node.lineno)
        elif isinstance(func, ast.Name) and func.id == "open":
            mode = (
                node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
            )
            if isinstance(mode, ast.Constant) and isinstance(mode.value, str) and set(mode.value) & set("wax+"):
                found.append(node.lineno)
    return sorted(found)


def test_every_write_goes_through_the_store():
    found, used = [], set()
    for path in sorted((ROOT / "generator").rglob("*.py")):
        file = path.relative_to(ROOT).as_posix()
        if file.startswith("generator/store/"):
            continue
        lines = direct_writes(path.read_text(encoding="utf-8"))
        if file in SCRATCH_WRITES:
            if lines:
                used.add(file)
            continue
        found += [f"{file}:{line}: write through generator.store.atomic.write_atomic" for line in lines]
    assert found == []
    assert used == SCRATCH_WRITES  # an entry that no longer writes goes


def test_a_direct_write_is_found():
    assert direct_writes('write_atomic(p, "x")\nwith open(p) as f: f.read()\nopen(p, "rb")') == []
    assert direct_writes(
        'p.write_text("x")\nos.replace(a, b)\nwith open(p, "w") as f: pass\nopen(p, mode="a")\nshutil.move(a, b)'
    ) == [1, 2, 3, 4, 5]
