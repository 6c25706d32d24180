"""Random sequences of claims, deaths, looks, late answers, re-sends and settlements, against a
model: only a dead sender's batches become unknown when someone looks, a re-send or settlement
touches exactly the records listed as unknown, and a late answer still records them as sent
(Hypothesis state machine, on SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select, update

from newsletter.delivery import senders
from newsletter.scheduler import lease
from newsletter.store import Database
from newsletter.store import sends as send_records
from newsletter.store.schema import Batch, Issue, Send, SendStatus, utcnow

from .support import populate

_made = itertools.count()


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
PEOPLE = 12


def machine(db: Database) -> type[RuleBasedStateMachine]:
    class Claims(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.issue = fresh_issue(db)
            with db.transaction() as session:
                self.ids = list(session.scalars(select(Send.id).where(Send.issue_id == self.issue)))
            self.status = dict.fromkeys(self.ids, "pending")
            self.holder_of: dict[int, str] = {}
            """Record → the holder of the batch it was claimed in."""
            self.alive = dict.fromkeys(HOLDERS, False)

        def lease(self, holder: str, ttl: timedelta) -> None:
            name = senders.lease_name(self.issue, holder)
            assert lease.acquire(db, name, holder, ttl, now=utcnow() + min(ttl, timedelta()))

        @rule(holder=st.sampled_from(HOLDERS))
        def start(self, holder: str) -> None:
            self.lease(holder, timedelta(minutes=5))
            self.alive[holder] = True

        @rule(holder=st.sampled_from(HOLDERS))
        def die(self, holder: str) -> None:
            self.lease(holder, timedelta(seconds=-1))
            self.alive[holder] = False

        @precondition(lambda self: any(self.alive.values()))
        @rule(data=st.data())
        def claim(self, data: st.DataObject) -> None:
            holder = data.draw(st.sampled_from([h for h, up in self.alive.items() if up]))
            with db.transaction() as session:
                claimed = send_records.claim_batches(session, self.issue, count=1, size=3, worker=holder)
            expected = sorted(i for i, s in self.status.items() if s == "pending")[:3]
            assert [r.send_id for b in claimed for r in b.records] == expected
            for send_id in expected:
                self.status[send_id], self.holder_of[send_id] = "claimed", holder

        @rule(holder=st.sampled_from(HOLDERS))
        def hear_back(self, holder: str) -> None:
            """The provider accepted the holder's requests in flight, even if it was taken for dead
            meanwhile: records still claimed or unknown in its batches become sent."""
            with db.transaction() as session:
                batches = session.scalars(
                    select(Batch.id).where(Batch.issue_id == self.issue, Batch.claimed_by == holder)
                ).all()
                send_records.finish_batches(session, batches, SendStatus.SENT)
            for send_id, status in self.status.items():
                if status in ("claimed", "unknown") and self.holder_of.get(send_id) == holder:
                    self.status[send_id] = "sent"

        @rule()
        def look(self) -> None:
            with db.transaction() as session:
                senders.settle_abandoned(session, self.issue)
            for send_id, status in self.status.items():
                if status == "claimed" and not self.alive[self.holder_of[send_id]]:
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

    return Claims


def test_claims_over_random_runs(db: Database) -> None:
    run_state_machine_as_test(
        machine(db),
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
