"""A bounded loopback load on a real server: about 2,000 requests, not one error.

Latency is not asserted here; ``bench/bench_web.py`` prints it.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from newsletter.config import Config
from newsletter.store import Database
from newsletter.store.audience import ensure_list, subscribe
from newsletter.store.schema import DeliveryEvent, StatusChange, Subscriber
from newsletter.unsubscribe import Signer, TokenSubject
from newsletter.web.app import public_app

from .keys import WebhookKey, body_of, event
from .server import serving

pytestmark = pytest.mark.slow
SUBSCRIBERS = 100
REQUESTS_EACH = 1000
WORKERS = 8


def test_two_thousand_requests_on_unsubscribe_and_webhook_without_an_error(
    config: Config, db: Database, signer: Signer
) -> None:
    key = WebhookKey()
    hooked = config.replace(**{"delivery.sendgrid.webhook_public_key": key.public_b64})
    with db.transaction() as session:
        brief = ensure_list(session, "brief")
        ids = [
            subscribe(session, email=f"reader{n}@example.org", lists=[brief], consent_source="load")[0].id
            for n in range(SUBSCRIBERS)
        ]
    tokens = [signer.sign(TokenSubject(subscriber_id=sid, issue_id=1)) for sid in ids]
    # Every event id is sent twice, as SendGrid's at-least-once delivery does.
    bodies = [
        body_of([event("open", f"ev{n // 2}", subscriber_id=str(ids[n % SUBSCRIBERS]))])
        for n in range(REQUESTS_EACH)
    ]

    with (
        serving(public_app(hooked, db=db, signer=signer)) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):

        def unsubscribe(n: int) -> int:
            token = tokens[n % SUBSCRIBERS]
            return client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"}).status_code

        def webhook(n: int) -> int:
            return client.post(
                "/webhooks/sendgrid", content=bodies[n], headers=key.headers(bodies[n])
            ).status_code

        jobs = [(unsubscribe, n) for n in range(REQUESTS_EACH)] + [(webhook, n) for n in range(REQUESTS_EACH)]
        order = list(
            itertools.chain.from_iterable(zip(jobs[:REQUESTS_EACH], jobs[REQUESTS_EACH:], strict=True))
        )
        with ThreadPoolExecutor(WORKERS) as pool:
            codes = list(pool.map(lambda job: job[0](job[1]), order))

    assert len(codes) == 2 * REQUESTS_EACH
    assert [c for c in codes if c != 200] == []
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DeliveryEvent)) == REQUESTS_EACH // 2
        statuses = set(session.scalars(select(Subscriber.status)))
        changes = session.scalar(
            select(func.count()).select_from(StatusChange).where(StatusChange.via == "unsubscribe-link")
        )
    assert statuses == {"unsubscribed"}
    assert changes == SUBSCRIBERS
