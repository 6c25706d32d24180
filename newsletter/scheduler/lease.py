"""Leases in the store: at most one process runs a given scheduled close at a time.

Two scheduler processes started by mistake share one database. Before a run, each tries to
take the lease named after the close; the loser logs and does nothing. Taking a lease is
atomic on SQLite and PostgreSQL alike (:func:`newsletter.store.leases.take`). A holder renews
its lease while it works; a crashed holder's lease expires, so another process can finish the run later.
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

from newsletter.errors import NewsletterError
from newsletter.store import Database, DatabaseError, leases
from newsletter.store.schema import utcnow

logger = logging.getLogger(__name__)


class LeaseHeldError(NewsletterError):
    """Another process holds the lease; it is doing (or did) the work."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"lease {name!r} is held by another process")


def holder_name() -> str:
    """Who this process is, in leases and logs: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(db: Database, name: str, holder: str, ttl: timedelta, *, now: datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``ttl``; False when someone else holds it."""
    now = now or utcnow()
    return leases.take(db, name, holder, now=now, expires=now + ttl)


def release(db: Database, name: str, holder: str) -> None:
    """Give up the lease if this holder still has it."""
    leases.give_up(db, name, holder)


def current_holder(db: Database, name: str, *, now: datetime | None = None) -> str | None:
    """Who holds ``name`` now, or None when it is free or expired."""
    return leases.holder_of(db, name, now=now or utcnow())


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
            except DatabaseError as error:
                # A brief outage is survivable: the lease is still ours until it expires.
                logger.warning("could not renew lease %s: %s", self.lease, type(error).__name__)
                continue
            if not renewed:
                logger.error("lease %s was lost to another process", self.lease)
                self.lost.set()
                return


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
        release(db, name, holder)
