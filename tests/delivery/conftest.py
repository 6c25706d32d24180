"""Fixtures for the delivery stage: a store in tmp_path or a fresh PostgreSQL schema, a fake SendGrid."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.store import Database
from tests.support import postgres_schema

from .fake_sendgrid import FakeSendGrid


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    yield database
    database.dispose()


@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[Database]:
    """A fresh PostgreSQL schema for one test (see the root conftest), dropped afterwards."""
    database = Database(postgres_url)
    yield database
    database.dispose()


@pytest.fixture
def fake() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLite file, or a fresh PostgreSQL schema that every process of the test shares."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with postgres_schema() as url:
        yield url
