"""The store's audience contract, run on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from newsletter.errors import StoreError
from newsletter.store import Database, audience
from newsletter.store.schema import (
    Issue,
    Membership,
    Send,
    StatusChange,
    Subscriber,
    SubscriberStatus,
    Suppression,
)

AT = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def _count(db: Database, model: type) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_subscribe_records_consent_and_a_first_status_change(db: Database) -> None:
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        subscriber, created = audience.subscribe(
            session,
            email=" Ada@Example.org ",
            name="Ada\r\nBcc: x",
            lists=[brief],
            consent_source="form",
            at=AT,
        )
        sid = subscriber.id
    assert created
    with db.transaction() as session:
        stored = session.get(Subscriber, sid)
        assert stored is not None
        assert (stored.email, stored.email_key) == ("Ada@Example.org", "ada@example.org")
        assert stored.name == "Ada Bcc: x"
        assert (stored.consent_source, stored.consent_at) == ("form", AT)
        changes = audience.history(session, sid)
        assert [(c.status, c.via, c.at) for c in changes] == [("active", "cli", AT)]


def test_a_second_spelling_is_the_same_subscriber_and_keeps_its_status(db: Database) -> None:
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        other = audience.ensure_list(session, "other")
        first, _ = audience.subscribe(session, email="ada@example.org", lists=[brief], consent_source="t")
        audience.set_status(session, first, SubscriberStatus.UNSUBSCRIBED, via="unsubscribe-link")
        again, created = audience.subscribe(
            session, email="ADA@EXAMPLE.ORG", lists=[brief, other], consent_source="t"
        )
        assert again.id == first.id
        assert not created
        assert again.status == "unsubscribed"
        assert sorted(audience.list_ids_of(session, again.id)) == sorted([brief.id, other.id])


def test_email_key_is_unique_in_the_database(db: Database) -> None:
    def add_twice() -> None:
        with db.transaction() as session:
            session.add(Subscriber(email="a@example.org", email_key="a@example.org"))
            session.add(Subscriber(email="A@example.org", email_key="a@example.org"))

    with pytest.raises(IntegrityError):
        add_twice()
    assert _count(db, Subscriber) == 0


def test_set_status_records_each_change_once(db: Database) -> None:
    with db.transaction() as session:
        subscriber, _ = audience.subscribe(session, email="a@example.org", consent_source="t", at=AT)
        later = AT + timedelta(days=1)
        assert audience.set_status(
            session, subscriber, SubscriberStatus.BOUNCED, via="webhook", reason="550", at=later
        )
        assert not audience.set_status(session, subscriber, SubscriberStatus.BOUNCED, via="webhook")
        changes = audience.history(session, subscriber.id)
    assert [(c.status, c.via, c.reason) for c in changes] == [
        ("active", "cli", "subscribed (t)"),
        ("bounced", "webhook", "550"),
    ]
    assert changes[-1].at == later


def test_a_suppressed_address_cannot_be_subscribed(db: Database) -> None:
    with db.transaction() as session:
        assert audience.suppress(session, "Gone@Example.org", reason="erased")
        assert not audience.suppress(session, "gone@example.org", reason="erased")
        assert audience.is_suppressed(session, " GONE@example.org")
    with pytest.raises(StoreError, match="suppressed"), db.transaction() as session:
        audience.subscribe(session, email="gone@example.org", consent_source="t")
    assert _count(db, Subscriber) == 0


def test_erase_removes_everything_that_names_the_subscriber(db: Database) -> None:
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        kept, _ = audience.subscribe(session, email="kept@example.org", lists=[brief], consent_source="t")
        gone, _ = audience.subscribe(session, email="gone@example.org", lists=[brief], consent_source="t")
        issue = Issue(issue_date=date(2026, 7, 1), window_start=AT - timedelta(days=1), window_end=AT)
        session.add(issue)
        session.flush()
        session.add_all([Send(issue_id=issue.id, subscriber_id=s.id) for s in (kept, gone)])
        session.flush()
        audience.erase(session, gone)
        audience.suppress(session, "gone@example.org", reason="erased")
    with db.transaction() as session:
        assert audience.find_subscriber(session, "gone@example.org") is None
        assert session.scalars(select(Membership.subscriber_id)).all() == [kept.id]
        assert session.scalars(select(Send.subscriber_id)).all() == [kept.id]
        assert set(session.scalars(select(StatusChange.subscriber_id))) == {kept.id}
        stored = session.scalars(select(Suppression.email_hash)).all()
    assert stored == [audience.email_hash("gone@example.org")]
    assert "gone" not in stored[0]


def test_member_ids_and_locales(db: Database) -> None:
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        other = audience.ensure_list(session, "other")
        a, _ = audience.subscribe(
            session, email="a@example.org", locale="ko", lists=[brief], consent_source="t"
        )
        b, _ = audience.subscribe(session, email="b@example.org", lists=[brief, other], consent_source="t")
        audience.subscribe(session, email="c@example.org", consent_source="t")
        ids = audience.member_ids(session, [brief, other])
        assert ids == sorted([a.id, b.id])


def test_times_come_back_aware_in_utc(db: Database) -> None:
    seoul = datetime(2026, 7, 1, 9, 0, tzinfo=UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul"))
    with db.transaction() as session:
        subscriber, _ = audience.subscribe(session, email="a@example.org", consent_source="t", at=seoul)
        sid = subscriber.id
    with db.transaction() as session:
        stored = session.get(Subscriber, sid)
        assert stored is not None
        assert stored.consent_at == seoul
        assert stored.consent_at.tzinfo is not None
        assert stored.consent_at.utcoffset() == timedelta(0)


def test_email_key_folds_case_space_and_unicode_forms() -> None:
    composed = "\ud55c@example.org"  # 한, one code point.
    decomposed = "\u1112\u1161\u11ab@example.org"  # The same syllable as three jamo.
    assert audience.email_key(f"  {composed.upper()} ") == audience.email_key(decomposed)
    assert audience.email_hash("A@Example.org") == audience.email_hash("a@example.org ")
