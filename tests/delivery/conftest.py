"""Fixtures for the delivery stage: a store in tmp_path or a fresh PostgreSQL schema, a fake SendGrid."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.store import Database

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
