"""Who is sending an issue: a lease per sending process, so only a dead sender's batches are unknown.

Every process that sends an issue (a plain ``newsletter send``, each ``--worker``, the
scheduler) takes the lease ``send:<issue>:<holder>`` (:mod:`newsletter.store.leases`, as the
scheduler does for its runs), and a thread renews it every third of ``delivery.lease_seconds``
while the send runs. Each batch it claims records the holder (``batches.claimed_by``). A batch
still claimed when its holder's lease has expired, or was released, belongs to a sender that
died between request and reply: its outcome is unknown. A live sender's batches are never
touched, however long its requests take.

A holder is ``host:pid:namespace:token``. When the host and PID namespace are this
process's own and the PID is gone, the holder is dead at once rather than when its lease
runs out, so a re-run right after a kill -9 on the same machine lists its batches.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from newsletter.store import Database, Session, leases
from newsletter.store import sends as send_records
from newsletter.store.schema import SendStatus, utcnow

_PREFIX = "send"


@dataclass(frozen=True, slots=True, kw_only=True)
class Sender:
    """A live sending process of one issue, as another process sees it."""

    holder: str
    expires_at: datetime
    since: datetime | None
    """When it claimed its first batch still in flight, if it has one."""

    @property
    def who(self) -> str:
        """``host:pid`` for people; the holder itself when it is not in that form."""
        return ":".join(self.holder.split(":")[:2])


def holder_id() -> str:
    """A new holder for this process: ``host:pid:namespace:token``."""
    return f"{socket.gethostname()}:{os.getpid()}:{_pid_namespace()}:{secrets.token_hex(4)}"


def lease_name(issue_id: int, holder: str) -> str:
    return f"{_PREFIX}:{issue_id}:{holder}"


@contextmanager
def sending(db: Database, issue_id: int, holder: str, ttl: timedelta) -> Iterator[threading.Event]:
    """Hold this sender's lease on the issue for the block, renewed in a thread of its own.

    Yields an event set when the lease could not be renewed in time (the store was out of
    reach for longer than ``ttl``): other processes may then take this sender's batches
    for dead, so it must stop claiming.
    """
    with leases.held(db, lease_name(issue_id, holder), ttl, holder=holder) as lost:
        yield lost


def live_senders(session: Session, issue_id: int, *, now: datetime | None = None) -> list[Sender]:
    """The processes holding an unexpired lease on the issue, oldest claim first."""
    now = now or utcnow()
    held = leases.unexpired(session, f"{_PREFIX}:{issue_id}:", now=now)
    alive = [(holder, expires) for holder, expires in held if not _gone(holder)]
    if not alive:
        return []
    since = send_records.first_claims(session, issue_id, [holder for holder, _ in alive])
    found = [Sender(holder=h, expires_at=e, since=since.get(h)) for h, e in alive]
    return sorted(found, key=lambda s: (s.since is None, s.since or s.expires_at))


def settle_abandoned(session: Session, issue_id: int, *, now: datetime | None = None) -> list[int]:
    """Mark unknown the batches whose holder is dead; returns their ids.

    Their outcome is unknown: the request may or may not have reached the provider. They
    are listed (``send`` prints them, ``status`` shows them) and wait for the operator.
    """
    claimed = send_records.claimed_batches(session, issue_id)
    if not claimed:
        return []
    alive = {sender.holder for sender in live_senders(session, issue_id, now=now)}
    dead = [batch.id for batch in claimed if batch.claimed_by not in alive]
    send_records.finish_batches(session, dead, SendStatus.UNKNOWN, error="outcome unknown: its sender died")
    return dead


def describe(issue_id: int, senders: Sequence[Sender]) -> str:
    """One line for an operator: who is sending the issue, and since when."""
    first = senders[0]
    when = (
        f"since {first.since:%Y-%m-%d %H:%M:%S} UTC"
        if first.since
        else f"(its lease runs until {first.expires_at:%H:%M:%S} UTC)"
    )
    others = f" and {len(senders) - 1} more" if len(senders) > 1 else ""
    return f"issue #{issue_id} is being sent by {first.who}{others} {when}"


def _gone(holder: str) -> bool:
    """Whether ``holder`` is a process of this host and PID namespace that no longer exists."""
    parts = holder.split(":")
    if len(parts) != 4 or not parts[1].isdigit():
        return False
    host, pid, namespace, _ = parts
    if host != socket.gethostname() or namespace != _pid_namespace() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        # Alive, and someone else's.
        return False
    return False


@cache
def _pid_namespace() -> str:
    """This process's PID namespace: two containers may share a host name but not a namespace."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "-"
