"""The SendGrid Event Webhook: signatures, de-duplication, status changes and counts."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.errors import ConfigError
from newsletter.store import Database
from newsletter.store.schema import DeliveryEvent, Issue, StatusChange, Subscriber
from newsletter.unsubscribe import Signer
from newsletter.web.app import public_app
from newsletter.web.events import event_counts

from .keys import WebhookKey, body_of, event

URL = "/webhooks/sendgrid"


@pytest.fixture
def key() -> WebhookKey:
    return WebhookKey()


@pytest.fixture
def hooked(config: Config, key: WebhookKey) -> Config:
    return config.replace(
        **{
            "delivery.sendgrid.webhook_public_key": key.public_b64,
            "delivery.sendgrid.soft_bounce_threshold": 3,
        }
    )


@pytest.fixture
def client(hooked: Config, db: Database, signer: Signer) -> TestClient:
    return TestClient(public_app(hooked, db=db, signer=signer))


@pytest.fixture
def issue_id(db: Database) -> int:
    with db.transaction() as session:
        issue = Issue(
            issue_date=date(2026, 7, 1),
            window_start=datetime(2026, 6, 30, tzinfo=UTC),
            window_end=datetime(2026, 7, 1, tzinfo=UTC),
        )
        session.add(issue)
        session.flush()
        return issue.id


# Subscribing records a change too; only the changes these endpoints make matter here.
OURS = ("unsubscribe-link", "webhook")


def post(client: TestClient, key: WebhookKey, events: list[dict[str, Any]], **kw: Any) -> int:
    body = body_of(events)
    return client.post(URL, content=body, headers=key.headers(body, **kw)).status_code


def stored_events(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(DeliveryEvent)) or 0)


def subscriber_state(
    db: Database, subscriber_id: int
) -> tuple[str, int, list[tuple[str, str, str, datetime]]]:
    with db.transaction() as session:
        subscriber = session.get(Subscriber, subscriber_id)
        assert subscriber is not None
        changes = session.scalars(
            select(StatusChange).where(
                StatusChange.subscriber_id == subscriber_id, StatusChange.via.in_(OURS)
            )
        )
        return (
            subscriber.status,
            subscriber.soft_bounces,
            [(c.status, c.via, c.reason, c.at) for c in changes],
        )


def test_engagement_is_counted_per_issue(
    client: TestClient, key: WebhookKey, db: Database, issue_id: int, subscriber_ids: dict[str, int]
) -> None:
    ids = {"issue_id": str(issue_id), "subscriber_id": str(subscriber_ids["en"])}
    events = [
        event("delivered", "d1", **ids),
        event("open", "o1", **ids),
        event("open", "o2", **ids),
        event("click", "c1", url="https://arxiv.org/abs/2607.01234", **ids),
        event("processed", "p1", **ids),
    ]
    assert post(client, key, events) == 200
    with db.transaction() as session:
        assert event_counts(session, issue_id) == {"delivered": 1, "open": 2, "click": 1, "processed": 1}
    assert subscriber_state(db, subscriber_ids["en"])[0] == "active"


def test_the_same_event_delivered_twice_counts_once(
    client: TestClient, key: WebhookKey, db: Database, issue_id: int
) -> None:
    first = [event("open", "same", issue_id=issue_id), event("open", "same", issue_id=issue_id)]
    assert post(client, key, first) == 200
    assert post(client, key, [event("open", "same", issue_id=issue_id), event("click", "new")]) == 200
    assert stored_events(db) == 2
    with db.transaction() as session:
        assert event_counts(session, issue_id) == {"open": 1}


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [
        (
            {"event": "bounce", "type": "bounce", "reason": "550 user unknown"},
            "bounced",
            "bounce: 550 user unknown",
        ),
        ({"event": "dropped", "reason": "Bounced Address"}, "bounced", "dropped: Bounced Address"),
        (
            {"event": "dropped", "reason": "Unsubscribed Address"},
            "unsubscribed",
            "dropped: Unsubscribed Address",
        ),
        ({"event": "spamreport"}, "complained", "spamreport"),
        ({"event": "unsubscribe"}, "unsubscribed", "unsubscribe"),
        ({"event": "group_unsubscribe", "asm_group_id": 1}, "unsubscribed", "group_unsubscribe"),
    ],
)
def test_leaving_events_change_the_status_with_reason_and_event_time(
    client: TestClient,
    key: WebhookKey,
    db: Database,
    subscriber_ids: dict[str, int],
    fields: dict[str, Any],
    status: str,
    reason: str,
) -> None:
    # The row's dict is shared by the SQLite and PostgreSQL runs: read it, never pop from it.
    fields = dict(fields)
    sent = event(fields.pop("event"), "e1", subscriber_id=str(subscriber_ids["ko"]), **fields)
    assert post(client, key, [sent]) == 200
    at = datetime.fromtimestamp(sent["timestamp"], UTC)
    assert subscriber_state(db, subscriber_ids["ko"]) == (status, 0, [(status, "webhook", reason, at)])
    assert subscriber_state(db, subscriber_ids["en"])[0] == "active"


def test_an_event_without_subscriber_id_finds_the_subscriber_by_address(
    client: TestClient, key: WebhookKey, db: Database, subscriber_ids: dict[str, int]
) -> None:
    assert post(client, key, [event("spamreport", "s1", email="Ada@Example.org")]) == 200
    assert subscriber_state(db, subscriber_ids["en"])[0] == "complained"


def test_events_of_test_sends_name_subscriber_zero_and_are_kept_without_one(
    client: TestClient, key: WebhookKey, db: Database, issue_id: int
) -> None:
    events = [event("delivered", "t1", issue_id=str(issue_id), subscriber_id="0")]
    assert post(client, key, events) == 200
    with db.transaction() as session:
        stored = session.get(DeliveryEvent, "t1")
        assert stored is not None
        assert (stored.issue_id, stored.subscriber_id) == (issue_id, None)


def test_soft_bounces_suspend_only_at_the_threshold(
    client: TestClient, key: WebhookKey, db: Database, subscriber_ids: dict[str, int]
) -> None:
    sid = str(subscriber_ids["en"])

    def blocked(n: int) -> dict[str, Any]:
        return {
            **event("bounce", f"b{n}", type="blocked", reason="mailbox full", subscriber_id=sid),
            "timestamp": n,
        }

    # Deferrals are retried by SendGrid and never count; a delivery resets the run.
    assert post(client, key, [blocked(1), blocked(2), event("deferred", "d", subscriber_id=sid)]) == 200
    assert subscriber_state(db, subscriber_ids["en"])[:2] == ("active", 2)
    assert post(client, key, [{**event("delivered", "ok", subscriber_id=sid), "timestamp": 3}]) == 200
    assert subscriber_state(db, subscriber_ids["en"])[:2] == ("active", 0)
    assert post(client, key, [blocked(4), blocked(5)]) == 200
    assert subscriber_state(db, subscriber_ids["en"])[:2] == ("active", 2)
    assert post(client, key, [blocked(6)]) == 200
    status, count, changes = subscriber_state(db, subscriber_ids["en"])
    assert (status, count) == ("bounced", 3)
    assert changes == [
        ("bounced", "webhook", "3 soft bounces in a row: mailbox full", datetime.fromtimestamp(6, UTC))
    ]


def test_bad_signatures_are_refused_before_parsing(
    client: TestClient, key: WebhookKey, db: Database, subscriber_ids: dict[str, int]
) -> None:
    body = body_of([event("spamreport", "x", subscriber_id=str(subscriber_ids["en"]))])
    genuine = key.headers(body)
    stranger = WebhookKey().headers(body)
    attempts = [
        stranger,
        {**genuine, "X-Twilio-Email-Event-Webhook-Signature": "not base64!"},
        {
            **genuine,
            "X-Twilio-Email-Event-Webhook-Timestamp": str(
                int(genuine["X-Twilio-Email-Event-Webhook-Timestamp"]) + 1
            ),
        },
        {"Content-Type": "application/json"},
    ]
    for headers in attempts:
        assert client.post(URL, content=body, headers=headers).status_code == 403
    # The right signature over a different body fails too.
    assert client.post(URL, content=body + b" ", headers=genuine).status_code == 403
    # A garbage body with a bad signature is a 403, not a 400: nothing is parsed unverified.
    assert client.post(URL, content=b"{not json", headers=stranger).status_code == 403
    assert stored_events(db) == 0
    assert subscriber_state(db, subscriber_ids["en"])[0] == "active"


@pytest.mark.parametrize("offset", [-601, 601, -100_000])
def test_a_timestamp_outside_the_tolerance_is_refused(
    client: TestClient, key: WebhookKey, db: Database, offset: int
) -> None:
    assert post(client, key, [event("open", "o")], timestamp=int(time.time()) + offset) == 403
    assert stored_events(db) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"event": "open"}',
        b"[1, 2]",
        b'[{"event": "open", "sg_event_id": "ok", "timestamp": 1}, {"event": "open", "timestamp": 1}]',
        b'[{"event": "open", "sg_event_id": "ok", "timestamp": 1},'
        b' {"event": "open", "sg_event_id": "t", "timestamp": "x"}]',
        b'[{"event": "spamreport", "sg_event_id": "a", "timestamp": 1, "subscriber_id": "1"},'
        b' {"event": "open", "sg_event_id": "b", "timestamp": 1, "issue_id": "-3"}]',
        b'[{"event": "bounce", "sg_event_id": "a", "timestamp": 1, "reason": 5}]',
        b"\xff\xfe",
    ],
)
def test_a_malformed_batch_is_400_and_changes_nothing(
    client: TestClient, key: WebhookKey, db: Database, subscriber_ids: dict[str, int], body: bytes
) -> None:
    response = client.post(URL, content=body, headers=key.headers(body))
    assert response.status_code == 400
    assert stored_events(db) == 0
    assert subscriber_state(db, subscriber_ids["en"]) == ("active", 0, [])


def test_without_a_configured_key_every_request_is_refused(
    config: Config, key: WebhookKey, db: Database, signer: Signer
) -> None:
    client = TestClient(public_app(config, db=db, signer=signer))
    assert post(client, key, [event("open", "o")]) == 503
    assert stored_events(db) == 0


@pytest.mark.parametrize("bad", ["not base64 at all", "aGVsbG8=", WebhookKey().public_b64[:-8]])
def test_a_malformed_key_is_a_config_error(config: Config, db: Database, signer: Signer, bad: str) -> None:
    # The configuration refuses the key when it loads, before any app is built.
    with pytest.raises(ConfigError, match=r"delivery\.sendgrid\.webhook_public_key"):
        public_app(config.replace(**{"delivery.sendgrid.webhook_public_key": bad}), db=db, signer=signer)
