"""The ``db`` fixture: one empty store per test, on SQLite and on PostgreSQL.

PostgreSQL tests each get a schema of their own (``t_<random>``, reached through the
connection's ``search_path`` and dropped afterwards), so they never see each other's rows,
nor those of other suites running against the same server at the same time. Reuse it from
another test package with ``from store.conftest import db``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from conftest import need
from sqlalchemy.engine import make_url

from newsletter.store import Database

POSTGRES_URL_ENV = "NEWSLETTER_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)


def _libpq(url: str) -> str:
    """The URL as psycopg reads it (without SQLAlchemy's ``+driver`` part)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(_libpq(postgres_url()), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty store with the schema created, on the backend named by the parameter."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'store.db'}")
        yield database
        database.dispose()
        return
    need(postgres_reachable(), f"PostgreSQL is not reachable at {postgres_url()} (set {POSTGRES_URL_ENV})")
    schema = f"t_{secrets.token_hex(6)}"
    admin = _libpq(postgres_url())
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    url = make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    database = Database(url.render_as_string(hide_password=False))
    try:
        yield database
    finally:
        database.dispose()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")
