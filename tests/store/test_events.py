"""Delivery events in the store, on SQLite and PostgreSQL alike: kept once, counted per issue."""

from __future__ import annotations

from datetime import UTC, date, datetime

from newsletter.store import Database, audience
from newsletter.store import events as stored_events
from newsletter.store.schema import Issue, SubscriberStatus

AT = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def _issue_and_people(db: Database, people: int) -> tuple[int, list[int]]:
    with db.transaction() as session:
        issue = Issue(issue_date=date(2026, 7, 1), window_start=AT, window_end=AT, lists=[])
        session.add(issue)
        brief = audience.ensure_list(session, "brief")
        ids = [
            audience.subscribe(session, email=f"p{n}@example.org", lists=[brief], consent_source="t")[0].id
            for n in range(people)
        ]
        session.flush()
        return issue.id, ids


def test_seen_finds_stored_ids_across_chunks(db: Database) -> None:
    issue_id, _ = _issue_and_people(db, 0)
    stored = [f"ev{n}" for n in range(0, 1200, 2)]
    with db.transaction() as session:
        for event_id in stored:
            stored_events.record(
                session, event_id=event_id, kind="open", occurred_at=AT, issue_id=issue_id, subscriber_id=None
            )
    asked = [f"ev{n}" for n in range(1200)] + ["ev0", "unknown"]
    with db.transaction() as session:
        assert stored_events.seen(session, asked) == set(stored)
        assert stored_events.seen(session, []) == set()


def test_counts_per_kind_and_distinct_subscribers(db: Database) -> None:
    issue_id, (ada, bo, cy) = _issue_and_people(db, 3)
    with db.transaction() as session:
        other = Issue(issue_date=date(2026, 7, 2), window_start=AT, window_end=AT.replace(day=2), lists=[])
        session.add(other)
        session.flush()
        other_issue = other.id
    rows = [
        ("e1", "delivered", ada),
        ("e2", "delivered", ada),
        ("e3", "delivered", bo),
        ("e4", "bounce", cy),
        ("e5", "open", None),
    ]
    with db.transaction() as session:
        for event_id, kind, who in rows:
            stored_events.record(
                session, event_id=event_id, kind=kind, occurred_at=AT, issue_id=issue_id, subscriber_id=who
            )
        stored_events.record(
            session, event_id="e6", kind="delivered", occurred_at=AT, issue_id=other_issue, subscriber_id=cy
        )
    with db.transaction() as session:
        assert stored_events.counts(session, issue_id) == {"delivered": 3, "bounce": 1, "open": 1}
        assert stored_events.subscribers_with(session, issue_id, ("delivered",)) == 2
        assert stored_events.subscribers_with(session, issue_id, ("delivered", "bounce")) == 3
        assert stored_events.subscribers_with(session, issue_id, ("click",)) == 0


def test_people_who_left_through_an_issue_count_once(db: Database) -> None:
    issue_id, (ada, bo, cy, di) = _issue_and_people(db, 4)
    with db.transaction() as session:
        # Ada used the issue's link and the provider reported it too; Bo left at the provider;
        # Cy unsubscribed without naming the issue; Di bounced.
        subscriber = audience.get_subscriber(session, ada)
        assert subscriber is not None
        audience.set_status(session, subscriber, SubscriberStatus.UNSUBSCRIBED, via="link", issue_id=issue_id)
        cy_row = audience.get_subscriber(session, cy)
        assert cy_row is not None
        audience.set_status(session, cy_row, SubscriberStatus.UNSUBSCRIBED, via="cli")
        for event_id, kind, who in [
            ("u1", "unsubscribe", ada),
            ("u2", "group_unsubscribe", bo),
            ("u3", "unsubscribe", None),
            ("b1", "bounce", di),
        ]:
            stored_events.record(
                session, event_id=event_id, kind=kind, occurred_at=AT, issue_id=issue_id, subscriber_id=who
            )
    with db.transaction() as session:
        assert stored_events.left_through(session, issue_id, ("unsubscribe", "group_unsubscribe")) == 2
        assert stored_events.left_through(session, issue_id, ()) == 1
