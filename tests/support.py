"""Helpers the tests import: ``from tests.support import need``."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from newsletter.store import Database
from newsletter.store.schema import Base

STRICT_ENV = "NEWSLETTER_TEST_STRICT"

#: Debian's chromium, when installed.
CHROMIUM = shutil.which("chromium")
#: How the browser tests start chromium: headless, as root, and without the background
#: connections that this machine's closed network would refuse.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def need(available: bool, reason: str) -> None:
    """Skip the calling test when a service is missing, or fail under NEWSLETTER_TEST_STRICT."""
    if available:
        return
    if os.environ.get(STRICT_ENV) == "1":
        pytest.fail(f"{reason} (required because {STRICT_ENV}=1)")
    pytest.skip(reason)


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


def need_postgres() -> None:
    need(postgres_reachable(), f"PostgreSQL is not reachable at {postgres_url()} (set {POSTGRES_URL_ENV})")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A database URL whose connections see only a fresh schema of their own, dropped afterwards.

    Tests on the same server, even other suites running at the same time, never see each
    other's rows.
    """
    need_postgres()
    schema = f"t_{secrets.token_hex(6)}"
    admin = _libpq(postgres_url())
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield (
            make_url(postgres_url())
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def state_snapshot(*folders: Path, db: Database | None = None) -> dict[str, object]:
    """Everything a bad input must leave untouched: every file under ``folders`` (path → SHA-256)
    and every row of every table in ``db``. Compare a snapshot taken before with one taken after.

    The SQLite file itself is not hashed (WAL mode rewrites it on a mere read); its rows are.
    """
    files: dict[str, str] = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and not path.name.startswith("newsletter.db"):
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    rows: dict[str, list[tuple[object, ...]]] = {}
    if db is not None:
        with db.engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                ordered = table.select().order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(row) for row in connection.execute(ordered)]
    return {"files": files, "rows": rows}
