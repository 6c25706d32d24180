"""Claims carry a holder with a lease: only a dead sender's batches become unknown, and an
unknown batch is listed before anything may send it again (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select

from newsletter.delivery import senders
from newsletter.delivery.dispatch import DeliveryReport, dispatch
from newsletter.delivery.retry import RetryPolicy
from newsletter.delivery.sendgrid import SendGridBackend
from newsletter.store import Database, leases
from newsletter.store import sends as send_records
from newsletter.store.schema import Batch, Send, SendStatus, utcnow

from .fake_sendgrid import API_KEY, FakeSendGrid
from .support import campaign, personalizer, populate


def send(db: Database, fake: FakeSendGrid, issue: int, **options: object) -> DeliveryReport:
    backend = SendGridBackend(
        API_KEY,
        api_host=fake.url,
        batch_size=10,
        concurrency=2,
        timeout_seconds=5,
        policy=RetryPolicy(retries=1, base_seconds=0.01),
    )
    return dispatch(
        db,
        backend,
        issue,
        lambda locale: campaign(locale, issue),
        personalizer(issue),
        worker=senders.holder_id(),
        **options,  # type: ignore[arg-type]
    )


def claim(db: Database, issue: int, holder: str) -> send_records.ClaimedBatch:
    with db.transaction() as session:
        (batch,) = send_records.claim_batches(session, issue, count=1, size=10, worker=holder)
    return batch


def hold(db: Database, issue: int, holder: str, ttl: timedelta) -> None:
    """Give ``holder`` a lease on the issue that lasts ``ttl`` from now (negative: lapsed)."""
    now = utcnow()
    assert leases.acquire(db, senders.lease_name(issue, holder), holder, ttl, now=now + min(ttl, timedelta()))


def batch_statuses(db: Database, issue: int) -> dict[int, str]:
    with db.transaction() as session:
        return dict(session.execute(select(Batch.id, Batch.status).where(Batch.issue_id == issue)).all())


def record_statuses(db: Database, batch: send_records.ClaimedBatch) -> set[str]:
    ids = [r.send_id for r in batch.records]
    with db.transaction() as session:
        return set(session.scalars(select(Send.status).where(Send.id.in_(ids))))


def accepted(fake: FakeSendGrid, batch: send_records.ClaimedBatch) -> list[int]:
    return [fake.accepted.get(("1", str(r.subscriber_id)), 0) for r in batch.records]


def test_a_live_senders_batches_are_left_alone_and_a_dead_ones_become_unknown(
    db: Database, fake: FakeSendGrid
) -> None:
    issue = populate(db, 50, locales=("en",))
    live, lapsed, released = (
        claim(db, issue, "live"),
        claim(db, issue, "lapsed"),
        claim(db, issue, "gone"),
    )
    hold(db, issue, "live", timedelta(minutes=5))
    hold(db, issue, "lapsed", timedelta(seconds=-1))

    report = send(db, fake, issue)

    assert report.sent == 20
    assert set(report.unknown_batches) == {lapsed.batch_id, released.batch_id}
    assert record_statuses(db, live) == {"claimed"}
    assert batch_statuses(db, issue)[live.batch_id] == "claimed"
    assert record_statuses(db, lapsed) == record_statuses(db, released) == {"unknown"}
    assert accepted(fake, live) + accepted(fake, lapsed) + accepted(fake, released) == [0] * 30
    # Records in flight or unknown: the issue is not finished.
    assert not report.finished


def test_a_sender_of_this_host_that_is_gone_is_dead_before_its_lease_lapses(db: Database) -> None:
    issue = populate(db, 20, locales=("en",))
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    here = senders.holder_id().split(":")
    dead = ":".join([socket.gethostname(), finished.stdout.strip(), here[2], "feedf00d"])
    # The test runner's parent is alive: its batch stays with it.
    alive = ":".join([socket.gethostname(), str(os.getppid()), here[2], "cafe0123"])
    dead_batch, alive_batch = claim(db, issue, dead), claim(db, issue, alive)
    hold(db, issue, dead, timedelta(minutes=5))
    hold(db, issue, alive, timedelta(minutes=5))

    with db.transaction() as session:
        found = senders.settle_abandoned(session, issue)

    assert found == [dead_batch.batch_id]
    assert record_statuses(db, dead_batch) == {"unknown"}
    assert record_statuses(db, alive_batch) == {"claimed"}


def test_resend_unknown_sends_only_batches_listed_before_it_ran(db: Database, fake: FakeSendGrid) -> None:
    issue = populate(db, 30, locales=("en",))
    crashed = claim(db, issue, "crashed")

    # The sender's death is found by this very command: it lists the batch and does not send it.
    first = send(db, fake, issue, resend_unknown=True)

    assert first.unknown_batches == (crashed.batch_id,)
    assert first.resent_batches == ()
    assert first.sent == 20
    assert accepted(fake, crashed) == [0] * 10

    second = send(db, fake, issue, resend_unknown=True)

    assert second.resent_batches == (crashed.batch_id,)
    assert (second.resent, second.sent, second.unknown) == (10, 10, 0)
    assert second.finished
    assert accepted(fake, crashed) == [1] * 10
    assert set(fake.accepted.values()) == {1}


def test_settling_unknown_records_sends_nothing_and_keeps_newly_found_ones_for_later(db: Database) -> None:
    issue = populate(db, 30, locales=("en",))
    listed = claim(db, issue, "crashed-before")
    with db.transaction() as session:
        assert senders.settle_abandoned(session, issue) == [listed.batch_id]
    later = claim(db, issue, "crashed-later")

    with db.transaction() as session:
        settled = send_records.settle_unknown(session, issue, SendStatus.SENT, error="checked")
        found = senders.settle_abandoned(session, issue)

    assert settled == 10
    assert found == [later.batch_id]
    assert record_statuses(db, listed) == {"sent"}
    assert record_statuses(db, later) == {"unknown"}
    assert batch_statuses(db, issue)[listed.batch_id] == "sent"
    with db.transaction() as session:
        assert send_records.counts(session, issue) == {"sent": 10, "unknown": 10, "pending": 10}
