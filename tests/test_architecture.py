"""The shape of the package: its layers, no import cycle, and one module that writes an issue's status.

Both read the source with :mod:`ast`, so an import inside a function, or an assignment that a
test never runs, counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "newsletter"
LIFECYCLE = Path("store/lifecycle.py")

#: The package's top-level modules and packages, layer by layer from the ground up (STYLE.md:
#: sources → ranking → digest → render → delivery, with the store below them and the scheduler,
#: the web side and the CLI above). A module may import what stands in a lower layer, and
#: anything of its own package; never a module of its own layer or of a higher one. A new
#: top-level module or package takes its place here.
LAYERS: tuple[tuple[str, ...], ...] = (
    # The ground: imports nothing of the package. ``__init__`` is the package's own module.
    ("__init__", "errors", "model", "korean", "logs", "crontab", "testing"),
    # Small helpers that raise the package's errors: the asset folders, unsubscribe tokens.
    ("assets", "unsubscribe"),
    ("store",),
    # What a configuration value must be; constraint asks the store which database URLs it takes.
    ("constraint", "backup"),
    ("config",),
    ("i18n", "window"),
    ("sources", "subscribers"),
    # The stages, each above the one before it.
    ("ranking",),
    ("digest",),
    ("render",),
    ("delivery",),
    # What works on the stages' output: the writer, the editor's history, the archive, the
    # operator's report, mail to the editors, and the labelled days that score the picks and
    # their prose against an editor's.
    ("writing", "history", "archive", "report", "editors", "labelled"),
    ("pipeline",),
    # The orchestrator's callers.
    ("scheduler", "workers", "demo", "web"),
    ("status",),
    ("cli",),
    ("__main__",),
)

#: Attributes named ``status`` that are not an issue's, by file and the name they hang on.
OTHER_STATUSES = {
    (Path("errors.py"), "self"),
    (Path("delivery/retry.py"), "self"),
    # An HTTP status code carried by the body limit's exception.
    (Path("web/body.py"), "self"),
    (Path("store/audience.py"), "subscriber"),
}


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package under ``root`` by dotted name; a package by its own name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(root: Path) -> dict[str, set[str]]:
    """Which of the package's modules each one imports, wherever the import stands.

    ``from a.b import c`` names the module ``a.b.c`` when there is one, else ``a.b``: a name
    that a package's ``__init__`` hands on is an edge to that package, and the ``__init__``'s
    own imports are edges to its modules.
    """
    known = modules(root)
    package = root.name
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for target in _imported_names(ast.parse(path.read_text(encoding="utf-8")), here):
            if target == package or target.startswith(f"{package}."):
                found = _longest_known(target, known)
                if found is not None and found != name:
                    edges[name].add(found)
    return edges


def _imported_names(tree: ast.Module, here: str) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _longest_known(dotted: str, known: dict[str, Path]) -> str | None:
    while dotted and dotted not in known:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def describe(component: list[str], edges: dict[str, set[str]]) -> str:
    ties = [f"{a} -> {b}" for a in component for b in sorted(edges[a]) if b in component]
    return f"{', '.join(component)} ({'; '.join(ties)})"


def test_no_module_of_the_package_imports_itself_round_a_cycle() -> None:
    edges = imports(PACKAGE)
    assert [describe(c, edges) for c in cycles(edges)] == []


def layer_breaks(edges: dict[str, set[str]], layers: tuple[tuple[str, ...], ...]) -> list[str]:
    """Every import that does not run down ``layers``, and every top-level name they lack.

    Imports within one top-level package are not checked: its modules are one layer's.
    """
    rank = {name: index for index, layer in enumerate(layers) for name in layer}
    found = sorted({f"{_top(module)}: not in LAYERS" for module in edges if _top(module) not in rank})
    for module, targets in sorted(edges.items()):
        here = _top(module)
        for target in sorted(targets):
            there = _top(target)
            if here != there and here in rank and there in rank and rank[there] >= rank[here]:
                found.append(f"{module} -> {target} ({here} may not import {there})")
    return found


def _top(module: str) -> str:
    """The top-level module or package of the package that ``module`` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_import_runs_down_the_layers() -> None:
    assert layer_breaks(imports(PACKAGE), LAYERS) == []


def test_the_layers_name_only_modules_that_exist() -> None:
    placed = {name for layer in LAYERS for name in layer}
    assert placed - {_top(module) for module in modules(PACKAGE)} == set()
    assert sum(len(layer) for layer in LAYERS) == len(placed)


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/a.py": "from pkg import b\n",
                "pkg/b.py": "def f():\n    from pkg.a import x\n",
            },
            [["pkg.a", "pkg.b"]],
            id="an import inside a function",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/sub/__init__.py": "from pkg.sub.inner import thing\n",
                "pkg/sub/inner.py": "from pkg.top import y\n",
                "pkg/top.py": "from pkg.sub import thing\n",
            },
            [["pkg.sub", "pkg.sub.inner", "pkg.top"]],
            id="through a package's re-export",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/a/__init__.py": "",
                "pkg/a/one.py": "from . import two\n",
                "pkg/a/two.py": "from ..b import z\n",
                "pkg/b.py": "from pkg.a.one import q\n",
            },
            [["pkg.a.one", "pkg.a.two", "pkg.b"]],
            id="relative imports",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n",
                "pkg/b.py": "import pkg.a\n",
            },
            [["pkg.a", "pkg.b"]],
            id="an import for type checking only",
        ),
        pytest.param(
            {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "import os\n"},
            [],
            id="no cycle",
        ),
    ],
)
def test_the_cycle_finder_sees_every_kind_of_import(
    tmp_path: Path, files: dict[str, str], expected: list[list[str]]
) -> None:
    assert cycles(imports(_write(tmp_path, files))) == expected


TOY_LAYERS = (("__init__", "model"), ("store",), ("ranking", "render"), ("cli",))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/model.py": "",
                "pkg/store/__init__.py": "from pkg.store.rows import Row\n",
                "pkg/store/rows.py": "from pkg import model\n",
                "pkg/ranking.py": "from pkg.store import Row\n",
                "pkg/cli.py": "import pkg.ranking\nimport pkg.render\n",
                "pkg/render.py": "",
            },
            [],
            id="every import runs down",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/store/__init__.py": "",
                "pkg/store/rows.py": "def f():\n    from pkg.cli import main\n",
                "pkg/cli.py": "",
            },
            ["pkg.store.rows -> pkg.cli (store may not import cli)"],
            id="up the stack, inside a function",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/ranking.py": (
                    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import render\n"
                ),
                "pkg/render.py": "",
            },
            ["pkg.ranking -> pkg.render (ranking may not import render)"],
            id="across one layer, for type checking only",
        ),
        pytest.param(
            {"pkg/__init__.py": "", "pkg/model.py": "from . import extra\n", "pkg/extra.py": ""},
            ["extra: not in LAYERS"],
            id="a module the table does not place",
        ),
    ],
)
def test_the_layer_check_sees_each_import_against_the_table(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    assert layer_breaks(imports(_write(tmp_path, files)), TOY_LAYERS) == expected


def status_writes(source: str, relative: Path) -> list[str]:
    """Where ``source`` writes a ``status`` that may be an issue's: ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in _flattened(targets):
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    and (relative, ast.unparse(target.value)) not in OTHER_STATUSES
                ):
                    found.append(f"{node.lineno}: {ast.unparse(target)} = …")
        elif isinstance(node, ast.Call):
            called = ast.unparse(node.func)
            arguments = [ast.unparse(a) for a in node.args]
            keywords = {k.arg for k in node.keywords}
            if (
                called in ("update", "insert", "sqlalchemy.update", "sqlalchemy.insert")
                and "Issue" in arguments
            ):
                found.append(f"{node.lineno}: {called}(Issue)")
            elif called.endswith("Issue") and "status" in keywords:
                found.append(f"{node.lineno}: {called}(status=…)")
            elif called == "setattr" and len(arguments) > 1 and arguments[1] in ("'status'", '"status"'):
                found.append(f"{node.lineno}: setattr(…, 'status', …)")
    return found


def _flattened(targets: list[ast.expr]) -> Iterator[ast.expr]:
    for target in targets:
        if isinstance(target, ast.Tuple | ast.List):
            yield from _flattened(list(target.elts))
        else:
            yield target


def test_only_the_lifecycle_module_writes_an_issue_status() -> None:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative != LIFECYCLE:
            writes = status_writes(path.read_text(encoding="utf-8"), relative)
            if writes:
                found[str(relative)] = writes
    assert found == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("issue.status = 'sent'\n", ["1: issue.status = …"]),
        ("issue.status, issue.note = IssueStatus.SKIPPED.value, reason\n", ["1: issue.status = …"]),
        ("row.status: str = 'x'\n", ["1: row.status = …"]),
        ("session.execute(update(Issue).values(status='sent'))\n", ["1: update(Issue)"]),
        ("session.add(Issue(issue_date=d, status='sent'))\n", ["1: Issue(status=…)"]),
        ("setattr(issue, 'status', 'sent')\n", ["1: setattr(…, 'status', …)"]),
        ("subscriber.status = 'active'\n", []),
        ("issue.note = 'why'\n", []),
    ],
)
def test_the_status_guard_sees_each_way_of_writing_one(source: str, expected: list[str]) -> None:
    assert status_writes(source, Path("store/audience.py")) == expected
