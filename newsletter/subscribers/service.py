"""Operators' operations on one subscriber: add, show, find, set locale, status changes, erasure.

Every function takes a session so the CLI (or a test) runs it in one transaction. Status
changes go through :func:`newsletter.store.audience.set_status`, which records when, why
and through what; a resubscription also records the new consent.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from newsletter.errors import InputError, StoreError
from newsletter.store import Session, audience
from newsletter.store.audience import Via
from newsletter.store.schema import Subscriber, SubscriberStatus, utcnow
from newsletter.subscribers.address import check_locale, clean_name, parse_address

logger = logging.getLogger(__name__)

#: Subscribers fetched per round trip when streaming: memory stays flat on any list size.
PAGE = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One recorded status change."""

    status: str
    reason: str
    via: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriberView:
    """A subscriber as operators see it: plain data, safe to print or serialize."""

    id: int
    email: str
    name: str
    locale: str
    status: str
    status_changed_at: datetime
    consent_source: str
    consent_at: datetime
    created_at: datetime
    lists: tuple[str, ...]
    history: tuple[Change, ...] = ()


def add(
    session: Session,
    email: str,
    *,
    name: str = "",
    locale: str,
    list_names: Sequence[str],
    locales: Sequence[str],
    consent_source: str,
    via: str = Via.CLI,
) -> tuple[SubscriberView, bool]:
    """Add a subscriber to lists (recording consent), or add an existing one to more lists.

    An existing subscriber keeps their status, name and locale; returns whether it is new.
    """
    address = parse_address(email)
    chosen = [audience.get_list(session, item) for item in list_names]
    subscriber, created = audience.subscribe(
        session,
        email=address.email,
        name=clean_name(name),
        locale=check_locale(locale, locales),
        lists=chosen,
        consent_source=consent_source,
        via=via,
    )
    return view(session, subscriber), created


def get(session: Session, email: str) -> Subscriber:
    found = audience.find_subscriber(session, email)
    if found is None:
        raise StoreError(f"{email.strip()}: no such subscriber")
    return found


def show(session: Session, email: str) -> SubscriberView:
    """The subscriber with their lists and full status history."""
    return view(session, get(session, email), with_history=True)


def find(
    session: Session,
    text: str = "",
    *,
    list_name: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[SubscriberView]:
    """Subscribers whose address or name contains ``text`` (any case), optionally on a list or status."""
    list_id = audience.get_list(session, list_name).id if list_name is not None else None
    wanted = SubscriberStatus(status) if status is not None else None
    found = audience.search(session, text, list_id=list_id, status=wanted, limit=limit)
    return [view(session, item) for item in found]


def each(
    session: Session, *, list_name: str | None = None, status: str | None = None, by_email: bool = True
) -> Iterator[SubscriberView]:
    """Every subscriber (of one list, with one status, or all) with their lists, streamed.

    Rows come from the database a page at a time and are forgotten once yielded, so a list of
    a million subscribers needs no more memory than one page. Ordered by address, or by id
    (the order they were added) without ``by_email``.
    """
    # Checked here, outside the generator: an unknown list is an error before anything is printed.
    list_id = audience.get_list(session, list_name).id if list_name is not None else None
    wanted = SubscriberStatus(status) if status is not None else None
    rows = audience.stream(session, list_id=list_id, status=wanted, by_email=by_email, page=PAGE)
    return (_view(item, lists) for item, lists in rows)


def set_locale(session: Session, email: str, locale: str, *, locales: Sequence[str]) -> SubscriberView:
    subscriber = get(session, email)
    audience.set_locale(subscriber, check_locale(locale, locales))
    session.flush()
    return view(session, subscriber)


def unsubscribe(session: Session, email: str, *, via: str = Via.CLI, reason: str = "") -> bool:
    """Mark the subscriber unsubscribed; returns False when they already were."""
    subscriber = get(session, email)
    return audience.set_status(
        session,
        subscriber,
        SubscriberStatus.UNSUBSCRIBED,
        via=via,
        reason=reason or "unsubscribed by an operator",
    )


def resubscribe(
    session: Session, email: str, *, confirm: bool, consent_source: str, via: str = Via.CLI, reason: str = ""
) -> bool:
    """Make the subscriber active again; only with ``confirm`` that they gave consent again.

    Records the new consent (source and time). Returns False when they were already active.
    """
    if not confirm:
        raise InputError("resubscribe: confirm with --confirm that the subscriber gave their consent again")
    if not consent_source.strip():
        raise InputError("resubscribe: --consent-source: expected where the new consent came from")
    subscriber = get(session, email)
    now = utcnow()
    changed = audience.set_status(
        session,
        subscriber,
        SubscriberStatus.ACTIVE,
        via=via,
        reason=reason or f"resubscribed ({consent_source.strip()})",
        at=now,
    )
    if changed:
        audience.renew_consent(subscriber, source=consent_source.strip(), at=now)
    session.flush()
    return changed


def erase(session: Session, email: str, *, reason: str = "erased on request") -> bool:
    """Remove every personal record of the address and suppress it; returns whether it was a subscriber.

    Only a hash of the address stays, so no import or form ever adds it again.
    """
    address = audience.email_key(email)
    if not address:
        raise InputError("email: expected an address to erase, got an empty value")
    found = audience.find_subscriber(session, address)
    if found is not None:
        audience.erase(session, found)
    audience.suppress(session, address, reason=reason)
    logger.info("erased subscriber %s", "(present)" if found else "(not present)")
    return found is not None


def view(session: Session, subscriber: Subscriber, *, with_history: bool = False) -> SubscriberView:
    found = _view(subscriber, tuple(audience.list_names_of(session, subscriber.id)))
    if not with_history:
        return found
    history = tuple(
        Change(status=item.status, reason=item.reason, via=item.via, at=item.at)
        for item in audience.history(session, subscriber.id)
    )
    return dataclasses.replace(found, history=history)


def _view(subscriber: Subscriber, lists: tuple[str, ...]) -> SubscriberView:
    return SubscriberView(
        id=subscriber.id,
        email=subscriber.email,
        name=subscriber.name,
        locale=subscriber.locale,
        status=subscriber.status,
        status_changed_at=subscriber.status_changed_at,
        consent_source=subscriber.consent_source,
        consent_at=subscriber.consent_at,
        created_at=subscriber.created_at,
        lists=lists,
    )
