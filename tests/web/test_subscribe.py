"""Sign-up with double opt-in and the preference centre's lists, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from starlette.requests import Request
from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.store import Database
from newsletter.store.audience import Via, ensure_list, is_suppressed, set_status, subscribe
from newsletter.store.schema import (
    MailingList,
    Membership,
    Signup,
    StatusChange,
    Subscriber,
    SubscriberStatus,
)
from newsletter.subscribers import service, signup
from newsletter.subscribers.signup import SignupRequest
from newsletter.unsubscribe import Signer
from newsletter.web.app import public_app
from newsletter.web.ratelimit import RateLimit, client_address
from tests.support import state_snapshot

from .signups import csrf_of, html_of, link_in, notices, notices_to, signup_config, text_of
from .test_unsubscribe import PLACEHOLDERS, page_state, visible_text

CONFIRM = {"confirm": "yes"}


@pytest.fixture
def config(config: Config) -> Config:
    return signup_config(config)


@pytest.fixture
def client(config: Config, db: Database, signer: Signer) -> TestClient:
    return TestClient(public_app(config, db=db, signer=signer))


def sign_up(
    client: TestClient, email: str, *, locale: str = "en", lists: tuple[str, ...] = ("brief",), **extra: str
) -> str:
    """Open the form, fill it in and send it; returns the answer's page state."""
    form = client.get(f"/subscribe?lang={locale}")
    fields = {"csrf": csrf_of(form.text), "email": email, "locale": locale, "website": ""}
    fields.update({f"list-{name}": "yes" for name in lists})
    fields.update(extra)
    answer = client.post(f"/subscribe?lang={locale}", data=fields)
    return f"{answer.status_code} {page_state(answer.text)}"


def subscriber(db: Database, email: str) -> Subscriber | None:
    with db.transaction() as session:
        return session.scalar(select(Subscriber).where(Subscriber.email_key == email.lower()))


def lists_of(db: Database, subscriber_id: int) -> list[str]:
    with db.transaction() as session:
        query = select(MailingList.name).join(Membership).where(Membership.subscriber_id == subscriber_id)
        return sorted(session.scalars(query))


def history(db: Database, subscriber_id: int) -> list[tuple[str, str, str]]:
    with db.transaction() as session:
        changes = session.scalars(
            select(StatusChange).where(StatusChange.subscriber_id == subscriber_id).order_by(StatusChange.id)
        )
        return [(c.status, c.via, c.reason) for c in changes]


def pending_count(db: Database) -> int:
    with db.transaction() as session:
        return len(session.scalars(select(Signup.id)).all())


# --- The journey ------------------------------------------------------------------------------

JOURNEYS = {
    "en": (
        "Confirm your subscription to Research Brief",
        "Welcome to Research Brief",
        r"Subscriber since \w+ \d+, \d{4}",
    ),
    "ko": (
        "리서치 브리프 뉴스레터 구독 확인",
        "리서치 브리프 뉴스레터 구독을 환영합니다",
        r"구독 시작일: \d{4}년 \d+월 \d+일",
    ),
}


@pytest.mark.parametrize("locale", JOURNEYS)
def test_sign_up_confirm_welcome_choose_lists_unsubscribe_and_undo(
    client: TestClient, db: Database, config: Config, locale: str
) -> None:
    confirm_subject, welcome_subject, joined = JOURNEYS[locale]
    assert sign_up(client, "Reader@Example.org", locale=locale, lists=("brief", "papers")) == "200 sent"
    assert subscriber(db, "reader@example.org") is None, "nobody is subscribed before the link is opened"

    (mail,) = notices_to(config, "Reader@Example.org")
    assert mail["Subject"] == confirm_subject
    assert mail["Content-Language"] == locale
    assert not PLACEHOLDERS.search(text_of(mail) + html_of(mail))
    link = link_in(mail, "/subscribe/confirm/")
    shown = client.get(link)
    assert (shown.status_code, page_state(shown.text)) == (200, "confirm")
    assert subscriber(db, "reader@example.org") is None, "opening the page alone confirms nothing"

    done = client.post(link, data=CONFIRM)
    assert (done.status_code, page_state(done.text)) == (200, "confirmed")
    person = subscriber(db, "reader@example.org")
    assert person is not None
    assert (person.status, person.locale, person.consent_source) == ("active", locale, signup.CONSENT_SOURCE)
    assert person.confirmed_at is not None
    assert person.consent_at <= person.confirmed_at
    assert lists_of(db, person.id) == ["brief", "papers"]
    assert history(db, person.id)[0][:2] == ("active", Via.SIGNUP.value)

    welcome = notices_to(config, "Reader@Example.org")[-1]
    assert welcome["Subject"] == welcome_subject
    preferences = link_in(welcome, "/u/")
    page = client.get(preferences)
    assert page_state(page.text) == "active"
    assert re.search(joined, visible_text(page.text)), visible_text(page.text)
    assert 'name="list-papers" value="yes" checked' in page.text

    saved = client.post(f"{preferences}/lists", data={"lists": "save", "list-brief": "yes"})
    assert saved.status_code == 200
    assert 'id="lists-notice"' in saved.text
    assert lists_of(db, person.id) == ["brief"]
    assert history(db, person.id)[-1] == ("active", Via.PREFERENCES.value, "left the list papers")

    client.post(f"{preferences}/language", data={"locale": "en" if locale == "ko" else "ko"})
    assert "language changed" in history(db, person.id)[-1][2]

    gone = client.post(preferences, data={"List-Unsubscribe": "One-Click"})
    assert page_state(gone.text) == "unsubscribed"
    back = client.post(f"{preferences}/undo", data={"undo": "unsubscribe"})
    assert page_state(back.text) == "resubscribed"
    assert [change[0] for change in history(db, person.id)][-2:] == ["unsubscribed", "active"]


def test_the_confirmation_link_works_once(client: TestClient, db: Database, config: Config) -> None:
    sign_up(client, "once@example.org")
    link = link_in(notices(config)[0], "/subscribe/confirm/")
    assert client.post(link, data=CONFIRM).status_code == 200
    before = state_snapshot(config.data_dir, db=db)
    again = client.post(link, data=CONFIRM)
    assert (again.status_code, page_state(again.text)) == (410, "gone")
    assert client.get(link).status_code == 410
    assert state_snapshot(config.data_dir, db=db) == before


# --- No enumeration, nothing revived ----------------------------------------------------------


@pytest.fixture
def known(db: Database) -> dict[str, int]:
    """One address in each state the store can hold; ``erased`` is only a hash by now."""
    ids: dict[str, int] = {}
    with db.transaction() as session:
        brief = ensure_list(session, "brief")
        for who in ("active", "unsubscribed", "bounced", "erased"):
            person, _ = subscribe(session, email=f"{who}@example.org", lists=[brief], consent_source="csv")
            ids[who] = person.id
        for who, status in (
            ("unsubscribed", SubscriberStatus.UNSUBSCRIBED),
            ("bounced", SubscriberStatus.BOUNCED),
        ):
            set_status(session, session.get_one(Subscriber, ids[who]), status, via=Via.CLI, reason="test")
    with db.transaction() as session:
        service.erase(session, "erased@example.org")
    return ids


def rows_but_signups(db: Database) -> dict[str, object]:
    rows = state_snapshot(db=db)["rows"]
    assert isinstance(rows, dict)
    return {table: content for table, content in rows.items() if table != "signups"}


@pytest.mark.parametrize("who", ["active", "unsubscribed", "bounced", "erased"])
def test_a_known_address_gets_the_new_address_page_and_only_the_link_changes_it(
    client: TestClient, db: Database, config: Config, known: dict[str, int], who: str
) -> None:
    fresh = client.post("/subscribe?lang=en", data=_filled(client, "nobody-yet@example.org"))
    before = rows_but_signups(db)

    answer = client.post("/subscribe?lang=en", data=_filled(client, f"{who}@example.org"))

    assert (answer.status_code, answer.text) == (fresh.status_code, fresh.text)
    assert rows_but_signups(db) == before, "a sign-up post changes no subscriber, list or suppression"
    link = link_in(notices_to(config, f"{who}@example.org")[0], "/subscribe/confirm/")
    client.post(link, data=CONFIRM)
    person = subscriber(db, f"{who}@example.org")
    assert person is not None
    assert person.status == "active"
    assert person.confirmed_at is not None
    with db.transaction() as session:
        assert not is_suppressed(session, f"{who}@example.org")
    if who != "erased":
        assert person.id == known[who], "a known subscriber keeps their row and history"
        assert history(db, person.id)[-1][1:] == (
            Via.SIGNUP.value,
            f"sign-up confirmed ({signup.CONSENT_SOURCE})",
        )


def _filled(client: TestClient, email: str) -> dict[str, str]:
    form = client.get("/subscribe?lang=en")
    return {"csrf": csrf_of(form.text), "email": email, "locale": "en", "list-brief": "yes", "website": ""}


# --- Abuse -----------------------------------------------------------------------------------


def test_one_confirmation_email_per_address_within_resend_minutes(
    client: TestClient, db: Database, config: Config
) -> None:
    assert sign_up(client, "twice@example.org") == "200 sent"
    before = state_snapshot(config.data_dir, db=db)
    assert sign_up(client, "TWICE@example.org", locale="ko") == "200 sent"
    assert state_snapshot(config.data_dir, db=db) == before
    assert len(notices(config)) == 1


def test_a_filled_honeypot_gets_the_usual_page_and_nothing_is_stored(
    client: TestClient, db: Database, config: Config
) -> None:
    before = state_snapshot(config.data_dir, db=db)
    assert sign_up(client, "bot@example.org", website="http://spam.example") == "200 sent"
    assert state_snapshot(config.data_dir, db=db) == before


def test_a_post_from_another_site_gets_the_form_back_filled_in(
    client: TestClient, db: Database, config: Config
) -> None:
    """The README's snippet posts without the CSRF token: one more press, from here, sends it."""
    before = state_snapshot(config.data_dir, db=db)
    snippet = {"email": "site@example.org", "locale": "ko", "list-papers": "yes"}
    answer = client.post("/subscribe", data=snippet)
    assert (answer.status_code, page_state(answer.text)) == (403, "form")
    assert 'value="site@example.org"' in answer.text
    assert 'name="list-brief" value="yes">' in answer.text, "only the list the snippet ticked"
    assert state_snapshot(config.data_dir, db=db) == before
    again = client.post("/subscribe", data={**snippet, "csrf": csrf_of(answer.text)})
    assert (again.status_code, page_state(again.text)) == (200, "sent")
    assert pending_count(db) == 1


@pytest.mark.parametrize(
    ("key", "posts", "different_addresses"),
    [("subscribe.ip_per_hour", 2, True), ("subscribe.address_per_hour", 2, False)],
)
def test_rate_limits_refuse_the_post_past_the_limit(
    config: Config, db: Database, signer: Signer, key: str, posts: int, different_addresses: bool
) -> None:
    limited = config.replace(**{key: posts, "subscribe.resend_minutes": 0})
    client = TestClient(public_app(limited, db=db, signer=signer))
    addresses = [f"r{n}@example.org" if different_addresses else "same@example.org" for n in range(posts + 1)]
    for address in addresses[:-1]:
        assert sign_up(client, address) == "200 sent"
    before = state_snapshot(config.data_dir, db=db)
    assert sign_up(client, addresses[-1]) == "429 limited"
    assert state_snapshot(config.data_dir, db=db) == before


def test_expired_sign_ups_are_purged_by_the_next_post_and_their_links_say_so(
    client: TestClient, db: Database, config: Config, signer: Signer
) -> None:
    old = datetime.now(UTC) - timedelta(hours=49)
    wanted = SignupRequest(email="late@example.org", key="late@example.org", locale="ko", lists=("brief",))
    with db.transaction() as session:
        stored = signup.request(session, wanted, now=old, confirm_hours=48, resend_minutes=10)
        assert stored is not None
        token = signup.confirmation_token(signer, stored)
    before = state_snapshot(config.data_dir, db=db)
    page = client.get(f"/subscribe/confirm/{token}", headers={"Accept-Language": "ko"})
    assert (page.status_code, page_state(page.text)) == (410, "gone")
    assert "더 이상 쓸 수 없는 확인 링크입니다" in page.text
    assert client.post(f"/subscribe/confirm/{token}", data=CONFIRM).status_code == 410
    assert state_snapshot(config.data_dir, db=db) == before
    sign_up(client, "someone@example.org")
    with db.transaction() as session:
        assert session.scalars(select(Signup.email)).all() == ["someone@example.org"]


def test_the_form_offers_the_public_lists_in_the_browsers_language(client: TestClient) -> None:
    page = client.get("/subscribe", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert '<html lang="ko">' in page.text
    assert '<option value="ko" lang="ko" selected>' in page.text
    assert re.findall(r'name="list-([a-z]+)"', page.text) == ["brief", "papers"]
    assert "구독하시면" in page.text
    assert not PLACEHOLDERS.search(visible_text(page.text))


def test_no_public_lists_closes_the_form(config: Config, db: Database, signer: Signer) -> None:
    closed = TestClient(public_app(config.replace(**{"newsletter.public_lists": []}), db=db, signer=signer))
    assert closed.get("/subscribe").status_code == 404
    assert closed.post("/subscribe", data={"email": "a@example.org"}).status_code == 404


PROXIES = {
    # peer, X-Forwarded-For, trusted proxies → the address the rate limit counts
    "no proxy configured: the header is ignored": ("10.0.0.9", "1.2.3.4", [], "10.0.0.9"),
    "an untrusted peer's header is ignored": ("10.0.0.9", "1.2.3.4", ["127.0.0.1"], "10.0.0.9"),
    "a trusted proxy names the client": ("127.0.0.1", "1.2.3.4", ["127.0.0.1"], "1.2.3.4"),
    "what the client wrote to the left is not believed": (
        "127.0.0.1",
        "6.6.6.6, 1.2.3.4",
        ["127.0.0.1"],
        "1.2.3.4",
    ),
    "a chain of trusted proxies is skipped": (
        "127.0.0.1",
        "1.2.3.4, 10.0.0.2",
        ["127.0.0.1", "10.0.0.2"],
        "1.2.3.4",
    ),
    "junk in the header falls back to the peer": ("127.0.0.1", "not-an-ip", ["127.0.0.1"], "127.0.0.1"),
    "an empty header falls back to the peer": ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
}


@pytest.mark.parametrize(("peer", "header", "trusted", "expected"), PROXIES.values(), ids=PROXIES.keys())
def test_the_client_address_comes_from_x_forwarded_for_only_through_a_trusted_proxy(
    peer: str, header: str, trusted: list[str], expected: str
) -> None:
    scope = {
        "type": "http",
        "client": (peer, 5000),
        "headers": [(b"x-forwarded-for", header.encode())],
    }
    assert client_address(Request(scope), trusted) == expected


def test_a_token_bucket_refills_with_time() -> None:
    now = [0.0]
    limit = RateLimit(2, clock=lambda: now[0])
    assert [limit.allow("a"), limit.allow("a"), limit.allow("a"), limit.allow("b")] == [
        True,
        True,
        False,
        True,
    ]
    now[0] += 1800  # half an hour: one of the two tokens is back
    assert [limit.allow("a"), limit.allow("a")] == [True, False]
