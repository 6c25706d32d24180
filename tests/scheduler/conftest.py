"""Stores for the scheduler tests: a SQLite file, and a fresh PostgreSQL database when one runs."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.store import Database
from tests.support import need

POSTGRES_URL = os.environ.get("NEWSLETTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _admin_connect() -> object | None:
    try:
        import psycopg

        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except Exception:
        return None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a database created for this test and dropped afterwards."""
    admin = _admin_connect()
    need(admin is not None, f"PostgreSQL is not reachable at {POSTGRES_URL}")
    name = f"newsletter_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
    base, _, _ = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        admin.close()  # type: ignore[attr-defined]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'newsletter.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on both stores the program supports."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()
