"""Per-recipient send records and the batches that carry them.

A record moves pending → claimed → sent (or failed, unknown, skipped). A batch is claimed in
one transaction before its request goes out and marked sent once the provider accepts it, so
a crash in between leaves it *claimed*: its outcome is unknown, and it is never re-sent
without an operator's explicit word.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from newsletter.store.schema import Batch, Send, SendStatus, Subscriber, utcnow


def queue(session: Session, issue_id: int, locales: Mapping[int, str]) -> int:
    """Create a pending record for each subscriber (id → locale) that has none; returns how many."""
    existing = set(session.scalars(select(Send.subscriber_id).where(Send.issue_id == issue_id)))
    new = [
        {"issue_id": issue_id, "subscriber_id": sid, "locale": locale, "status": SendStatus.PENDING.value}
        for sid, locale in locales.items()
        if sid not in existing
    ]
    if new:
        session.execute(insert(Send), new)
    return len(new)


def claim_batch(session: Session, issue_id: int, *, size: int, worker: str) -> Batch | None:
    """Claim up to ``size`` pending records of one locale as a new batch, or None when none are left.

    On PostgreSQL the rows are locked with SKIP LOCKED, so several workers share an issue
    without ever claiming the same record twice; SQLite serializes writers instead.
    """
    first = select(Send.locale).where(Send.issue_id == issue_id, Send.status == SendStatus.PENDING.value)
    locale = session.scalar(first.order_by(Send.id).limit(1))
    if locale is None:
        return None
    rows = select(Send.id).where(
        Send.issue_id == issue_id, Send.status == SendStatus.PENDING.value, Send.locale == locale
    )
    ids = list(session.scalars(rows.order_by(Send.id).limit(size).with_for_update(skip_locked=True)))
    if not ids:
        return None
    batch = Batch(
        issue_id=issue_id,
        locale=locale,
        status=SendStatus.CLAIMED.value,
        claimed_by=worker,
        claimed_at=utcnow(),
    )
    session.add(batch)
    session.flush()
    session.execute(
        update(Send).where(Send.id.in_(ids)).values(status=SendStatus.CLAIMED.value, batch_id=batch.id)
    )
    return batch


def batch_recipients(session: Session, batch_id: int) -> Sequence[tuple[Send, Subscriber]]:
    rows = session.execute(
        select(Send, Subscriber)
        .join(Subscriber, Subscriber.id == Send.subscriber_id)
        .where(Send.batch_id == batch_id)
        .order_by(Send.id)
    )
    return [(send, subscriber) for send, subscriber in rows.tuples()]


def finish_batch(session: Session, batch_id: int, status: SendStatus, *, error: str = "") -> None:
    """Set a batch and every record in it that is still claimed to ``status``."""
    session.execute(update(Batch).where(Batch.id == batch_id).values(status=status.value, error=error))
    session.execute(
        update(Send)
        .where(Send.batch_id == batch_id, Send.status == SendStatus.CLAIMED.value)
        .values(status=status.value, error=error, updated_at=utcnow())
    )


def mark(session: Session, send_ids: Sequence[int], status: SendStatus, *, error: str = "") -> None:
    if send_ids:
        session.execute(
            update(Send)
            .where(Send.id.in_(send_ids))
            .values(status=status.value, error=error, updated_at=utcnow())
        )


def abandoned_batches(session: Session, issue_id: int) -> Sequence[Batch]:
    """Batches claimed by an earlier run that never reported back: their outcome is unknown."""
    return session.scalars(
        select(Batch).where(Batch.issue_id == issue_id, Batch.status == SendStatus.CLAIMED.value)
    ).all()


def requeue_unknown(session: Session, issue_id: int) -> int:
    """Put the records of unknown batches back in the queue: the operator chose to re-send."""
    result = session.execute(
        update(Send)
        .where(Send.issue_id == issue_id, Send.status == SendStatus.UNKNOWN.value)
        .values(status=SendStatus.PENDING.value, batch_id=None, updated_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def counts(session: Session, issue_id: int) -> Counter[str]:
    """How many records of the issue are in each status."""
    rows = session.execute(
        select(Send.status, func.count()).where(Send.issue_id == issue_id).group_by(Send.status)
    )
    return Counter({status: int(n) for status, n in rows.tuples()})


def requeue_batch(session: Session, batch_id: int) -> None:
    """Return a batch that provably never went out to the queue."""
    session.execute(
        update(Send)
        .where(Send.batch_id == batch_id, Send.status == SendStatus.CLAIMED.value)
        .values(status=SendStatus.PENDING.value, batch_id=None, updated_at=utcnow())
    )
    session.execute(update(Batch).where(Batch.id == batch_id).values(status=SendStatus.FAILED.value))
