"""Subscribers' fixtures: a list to import into and a CSV writer (``db`` comes from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from newsletter.store import Database, audience

WriteCsv = Callable[..., Path]


@pytest.fixture
def brief(db: Database) -> str:
    """The list every import in these tests goes to."""
    with db.transaction() as session:
        audience.ensure_list(session, "brief", description="Daily brief")
    return "brief"


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write text (or bytes) to a new CSV file in the test's folder and return its path."""
    counter = iter(range(1_000_000))

    def write(content: str | bytes, *, encoding: str = "utf-8", name: str | None = None) -> Path:
        path = tmp_path / (name or f"input-{next(counter)}.csv")
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return write
