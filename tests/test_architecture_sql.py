"""SQL stays in ``newsletter/store/``: no other module imports SQLAlchemy.

The rest of the code calls the store's named functions and, where it must compose several
of them in one transaction, names ``newsletter.store.Session``. A module that needs SQL
asks for a function in the store instead of writing the query itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "newsletter"
STORE = PACKAGE / "store"


def sql_imports(source: str) -> list[str]:
    """The SQLAlchemy modules a module's source imports, wherever the import stands."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_sqlalchemy(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_sqlalchemy(node.module or ""):
            found.append(str(node.module))
    return found


def _is_sqlalchemy(module: str) -> bool:
    # APScheduler's SQLAlchemy job store writes to our database too: the store builds it.
    return module.partition(".")[0] == "sqlalchemy" or module == "apscheduler.jobstores.sqlalchemy"


def _outside_store() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if STORE not in p.parents)


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


@pytest.mark.parametrize("path", _outside_store(), ids=_name)
def test_no_sqlalchemy_outside_the_store(path: Path) -> None:
    imports = sql_imports(path.read_text(encoding="utf-8"))
    assert imports == [], f"{_name(path)} imports {imports}; move the query into newsletter/store/"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import sqlalchemy", ["sqlalchemy"]),
        ("import sqlalchemy.orm as orm", ["sqlalchemy.orm"]),
        ("from sqlalchemy import select", ["sqlalchemy"]),
        ("from sqlalchemy.exc import IntegrityError", ["sqlalchemy.exc"]),
        ("def f():\n    from sqlalchemy.engine import make_url\n", ["sqlalchemy.engine"]),
        ("from newsletter.store import Session", []),
        (
            "from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore",
            ["apscheduler.jobstores.sqlalchemy"],
        ),
        ("from apscheduler.jobstores.memory import MemoryJobStore", []),
        ("import sqlalchemy_utils", []),
        ("from . import sqlalchemy", []),
    ],
)
def test_sql_imports_finds_every_form_of_import(source: str, expected: list[str]) -> None:
    assert sql_imports(source) == expected
