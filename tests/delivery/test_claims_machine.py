"""Random sequences of the send records' life, against a model, on SQLite and PostgreSQL.

Subscribers are queued (and queued again), senders start, claim batches, hear back from the
provider (even after they were taken for dead), are refused (retryably or not), return a batch
that never went out, and crash; an operator looks, re-sends unknown records, or settles them;
one sender works through a second connection pool, as a second process does. Throughout, the
store agrees with the model and the provider never gets a recipient twice; once everything has
settled, every recipient has one record, in one final state (Hypothesis state machine).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, insert, select, update

from newsletter.delivery import senders
from newsletter.store import Database, leases
from newsletter.store import sends as send_records
from newsletter.store.schema import Batch, Issue, Send, SendStatus, Subscriber, utcnow

from .support import populate

_made = itertools.count()
_joined = itertools.count()


def fresh_issue(db: Database) -> int:
    """An issue of its own (each needs its own window) with PEOPLE new subscribers queued."""
    issue = populate(db, PEOPLE, locales=("en",))
    with db.transaction() as session:
        session.execute(
            update(Issue)
            .where(Issue.id == issue)
            .values(window_end=datetime(2000, 1, 1, tzinfo=UTC) + timedelta(days=next(_made)))
        )
    return issue


HOLDERS = ("a", "b", "c")
SECOND_PROCESS = "b"
"""The holder that claims and finishes through a connection pool of its own."""
PEOPLE = 12
IN_FLIGHT = ("claimed", "unknown")
FINAL = ("sent", "failed")


@pytest.fixture
def second_process(db_url: str) -> Iterator[Database]:
    """The same store through a second engine, as another sending process sees it."""
    database = Database(db_url)
    yield database
    database.dispose()


def machine(db: Database, other: Database) -> type[RuleBasedStateMachine]:
    class SendRecords(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.issue = fresh_issue(db)
            with db.transaction() as session:
                rows = session.execute(select(Send.id, Send.subscriber_id).where(Send.issue_id == self.issue))
                self.subscriber_of = dict(rows.all())
            self.status = dict.fromkeys(self.subscriber_of, "pending")
            self.batch_of: dict[int, int] = {}
            """Record → the batch it was last claimed in."""
            self.holder_of_batch: dict[int, str] = {}
            self.retryable: set[int] = set()
            """Batches refused with a retryable error and not yet put back."""
            self.alive = dict.fromkeys(HOLDERS, False)
            self.delivered: Counter[int] = Counter()
            """Record → how many times the provider accepted it."""

        def store(self, holder: str) -> Database:
            return other if holder == SECOND_PROCESS else db

        def lease(self, holder: str, ttl: timedelta) -> None:
            name = senders.lease_name(self.issue, holder)
            now = utcnow() + min(ttl, timedelta())
            assert leases.acquire(self.store(holder), name, holder, ttl, now=now)

        def in_flight(self, holder: str) -> list[int]:
            """The holder's records whose outcome it has not heard yet, by the model."""
            return sorted(
                i
                for i, s in self.status.items()
                if s in IN_FLIGHT and self.holder_of_batch[self.batch_of[i]] == holder
            )

        @rule(joining=st.integers(min_value=0, max_value=3))
        def queue(self, joining: int) -> None:
            """New subscribers join, and the whole audience is queued again: only they get records."""
            rows = [
                {
                    "email": f"joiner{n}@example.net",
                    "email_key": f"joiner{n}@example.net",
                    "locale": "en",
                    "status": "active",
                }
                for n in itertools.islice(_joined, joining)
            ]
            with db.transaction() as session:
                new = list(session.scalars(insert(Subscriber).returning(Subscriber.id), rows)) if rows else []
                audience = select(Subscriber.id).where(
                    Subscriber.id.in_([*self.subscriber_of.values(), *new])
                )
                assert send_records.queue(session, self.issue, audience, str) == len(new)
                added = session.execute(
                    select(Send.id, Send.subscriber_id).where(
                        Send.issue_id == self.issue, Send.subscriber_id.in_(new)
                    )
                ).all()
            for send_id, subscriber_id in added:
                self.subscriber_of[send_id] = subscriber_id
                self.status[send_id] = "pending"

        @rule(holder=st.sampled_from(HOLDERS))
        def start(self, holder: str) -> None:
            self.lease(holder, timedelta(minutes=5))
            self.alive[holder] = True

        @rule(holder=st.sampled_from(HOLDERS))
        def crash(self, holder: str) -> None:
            """The holder dies: its lease lapses with its batches still out."""
            self.lease(holder, timedelta(seconds=-1))
            self.alive[holder] = False

        @precondition(lambda self: any(self.alive.values()))
        @rule(data=st.data(), size=st.integers(min_value=1, max_value=4))
        def claim(self, data: st.DataObject, size: int) -> None:
            holder = data.draw(st.sampled_from([h for h, up in self.alive.items() if up]))
            with self.store(holder).transaction() as session:
                claimed = send_records.claim_batches(session, self.issue, count=2, size=size, worker=holder)
            expected = sorted(i for i, s in self.status.items() if s == "pending")[: 2 * size]
            assert [r.send_id for b in claimed for r in b.records] == expected
            for batch in claimed:
                assert len(batch.records) <= size
                self.holder_of_batch[batch.batch_id] = holder
                for record in batch.records:
                    self.status[record.send_id], self.batch_of[record.send_id] = "claimed", batch.batch_id

        @rule(holder=st.sampled_from(HOLDERS))
        def hear_back(self, holder: str) -> None:
            """The provider accepted the holder's requests in flight, even if it was taken for dead
            meanwhile: what the store still lists as out with it is delivered, and becomes sent."""
            with self.store(holder).transaction() as session:
                out = session.execute(
                    select(Send.id, Send.batch_id)
                    .join(Batch, Batch.id == Send.batch_id)
                    .where(Batch.claimed_by == holder, Send.status.in_(IN_FLIGHT))
                    .where(Send.issue_id == self.issue)
                ).all()
                self.delivered.update(send_id for send_id, _ in out)
                send_records.finish_batches(session, sorted({b for _, b in out}), SendStatus.SENT)
            assert sorted(send_id for send_id, _ in out) == self.in_flight(holder)
            for send_id, _ in out:
                self.status[send_id] = "sent"

        @rule(holder=st.sampled_from(HOLDERS), retryable=st.booleans())
        def refused(self, holder: str, retryable: bool) -> None:
            """The provider refused the holder's requests in flight; a retryable refusal provably
            sent nothing, so those records may be queued again."""
            records = self.in_flight(holder)
            batches = sorted({self.batch_of[i] for i in records})
            with self.store(holder).transaction() as session:
                send_records.finish_batches(
                    session, batches, SendStatus.FAILED, error="refused", retryable=retryable
                )
            for send_id in records:
                self.status[send_id] = "failed"
            if retryable:
                self.retryable.update(batches)

        @rule()
        def requeue_retryable(self) -> None:
            with db.transaction() as session:
                requeued = send_records.requeue_retryable(session, self.issue)
            listed = [
                i for i, s in self.status.items() if s == "failed" and self.batch_of[i] in self.retryable
            ]
            assert requeued == len(listed)
            for send_id in listed:
                self.status[send_id] = "pending"
            self.retryable.clear()

        @precondition(lambda self: any(s == "claimed" for s in self.status.values()))
        @rule(data=st.data())
        def return_batch(self, data: st.DataObject) -> None:
            """A sender puts back a batch whose request provably never went out."""
            batch = data.draw(
                st.sampled_from(sorted({self.batch_of[i] for i, s in self.status.items() if s == "claimed"}))
            )
            with self.store(self.holder_of_batch[batch]).transaction() as session:
                send_records.requeue_batch(session, batch)
            for send_id, status in self.status.items():
                if status == "claimed" and self.batch_of[send_id] == batch:
                    self.status[send_id] = "pending"

        @rule()
        def look(self) -> None:
            with db.transaction() as session:
                senders.settle_abandoned(session, self.issue)
            for send_id, status in self.status.items():
                if status == "claimed" and not self.alive[self.holder_of_batch[self.batch_of[send_id]]]:
                    self.status[send_id] = "unknown"

        @rule()
        def resend_unknown(self) -> None:
            with db.transaction() as session:
                requeued = send_records.requeue_unknown(session, self.issue)
            listed = [i for i, s in self.status.items() if s == "unknown"]
            assert requeued == len(listed)
            for send_id in listed:
                self.status[send_id] = "pending"

        @rule(outcome=st.sampled_from([SendStatus.SENT, SendStatus.FAILED]))
        def settle_unknown(self, outcome: SendStatus) -> None:
            with db.transaction() as session:
                settled = send_records.settle_unknown(session, self.issue, outcome)
            listed = [i for i, s in self.status.items() if s == "unknown"]
            assert settled == len(listed)
            for send_id in listed:
                self.status[send_id] = outcome.value

        @invariant()
        def the_store_agrees(self) -> None:
            with db.transaction() as session:
                found = dict(
                    session.execute(select(Send.id, Send.status).where(Send.issue_id == self.issue)).all()
                )
            assert found == self.status

        @invariant()
        def nobody_is_sent_twice(self) -> None:
            assert all(n == 1 for n in self.delivered.values()), self.delivered.most_common(3)

        def teardown(self) -> None:
            """Let everything settle, then every recipient has one record in one final state."""
            self.start("a")
            for holder in HOLDERS[1:]:
                self.crash(holder)
            while any(s == "pending" for s in self.status.values()):
                self.claim(_Fixed("a"), 4)  # type: ignore[arg-type]
            self.hear_back("a")
            self.look()
            self.settle_unknown(SendStatus.FAILED)
            self.the_store_agrees()
            self.nobody_is_sent_twice()
            with db.transaction() as session:
                per_subscriber = session.execute(
                    select(Send.subscriber_id, func.count())
                    .where(Send.issue_id == self.issue)
                    .group_by(Send.subscriber_id)
                ).all()
            assert sorted(s for s, _ in per_subscriber) == sorted(self.subscriber_of.values())
            assert {n for _, n in per_subscriber} == {1}
            assert set(self.status.values()) <= set(FINAL)
            # A record the provider accepted is sent; a failed one was never accepted.
            assert all(self.status[i] == "sent" for i in self.delivered)

    return SendRecords


class _Fixed:
    """Stands in for Hypothesis's ``data`` when the teardown claims for a chosen holder."""

    def __init__(self, value: str) -> None:
        self.value = value

    def draw(self, strategy: object) -> str:
        return self.value


def test_send_records_over_random_runs(db: Database, second_process: Database) -> None:
    run_state_machine_as_test(
        machine(db, second_process),
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
