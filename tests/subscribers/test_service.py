"""Subscriber operations on both databases: add, find, locale, status changes and erasure."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.config import Config
from newsletter.errors import InputError, StoreError
from newsletter.store import Database, audience
from newsletter.subscribers import service
from newsletter.subscribers.importer import import_csv

LOCALES = ["en", "ko"]


def _add(db: Database, email: str, **options: object) -> service.SubscriberView:
    values: dict[str, object] = {"locale": "en", "list_names": ["brief"], "consent_source": "cli", **options}
    with db.transaction() as session:
        view, _ = service.add(session, email, locales=LOCALES, **values)  # type: ignore[arg-type]
    return view


def test_add_validates_and_records_consent(db: Database, brief: str) -> None:
    view = _add(db, " Ada@Example.ORG ", name="Ada\nLovelace", locale="KO", consent_source="paper form")
    assert (view.email, view.name, view.locale, view.status) == (
        "Ada@example.org",
        "Ada Lovelace",
        "ko",
        "active",
    )
    assert view.consent_source == "paper form"
    assert view.lists == ("brief",)
    with pytest.raises(InputError, match=r"email: .*display name"):
        _add(db, "Ada <ada@example.org>")
    with pytest.raises(InputError, match="locale: expected one of en, ko"):
        _add(db, "b@example.org", locale="de")


def test_find_matches_address_or_name_in_any_case(db: Database, brief: str) -> None:
    _add(db, "ada@example.org", name="Ada Lovelace")
    _add(db, "minji@example.org", name="김민지")
    _add(db, "under_score@example.org")
    with db.transaction() as session:
        assert [v.email for v in service.find(session, "LOVELACE")] == ["ada@example.org"]
        assert [v.email for v in service.find(session, "민지")] == ["minji@example.org"]
        assert [v.email for v in service.find(session, "_")] == ["under_score@example.org"]
        assert len(service.find(session, "", list_name="brief")) == 3
        assert service.find(session, "", status="unsubscribed") == []


def test_unsubscribe_and_resubscribe_only_with_confirmation(db: Database, brief: str) -> None:
    _add(db, "ada@example.org")
    with db.transaction() as session:
        assert service.unsubscribe(session, "ADA@example.org", reason="asked by mail")
        assert not service.unsubscribe(session, "ada@example.org")
    with pytest.raises(InputError, match="--confirm"), db.transaction() as session:
        service.resubscribe(session, "ada@example.org", confirm=False, consent_source="phone")
    with db.transaction() as session:
        assert service.show(session, "ada@example.org").status == "unsubscribed"
        assert service.resubscribe(session, "ada@example.org", confirm=True, consent_source="phone call")
    with db.transaction() as session:
        view = service.show(session, "ada@example.org")
    assert view.status == "active"
    assert view.consent_source == "phone call"
    assert [(c.status, c.via, c.reason) for c in view.history] == [
        ("active", "cli", "subscribed (cli)"),
        ("unsubscribed", "cli", "asked by mail"),
        ("active", "cli", "resubscribed (phone call)"),
    ]


def test_set_locale(db: Database, brief: str) -> None:
    _add(db, "ada@example.org")
    with db.transaction() as session:
        assert service.set_locale(session, "ada@example.org", "ko", locales=LOCALES).locale == "ko"
    with pytest.raises(InputError, match="got 'ja'"), db.transaction() as session:
        service.set_locale(session, "ada@example.org", "ja", locales=LOCALES)
    with (
        pytest.raises(StoreError, match=r"nobody@example\.org: no such subscriber"),
        db.transaction() as session,
    ):
        service.set_locale(session, "nobody@example.org", "ko", locales=LOCALES)


def test_erasure_removes_personal_data_and_blocks_every_later_add(
    db: Database, config: Config, brief: str, tmp_path: Path
) -> None:
    _add(db, "Ada@example.org", name="Ada")
    with db.transaction() as session:
        assert service.erase(session, "ada@EXAMPLE.org")
        assert not service.erase(session, "never@example.org")
    with db.transaction() as session:
        assert service.find(session, "ada") == []
        assert audience.is_suppressed(session, "never@example.org")
    with pytest.raises(StoreError, match="suppressed"):
        _add(db, "ADA@example.org")
    path = tmp_path / "again.csv"
    path.write_text("email\nada@example.org\n", encoding="utf-8")
    report = import_csv(db, path, list_name="brief", config=config)
    assert (report.added, report.rejected) == (0, 1)
