"""The store's bulk writes (imports): the same rows and history as one-by-one subscribe, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from newsletter.store import Database, audience
from newsletter.store.audience import NewSubscriber, Via
from newsletter.store.schema import Membership, StatusChange, Subscriber

AT = datetime(2026, 7, 1, 0, 24, tzinfo=UTC)


def _state(db: Database) -> list[tuple[object, ...]]:
    """Every subscriber with its lists and history, without ids (they differ between the two ways)."""
    with db.transaction() as session:
        rows = []
        for item in session.scalars(select(Subscriber).order_by(Subscriber.email_key)):
            lists = sorted(
                session.scalars(select(Membership.list_id).where(Membership.subscriber_id == item.id))
            )
            history = [
                (change.status, change.reason, change.via, change.at)
                for change in audience.history(session, item.id)
            ]
            rows.append(
                (
                    item.email,
                    item.email_key,
                    item.name,
                    item.locale,
                    item.status,
                    item.status_changed_at,
                    item.consent_source,
                    item.consent_at,
                    item.created_at,
                    lists,
                    history,
                )
            )
        return rows


def _clear(db: Database) -> None:
    with db.transaction() as session:
        for item in session.scalars(select(Subscriber)).all():
            audience.erase(session, item)


def test_subscribe_many_writes_what_subscribe_writes(db: Database) -> None:
    people = [("Ada@example.org", "Ada", "en"), ("minji@example.org", "김민지", "ko")]
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        weekly = audience.ensure_list(session, "weekly")
        for email, name, locale in people:
            audience.subscribe(
                session,
                email=email,
                name=name,
                locale=locale,
                lists=[brief, weekly],
                consent_source="import of a.csv",
                at=AT,
                via=Via.IMPORT,
            )
        list_ids = (brief.id, weekly.id)
    one_by_one = _state(db)
    _clear(db)
    with db.transaction() as session:
        ids = audience.subscribe_many(
            session,
            [
                NewSubscriber(
                    email=email, key=audience.email_key(email), name=name, locale=locale, list_ids=list_ids
                )
                for email, name, locale in people
            ],
            consent_source="import of a.csv",
            at=AT,
        )
    assert sorted(ids) == ["ada@example.org", "minji@example.org"]
    assert _state(db) == one_by_one
    assert one_by_one[0][-1] == [("active", "subscribed (import of a.csv)", "import", AT)]


def test_bulk_joins_and_details_and_never_a_status(db: Database) -> None:
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        ada, _ = audience.subscribe(session, email="ada@example.org", consent_source="t", at=AT)
        audience.join_many(session, [(ada.id, brief.id)], at=AT)
        audience.update_details(session, [{"id": ada.id, "name": "Ada L.", "locale": "ko"}])
        with pytest.raises(ValueError, match=r"names and locales only, not \['status'\]"):
            audience.update_details(session, [{"id": ada.id, "status": "bounced"}])
    with db.transaction() as session:
        found = audience.find_subscriber(session, "ada@example.org")
        assert found is not None
        assert (found.name, found.locale, found.status) == ("Ada L.", "ko", "active")
        assert audience.list_ids_of(session, found.id) == [brief.id]
        statuses = session.scalars(select(StatusChange.status).where(StatusChange.subscriber_id == found.id))
        assert list(statuses) == ["active"]
