"""Fixtures for the delivery stage: a PostgreSQL-only store and a fake SendGrid (``db`` is the root one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsletter.store import Database

from .fake_sendgrid import FakeSendGrid


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
