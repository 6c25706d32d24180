"""Provider delivery events: reading SendGrid's Event Webhook body and applying it to the store.

What each event does (``kind`` is SendGrid's ``event``, except that a ``bounce`` whose ``type``
is ``blocked`` is kept as ``blocked``, because it is a soft bounce):

- ``bounce`` (a hard bounce) and ``dropped`` → the subscriber is *bounced*; a drop because the
  address unsubscribed or reported spam at SendGrid maps to *unsubscribed* or *complained*;
- ``spamreport`` → *complained*; ``unsubscribe`` and ``group_unsubscribe`` → *unsubscribed*;
- ``blocked`` → one more soft bounce; ``soft_bounce_threshold`` in a row suspend the subscriber
  as *bounced*, and a ``delivered`` event resets the run;
- ``deferred`` is only counted: SendGrid keeps retrying a deferred message and reports how it
  ended as ``delivered``, ``bounce`` or ``dropped``, so counting it too would count one failure
  many times;
- every event, including ``delivered``, ``open`` and ``click``, is kept once per ``sg_event_id``
  and counted per issue by :func:`event_counts`.

Only an active subscriber's status changes: one who already left receives nothing, and the first
reason is the one worth keeping. Issue and subscriber come from the ``issue_id`` and
``subscriber_id`` custom args that delivery attaches to each message (SendGrid returns custom args
as top-level event fields); without ``subscriber_id`` the address finds the subscriber.

The event names and what each means for a subscriber are SendGrid's vocabulary, kept in
:mod:`newsletter.delivery.sendgrid`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsletter.delivery import sendgrid
from newsletter.errors import InputError
from newsletter.store import Session, audience, issues
from newsletter.store import events as stored_events
from newsletter.store.audience import find_subscriber, set_status
from newsletter.store.schema import Subscriber, SubscriberStatus

logger = logging.getLogger(__name__)

VIA = "webhook"
_MAX_ID = 200
#: The longest address SMTP can carry (RFC 5321: a 64-character local part, @, 255 for the domain).
_MAX_EMAIL = 320
#: The largest row id the store holds: ids are INTEGER columns, 32-bit on PostgreSQL.
MAX_ROW_ID = 2**31 - 1
# A forged or garbled batch naming an event SendGrid does not document (sendgrid.KNOWN_EVENTS)
# is refused whole, so it cannot fill the event table with names.
#: Clicked links are kept up to this length; longer ones are cut rather than refused.
_MAX_URL = 2000


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderEvent:
    """One event of a webhook batch, checked and normalized."""

    event_id: str
    """``sg_event_id``: the same event delivered twice carries the same id."""
    kind: str
    occurred_at: datetime
    email: str = ""
    issue_id: int | None = None
    subscriber_id: int | None = None
    reason: str = ""
    url: str = ""
    """The clicked link, for a ``click`` event."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EventOutcome:
    """What one batch changed."""

    received: int
    duplicates: int
    status_changes: int


def parse_events(body: bytes) -> list[ProviderEvent]:
    """The events of a webhook body; InputError when it is not a JSON array of event objects."""
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError):
        # ValueError covers bad UTF-8, bad JSON and a number too long to read; RecursionError
        # a document nested deeper than the parser goes.
        raise InputError("webhook: the body is not JSON") from None
    if not isinstance(raw, list):
        raise InputError("webhook: expected a JSON array of events")
    return [_event(item, place) for place, item in enumerate(raw)]


def apply_events(
    session: Session, events: Sequence[ProviderEvent], *, soft_bounce_threshold: int
) -> EventOutcome:
    """Record the events not seen before and apply them, oldest first, in the caller's transaction."""
    fresh = _unseen(session, events)
    changes = 0
    known: dict[int, bool] = {}
    for received in sorted(fresh, key=lambda e: e.occurred_at):
        # An issue id we never sent (another sender's mail, a deleted issue) is kept as unknown.
        known_issue = received.issue_id if _issue_exists(session, received.issue_id, known) else None
        event = dataclasses.replace(received, issue_id=known_issue)
        subscriber = _subscriber(session, event)
        stored_events.record(
            session,
            event_id=event.event_id,
            kind=event.kind,
            issue_id=event.issue_id,
            subscriber_id=subscriber.id if subscriber else None,
            occurred_at=event.occurred_at,
            url=event.url[:_MAX_URL] or None,
        )
        if subscriber is not None and _apply(session, subscriber, event, soft_bounce_threshold):
            changes += 1
    return EventOutcome(received=len(events), duplicates=len(events) - len(fresh), status_changes=changes)


def event_counts(session: Session, issue_id: int) -> Counter[str]:
    """How many events of each kind (delivered, open, click …) an issue has had."""
    return stored_events.counts(session, issue_id)


def _event(item: Any, place: int) -> ProviderEvent:
    where = f"webhook: event {place}"
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected an object")
    kind, event_id, stamp = item.get("event"), item.get("sg_event_id"), item.get("timestamp")
    if not isinstance(kind, str) or kind not in sendgrid.KNOWN_EVENTS:
        raise InputError(f"{where}: expected an 'event' name SendGrid sends")
    if not isinstance(event_id, str) or not event_id or len(event_id) > _MAX_ID:
        raise InputError(f"{where}: expected an 'sg_event_id'")
    if not isinstance(stamp, int) or isinstance(stamp, bool) or stamp < 0:
        raise InputError(f"{where}: expected a Unix 'timestamp'")
    kind = sendgrid.event_kind(kind, item.get("type"))
    try:
        occurred_at = datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError):
        raise InputError(f"{where}: the 'timestamp' is out of range") from None
    return ProviderEvent(
        event_id=event_id,
        kind=kind,
        occurred_at=occurred_at,
        email=_text(item, "email", where, limit=_MAX_EMAIL),
        issue_id=_optional_id(item, "issue_id", where),
        subscriber_id=_optional_id(item, "subscriber_id", where),
        reason=_text(item, "reason", where)[:500],
        url=_text(item, "url", where) if kind == sendgrid.CLICK else "",
    )


def _text(item: dict[str, Any], key: str, where: str, *, limit: int | None = None) -> str:
    value = item.get(key, "")
    if not isinstance(value, str):
        raise InputError(f"{where}: expected '{key}' to be text")
    if limit is not None and len(value) > limit:
        raise InputError(f"{where}: expected '{key}' of at most {limit} characters")
    return value


def _optional_id(item: dict[str, Any], key: str, where: str) -> int | None:
    """Custom args come back as strings; an id that is not a whole number is a bad batch.

    Test sends carry subscriber 0, which is nobody: the event is kept without a subscriber.
    """
    value = item.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ROW_ID:
        return value or None
    raise InputError(f"{where}: expected '{key}' to be a whole number from 0 to {MAX_ROW_ID}")


def _unseen(session: Session, events: Sequence[ProviderEvent]) -> list[ProviderEvent]:
    seen = stored_events.seen(session, (e.event_id for e in events))
    fresh: dict[str, ProviderEvent] = {}
    for event in events:
        if event.event_id not in seen:
            fresh.setdefault(event.event_id, event)
    return list(fresh.values())


def _subscriber(session: Session, event: ProviderEvent) -> Subscriber | None:
    if event.subscriber_id is not None:
        return audience.get_subscriber(session, event.subscriber_id)
    return find_subscriber(session, event.email) if event.email else None


def _issue_exists(session: Session, issue_id: int | None, known: dict[int, bool]) -> bool:
    if issue_id is None:
        return False
    if issue_id not in known:
        known[issue_id] = issues.exists(session, issue_id)
    return known[issue_id]


def _apply(session: Session, subscriber: Subscriber, event: ProviderEvent, threshold: int) -> bool:
    """Update the subscriber for one event; returns whether their status changed."""
    if event.kind == sendgrid.DELIVERED:
        audience.reset_soft_bounces(subscriber)
        return False
    if event.kind == sendgrid.SOFT_BOUNCE:
        in_a_row = audience.add_soft_bounce(subscriber)
        if in_a_row < threshold:
            return False
        return _leave(
            session,
            subscriber,
            SubscriberStatus.BOUNCED,
            _reason(f"{in_a_row} soft bounces in a row", event.reason),
            event,
        )
    status = sendgrid.leaving_status(event.kind, event.reason)
    if status is None:
        return False
    return _leave(session, subscriber, status, _reason(event.kind, event.reason), event)


def _leave(
    session: Session, subscriber: Subscriber, status: SubscriberStatus, reason: str, event: ProviderEvent
) -> bool:
    if subscriber.status != SubscriberStatus.ACTIVE.value:
        return False
    logger.info("subscriber %s is now %s after a %s event", subscriber.id, status.value, event.kind)
    return set_status(
        session, subscriber, status, via=VIA, reason=reason, at=event.occurred_at, issue_id=event.issue_id
    )


def _reason(head: str, detail: str) -> str:
    return f"{head}: {detail}" if detail else head
