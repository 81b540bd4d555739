"""The docs' recipes, run as written: every code block of README.md and of each docs/*.md, in
order, each file on its own fresh copy of the repository, so docs and behaviour cannot drift apart.

Each block carries an HTML comment (invisible on the rendered page) saying what it is:

    <!-- recipe: run [cluster=NAME] -->   shell lines: each must succeed (`<cluster>` is NAME)
    <!-- recipe: output -->               `$ command` lines, each followed by exactly what it prints
    <!-- recipe: lines COMMAND -->        lines COMMAND's output must contain
    <!-- recipe: file PATH -->            the block is written to PATH
    <!-- recipe: excerpt PATH -->         the block's lines (comments aside) are lines of PATH, in order
    <!-- recipe: skip: REASON -->         not runnable here, and why

and comments without a block set the scene the prose describes:

    <!-- recipe: edit PATH: OLD => NEW -->   a text replacement (\\n for a line break)
    <!-- recipe: remove PATH -->
    <!-- recipe: sh COMMAND -->              must succeed

In expected output a line `...` stands for any number of lines, and `...` within a line for any
text (a count that moves with the bundle, a long tail). `rhoai-gitops` is the checkout's `bin/rhoai-gitops`
(the README's way to run it). What cannot run here is substituted, each for a stated reason:
`kubectl apply -k DIR` (or `oc apply -k`) becomes `kubectl kustomize DIR` (no API server; the
build is what apply sends), `<cluster>` becomes `prod-aws` unless the recipe names another, and
`make test` is this very suite.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import PROJECT, fresh_copy

README = PROJECT / "README.md"
# Every document whose code blocks are recipes: the README, then the guides and references.
DOCS = [README, *sorted((PROJECT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(\s*)```")
RECIPE = re.compile(r"^\s*<!-- recipe: (.*?) -->\s*$")


@dataclass
class Step:
    line: int  # in its document
    directive: str
    block: str | None  # the code block it introduces, if any


def steps(text: str, name: str = "README.md") -> list[Step]:
    lines = text.split("\n")
    out: list[Step] = []
    pending: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        m = RECIPE.match(lines[i])
        fence = FENCE.match(lines[i])
        if m:
            pending.append((i + 1, m.group(1)))
        elif fence:
            indent = fence.group(1)
            end = i + 1
            while not lines[end].startswith(indent + "```"):
                end += 1
            block = "\n".join(line[len(indent) :] for line in lines[i + 1 : end]) + "\n"
            if not pending:
                raise AssertionError(f"{name}:{i + 1}: a code block without a recipe comment")
            *scene, (at, directive) = pending
            out += [Step(n, d, None) for n, d in scene]
            out.append(Step(at, directive, block))
            pending = []
            i = end
        elif pending and lines[i].strip() and not pending[-1][1].startswith(SCENE):
            # A block directive must sit right above its block.
            raise AssertionError(f"{name}:{pending[-1][0]}: `{pending[-1][1]}` is not followed by a code block")
        elif pending and lines[i].strip():
            out += [Step(n, d, None) for n, d in pending]
            pending = []
        i += 1
    out += [Step(n, d, None) for n, d in pending]
    return out


SCENE = ("edit ", "remove ", "sh ")


def _name(doc: Path) -> str:
    return doc.relative_to(PROJECT).as_posix()


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_every_block_is_a_recipe(doc):
    kinds = [s.directive.split()[0].rstrip(":") for s in steps(doc.read_text(), _name(doc))]
    assert set(kinds) <= {"run", "output", "lines", "file", "excerpt", "skip", "edit", "remove", "sh"}, kinds


# --------------------------------------------------------------------------- the run


def _substitute(command: str, cluster: str = "prod-aws") -> str | None:
    command = command.split(" #")[0].strip().replace("<cluster>", cluster)
    if command == "make test":
        return None  # this suite
    return re.sub(r"\b(?:kubectl|oc) apply -k ", "kubectl kustomize ", command)


class Copy:
    def __init__(self, root: Path):
        self.root = root
        self.env = {**os.environ, "PATH": f"{root / 'bin'}:{os.environ['PATH']}", "NO_COLOR": "1"}
        self.env.pop("VIRTUAL_ENV", None)

    def sh(self, command: str, where: str, check: bool = True) -> str:
        proc = subprocess.run(
            ["bash", "-c", command], cwd=self.root, env=self.env, capture_output=True, text=True, timeout=1800
        )
        if check:
            assert proc.returncode == 0, f"{where}: `{command}` exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout + proc.stderr


def matches(expected: list[str], actual: list[str]) -> bool:
    """A line `...` is any number of lines; `...` within a line any text."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    if not actual:
        return False
    return _line_matches(head, actual[0]) and matches(rest, actual[1:])


def _line_matches(expected: str, line: str) -> bool:
    if "..." not in expected:
        return line == expected
    return re.fullmatch(".*".join(re.escape(part) for part in expected.split("...")), line) is not None


def is_excerpt(block: str, text: str) -> bool:
    """Every line of `block` but comments and `...` is a line of `text`, in the same order (a
    trailing `# comment` is the README's, not the file's)."""
    lines = iter(line.rstrip() for line in text.split("\n"))
    for line in block.split("\n"):
        want = re.sub(r"\s+#\s.*$", "", line).rstrip()
        if not want or want.strip().startswith("#") or want.strip() == "...":
            continue
        if not any(got == want for got in lines):
            return False
    return True


def _commands(block: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for line in block.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            out.append((line[2:], []))
        else:
            assert out, f"output block does not start with `$ command`: {block!r}"
            out[-1][1].append(line.rstrip())
    return out


def _edit(root: Path, spec: str, where: str) -> None:
    path, _, change = spec.partition(": ")
    old, _, new = change.partition(" => ")
    old, new = old.replace("\\n", "\n"), new.replace("\\n", "\n")
    text = (root / path).read_text()
    assert text.count(old) == 1, f"{where}: {path} does not hold {old!r} exactly once"
    (root / path).write_text(text.replace(old, new))


@pytest.mark.parametrize("doc", [d for d in DOCS if "```" in d.read_text()], ids=_name)
def test_recipes_run_as_written(doc, tmp_path):
    if not shutil.which("kubectl") and not shutil.which("kustomize"):
        pytest.skip("no kubectl or kustomize on PATH")
    root = tmp_path / "checkout"
    fresh_copy(root)
    copy = Copy(root)
    ran = 0
    for step in steps(doc.read_text(), _name(doc)):
        where = f"{_name(doc)}:{step.line}"
        kind, _, arg = step.directive.partition(" ")
        if kind == "run":
            cluster = dict(a.split("=", 1) for a in arg.split()).get("cluster", "prod-aws")
            for line in step.block.splitlines():
                command = _substitute(line, cluster)
                if command:
                    copy.sh(command, where)
        elif kind == "output":
            for command, expected in _commands(step.block):
                actual = copy.sh(_substitute(command), where, check=False).rstrip("\n").split("\n")
                actual = [a.rstrip() for a in actual]
                assert matches(expected, actual), f"{where}: `{command}` printed:\n" + "\n".join(actual)
        elif kind == "lines":
            actual = [a.rstrip() for a in copy.sh(_substitute(arg), where, check=False).split("\n")]
            for line in step.block.rstrip("\n").split("\n"):
                assert any(_line_matches(line, a) for a in actual), (
                    f"{where}: `{arg}` did not print {line!r}:\n" + "\n".join(actual)
                )
        elif kind == "file":
            (root / arg).parent.mkdir(parents=True, exist_ok=True)
            (root / arg).write_text(step.block)
        elif kind == "excerpt":
            assert is_excerpt(step.block, (root / arg).read_text()), f"{where}: the block is not an excerpt of {arg}"
        elif kind == "edit":
            _edit(root, arg, where)
        elif kind == "remove":
            (root / arg).unlink()
        elif kind == "sh":
            copy.sh(arg, where)
        elif kind == "skip:":
            continue
        else:
            raise AssertionError(f"{where}: unknown recipe {step.directive!r}")
        ran += 1
    # The README walks through the whole product; a guide has at least one recipe.
    assert ran >= (8 if doc == README else 1)
