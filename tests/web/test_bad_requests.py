"""Attacks on the public endpoints, as one table: each row gets its status and changes nothing.

Every row runs on SQLite and on PostgreSQL, and compares every file of the data folder and
every row of every table before and after.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.store import Database
from newsletter.store.schema import Issue
from newsletter.unsubscribe import Signer, TokenSubject
from newsletter.web.app import public_app
from newsletter.web.body import DEFAULT_BODY_BYTES
from newsletter.web.webhook import MAX_BODY_BYTES, WEBHOOK_PATH
from tests.support import state_snapshot

from .keys import WebhookKey, event

MB = 1024 * 1024
ONE_CLICK = b"List-Unsubscribe=One-Click"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True)
class Attack:
    """One bad request. ``{token}`` in the path becomes a genuine token of the first subscriber,
    ``{issue}`` in a JSON body the id of a stored issue; ``signed`` signs the body."""

    method: str
    path: str
    body: bytes = b""
    status: int = 400
    headers: dict[str, str] = field(default_factory=dict)
    signed: bool = False
    chunked: bool = False
    """Send the body without a Content-Length, so only its count can stop it."""


def events(*items: dict[str, Any]) -> bytes:
    return json.dumps(list(items)).encode()


def spam(**fields: Any) -> dict[str, Any]:
    """A spam report of subscriber ``{subscriber}`` unless a field says otherwise: applied, it
    would change their status, so a row that slipped through would show in the snapshot."""
    return {**event("spamreport", "e1", subscriber_id="{subscriber}", issue_id="{issue}"), **fields}


def signed(body: bytes, status: int = 400) -> Attack:
    return Attack("POST", WEBHOOK_PATH, body, status, {"Content-Type": "application/json"}, True)


ATTACKS = {
    # Bodies past the limit: refused by size before any handler reads them.
    "webhook Content-Length past the limit": Attack(
        "POST", WEBHOOK_PATH, b"[" + b" " * MAX_BODY_BYTES + b"]", 413
    ),
    "webhook signed body past the limit": signed(b"[" + b" " * MAX_BODY_BYTES + b"]", 413),
    "webhook chunked past the limit": Attack(
        "POST", WEBHOOK_PATH, b"[" + b" " * MAX_BODY_BYTES + b"]", 413, signed=True, chunked=True
    ),
    "unsubscribe form chunked past the limit": Attack(
        "POST", "/u/{token}", ONE_CLICK + b"&x=" + b"a" * DEFAULT_BODY_BYTES, 413, FORM, chunked=True
    ),
    "unsubscribe form past the limit": Attack(
        "POST", "/u/{token}", ONE_CLICK + b"&x=" + b"a" * DEFAULT_BODY_BYTES, 413, FORM
    ),
    "language form past the limit": Attack(
        "POST", "/u/{token}/language", b"locale=ko&x=" + b"a" * DEFAULT_BODY_BYTES, 413, FORM
    ),
    "undo form past the limit": Attack(
        "POST", "/u/{token}/undo", b"x=" + b"a" * DEFAULT_BODY_BYTES, 413, FORM, chunked=True
    ),
    "a body on GET past the limit": Attack("GET", "/u/{token}", b"a" * (DEFAULT_BODY_BYTES + 1), 413),
    "health check with a body past the limit": Attack(
        "GET", "/healthz", b"a" * (DEFAULT_BODY_BYTES + 1), 413
    ),
    # Unsubscribe tokens: junk that a lenient base64 decoder skips is still junk.
    "token with a junk character": Attack("POST", "/u/{token_junk}", ONE_CLICK, 400, FORM),
    "undo with a junk token": Attack("POST", "/u/{token_junk}/undo", b"", 400, FORM),
    "token with padding": Attack("POST", "/u/{token}=", ONE_CLICK, 400, FORM),
    "token with a non-canonical last character": Attack("POST", "/u/{token_bits}", ONE_CLICK, 400, FORM),
    "token with a third part": Attack("POST", "/u/{token}.AA", ONE_CLICK, 400, FORM),
    "token with an empty part": Attack("POST", "/u/{token}.", ONE_CLICK, 400, FORM),
    "form that is not a form": Attack("POST", "/u/{token}", b"List-Unsubscribe=One-Click&&=", 400, FORM),
    "form that is not UTF-8": Attack("POST", "/u/{token}", b"List-Unsubscribe=\xff", 400, FORM),
    # Signed webhook batches with a field out of range or of the wrong type.
    "subscriber_id 10**30": signed(events(spam(subscriber_id=10**30))),
    "subscriber_id 10**30 as text": signed(events(spam(subscriber_id=str(10**30)))),
    "subscriber_id past PostgreSQL's integer": signed(events(spam(subscriber_id=2**31))),
    "subscriber_id negative": signed(events(spam(subscriber_id=-1))),
    "subscriber_id a float": signed(events(spam(subscriber_id=1.0))),
    "subscriber_id a word": signed(events(spam(subscriber_id="one"))),
    "subscriber_id an object": signed(events(spam(subscriber_id={"id": 1}))),
    "subscriber_id true": signed(events(spam(subscriber_id=True))),
    "issue_id huge": signed(events(spam(issue_id=10**30))),
    "issue_id a list": signed(events(spam(issue_id=[1]))),
    "timestamp huge": signed(events(spam(timestamp=10**30))),
    "timestamp past year 9999": signed(events(spam(timestamp=2**40))),
    "timestamp negative": signed(events(spam(timestamp=-1))),
    "timestamp a float": signed(events(spam(timestamp=1.5))),
    "event name unknown": signed(events(spam(event="explode"))),
    "event name an object": signed(events(spam(event={"spamreport": 1}))),
    "email a number": signed(events(spam(email=5))),
    "email of a megabyte": signed(events(spam(subscriber_id="", email="a" * MB + "@example.org"))),
    "sg_event_id too long": signed(events(spam(sg_event_id="x" * 201))),
    "a good event then a bad one": signed(events(spam(), spam(sg_event_id="e2", subscriber_id=-5))),
    "not a list": signed(b'{"event": "spamreport"}'),
    "a list of numbers": signed(b"[1, 2]"),
    "deeply nested JSON": signed(b"[" * 100_000 + b"]" * 100_000),
    "a number of 5000 digits": signed(b"[" + b"9" * 5000 + b"]"),
    "not UTF-8": signed(b'[{"event": "\xff"}]'),
    "not JSON": signed(b"{not json"),
    # Unsigned or wrongly signed: refused before parsing.
    "unsigned batch": Attack("POST", WEBHOOK_PATH, events(spam()), 403),
}


BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def spare_bits_set(last: str) -> str:
    """The MAC's last character with one of its unused low bits set: the same bytes, spelled
    differently (a 16-byte MAC leaves four spare bits, which the canonical spelling keeps zero)."""
    return BASE64URL[BASE64URL.index(last) | 1]


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_bad_request_gets_its_status_and_changes_nothing(
    config: Config, db: Database, signer: Signer, subscriber_ids: dict[str, int], attack: Attack
) -> None:
    key = WebhookKey()
    hooked = config.replace(**{"delivery.sendgrid.webhook_public_key": key.public_b64})
    client = TestClient(public_app(hooked, db=db, signer=signer))
    with db.transaction() as session:
        issue = Issue(
            issue_date=date(2026, 7, 1),
            window_start=datetime(2026, 6, 30, tzinfo=UTC),
            window_end=datetime(2026, 7, 1, tzinfo=UTC),
        )
        session.add(issue)
        session.flush()
        issue_id = issue.id
    subscriber = subscriber_ids["en"]
    token = signer.sign(TokenSubject(subscriber_id=subscriber, issue_id=issue_id))
    payload, mac = token.split(".")
    path = attack.path.format(
        token=token,
        # The decoder would skip the '*' and the last character's spare bits: the same bytes.
        token_junk=f"{payload[:2]}*{payload[2:]}.{mac}",
        token_bits=f"{payload}.{mac[:-1]}{spare_bits_set(mac[-1])}",
    )
    body = attack.body.replace(b'"{subscriber}"', b'"%d"' % subscriber)
    body = body.replace(b'"{issue}"', b'"%d"' % issue_id)
    headers = {**attack.headers, **(key.headers(body) if attack.signed else {})}
    before = state_snapshot(config.data_dir, db=db)

    content = iter([body[:1000], body[1000:]]) if attack.chunked else body
    response = client.request(attack.method, path, content=content, headers=headers)

    assert response.status_code == attack.status, response.text[:200]
    assert state_snapshot(config.data_dir, db=db) == before


def test_the_same_requests_done_right_do_change_the_store(
    config: Config, db: Database, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    """The table's rows differ from these only in what makes them bad, so they prove something."""
    key = WebhookKey()
    hooked = config.replace(**{"delivery.sendgrid.webhook_public_key": key.public_b64})
    client = TestClient(public_app(hooked, db=db, signer=signer))
    before = state_snapshot(config.data_dir, db=db)
    body = events({**event("spamreport", "e1", subscriber_id=str(subscriber_ids["ko"]))})
    assert client.post(WEBHOOK_PATH, content=body, headers=key.headers(body)).status_code == 200
    token = signer.sign(TokenSubject(subscriber_id=subscriber_ids["en"], issue_id=1))
    assert client.post(f"/u/{token}", content=ONE_CLICK, headers=FORM).status_code == 200
    after = state_snapshot(config.data_dir, db=db)
    assert after["rows"] != before["rows"]
