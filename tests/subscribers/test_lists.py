"""List operations on both databases."""

from __future__ import annotations

import pytest

from newsletter.errors import InputError, StoreError
from newsletter.store import Database, audience
from newsletter.store.schema import SubscriberStatus
from newsletter.subscribers import lists

LOCALES = ["en", "ko"]


def test_create_records_description_and_default_locale(db: Database) -> None:
    with db.transaction() as session:
        lists.create_list(session, " 연구 ", description="Korean list ", default_locale="KO", locales=LOCALES)
    with db.transaction() as session:
        (summary,) = lists.summaries(session)
    assert (summary.name, summary.description, summary.default_locale) == ("연구", "Korean list", "ko")
    assert summary.members == 0


@pytest.mark.parametrize(
    ("name", "locale", "error", "message"),
    [
        ("brief", "en", StoreError, "list 'brief': already exists"),
        ("other", "fr", InputError, "locale: expected one of en, ko"),
        ("a;b", "en", InputError, "list name: expected"),
        ("", "en", InputError, "list name: expected"),
    ],
)
def test_create_refuses(db: Database, name: str, locale: str, error: type[Exception], message: str) -> None:
    with db.transaction() as session:
        lists.create_list(session, "brief", default_locale="en", locales=LOCALES)
    with pytest.raises(error, match=message), db.transaction() as session:
        lists.create_list(session, name, default_locale=locale, locales=LOCALES)


def test_summaries_count_members_by_status(db: Database) -> None:
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        empty = audience.ensure_list(session, "empty")
        statuses = ["active", "active", "unsubscribed", "bounced"]
        for i, status in enumerate(statuses):
            subscriber, _ = audience.subscribe(
                session, email=f"u{i}@example.org", lists=[brief], consent_source="t"
            )
            audience.set_status(session, subscriber, SubscriberStatus(status), via="cli")
        assert empty.id != brief.id
    with db.transaction() as session:
        found = {item.name: item for item in lists.summaries(session)}
    assert found["brief"].counts == {"active": 2, "unsubscribed": 1, "bounced": 1, "complained": 0}
    assert found["brief"].members == 4
    assert found["empty"].members == 0


def test_rename_keeps_members_and_refuses_a_taken_name(db: Database) -> None:
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        audience.ensure_list(session, "taken")
        audience.subscribe(session, email="a@example.org", lists=[brief], consent_source="t")
    with db.transaction() as session:
        lists.rename_list(session, "brief", "daily")
    with pytest.raises(StoreError, match="'taken': already exists"), db.transaction() as session:
        lists.rename_list(session, "daily", "taken")
    with db.transaction() as session:
        assert lists.summary(session, "daily").members == 1
        with pytest.raises(StoreError, match="no such list"):
            lists.summary(session, "brief")


def test_delete_is_refused_while_members_remain_unless_forced(db: Database) -> None:
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        audience.ensure_list(session, "empty")
        audience.subscribe(session, email="a@example.org", lists=[brief], consent_source="t")
    with pytest.raises(StoreError, match="has 1 members; use --force"), db.transaction() as session:
        lists.delete_list(session, "brief")
    with db.transaction() as session:
        assert lists.delete_list(session, "empty") == 0
        assert lists.delete_list(session, "brief", force=True) == 1
    with db.transaction() as session:
        assert lists.summaries(session) == []
        assert audience.find_subscriber(session, "a@example.org") is not None
