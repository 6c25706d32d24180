"""Bad input to the sign-up and preference routes, as one table: each row gets its status and
changes nothing (every file of the data folder, every row of every table), on SQLite and PostgreSQL.

Placeholders in a row's path and body: ``{csrf}`` a genuine form token (its cookie is set),
``{confirm}`` a pending sign-up's link, ``{expired}`` an expired one's, ``{used}`` a confirmed
one's, ``{unsub}`` a subscriber's preference token, ``{forged}`` a confirm link signed with
another key.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.store import Database
from newsletter.subscribers import signup
from newsletter.subscribers.signup import SignupRequest
from newsletter.unsubscribe import Signer, TokenSubject
from newsletter.web.app import public_app
from newsletter.web.body import DEFAULT_BODY_BYTES
from newsletter.web.subscribe import CSRF_PURPOSE
from tests.support import state_snapshot

from .signups import csrf_of, signup_config

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GOOD = b"csrf={csrf}&email=new%40example.org&locale=en&list-brief=yes&website="
BIG = b"&x=" + b"a" * DEFAULT_BODY_BYTES


@dataclass(frozen=True)
class Attack:
    method: str
    path: str
    body: bytes = b""
    status: int = 400
    headers: dict[str, str] = field(default_factory=lambda: dict(FORM))
    chunked: bool = False
    cookie: bool = True
    """Whether the form's CSRF cookie goes with the request."""


def subscribe(body: bytes, status: int = 400, **options: object) -> Attack:
    return Attack("POST", "/subscribe", body, status, **options)  # type: ignore[arg-type]


ATTACKS = {
    # Oversized bodies: refused by the app's BodyLimit before a handler reads them.
    "form past the limit": subscribe(GOOD + BIG, 413),
    "form chunked past the limit": subscribe(GOOD + BIG, 413, chunked=True),
    "confirm past the limit": Attack("POST", "/subscribe/confirm/{confirm}", b"confirm=yes" + BIG, 413),
    "lists past the limit": Attack("POST", "/u/{unsub}/lists", b"lists=save" + BIG, 413),
    # CSRF: missing, forged, from another purpose, expired, or without its cookie.
    "no CSRF token": subscribe(GOOD.replace(b"csrf={csrf}&", b""), 403),
    "a forged CSRF token": subscribe(GOOD.replace(b"{csrf}", b"{forged_csrf}"), 403),
    "a confirmation token as CSRF": subscribe(GOOD.replace(b"{csrf}", b"{confirm}"), 403),
    "an expired CSRF token": subscribe(GOOD.replace(b"{csrf}", b"{old_csrf}"), 403),
    "CSRF token without its cookie": subscribe(GOOD, 403, cookie=False),
    # Fields: what a person can get wrong shows the form again; what our form never sends is refused.
    "an address that is not one": subscribe(GOOD.replace(b"new%40example.org", b"not-an-address")),
    "an empty address": subscribe(GOOD.replace(b"new%40example.org", b"")),
    "an address of 2000 characters": subscribe(GOOD.replace(b"new%40", b"a" * 2000 + b"%40")),
    "an address with a line break": subscribe(GOOD.replace(b"new%40", b"new%0D%0ABcc%3A%20x%40")),
    "no list ticked": subscribe(GOOD.replace(b"&list-brief=yes", b"")),
    "a list that is not public": subscribe(GOOD + b"&list-secret=yes"),
    "a list with another value": subscribe(GOOD.replace(b"list-brief=yes", b"list-brief=on")),
    "an unknown language": subscribe(GOOD.replace(b"locale=en", b"locale=fr")),
    "a stray field": subscribe(GOOD + b"&admin=1"),
    "not a form": subscribe(b"csrf=&&="),
    "not UTF-8": subscribe(b"email=\xff"),
    "a filled honeypot": subscribe(GOOD.replace(b"website=", b"website=spam"), 200),
    # Confirmation links: forged, tampered, of another kind, expired, replayed; bad bodies.
    "confirm with a forged token": Attack("POST", "/subscribe/confirm/{forged}", b"confirm=yes"),
    "confirm page with a forged token": Attack("GET", "/subscribe/confirm/{forged}"),
    "confirm with junk in the token": Attack("POST", "/subscribe/confirm/{confirm}*", b"confirm=yes"),
    "confirm with an unsubscribe token": Attack("POST", "/subscribe/confirm/{unsub}", b"confirm=yes"),
    "confirm token as an unsubscribe token": Attack("POST", "/u/{confirm}", b"List-Unsubscribe=One-Click"),
    "confirm with a CSRF token": Attack("POST", "/subscribe/confirm/{csrf}", b"confirm=yes"),
    "confirm with an empty body": Attack("POST", "/subscribe/confirm/{confirm}"),
    "confirm with another value": Attack("POST", "/subscribe/confirm/{confirm}", b"confirm=no"),
    "confirm with a stray field": Attack("POST", "/subscribe/confirm/{confirm}", b"confirm=yes&x=1"),
    "confirm an expired sign-up": Attack("POST", "/subscribe/confirm/{expired}", b"confirm=yes", 410),
    "open an expired sign-up": Attack("GET", "/subscribe/confirm/{expired}", status=410),
    "replay a used link": Attack("POST", "/subscribe/confirm/{used}", b"confirm=yes", 410),
    # The preference centre's lists form.
    "lists without its field": Attack("POST", "/u/{unsub}/lists", b"list-brief=yes"),
    "lists with a list not public": Attack("POST", "/u/{unsub}/lists", b"lists=save&list-secret=yes"),
    "lists with another value": Attack("POST", "/u/{unsub}/lists", b"lists=save&list-papers=on"),
    "lists with a stray field": Attack("POST", "/u/{unsub}/lists", b"lists=save&x=1"),
    "lists with a forged token": Attack("POST", "/u/{confirm}/lists", b"lists=save"),
    # Wrong methods.
    "PUT the form": Attack("PUT", "/subscribe", GOOD, 405),
    "DELETE a confirmation": Attack("DELETE", "/subscribe/confirm/{confirm}", status=405),
    "GET the lists form": Attack("GET", "/u/{unsub}/lists", status=405),
}


def _pending(db: Database, signer: Signer, email: str, *, at: datetime) -> tuple[str, int, str]:
    wanted = SignupRequest(email=email, key=email, locale="en", lists=("brief",))
    with db.transaction() as session:
        stored = signup.request(session, wanted, now=at, confirm_hours=48, resend_minutes=10)
        assert stored is not None
        return signup.confirmation_token(signer, stored), stored.id, stored.nonce


def _tokens(db: Database, signer: Signer, subscriber_id: int, csrf: str) -> dict[str, str]:
    now = datetime.now(UTC)
    expired, _, _ = _pending(db, signer, "late@example.org", at=now - timedelta(hours=49))
    used, used_id, used_nonce = _pending(db, signer, "used@example.org", at=now)
    with db.transaction() as session:
        assert signup.confirm(session, used_id, used_nonce, now=now) is not None
    # Made after the expired one: a new sign-up's post would purge it, but these come later.
    confirm, _, _ = _pending(db, signer, "pending@example.org", at=now)
    other = Signer([b"another-key-that-is-not-ours-0123"])
    forged, _, _ = _pending(db, other, "forged@example.org", at=now)
    old = signer.seal(CSRF_PURPOSE, f"{int(time.time()) - 1}.nonce".encode())
    return {
        "csrf": csrf,
        "forged_csrf": other.seal(CSRF_PURPOSE, f"{int(time.time()) + 600}.nonce".encode()),
        "old_csrf": old,
        "confirm": confirm,
        "expired": expired,
        "used": used,
        "forged": forged,
        "unsub": signer.sign(TokenSubject(subscriber_id=subscriber_id, issue_id=0)),
    }


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_bad_request_gets_its_status_and_changes_nothing(
    config: Config, db: Database, signer: Signer, subscriber_ids: dict[str, int], attack: Attack
) -> None:
    client = TestClient(public_app(signup_config(config), db=db, signer=signer))
    csrf = csrf_of(client.get("/subscribe").text)
    tokens = _tokens(db, signer, subscriber_ids["en"], csrf)
    if not attack.cookie:
        client.cookies.clear()
    path = attack.path.format(**tokens)
    body = attack.body
    for name, value in tokens.items():
        body = body.replace(b"{%s}" % name.encode(), value.encode())
    before = state_snapshot(config.data_dir, db=db)

    content = iter([body[:1000], body[1000:]]) if attack.chunked else body
    response = client.request(attack.method, path, content=content, headers=attack.headers)

    assert response.status_code == attack.status, response.text[-300:]
    assert state_snapshot(config.data_dir, db=db) == before


def test_the_same_requests_done_right_do_change_the_store(
    config: Config, db: Database, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    """The table's rows differ from these only in what makes them bad, so they prove something."""
    client = TestClient(public_app(signup_config(config), db=db, signer=signer))
    tokens = _tokens(db, signer, subscriber_ids["en"], csrf_of(client.get("/subscribe").text))
    for method, path, body in [
        ("POST", "/subscribe", GOOD.replace(b"{csrf}", tokens["csrf"].encode())),
        ("POST", "/subscribe/confirm/{confirm}", b"confirm=yes"),
        ("POST", "/u/{unsub}/lists", b"lists=save&list-papers=yes"),
    ]:
        before = state_snapshot(config.data_dir, db=db)
        response = client.request(method, path.format(**tokens), content=body, headers=FORM)
        assert response.status_code == 200, response.text[-300:]
        assert state_snapshot(config.data_dir, db=db) != before, path
