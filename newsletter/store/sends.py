"""Per-recipient send records and the batches that carry them.

A record moves pending → claimed → sent (or failed, unknown, skipped). A batch is claimed in
one transaction before its request goes out and marked sent once the provider accepts it, so
a crash in between leaves it *claimed* by a holder that is gone. Once that holder's lease has
lapsed (:mod:`newsletter.delivery.senders`) the batch is marked unknown, listed for the
operator, and never re-sent without the operator's explicit word; the operator may instead
record what the provider's log says (:func:`settle_unknown`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import Select, case, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from newsletter.store.schema import Batch, Send, SendStatus, Subscriber, UTCDateTime, utcnow

_CHUNK = 5000
"""Rows per statement when queueing: under every database's parameter limit."""
_UNSETTLED_IN_BATCH = (SendStatus.CLAIMED.value, SendStatus.UNKNOWN.value)
UNSETTLED = (SendStatus.PENDING.value, SendStatus.CLAIMED.value, SendStatus.UNKNOWN.value)
"""Statuses of a record whose outcome is not final: an issue with one is not sent yet."""


class Claimed(NamedTuple):
    """One record of a claimed batch, with what sending needs to know of its subscriber.

    A named tuple rather than a frozen dataclass: a batch builds a thousand of these while it
    holds the database's write lock, and a tuple is several times cheaper to make.
    """

    send_id: int
    subscriber_id: int
    email: str
    name: str
    status: str
    """The subscriber's status now, at send time."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimedBatch:
    batch_id: int
    locale: str
    records: tuple[Claimed, ...]


def queue(session: Session, issue_id: int, subscribers: Select[int], resolve: Callable[[str], str]) -> int:
    """Create a pending record for each subscriber id that ``subscribers`` selects and that has
    none for the issue; ``resolve`` maps a subscriber's locale to one the issue is rendered in.

    One INSERT … SELECT in the database, so queueing a million subscribers moves no rows through
    Python; only the few distinct locale values are resolved here.
    """
    chosen = subscribers.scalar_subquery()
    raw = session.scalars(select(Subscriber.locale).where(Subscriber.id.in_(chosen)).distinct()).all()
    if not raw:
        # Nobody is selected; a CASE without a WHEN would not even parse.
        return 0
    locale = case({value: resolve(value) for value in raw}, value=Subscriber.locale, else_=resolve(""))
    already = select(Send.id).where(Send.issue_id == issue_id, Send.subscriber_id == Subscriber.id).exists()
    rows = select(
        literal(issue_id),
        Subscriber.id,
        locale,
        literal(SendStatus.PENDING.value),
        literal(""),
        literal(""),
        literal(utcnow(), UTCDateTime()),
    ).where(Subscriber.id.in_(chosen), ~already)
    columns = ["issue_id", "subscriber_id", "locale", "status", "message_id", "error", "updated_at"]
    # PostgreSQL drivers report an INSERT's row count only when asked to keep it.
    statement = insert(Send).from_select(columns, rows).execution_options(preserve_rowcount=True)
    result = session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


def pending_locales(session: Session, issue_id: int) -> list[str]:
    """The locales that still have pending records."""
    rows = select(Send.locale).where(Send.issue_id == issue_id, Send.status == SendStatus.PENDING.value)
    return sorted(set(session.scalars(rows.distinct())))


def claim_batches(
    session: Session, issue_id: int, *, count: int, size: int, worker: str, locale: str | None = None
) -> list[ClaimedBatch]:
    """Claim up to ``count`` new batches of up to ``size`` of the oldest pending records of one
    locale (the first pending one when none is given); fewer when fewer records are left.

    On PostgreSQL the records are locked with SKIP LOCKED, so several workers share an issue
    without ever claiming the same record twice; SQLite serializes writers instead. A sending
    process claims while holding the database's write lock, and each statement there waits
    for the interpreter lock that busy sender threads hold, so the batches are added in one
    statement and read back in one, and no record's id is passed as a parameter.
    """
    pending = (Send.issue_id == issue_id, Send.status == SendStatus.PENDING.value)
    connection = session.connection()
    if locale is None:
        locale = connection.scalar(select(Send.locale).where(*pending).limit(1))
        if locale is None:
            return []
    new_batch = {
        "issue_id": issue_id,
        "locale": locale,
        "status": SendStatus.CLAIMED.value,
        "claimed_by": worker,
        "claimed_at": utcnow(),
    }
    batch_ids = connection.scalars(
        insert(Batch).returning(Batch.id, sort_by_parameter_order=True), [new_batch] * count
    ).all()
    oldest = (
        select(Send.id)
        .where(*pending, Send.locale == locale)
        .order_by(Send.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    filled: list[int] = []
    for batch_id in batch_ids:
        taken = connection.execute(
            update(Send)
            .where(Send.id.in_(oldest.scalar_subquery()))
            .values(status=SendStatus.CLAIMED.value, batch_id=batch_id)
        )
        if taken.rowcount:
            filled.append(batch_id)
        if taken.rowcount < size:
            break
    if len(filled) < len(batch_ids):
        connection.execute(delete(Batch).where(Batch.id.in_(batch_ids[len(filled) :])))
    if not filled:
        return []
    rows = connection.execute(
        select(Send.batch_id, Send.id, Subscriber.id, Subscriber.email, Subscriber.name, Subscriber.status)
        .join(Subscriber, Subscriber.id == Send.subscriber_id)
        .where(Send.batch_id.in_(filled))
        .order_by(Send.batch_id, Send.id)
    ).all()
    return [
        ClaimedBatch(batch_id=batch_id, locale=locale, records=tuple(Claimed._make(row[1:]) for row in group))
        for batch_id, group in groupby(rows, key=itemgetter(0))
    ]


def finish_batches(
    session: Session,
    batch_ids: Sequence[int],
    status: SendStatus,
    *,
    error: str = "",
    retryable: bool = False,
) -> None:
    """Set batches, and every record in them that is still claimed or unknown, to ``status``.

    Two statements however many batches, for the reason :func:`claim_batches` gives. A
    record already marked unknown takes the outcome too: a sender that lost its lease (the
    store was out of reach) and then heard back knows better than whoever guessed.
    """
    if not batch_ids:
        return
    connection = session.connection()
    connection.execute(
        update(Batch)
        .where(Batch.id.in_(batch_ids))
        .values(status=status.value, error=error, retryable=retryable)
    )
    connection.execute(
        update(Send)
        .where(Send.batch_id.in_(batch_ids), Send.status.in_(_UNSETTLED_IN_BATCH))
        .values(status=status.value, error=error, updated_at=utcnow())
    )


def mark(session: Session, send_ids: Sequence[int], status: SendStatus, *, error: str = "") -> None:
    for start in range(0, len(send_ids), _CHUNK):
        session.execute(
            update(Send)
            .where(Send.id.in_(send_ids[start : start + _CHUNK]))
            .values(status=status.value, error=error, updated_at=utcnow())
        )


def claimed_batches(session: Session, issue_id: int) -> Sequence[Batch]:
    """The issue's batches that are out with a sender and not yet recorded, with their holders."""
    query = select(Batch).where(Batch.issue_id == issue_id, Batch.status == SendStatus.CLAIMED.value)
    return session.scalars(query.order_by(Batch.id)).all()


def first_claims(session: Session, issue_id: int, holders: Sequence[str]) -> dict[str, datetime]:
    """When each of ``holders`` claimed its oldest batch of the issue that is still claimed."""
    rows = session.execute(
        select(Batch.claimed_by, func.min(Batch.claimed_at))
        .where(
            Batch.issue_id == issue_id,
            Batch.status == SendStatus.CLAIMED.value,
            Batch.claimed_by.in_(holders),
        )
        .group_by(Batch.claimed_by)
    )
    return {holder: at for holder, at in rows if at is not None}


def unknown_batches(session: Session, issue_id: int) -> Sequence[tuple[Batch, int]]:
    """Batches whose outcome is unknown, each with how many of its records are still unknown."""
    rows = session.execute(
        select(Batch, func.count(Send.id))
        .join(Send, Send.batch_id == Batch.id)
        .where(Batch.issue_id == issue_id, Send.status == SendStatus.UNKNOWN.value)
        .group_by(Batch.id)
        .order_by(Batch.id)
    )
    return [(batch, int(n)) for batch, n in rows]


def settle_unknown(session: Session, issue_id: int, status: SendStatus, *, error: str = "") -> int:
    """Record the outcome an operator found in the provider's log for every unknown record
    and batch of the issue; returns how many records it settled. Nothing is sent."""
    batches = select(Send.batch_id).where(Send.issue_id == issue_id, Send.status == SendStatus.UNKNOWN.value)
    session.execute(update(Batch).where(Batch.id.in_(batches)).values(status=status.value, error=error))
    result = session.execute(
        update(Send)
        .where(Send.issue_id == issue_id, Send.status == SendStatus.UNKNOWN.value)
        .values(status=status.value, error=error, updated_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def requeue_unknown(session: Session, issue_id: int) -> int:
    """Put the records of unknown batches back in the queue: the operator chose to re-send."""
    return _requeue(session, Send.issue_id == issue_id, Send.status == SendStatus.UNKNOWN.value)


def requeue_retryable(session: Session, issue_id: int) -> int:
    """Put back the records of failed batches that the provider provably did not accept."""
    batches = select(Batch.id).where(
        Batch.issue_id == issue_id, Batch.status == SendStatus.FAILED.value, Batch.retryable.is_(True)
    )
    requeued = _requeue(session, Send.batch_id.in_(batches), Send.status == SendStatus.FAILED.value)
    session.execute(update(Batch).where(Batch.id.in_(batches)).values(retryable=False))
    return requeued


def requeue_batch(session: Session, batch_id: int) -> None:
    """Return a batch that provably never went out to the queue."""
    _requeue(session, Send.batch_id == batch_id, Send.status == SendStatus.CLAIMED.value)
    session.execute(
        update(Batch)
        .where(Batch.id == batch_id)
        .values(status=SendStatus.FAILED.value, error="returned to the queue")
    )


def counts(session: Session, issue_id: int) -> Counter[str]:
    """How many records of the issue are in each status."""
    rows = session.execute(
        select(Send.status, func.count()).where(Send.issue_id == issue_id).group_by(Send.status)
    )
    return Counter({status: int(n) for status, n in rows})


def _requeue(session: Session, *where: object) -> int:
    result = session.execute(
        update(Send).where(*where).values(status=SendStatus.PENDING.value, batch_id=None, updated_at=utcnow())  # type: ignore[arg-type]
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
