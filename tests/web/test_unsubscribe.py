"""One-click unsubscribe at /u/{token}, through Starlette's test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.model import Window
from newsletter.store import Database, issues
from newsletter.store.schema import StatusChange, Subscriber
from newsletter.unsubscribe import PREVIEW_SIGNER, Signer, TokenSubject
from newsletter.web.app import public_app

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def client(config: Config, db: Database, signer: Signer) -> TestClient:
    return TestClient(public_app(config, db=db, signer=signer))


# Subscribing records a change too; only the changes these endpoints make matter here.
OURS = ("unsubscribe-link", "webhook")


def token_for(signer: Signer, subscriber_id: int, issue_id: int = 7) -> str:
    return signer.sign(TokenSubject(subscriber_id=subscriber_id, issue_id=issue_id))


def status_of(db: Database, subscriber_id: int) -> tuple[str, list[tuple[str, str, str]]]:
    with db.transaction() as session:
        subscriber = session.get(Subscriber, subscriber_id)
        assert subscriber is not None
        changes = session.scalars(
            select(StatusChange).where(
                StatusChange.subscriber_id == subscriber_id, StatusChange.via.in_(OURS)
            )
        )
        return subscriber.status, [(c.status, c.via, c.reason) for c in changes]


def test_get_shows_a_button_that_posts_one_click_and_changes_nothing(
    client: TestClient, db: Database, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    token = token_for(signer, subscriber_ids["en"])
    page = client.get(f"/u/{token}")
    assert page.status_code == 200
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page.text, re.S)
    assert form is not None
    assert form.group(1).startswith(f"/u/{token}")
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in form.group(2)
    assert 'id="language"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert status_of(db, subscriber_ids["en"]) == ("active", [])


def test_page_speaks_the_subscribers_language_and_can_switch(
    client: TestClient, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    token = token_for(signer, subscriber_ids["ko"])
    assert '<html lang="ko">' in client.get(f"/u/{token}").text
    assert '<html lang="en">' in client.get(f"/u/{token}?lang=en").text
    # A language that is not configured falls back to the subscriber's own.
    assert '<html lang="ko">' in client.get(f"/u/{token}?lang=fr").text


def test_one_click_post_unsubscribes_once_and_twice_is_harmless(
    client: TestClient, db: Database, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    token = token_for(signer, subscriber_ids["en"], issue_id=12)
    first = client.post(f"/u/{token}", data=ONE_CLICK)
    second = client.post(f"/u/{token}", data=ONE_CLICK)
    assert first.status_code == second.status_code == 200
    assert first.text == second.text
    assert 'id="notice"' in first.text
    assert status_of(db, subscriber_ids["en"]) == (
        "unsubscribed",
        [("unsubscribed", "unsubscribe-link", "one-click unsubscribe from issue 12")],
    )
    assert status_of(db, subscriber_ids["ko"])[0] == "active"


def test_multipart_one_click_body_is_accepted(
    client: TestClient, db: Database, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    token = token_for(signer, subscriber_ids["ko"])
    response = client.post(f"/u/{token}", files={"List-Unsubscribe": (None, "One-Click")})
    assert response.status_code == 200
    assert status_of(db, subscriber_ids["ko"])[0] == "unsubscribed"


@pytest.mark.parametrize("body", [{}, {"List-Unsubscribe": "Yes"}, {"unsubscribe": "One-Click"}])
def test_post_without_the_one_click_body_changes_nothing(
    client: TestClient, db: Database, signer: Signer, subscriber_ids: dict[str, int], body: dict[str, str]
) -> None:
    response = client.post(f"/u/{token_for(signer, subscriber_ids['en'])}", data=body)
    assert response.status_code == 400
    assert status_of(db, subscriber_ids["en"]) == ("active", [])


def test_tampered_and_malformed_tokens_get_a_plain_400(
    client: TestClient, db: Database, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    genuine = token_for(signer, subscriber_ids["en"])
    payload, mac = genuine.split(".")
    other = token_for(signer, subscriber_ids["ko"]).split(".")[0]
    forged = [
        f"{other}.{mac}",
        f"{payload}.{mac[:-2]}AA",
        "not-a-token",
        "abc.def",
        "Zm9v",
        token_for(PREVIEW_SIGNER, subscriber_ids["en"]),
    ]
    for token in forged:
        for response in (client.get(f"/u/{token}"), client.post(f"/u/{token}", data=ONE_CLICK)):
            assert response.status_code == 400, token
            assert "<form" not in response.text
    assert status_of(db, subscriber_ids["en"]) == ("active", [])
    assert status_of(db, subscriber_ids["ko"]) == ("active", [])


def test_unknown_subscriber_gets_the_same_response_as_a_known_one(
    client: TestClient, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    known = token_for(signer, subscriber_ids["en"])
    unknown = token_for(signer, 999_999)
    for method in ("get", "post"):
        kwargs = {"data": ONE_CLICK} if method == "post" else {}
        a = getattr(client, method)(f"/u/{known}", **kwargs)
        b = getattr(client, method)(f"/u/{unknown}", **kwargs)
        assert a.status_code == b.status_code == 200
        assert a.text.replace(known, "TOKEN") == b.text.replace(unknown, "TOKEN")


def test_language_form_changes_the_subscribers_locale(
    client: TestClient, db: Database, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    token = token_for(signer, subscriber_ids["en"])
    response = client.post(f"/u/{token}/language", data={"locale": "ko"})
    assert response.status_code == 200
    assert '<html lang="ko">' in response.text
    assert '<option value="ko" selected>' in response.text
    with db.transaction() as session:
        subscriber = session.get(Subscriber, subscriber_ids["en"])
        assert subscriber is not None
        assert (subscriber.locale, subscriber.status) == ("ko", "active")
    assert client.post(f"/u/{token}/language", data={"locale": "xx"}).status_code == 400


def test_rotated_key_still_verifies_old_links(
    config: Config, db: Database, subscriber_ids: dict[str, int]
) -> None:
    old = Signer([b"the-old-signing-key-0123456789"])
    rotated = Signer([b"the-new-signing-key-0123456789", b"the-old-signing-key-0123456789"])
    client = TestClient(public_app(config, db=db, signer=rotated))
    response = client.post(f"/u/{token_for(old, subscriber_ids['ko'])}", data=ONE_CLICK)
    assert response.status_code == 200
    assert status_of(db, subscriber_ids["ko"])[0] == "unsubscribed"


def test_the_change_names_the_issue_whose_link_was_used(
    client: TestClient, db: Database, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    with db.transaction() as session:
        close = datetime(2026, 7, 1, tzinfo=UTC)
        issue = issues.issue_for_window(
            session, Window(start=close - timedelta(days=1), end=close), close.date()
        )
        issue_id = issue.id
    client.post(f"/u/{token_for(signer, subscriber_ids['en'], issue_id=issue_id)}", data=ONE_CLICK)
    # A genuine token whose issue no longer exists still unsubscribes, naming no issue.
    client.post(f"/u/{token_for(signer, subscriber_ids['ko'], issue_id=issue_id + 100)}", data=ONE_CLICK)
    with db.transaction() as session:
        named = {
            change.subscriber_id: change.issue_id
            for change in session.scalars(select(StatusChange).where(StatusChange.via == "unsubscribe-link"))
        }
    assert named == {subscriber_ids["en"]: issue_id, subscriber_ids["ko"]: None}
