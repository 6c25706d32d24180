"""Leases: a named claim with a holder and an expiry, taken atomically on every database.

:mod:`newsletter.scheduler.lease` holds one per scheduled run and
:mod:`newsletter.delivery.senders` one per sending process; both ask here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newsletter.store.database import Database
from newsletter.store.schema import SchedulerLease


def take(db: Database, name: str, holder: str, *, now: datetime, expires: datetime) -> bool:
    """Take or renew the lease ``name`` until ``expires``; False when someone else holds it.

    One conditional UPDATE, or an INSERT that the primary key lets only one process win, so
    two processes never both succeed.
    """
    with db.transaction() as session:
        taken = session.execute(
            update(SchedulerLease)
            .where(
                SchedulerLease.name == name,
                or_(SchedulerLease.holder == holder, SchedulerLease.expires_at <= now),
            )
            .values(holder=holder, expires_at=expires)
        )
        if taken.rowcount:  # type: ignore[attr-defined]
            return True
    try:
        with db.transaction() as session:
            session.add(SchedulerLease(name=name, holder=holder, expires_at=expires))
    except IntegrityError:
        # Someone else's row exists (or was inserted a moment ago) and has not expired.
        return False
    return True


def give_up(db: Database, name: str, holder: str) -> None:
    """Delete the lease if this holder still has it."""
    with db.transaction() as session:
        session.execute(
            delete(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        )


def holder_of(db: Database, name: str, *, now: datetime) -> str | None:
    """Who holds ``name`` at ``now``, or None when it is free or expired."""
    with db.transaction() as session:
        lease = session.get(SchedulerLease, name)
        return lease.holder if lease is not None and lease.expires_at > now else None


def unexpired(session: Session, prefix: str, *, now: datetime) -> list[tuple[str, datetime]]:
    """The holders and expiry times of the leases whose name starts with ``prefix``, at ``now``."""
    rows = session.execute(
        select(SchedulerLease.holder, SchedulerLease.expires_at).where(
            SchedulerLease.name.startswith(prefix, autoescape=True),
            SchedulerLease.expires_at > now,
        )
    )
    return [(holder, expires) for holder, expires in rows]
