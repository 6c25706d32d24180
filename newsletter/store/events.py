"""Provider delivery events (delivered, open, bounce …), kept once per provider event id.

Which event means what is the provider's vocabulary (:mod:`newsletter.delivery.sendgrid`);
here the events are only stored and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsletter.store.schema import DeliveryEvent, StatusChange, SubscriberStatus

_CHUNK = 500
"""Ids per statement: under every database's parameter limit."""


def seen(session: Session, event_ids: Iterable[str]) -> set[str]:
    """Which of ``event_ids`` are stored already."""
    ids = list(dict.fromkeys(event_ids))
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.update(session.scalars(select(DeliveryEvent.event_id).where(DeliveryEvent.event_id.in_(chunk))))
    return found


def record(
    session: Session,
    *,
    event_id: str,
    kind: str,
    occurred_at: datetime,
    issue_id: int | None,
    subscriber_id: int | None,
    url: str | None = None,
) -> None:
    """Keep one event; the caller has checked with :func:`seen` that it is new. ``url`` is the
    link a click event followed."""
    session.add(
        DeliveryEvent(
            event_id=event_id,
            event=kind,
            issue_id=issue_id,
            subscriber_id=subscriber_id,
            occurred_at=occurred_at,
            url=url,
        )
    )


def counts(session: Session, issue_id: int) -> Counter[str]:
    """How many events of each kind an issue has had."""
    rows = session.execute(
        select(DeliveryEvent.event, func.count())
        .where(DeliveryEvent.issue_id == issue_id)
        .group_by(DeliveryEvent.event)
    )
    return Counter({str(kind): int(n) for kind, n in rows})


def subscribers_with(session: Session, issue_id: int, kinds: Sequence[str]) -> int:
    """How many subscribers had an event of one of ``kinds`` for the issue."""
    found = session.scalar(
        select(func.count(func.distinct(DeliveryEvent.subscriber_id))).where(
            DeliveryEvent.issue_id == issue_id, DeliveryEvent.event.in_(kinds)
        )
    )
    return int(found or 0)


def left_through(session: Session, issue_id: int, unsubscribe_kinds: Sequence[str]) -> int:
    """How many people left through the issue: its own link, or an unsubscribe event for it."""
    by_link = select(StatusChange.subscriber_id).where(
        StatusChange.status == SubscriberStatus.UNSUBSCRIBED.value, StatusChange.issue_id == issue_id
    )
    by_event = select(DeliveryEvent.subscriber_id).where(
        DeliveryEvent.issue_id == issue_id, DeliveryEvent.event.in_(unsubscribe_kinds)
    )
    people: set[int | None] = set(session.scalars(by_link)) | set(session.scalars(by_event))
    people.discard(None)
    return len(people)
