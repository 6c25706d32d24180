"""The subscriber's pages at /u/{token}, through Starlette's test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.model import Window
from newsletter.store import Database, issues
from newsletter.store.audience import Via, ensure_list, set_status, subscribe
from newsletter.store.schema import StatusChange, Subscriber, SubscriberStatus
from newsletter.subscribers import service
from newsletter.subscribers.selfservice import mask
from newsletter.unsubscribe import PREVIEW_SIGNER, Signer, TokenSubject
from newsletter.web.app import public_app
from tests.support import state_snapshot

ONE_CLICK = {"List-Unsubscribe": "One-Click"}
UNDO = {"undo": "unsubscribe"}
#: The particle placeholders KOREAN.md forbids, in either order.
PLACEHOLDERS = re.compile(r"을\(를\)|를\(을\)|이\(가\)|가\(이\)|은\(는\)|는\(은\)|와\(과\)|과\(와\)|\(으\)로")
# Subscribing records a change too; only the changes these endpoints make matter here.
OURS = ("unsubscribe-link", "webhook")


@pytest.fixture
def client(config: Config, db: Database, signer: Signer) -> TestClient:
    return TestClient(public_app(config, db=db, signer=signer))


@dataclass(frozen=True, slots=True)
class People:
    """One subscriber in each state a page can show, by name; ``erased`` no longer exists."""

    ids: dict[str, int]

    def token(self, signer: Signer, who: str, issue_id: int = 7) -> str:
        return signer.sign(TokenSubject(subscriber_id=self.ids[who], issue_id=issue_id))


@pytest.fixture
def people(db: Database) -> People:
    states = {
        "link-unsubscribed": (SubscriberStatus.UNSUBSCRIBED, Via.UNSUBSCRIBE_LINK),
        "cli-unsubscribed": (SubscriberStatus.UNSUBSCRIBED, Via.CLI),
        "bounced": (SubscriberStatus.BOUNCED, Via.WEBHOOK),
        "complained": (SubscriberStatus.COMPLAINED, Via.WEBHOOK),
    }
    ids: dict[str, int] = {}
    with db.transaction() as session:
        brief = ensure_list(session, "brief")
        for who in ("en", "ko", *states, "erased"):
            locale = "ko" if who in ("ko", "bounced") else "en"
            subscriber, _ = subscribe(
                session, email=f"{who}@example.org", locale=locale, lists=[brief], consent_source="test"
            )
            ids[who] = subscriber.id
            if who in states:
                status, via = states[who]
                set_status(session, subscriber, status, via=via, reason="set up by the test")
    with db.transaction() as session:
        service.erase(session, "erased@example.org")
    return People(ids)


def status_of(db: Database, subscriber_id: int) -> tuple[str, list[tuple[str, str, str]]]:
    with db.transaction() as session:
        subscriber = session.get(Subscriber, subscriber_id)
        assert subscriber is not None
        changes = session.scalars(
            select(StatusChange)
            .where(StatusChange.subscriber_id == subscriber_id, StatusChange.via.in_(OURS))
            .order_by(StatusChange.id)
        )
        return subscriber.status, [(c.status, c.via, c.reason) for c in changes]


def locale_of(db: Database, subscriber_id: int) -> str:
    with db.transaction() as session:
        subscriber = session.get(Subscriber, subscriber_id)
        assert subscriber is not None
        return subscriber.locale


def page_state(html: str) -> str:
    found = re.search(r'id="state" data-state="([a-z-]+)"', html)
    assert found is not None, html
    return found.group(1)


def selected_locale(html: str) -> str | None:
    found = re.search(r'<option value="([a-z]+)"[^>]*\bselected>', html)
    return found.group(1) if found else None


def visible_text(html: str) -> str:
    return unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S))


# --- The states a genuine link shows ----------------------------------------------------------


def test_an_active_subscriber_sees_the_button_the_language_form_and_nothing_changes(
    client: TestClient, db: Database, signer: Signer, people: People
) -> None:
    token = people.token(signer, "en")
    page = client.get(f"/u/{token}")
    assert page.status_code == 200
    assert page_state(page.text) == "active"
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page.text, re.S)
    assert form is not None
    assert form.group(1).startswith(f"/u/{token}")
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in form.group(2)
    assert "Address: e***@example.org" in page.text
    assert f'action="/u/{token}/language#language"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert status_of(db, people.ids["en"]) == ("active", [])


def test_the_language_form_sits_in_the_anchor_of_the_change_language_link(
    client: TestClient, signer: Signer, people: People
) -> None:
    page = client.get(f"/u/{people.token(signer, 'ko')}").text
    section = re.search(r'<section id="language"[^>]*>(.*?)</section>', page, re.S)
    assert section is not None
    assert '<select id="locale" name="locale">' in section.group(1)
    assert 'id="save-language"' in section.group(1)
    # Targeted, the section moves above the unsubscribe button: see test_browser for where it lands.
    assert "#language:target{order:-1" in page


def test_lang_changes_the_page_and_the_dropdown_keeps_the_stored_language(
    client: TestClient, signer: Signer, people: People
) -> None:
    token = people.token(signer, "ko")
    korean, english = client.get(f"/u/{token}").text, client.get(f"/u/{token}?lang=en").text
    assert '<html lang="ko">' in korean
    assert selected_locale(korean) == "ko"
    assert '<html lang="en">' in english
    assert "Receive the newsletter in:" in english
    assert selected_locale(english) == "ko"
    # A language that is not configured falls back to the subscriber's own.
    assert '<html lang="ko">' in client.get(f"/u/{token}?lang=fr").text
    # The subscriber's stored language beats the browser's; ?lang beats both.
    assert '<html lang="ko">' in client.get(f"/u/{token}", headers={"Accept-Language": "en"}).text


def test_one_click_post_unsubscribes_once_shows_the_masked_address_and_an_undo(
    client: TestClient, db: Database, signer: Signer, people: People
) -> None:
    token = people.token(signer, "en", issue_id=12)
    first = client.post(f"/u/{token}", data=ONE_CLICK)
    second = client.post(f"/u/{token}", data=ONE_CLICK)
    assert first.status_code == second.status_code == 200
    assert first.text == second.text
    assert page_state(first.text) == "unsubscribed"
    assert "Press the button" not in first.text
    assert 'id="unsubscribe"' not in first.text
    assert "e***@example.org" in first.text
    assert "en@example.org" not in first.text
    assert f'action="/u/{token}/undo?lang=en"' in first.text
    assert status_of(db, people.ids["en"]) == (
        "unsubscribed",
        [("unsubscribed", "unsubscribe-link", "one-click unsubscribe from issue 12")],
    )
    assert status_of(db, people.ids["ko"])[0] == "active"


def test_a_later_visit_says_the_address_is_already_unsubscribed_and_offers_undo(
    client: TestClient, signer: Signer, people: People
) -> None:
    token = people.token(signer, "en")
    client.post(f"/u/{token}", data=ONE_CLICK)
    later = client.get(f"/u/{token}")
    assert later.status_code == 200
    assert page_state(later.text) == "already-unsubscribed"
    assert "Already unsubscribed" in later.text
    assert "e***@example.org" in later.text
    assert 'id="undo"' in later.text
    assert 'id="unsubscribe"' not in later.text


def test_undo_resubscribes_with_the_same_token_and_is_recorded_as_such(
    client: TestClient, db: Database, signer: Signer, people: People
) -> None:
    token = people.token(signer, "ko", issue_id=12)
    client.post(f"/u/{token}", data=ONE_CLICK)
    undone = client.post(f"/u/{token}/undo", data=UNDO)
    assert undone.status_code == 200
    assert page_state(undone.text) == "resubscribed"
    assert "재구독 완료" in undone.text
    assert "주소: k***@example.org" in undone.text
    expected = (
        "active",
        [
            ("unsubscribed", "unsubscribe-link", "one-click unsubscribe from issue 12"),
            ("active", "unsubscribe-link", "undo from the unsubscribe page (issue 12)"),
        ],
    )
    assert status_of(db, people.ids["ko"]) == expected
    # A replayed undo agrees and records nothing more.
    again = client.post(f"/u/{token}/undo", data=UNDO)
    assert (again.status_code, page_state(again.text)) == (200, "resubscribed")
    assert status_of(db, people.ids["ko"]) == expected
    # Back to the start: the page offers the button again.
    assert page_state(client.get(f"/u/{token}").text) == "active"


def test_an_unsubscribe_from_any_of_the_subscribers_links_can_be_undone(
    client: TestClient, db: Database, signer: Signer, people: People
) -> None:
    client.post(f"/u/{people.token(signer, 'en', issue_id=3)}", data=ONE_CLICK)
    response = client.post(f"/u/{people.token(signer, 'en', issue_id=4)}/undo", data=UNDO)
    assert response.status_code == 200
    assert status_of(db, people.ids["en"])[0] == "active"


@pytest.mark.parametrize(
    ("who", "state", "address"),
    [
        ("bounced", "stopped", "b***@example.org"),
        ("complained", "stopped", "c***@example.org"),
        ("erased", "stopped", None),
        ("cli-unsubscribed", "already-unsubscribed", "c***@example.org"),
    ],
)
def test_mail_stopped_for_another_reason_is_said_and_offers_no_undo(
    client: TestClient, signer: Signer, people: People, who: str, state: str, address: str | None
) -> None:
    page = client.get(f"/u/{people.token(signer, who)}").text
    assert page_state(page) == state
    assert 'id="undo"' not in page
    assert "<form" not in page
    if address is None:
        assert "@" not in visible_text(page)
    else:
        assert address in page


def test_the_change_names_the_issue_whose_link_was_used(
    client: TestClient, db: Database, signer: Signer, people: People
) -> None:
    with db.transaction() as session:
        close = datetime(2026, 7, 1, tzinfo=UTC)
        issue = issues.issue_for_window(
            session, Window(start=close - timedelta(days=1), end=close), close.date()
        )
        issue_id = issue.id
    client.post(f"/u/{people.token(signer, 'en', issue_id=issue_id)}", data=ONE_CLICK)
    # A genuine token whose issue no longer exists still unsubscribes, naming no issue.
    client.post(f"/u/{people.token(signer, 'ko', issue_id=issue_id + 100)}", data=ONE_CLICK)
    with db.transaction() as session:
        named = {
            change.subscriber_id: change.issue_id
            for change in session.scalars(
                select(StatusChange).where(
                    StatusChange.via == "unsubscribe-link", StatusChange.reason.like("one-click%")
                )
            )
        }
    assert named == {people.ids["en"]: issue_id, people.ids["ko"]: None}


def test_multipart_one_click_body_is_accepted(
    client: TestClient, db: Database, signer: Signer, people: People
) -> None:
    response = client.post(
        f"/u/{people.token(signer, 'ko')}", files={"List-Unsubscribe": (None, "One-Click")}
    )
    assert response.status_code == 200
    assert status_of(db, people.ids["ko"])[0] == "unsubscribed"


def test_one_click_accepts_other_fields_beside_the_pair_as_rfc_8058_allows(
    client: TestClient, db: Database, signer: Signer, people: People
) -> None:
    response = client.post(f"/u/{people.token(signer, 'en')}", data={**ONE_CLICK, "from": "mail-client"})
    assert response.status_code == 200
    assert status_of(db, people.ids["en"])[0] == "unsubscribed"


def test_rotated_key_still_verifies_old_links(config: Config, db: Database, people: People) -> None:
    old = Signer([b"the-old-signing-key-0123456789"])
    rotated = Signer([b"the-new-signing-key-0123456789", b"the-old-signing-key-0123456789"])
    client = TestClient(public_app(config, db=db, signer=rotated))
    response = client.post(f"/u/{people.token(old, 'ko')}", data=ONE_CLICK)
    assert response.status_code == 200
    assert status_of(db, people.ids["ko"])[0] == "unsubscribed"


# --- The language form ------------------------------------------------------------------------


def test_the_language_form_changes_the_stored_language_and_says_so_in_it(
    client: TestClient, db: Database, signer: Signer, people: People
) -> None:
    token = people.token(signer, "en")
    response = client.post(f"/u/{token}/language", data={"locale": "ko"})
    assert response.status_code == 200
    assert '<html lang="ko">' in response.text
    assert selected_locale(response.text) == "ko"
    assert "앞으로 뉴스레터는 한국어 버전으로 발송됩니다." in response.text
    assert (locale_of(db, people.ids["en"]), status_of(db, people.ids["en"])[0]) == ("ko", "active")
    back = client.post(f"/u/{token}/language", data={"locale": "en"})
    assert "Your newsletter will now arrive in English." in back.text
    assert locale_of(db, people.ids["en"]) == "en"


# --- The invalid-link page --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept_language", "expected"),
    [
        ("", "", "en"),
        ("", "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko"),
        ("", "fr-FR, en;q=0.5, ko;q=0.8", "ko"),
        ("", "ko;q=0, en;q=0.1", "en"),
        ("", "ko;q=junk", "en"),
        ("?lang=ko", "en", "ko"),
        ("?lang=en", "ko", "en"),
        ("?lang=xx", "ko", "ko"),
    ],
)
def test_the_invalid_link_page_speaks_the_browsers_language_or_lang(
    client: TestClient, query: str, accept_language: str, expected: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    page = client.get(f"/u/not-a-token{query}", headers=headers)
    assert page.status_code == 400
    assert f'<html lang="{expected}">' in page.text
    assert page_state(page.text) == "invalid"
    heading = {"en": "This link is not valid", "ko": "유효하지 않은 링크입니다"}[expected]
    assert f"<h1>{heading}</h1>" in page.text
    # Both languages are reachable from the page itself.
    other = "ko" if expected == "en" else "en"
    assert f'hreflang="{other}" lang="{other}" href="?lang={other}"' in page.text


def test_an_unknown_subscriber_is_told_in_the_browsers_language(
    client: TestClient, signer: Signer, people: People
) -> None:
    page = client.get(f"/u/{people.token(signer, 'erased')}", headers={"Accept-Language": "ko"}).text
    assert '<html lang="ko">' in page
    assert "발송이 중단된 주소" in page


# --- Korean on every page ---------------------------------------------------------------------


def every_page(client: TestClient, signer: Signer, people: People) -> Iterator[tuple[str, str]]:
    """(what, html) for every state of every page, in both languages."""
    for lang in ("en", "ko"):
        query = f"?lang={lang}"
        yield f"invalid {lang}", client.get(f"/u/junk{query}").text
        for who in ("bounced", "erased", "cli-unsubscribed", "link-unsubscribed"):
            yield f"{who} {lang}", client.get(f"/u/{people.token(signer, who)}{query}").text
    for who in ("en", "ko"):
        token = people.token(signer, who)
        for lang in ("en", "ko"):
            query = f"?lang={lang}"
            yield f"active {who} {lang}", client.get(f"/u/{token}{query}").text
            yield f"language {who} {lang}", client.post(f"/u/{token}/language", data={"locale": lang}).text
            yield f"unsubscribed {who} {lang}", client.post(f"/u/{token}{query}", data=ONE_CLICK).text
            yield f"later {who} {lang}", client.get(f"/u/{token}{query}").text
            yield f"undone {who} {lang}", client.post(f"/u/{token}/undo{query}", data=UNDO).text


def test_no_page_carries_a_particle_placeholder_or_english_chrome_in_korean(
    client: TestClient, signer: Signer, people: People
) -> None:
    seen = set()
    for what, html in every_page(client, signer, people):
        seen.add(page_state(html))
        assert not PLACEHOLDERS.search(html), what
        if '<html lang="ko">' in html:
            # Only the names and the masked address may be Latin: the brand, "English", the domain
            # and the public list's name (research-brief) beside its checkbox.
            latin = set(re.findall(r"[A-Za-z]{3,}", visible_text(html)))
            assert latin <= {"Research", "Brief", "English", "example", "org", "research", "brief"}, (
                what,
                latin,
            )
    assert seen == {"invalid", "active", "unsubscribed", "already-unsubscribed", "resubscribed", "stopped"}


def test_mask_keeps_the_first_letter_and_the_domain() -> None:
    assert [mask(a) for a in ("minji@example.org", " A@b.kr ", "no-at-sign", "@example.org")] == [
        "m***@example.org",
        "A***@b.kr",
        "***",
        "***",
    ]


# --- Bad input: the status and nothing changed ------------------------------------------------

Request = Callable[[TestClient, Signer, People], int]


def call(method: str, who: str | None, suffix: str = "", body: dict[str, str] | None = None) -> Request:
    def send(client: TestClient, signer: Signer, people: People) -> int:
        path = f"/u/{people.token(signer, who)}{suffix}" if who else suffix
        return client.request(method, path, data=body).status_code

    return send


def tampered(client: TestClient, signer: Signer, people: People) -> int:
    payload, mac = people.token(signer, "en").split(".")
    return client.post(f"/u/{payload}.{mac[:-2]}AA", data=ONE_CLICK).status_code


def swapped(client: TestClient, signer: Signer, people: People) -> int:
    other = people.token(signer, "ko").split(".")[0]
    return client.post(f"/u/{other}.{people.token(signer, 'en').split('.')[1]}/undo", data=UNDO).status_code


def preview_signed(client: TestClient, signer: Signer, people: People) -> int:
    return client.post(f"/u/{people.token(PREVIEW_SIGNER, 'en')}", data=ONE_CLICK).status_code


BAD_INPUT = [
    ("junk token, GET", call("GET", None, "/u/not-a-token"), 400),
    ("junk token, POST", call("POST", None, "/u/abc.def", ONE_CLICK), 400),
    ("junk token, undo", call("POST", None, "/u/Zm9v/undo", UNDO), 400),
    ("junk token, language", call("POST", None, "/u/%00%ff.x/language", {"locale": "ko"}), 400),
    ("tampered signature", tampered, 400),
    ("another subscriber's payload", swapped, 400),
    ("signed with the preview key", preview_signed, 400),
    ("PUT", call("PUT", "en", "", ONE_CLICK), 405),
    ("DELETE", call("DELETE", "en"), 405),
    ("GET undo", call("GET", "link-unsubscribed", "/undo"), 405),
    ("GET language", call("GET", "en", "/language"), 405),
    ("one-click without a body", call("POST", "en", "", {}), 400),
    ("one-click with another value", call("POST", "en", "", {"List-Unsubscribe": "Yes"}), 400),
    ("one-click under another name", call("POST", "en", "", {"unsubscribe": "One-Click"}), 400),
    ("undo without its field", call("POST", "link-unsubscribed", "/undo", {}), 400),
    ("undo with another value", call("POST", "link-unsubscribed", "/undo", {"undo": "yes"}), 400),
    ("undo with an unknown field", call("POST", "link-unsubscribed", "/undo", {**UNDO, "x": "1"}), 400),
    ("language without its field", call("POST", "en", "/language", {}), 400),
    ("language not configured", call("POST", "en", "/language", {"locale": "fr"}), 400),
    ("language empty", call("POST", "en", "/language", {"locale": ""}), 400),
    ("language with an unknown field", call("POST", "en", "/language", {"locale": "ko", "x": "1"}), 400),
    ("language of a bounced subscriber", call("POST", "bounced", "/language", {"locale": "en"}), 409),
    ("undo of a bounce", call("POST", "bounced", "/undo", UNDO), 409),
    ("undo of a complaint", call("POST", "complained", "/undo", UNDO), 409),
    ("undo of an erasure", call("POST", "erased", "/undo", UNDO), 409),
    ("undo of an operator's unsubscribe", call("POST", "cli-unsubscribed", "/undo", UNDO), 409),
    ("undo of an active subscriber", call("POST", "en", "/undo", UNDO), 200),
    ("one-click on a bounce", call("POST", "bounced", "", ONE_CLICK), 200),
    ("one-click on an erasure", call("POST", "erased", "", ONE_CLICK), 200),
]


@pytest.mark.parametrize(
    ("request_", "status"), [row[1:] for row in BAD_INPUT], ids=[row[0] for row in BAD_INPUT]
)
def test_bad_input_gets_its_status_and_changes_nothing(
    client: TestClient, db: Database, signer: Signer, people: People, request_: Request, status: int
) -> None:
    before = state_snapshot(db=db)
    assert request_(client, signer, people) == status
    assert state_snapshot(db=db) == before
