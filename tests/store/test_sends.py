"""Claiming and finishing batches of send records, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from newsletter.store import Database
from newsletter.store import sends as send_records
from newsletter.store.schema import Batch, Send, SendStatus, Subscriber
from tests.delivery.support import populate


def test_one_claim_fills_whole_batches_oldest_first_and_leaves_no_empty_batch(db: Database) -> None:
    issue = populate(db, 25, locales=("en",))

    with db.transaction() as session:
        batches = send_records.claim_batches(session, issue, count=4, size=10, worker="w", locale="en")

    assert [len(b.records) for b in batches] == [10, 10, 5]
    ids = [r.send_id for b in batches for r in b.records]
    assert ids == sorted(ids)
    assert len(set(ids)) == 25
    with db.transaction() as session:
        marked = {
            send_id: batch_id
            for send_id, batch_id, status in session.execute(select(Send.id, Send.batch_id, Send.status))
            if status == SendStatus.CLAIMED.value
        }
        batch_rows = session.scalar(select(func.count()).select_from(Batch))
    assert marked == {r.send_id: b.batch_id for b in batches for r in b.records}
    assert batch_rows == 3


def test_a_claim_takes_only_its_locale_and_nothing_once_none_is_pending(db: Database) -> None:
    issue = populate(db, 6, locales=("en", "ko"))

    with db.transaction() as session:
        korean = send_records.claim_batches(session, issue, count=2, size=2, worker="w", locale="ko")
        rest = send_records.claim_batches(session, issue, count=2, size=2, worker="w", locale="ko")

    assert [len(b.records) for b in korean] == [2, 1]
    assert {b.locale for b in korean} == {"ko"}
    assert rest == []


def test_finishing_batches_sets_only_their_still_claimed_records(db: Database) -> None:
    issue = populate(db, 6, locales=("en",))
    with db.transaction() as session:
        first, second, third = send_records.claim_batches(session, issue, count=3, size=2, worker="w")
        send_records.mark(session, [first.records[0].send_id], SendStatus.FAILED, error="refused")
        send_records.finish_batches(session, [first.batch_id, second.batch_id], SendStatus.SENT)

    with db.transaction() as session:
        counts = send_records.counts(session, issue)
        statuses = dict(session.execute(select(Batch.id, Batch.status)).all())
    assert counts == {"sent": 3, "failed": 1, "claimed": 2}
    assert statuses == {first.batch_id: "sent", second.batch_id: "sent", third.batch_id: "claimed"}


def test_queueing_counts_only_new_records_and_an_empty_audience_queues_nobody(db: Database) -> None:
    issue = populate(db, 5, locales=("en", "ko"), queue=False)
    everyone = select(Subscriber.id)
    nobody = select(Subscriber.id).where(Subscriber.id.in_([]))

    with db.transaction() as session:
        counted = [send_records.queue(session, issue, query, str) for query in (nobody, everyone, everyone)]
        rows = session.scalar(select(func.count()).select_from(Send).where(Send.issue_id == issue))

    assert counted == [0, 5, 0]
    assert rows == 5
