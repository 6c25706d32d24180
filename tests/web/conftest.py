"""Fixtures for the web endpoints: a fixed signer and two subscribers in the root `db`."""

from __future__ import annotations

import pytest

from newsletter.store import Database
from newsletter.store.audience import ensure_list, subscribe
from newsletter.unsubscribe import Signer

SIGNING_KEY = b"web-tests-signing-key-0123456789"


@pytest.fixture
def signer() -> Signer:
    return Signer([SIGNING_KEY])


@pytest.fixture
def subscriber_ids(db: Database) -> dict[str, int]:
    """Two active subscribers, one reading English and one Korean, by locale."""
    with db.transaction() as session:
        brief = ensure_list(session, "brief")
        english, _ = subscribe(
            session, email="ada@example.org", locale="en", lists=[brief], consent_source="test"
        )
        korean, _ = subscribe(
            session, email="minji@example.org", locale="ko", lists=[brief], consent_source="test"
        )
        return {"en": english.id, "ko": korean.id}
