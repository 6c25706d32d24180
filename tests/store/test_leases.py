"""Leases in the store, on SQLite and PostgreSQL alike: one holder at a time, until expiry."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsletter.store import Database, database, leases

NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def test_one_holder_at_a_time_until_the_lease_expires(db: Database) -> None:
    assert leases.take(db, "daily", "a", now=NOW, expires=LATER)
    assert not leases.take(db, "daily", "b", now=NOW + timedelta(minutes=1), expires=LATER)
    # The holder renews its own lease; another takes it only once it has expired.
    assert leases.take(db, "daily", "a", now=NOW + timedelta(minutes=1), expires=LATER + timedelta(minutes=1))
    assert leases.holder_of(db, "daily", now=LATER) == "a"
    assert leases.take(db, "daily", "b", now=LATER + timedelta(minutes=1), expires=LATER + timedelta(hours=1))
    assert leases.holder_of(db, "daily", now=LATER + timedelta(minutes=2)) == "b"


def test_giving_up_frees_a_lease_only_for_its_holder(db: Database) -> None:
    leases.take(db, "daily", "a", now=NOW, expires=LATER)
    leases.give_up(db, "daily", "b")
    assert leases.holder_of(db, "daily", now=NOW) == "a"
    leases.give_up(db, "daily", "a")
    assert leases.holder_of(db, "daily", now=NOW) is None
    assert leases.take(db, "daily", "b", now=NOW, expires=LATER)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("send:1:", ["h1", "h2"]),
        ("send:10:", ["h3"]),
        # LIKE's wildcards in a prefix match only themselves.
        ("send:_:", []),
        ("send:%", []),
    ],
)
def test_unexpired_leases_by_prefix(db: Database, prefix: str, expected: list[str]) -> None:
    for name, holder, expires in [
        ("send:1:h1", "h1", LATER),
        ("send:1:h2", "h2", LATER),
        ("send:1:old", "old", NOW - timedelta(seconds=1)),
        ("send:10:h3", "h3", LATER),
    ]:
        assert leases.take(db, name, holder, now=NOW - timedelta(hours=1), expires=expires)
    with db.transaction() as session:
        found = leases.unexpired(session, prefix, now=NOW)
    assert sorted(holder for holder, _ in found) == expected
    assert all(expires == LATER for _, expires in found)


def test_the_renewer_outlasts_a_database_that_stays_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Another thread of this process holds the SQLite file longer than a transaction may
    # wait: the renewal fails with StoreError, which the renewer logs; it tries again later.
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setattr(database, "LOCK_SECONDS", 0.01)
    assert leases.acquire(db, "send:1", "a", timedelta(seconds=30))
    renewer = leases._Renewer(db, "send:1", "a", timedelta(seconds=0.3))
    pause = threading.Event()
    with caplog.at_level(logging.WARNING, logger="newsletter.store.leases"), db.transaction():
        renewer.start()
        while renewer.is_alive() and "could not renew lease send:1" not in caplog.text:
            pause.wait(0.01)
        alive = renewer.is_alive()
    renewer.done.set()
    renewer.join()
    db.dispose()
    assert "could not renew lease send:1: StoreError" in caplog.text
    assert alive
    assert not renewer.lost.is_set()
