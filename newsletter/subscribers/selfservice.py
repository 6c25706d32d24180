"""What subscribers do for themselves through the signed link in every email.

They unsubscribe, undo that, and choose the language the newsletter arrives in. A token proves
only that its holder received a message addressed to one subscriber, so everything here acts on
that subscriber alone, and an undo restores only an unsubscribe made through a link: a bounce,
a complaint, an operator's decision and an erasure all stay. Every status change goes through
:func:`newsletter.store.audience.set_status`, which records when, why and through what.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from newsletter.store import Session, audience, issues
from newsletter.store.audience import Via
from newsletter.store.schema import (
    MailingList,
    Subscriber,
    SubscriberStatus,
    utcnow,
)
from newsletter.unsubscribe import TokenSubject

logger = logging.getLogger(__name__)

UNDO_REASON = "undo from the unsubscribe page"
#: What a masked address shows in place of the hidden part of its local part.
MASK = "***"


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkState:
    """What a subscriber's own pages may show about them, after the request's change if any."""

    status: SubscriberStatus | None
    """None when the subscriber no longer exists: erased, or never stored."""
    address: str
    """The address with most of its local part hidden (:func:`mask`); empty when unknown."""
    locale: str | None
    """The language the newsletter arrives in; None when the subscriber no longer exists."""
    can_undo: bool
    """Whether the subscriber is unsubscribed through a link and may resubscribe from the page."""
    joined: datetime | None = None
    """When the subscriber was first stored; None when they no longer exist."""
    lists: tuple[str, ...] = ()
    """The names of the lists the subscriber is on."""


def state(session: Session, subject: TokenSubject) -> LinkState:
    return _state(session, audience.get_subscriber(session, subject.subscriber_id))


def unsubscribe(session: Session, subject: TokenSubject, *, at: datetime) -> LinkState:
    """Unsubscribe the token's subscriber if active; anyone else stays as they are.

    One who bounced or complained already receives nothing, and the record of why is worth
    more than a second status change.
    """
    subscriber = audience.get_subscriber(session, subject.subscriber_id)
    if subscriber is not None and subscriber.status == SubscriberStatus.ACTIVE.value:
        audience.set_status(
            session,
            subscriber,
            SubscriberStatus.UNSUBSCRIBED,
            via=Via.UNSUBSCRIBE_LINK,
            reason=f"one-click unsubscribe from issue {subject.issue_id}",
            at=at,
            issue_id=_issue_id(session, subject),
        )
        logger.info("subscriber %s unsubscribed by the link of issue %s", subscriber.id, subject.issue_id)
    return _state(session, subscriber)


def undo(session: Session, subject: TokenSubject, *, at: datetime) -> tuple[LinkState, bool]:
    """Resubscribe a subscriber whose unsubscribe came through a link; returns the state and
    whether they are now active (True also when they already were, so a replayed undo agrees).

    The original consent stands: an undo reverses a mistake rather than giving a new consent,
    and the history records it.
    """
    subscriber = audience.get_subscriber(session, subject.subscriber_id)
    before = _state(session, subscriber)
    if subscriber is None or not (before.can_undo or before.status == SubscriberStatus.ACTIVE):
        return before, False
    if before.can_undo:
        audience.set_status(
            session,
            subscriber,
            SubscriberStatus.ACTIVE,
            via=Via.UNSUBSCRIBE_LINK,
            reason=f"{UNDO_REASON} (issue {subject.issue_id})",
            at=at,
            issue_id=_issue_id(session, subject),
        )
        logger.info("subscriber %s undid an unsubscribe, issue %s", subscriber.id, subject.issue_id)
    return _state(session, subscriber), True


def choose_locale(session: Session, subject: TokenSubject, *, locale: str) -> tuple[LinkState, bool]:
    """Set the language an active subscriber receives; returns the state and whether it was set.

    The caller checks ``locale`` against the configured ones. Nobody else can choose: the page
    offers the choice only while the newsletter still arrives.
    """
    subscriber = audience.get_subscriber(session, subject.subscriber_id)
    if subscriber is None or subscriber.status != SubscriberStatus.ACTIVE.value:
        return _state(session, subscriber), False
    if subscriber.locale != locale:
        reason = f"language changed from {subscriber.locale} to {locale}"
        audience.set_locale(subscriber, locale)
        audience.note_change(session, subscriber, via=Via.PREFERENCES, reason=reason, at=utcnow())
    return _state(session, subscriber), True


def choose_lists(
    session: Session, subject: TokenSubject, *, offered: Sequence[str], chosen: Sequence[str], at: datetime
) -> tuple[LinkState, bool]:
    """Put an active subscriber on the ``chosen`` lists among the ``offered`` (public) ones and
    take them off the others offered; lists not offered stay as they are. Returns the state
    and whether the subscriber could choose. Each list joined or left is recorded in the history.
    """
    subscriber = audience.get_subscriber(session, subject.subscriber_id)
    if subscriber is None or subscriber.status != SubscriberStatus.ACTIVE.value:
        return _state(session, subscriber), False
    join = [audience.ensure_list(session, name) for name in offered if name in chosen]
    existing = {m.name: m for m in audience.all_lists(session)}
    leave = [existing[name] for name in offered if name not in chosen and name in existing]
    joined, left = audience.set_lists(session, subscriber, join=join, leave=leave, at=at)
    for name in joined:
        audience.note_change(
            session, subscriber, via=Via.PREFERENCES, reason=f"joined the list {name}", at=at
        )
    for name in left:
        audience.note_change(session, subscriber, via=Via.PREFERENCES, reason=f"left the list {name}", at=at)
    return _state(session, subscriber), True


def mask(email: str) -> str:
    """``minji@example.org`` → ``m***@example.org``: enough for its owner to recognise it, and
    little for anyone looking over their shoulder."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local:
        return MASK
    return f"{local[0]}{MASK}@{domain}"


def _state(session: Session, subscriber: Subscriber | None) -> LinkState:
    if subscriber is None:
        return LinkState(status=None, address="", locale=None, can_undo=False)
    status = SubscriberStatus(subscriber.status)
    return LinkState(
        status=status,
        address=mask(subscriber.email),
        locale=subscriber.locale,
        can_undo=status == SubscriberStatus.UNSUBSCRIBED and _left_through_a_link(session, subscriber),
        joined=subscriber.created_at,
        lists=tuple(sorted(m.name for m in _lists_of(session, subscriber))),
    )


def _lists_of(session: Session, subscriber: Subscriber) -> Sequence[MailingList]:
    return audience.lists_of(session, subscriber.id)


def _left_through_a_link(session: Session, subscriber: Subscriber) -> bool:
    """Whether the change that made the subscriber unsubscribed came through an unsubscribe link."""
    # The last change applied, not the latest by time: a delivery event carries its own, older,
    # timestamp and may be recorded after an unsubscribe that it then overrides.
    last = audience.last_change(session, subscriber.id)
    return last is not None and (last.status, last.via) == (
        SubscriberStatus.UNSUBSCRIBED.value,
        Via.UNSUBSCRIBE_LINK.value,
    )


def _issue_id(session: Session, subject: TokenSubject) -> int | None:
    # A genuine token may outlive its issue's row; the change then names no issue.
    return subject.issue_id if issues.exists(session, subject.issue_id) else None
