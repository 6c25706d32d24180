"""Helpers for the delivery tests, the kill-test worker and the benchmark.

Renderings with placeholders, recipients, and a populated store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import select

from newsletter.delivery.base import Campaign, Personalization
from newsletter.delivery.message import Personalizer, personalization
from newsletter.model import (
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_LANGUAGE_URL,
    PLACEHOLDER_UNSUBSCRIBE_URL,
    Recipient,
    RenderedEmail,
)
from newsletter.store import Database
from newsletter.store import sends as send_records
from newsletter.store.schema import Issue, Subscriber
from newsletter.unsubscribe import Signer

SIGNER = Signer([b"delivery-tests-signing-key-0123456789"])
PUBLIC_URL = "https://brief.example.org"
SENDER = "Research Brief <brief@example.org>"

KOREAN = "오늘의 논문 다섯 편: 확산 모델의 캐싱"


def rendering(locale: str) -> RenderedEmail:
    """A rendered issue with the per-recipient placeholders left in, as the render stage leaves them."""
    title = KOREAN if locale == "ko" else "Five diffusion papers: July 1, 2026"
    return RenderedEmail(
        locale=locale,
        subject=title,
        preheader=title,
        html=(
            f"<html><body><h1>{title}</h1><p>Sent to {PLACEHOLDER_EMAIL}.</p>"
            f'<a href="{PLACEHOLDER_UNSUBSCRIBE_URL}">unsubscribe</a> '
            f'<a href="{PLACEHOLDER_LANGUAGE_URL}">language</a></body></html>'
        ),
        text=f"{title}\n\nSent to {PLACEHOLDER_EMAIL}.\nUnsubscribe: {PLACEHOLDER_UNSUBSCRIBE_URL}\n",
    )


def campaign(locale: str = "en", issue_id: int = 1) -> Campaign:
    return Campaign(issue_id=issue_id, email=rendering(locale), sender=SENDER)


def person(
    subscriber_id: int, email: str, locale: str = "en", issue_id: int = 1, name: str = ""
) -> Personalization:
    recipient = Recipient(subscriber_id=subscriber_id, email=email, name=name, locale=locale)
    return personalization(recipient, issue_id=issue_id, signer=SIGNER, public_url=PUBLIC_URL, sender=SENDER)


def personalizer(issue_id: int) -> Personalizer:
    return Personalizer(issue_id=issue_id, signer=SIGNER, public_url=PUBLIC_URL, sender=SENDER)


def populate(db: Database, count: int, *, locales: Sequence[str] = ("en", "ko"), queue: bool = True) -> int:
    """An issue with ``count`` active subscribers queued, alternating locales; returns the issue id."""
    now = datetime(2026, 7, 1, tzinfo=UTC)
    with db.transaction() as session:
        issue = Issue(
            issue_date=date(2026, 7, 1),
            window_start=now.replace(day=1, hour=0),
            window_end=now,
            status="sending",
        )
        session.add(issue)
        session.flush()
        existing = session.query(Subscriber).count()
        rows = [
            {
                "email": f"reader{n}@example.net",
                "email_key": f"reader{n}@example.net",
                "locale": locales[n % len(locales)],
                "status": "active",
            }
            for n in range(existing, existing + count)
        ]
        for start in range(0, len(rows), 5000):
            session.execute(Subscriber.__table__.insert(), rows[start : start + 5000])
        if queue:
            newest = select(Subscriber.id).order_by(Subscriber.id).offset(existing)
            send_records.queue(session, issue.id, newest, str)
        return issue.id
