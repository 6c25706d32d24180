"""Leases: a named claim with a holder and an expiry, taken atomically on every database.

A process that must be alone at some work holds its lease for the block (:func:`held`) and
renews it while it works; a crashed holder's lease expires, so another process can finish the
work later. The scheduler holds one per scheduled close, so that two scheduler processes
started by mistake on one database never run the same close (the loser logs and does
nothing), and every sending process one per issue (:mod:`newsletter.delivery.senders`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from newsletter.errors import NewsletterError, StoreError
from newsletter.store.database import Database
from newsletter.store.schema import SchedulerLease, utcnow

logger = logging.getLogger(__name__)


class LeaseHeldError(NewsletterError):
    """Another process holds the lease; it is doing (or did) the work."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"lease {name!r} is held by another process")


def holder_name() -> str:
    """Who this process is, in leases and logs: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def held(db: Database, name: str, ttl: timedelta, *, holder: str | None = None) -> Iterator[threading.Event]:
    """Hold the lease ``name`` for the block, renewing it; raises LeaseHeldError when it is taken.

    Yields an event that is set if the lease is lost (the database was unreachable for longer
    than ``ttl``): long work should check it and stop at its next checkpoint.
    """
    holder = holder or holder_name()
    if not acquire(db, name, holder, ttl):
        raise LeaseHeldError(name)
    renewer = _Renewer(db, name, holder, ttl)
    renewer.start()
    try:
        yield renewer.lost
    finally:
        renewer.done.set()
        renewer.join()
        give_up(db, name, holder)


def acquire(db: Database, name: str, holder: str, ttl: timedelta, *, now: datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``ttl`` from ``now``; False when someone else holds it."""
    now = now or utcnow()
    return take(db, name, holder, now=now, expires=now + ttl)


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


class _Renewer(threading.Thread):
    """Renews a lease every third of its lifetime; notes when it was lost."""

    def __init__(self, db: Database, name: str, holder: str, ttl: timedelta) -> None:
        super().__init__(name=f"lease-{name}", daemon=True)
        self.db, self.lease, self.holder, self.ttl = db, name, holder, ttl
        self.done = threading.Event()
        self.lost = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.ttl.total_seconds() / 3):
            try:
                renewed = acquire(self.db, self.lease, self.holder, self.ttl)
            except (SQLAlchemyError, StoreError) as error:
                # A brief outage is survivable: the lease is still ours until it expires. A
                # SQLite file that another thread of this process holds past the store's
                # LOCK_SECONDS raises StoreError (SQLite's own busy timeout, OperationalError).
                logger.warning("could not renew lease %s: %s", self.lease, type(error).__name__)
                continue
            if not renewed:
                logger.error("lease %s was lost to another process", self.lease)
                self.lost.set()
                return
