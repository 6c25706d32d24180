"""Lists, subscribers, their statuses and the suppression list.

These are the store's primitives; :mod:`newsletter.subscribers` builds the operators'
operations (validation, import, export, erasure) on top of them.
"""

from __future__ import annotations

import enum
import hashlib
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, delete, or_, select, update
from sqlalchemy.orm import Session

from newsletter.errors import StoreError
from newsletter.store.bulk import db_value, insert_rows
from newsletter.store.schema import (
    MailingList,
    Membership,
    StatusChange,
    Subscriber,
    SubscriberStatus,
    Suppression,
    utcnow,
)

# Core tables for the bulk functions: their statements skip the per-row ORM bookkeeping.
_SUBSCRIBERS = cast(Table, Subscriber.__table__)
_MEMBERSHIPS = cast(Table, Membership.__table__)
_STATUS_CHANGES = cast(Table, StatusChange.__table__)


class Via(enum.StrEnum):
    """Through what a status changed, as recorded in :class:`StatusChange`."""

    CLI = "cli"
    IMPORT = "import"
    UNSUBSCRIBE_LINK = "unsubscribe-link"
    WEBHOOK = "webhook"
    SIGNUP = "signup"
    """The confirmation link of a sign-up from the public form."""
    PREFERENCES = "preferences"
    """The subscriber's own preference centre (``/u/<token>``)."""


def email_key(email: str) -> str:
    """What makes two spellings of an address the same subscriber."""
    # NFC first, so a Korean name typed on two keyboards yields one key.
    return unicodedata.normalize("NFC", email.strip()).lower()


def email_hash(email: str) -> str:
    """The suppression list's form of an address: nothing personal is kept."""
    return hashlib.sha256(email_key(email).encode()).hexdigest()


def ensure_list(
    session: Session, name: str, *, description: str = "", default_locale: str = "en"
) -> MailingList:
    found = session.scalar(select(MailingList).where(MailingList.name == name))
    if found is None:
        found = MailingList(name=name, description=description, default_locale=default_locale)
        session.add(found)
        session.flush()
    return found


def get_list(session: Session, name: str) -> MailingList:
    found = session.scalar(select(MailingList).where(MailingList.name == name))
    if found is None:
        raise StoreError(f"list {name!r}: no such list")
    return found


def all_lists(session: Session) -> Sequence[MailingList]:
    return session.scalars(select(MailingList).order_by(MailingList.name)).all()


def find_subscriber(session: Session, email: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.email_key == email_key(email)))


def get_subscriber(session: Session, subscriber_id: int) -> Subscriber | None:
    return session.get(Subscriber, subscriber_id)


def is_suppressed(session: Session, email: str) -> bool:
    return session.get(Suppression, email_hash(email)) is not None


def subscribe(
    session: Session,
    *,
    email: str,
    name: str = "",
    locale: str = "en",
    lists: Sequence[MailingList] = (),
    consent_source: str,
    at: datetime | None = None,
    via: str = Via.CLI,
) -> tuple[Subscriber, bool]:
    """Add a subscriber (or add an existing one to more lists); returns it and whether it is new.

    An existing subscriber keeps its status: adding never re-activates someone who left.
    A new one is recorded with its consent (source and time) and a first status change.
    """
    if is_suppressed(session, email):
        raise StoreError(f"{email.strip()}: the address was erased and is suppressed")
    now = at or utcnow()
    subscriber = find_subscriber(session, email)
    created = subscriber is None
    if subscriber is None:
        subscriber = Subscriber(
            email=email.strip(),
            email_key=email_key(email),
            # Whitespace runs (CR and LF among them) become one space: names reach mail headers.
            name=" ".join(name.split()),
            locale=locale,
            consent_source=consent_source,
            consent_at=now,
            status_changed_at=now,
            created_at=now,
        )
        session.add(subscriber)
        session.flush()
        session.add(
            StatusChange(
                subscriber_id=subscriber.id,
                status=SubscriberStatus.ACTIVE.value,
                reason=f"subscribed ({consent_source})",
                via=via,
                at=now,
            )
        )
    # A subscriber made just now is on no list yet: no query for its memberships.
    joined: set[int] = set()
    if not created:
        joined = set(
            session.scalars(select(Membership.list_id).where(Membership.subscriber_id == subscriber.id))
        )
    for mailing_list in lists:
        if mailing_list.id not in joined:
            session.add(Membership(list_id=mailing_list.id, subscriber_id=subscriber.id, added_at=now))
            joined.add(mailing_list.id)
    session.flush()
    return subscriber, created


def set_status(
    session: Session,
    subscriber: Subscriber,
    status: SubscriberStatus,
    *,
    via: str,
    reason: str = "",
    at: datetime | None = None,
    issue_id: int | None = None,
) -> bool:
    """Change a subscriber's status and record why; returns False when nothing changed.

    ``issue_id`` names the issue whose link or delivery event caused the change, if one did.
    """
    if subscriber.status == status.value:
        return False
    now = at or utcnow()
    subscriber.status = status.value
    subscriber.status_changed_at = now
    session.add(
        StatusChange(
            subscriber_id=subscriber.id,
            status=status.value,
            reason=reason,
            via=via,
            at=now,
            issue_id=issue_id,
        )
    )
    return True


def search(
    session: Session, text: str, *, list_id: int | None, status: SubscriberStatus | None, limit: int
) -> Sequence[Subscriber]:
    """Subscribers whose address or name contains ``text`` (any case), by address."""
    query = _selection(select(Subscriber), list_id, status).order_by(Subscriber.email_key).limit(limit)
    if text.strip():
        pattern = f"%{_escape_like(text.strip().lower())}%"
        query = query.where(
            or_(
                Subscriber.email_key.like(pattern, escape="\\"),
                Subscriber.name.ilike(pattern, escape="\\"),
            )
        )
    return session.scalars(query).all()


def stream(
    session: Session, *, list_id: int | None, status: SubscriberStatus | None, by_email: bool, page: int
) -> Iterator[tuple[Subscriber, tuple[str, ...]]]:
    """Every subscriber (on one list, with one status, or all), each with its lists by name.

    Rows come from the database ``page`` at a time and are forgotten once yielded, so a list
    of a million subscribers needs no more memory than one page. Ordered by address, or by id
    (the order they were added) without ``by_email``.
    """
    query = _selection(select(Subscriber).execution_options(yield_per=page), list_id, status)
    query = query.order_by(Subscriber.email_key if by_email else Subscriber.id)
    names = dict(session.execute(select(MailingList.id, MailingList.name)).all())
    for rows in session.scalars(query).partitions():
        joined: dict[int, list[str]] = {}
        ids = [item.id for item in rows]
        for sid, lid in session.execute(
            select(Membership.subscriber_id, Membership.list_id).where(Membership.subscriber_id.in_(ids))
        ):
            joined.setdefault(sid, []).append(names[lid])
        for item in rows:
            yield item, tuple(sorted(joined.get(item.id, [])))
        # Yielded rows are not needed again: let the session forget them.
        for item in rows:
            session.expunge(item)


def list_names_of(session: Session, subscriber_id: int) -> list[str]:
    """The names of the lists a subscriber is on, sorted."""
    return list(
        session.scalars(
            select(MailingList.name)
            .join(Membership, Membership.list_id == MailingList.id)
            .where(Membership.subscriber_id == subscriber_id)
            .order_by(MailingList.name)
        )
    )


def renew_consent(subscriber: Subscriber, *, source: str, at: datetime) -> None:
    """Record a new consent of a subscriber who came back; their soft bounces start over."""
    subscriber.consent_source = source
    subscriber.consent_at = at
    subscriber.soft_bounces = 0


def set_locale(subscriber: Subscriber, locale: str) -> None:
    """Set the language a subscriber receives; the caller has checked it is configured."""
    subscriber.locale = locale


def add_soft_bounce(subscriber: Subscriber) -> int:
    """Count one more soft bounce in a row; returns how many there are now."""
    subscriber.soft_bounces = (subscriber.soft_bounces or 0) + 1
    return subscriber.soft_bounces


def reset_soft_bounces(subscriber: Subscriber) -> None:
    """A message got through: the run of soft bounces is over."""
    subscriber.soft_bounces = 0


def note_change(session: Session, subscriber: Subscriber, *, via: str, reason: str, at: datetime) -> None:
    """Record in the history a change that keeps the status (a language, a list joined or left)."""
    session.add(
        StatusChange(subscriber_id=subscriber.id, status=subscriber.status, reason=reason, via=via, at=at)
    )


def set_lists(
    session: Session,
    subscriber: Subscriber,
    *,
    join: Sequence[MailingList],
    leave: Sequence[MailingList],
    at: datetime,
) -> tuple[list[str], list[str]]:
    """Add the subscriber to ``join`` and take them off ``leave``; returns the names of the lists
    actually joined and left, so the caller records only real changes."""
    current = set(list_ids_of(session, subscriber.id))
    joined = [m for m in join if m.id not in current]
    left = [m for m in leave if m.id in current]
    for mailing_list in joined:
        session.add(Membership(list_id=mailing_list.id, subscriber_id=subscriber.id, added_at=at))
    if left:
        session.execute(
            delete(Membership).where(
                Membership.subscriber_id == subscriber.id, Membership.list_id.in_([m.id for m in left])
            )
        )
    session.flush()
    return [m.name for m in joined], [m.name for m in left]


def unsuppress(session: Session, email: str) -> bool:
    """Forget an erased address's hash; only a confirmed sign-up by the address itself may."""
    found = session.get(Suppression, email_hash(email))
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True


def lists_of(session: Session, subscriber_id: int) -> Sequence[MailingList]:
    """The lists a subscriber is on."""
    return session.scalars(
        select(MailingList).join(Membership).where(Membership.subscriber_id == subscriber_id)
    ).all()


def list_ids_of(session: Session, subscriber_id: int) -> list[int]:
    """The ids of the lists a subscriber is on."""
    return list(session.scalars(select(Membership.list_id).where(Membership.subscriber_id == subscriber_id)))


def last_change(session: Session, subscriber_id: int) -> StatusChange | None:
    """The status change recorded last (by order of recording, not by its time)."""
    return session.scalars(
        select(StatusChange)
        .where(StatusChange.subscriber_id == subscriber_id)
        .order_by(StatusChange.id.desc())
        .limit(1)
    ).first()


def history(session: Session, subscriber_id: int) -> Sequence[StatusChange]:
    """A subscriber's status changes, oldest first."""
    return session.scalars(
        select(StatusChange)
        .where(StatusChange.subscriber_id == subscriber_id)
        .order_by(StatusChange.at, StatusChange.id)
    ).all()


def suppress(session: Session, email: str, *, reason: str, at: datetime | None = None) -> bool:
    """Keep the address's hash so it is never added again; returns False when it already was."""
    digest = email_hash(email)
    if session.get(Suppression, digest) is not None:
        return False
    session.add(Suppression(email_hash=digest, reason=reason, created_at=at or utcnow()))
    session.flush()
    return True


def erase(session: Session, subscriber: Subscriber) -> None:
    """Delete a subscriber and everything that names them (memberships, history, send records)."""
    # Explicit deletes, so erasure never depends on the database enforcing ON DELETE CASCADE.
    session.execute(delete(StatusChange).where(StatusChange.subscriber_id == subscriber.id))
    session.execute(delete(Membership).where(Membership.subscriber_id == subscriber.id))
    session.execute(delete(Subscriber).where(Subscriber.id == subscriber.id))
    session.expunge(subscriber)


def _selection(query: Select[Any], list_id: int | None, status: SubscriberStatus | None) -> Select[Any]:
    if list_id is not None:
        query = query.join(Membership).where(Membership.list_id == list_id)
    if status is not None:
        query = query.where(Subscriber.status == status.value)
    return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def members_query(list_ids: Sequence[int]) -> Select[int]:
    """The ids of every subscriber on any of the lists, whatever their status, as a query."""
    return select(Membership.subscriber_id).where(Membership.list_id.in_(list_ids)).distinct()


def member_ids(session: Session, mailing_lists: Sequence[MailingList]) -> list[int]:
    """Every subscriber on any of the lists, once, whatever their status."""
    query = members_query([m.id for m in mailing_lists]).order_by(Membership.subscriber_id)
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSubscriber:
    """One address for :func:`subscribe_many`, already checked, new to the store and not suppressed."""

    email: str
    key: str
    """Its :func:`email_key`."""
    name: str
    locale: str
    list_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class KnownSubscriber:
    """What an import compares a row with: a subscriber's details as stored."""

    id: int
    email: str
    name: str
    locale: str
    status: str
    status_changed_at: datetime


def known_by_key(session: Session, keys: Sequence[str]) -> dict[str, KnownSubscriber]:
    """The stored subscribers among address keys (:func:`email_key`), by key."""
    columns = (
        Subscriber.email_key,
        Subscriber.id,
        Subscriber.email,
        Subscriber.name,
        Subscriber.locale,
        Subscriber.status,
        Subscriber.status_changed_at,
    )
    found = session.execute(select(*columns).where(Subscriber.email_key.in_(keys)))
    return {
        key: KnownSubscriber(
            id=sid, email=email, name=name, locale=locale, status=status, status_changed_at=at
        )
        for key, sid, email, name, locale, status, at in found
    }


def memberships_of(session: Session, subscriber_ids: Sequence[int]) -> set[tuple[int, int]]:
    """The (subscriber id, list id) pairs of these subscribers' memberships."""
    if not subscriber_ids:
        return set()
    found = session.execute(
        select(Membership.subscriber_id, Membership.list_id).where(
            Membership.subscriber_id.in_(subscriber_ids)
        )
    )
    return {(sid, lid) for sid, lid in found}


def any_suppressed(session: Session) -> bool:
    """Whether any address was ever suppressed: most stores have none, and then no row needs hashing."""
    return session.scalar(select(Suppression.email_hash).limit(1)) is not None


def suppressed_among(session: Session, hashes: Sequence[str]) -> set[str]:
    """Which of these :func:`email_hash` values are suppressed."""
    return set(session.scalars(select(Suppression.email_hash).where(Suppression.email_hash.in_(hashes))))


def subscribe_many(
    session: Session,
    subscribers: Sequence[NewSubscriber],
    *,
    consent_source: str,
    at: datetime,
    via: str = Via.IMPORT,
) -> dict[str, int]:
    """The bulk form of :func:`subscribe` for new addresses: one statement per table, not per row.

    Writes what :func:`subscribe` writes for a new subscriber (active, with consent, a first
    status change and memberships), so the status history keeps one owner. The caller has
    checked that no address is in the store or suppressed. Returns the new ids by key.
    """
    if not subscribers:
        return {}
    now = db_value(session, _SUBSCRIBERS.c.created_at, at)
    # Looked up once: an enum member's value is a descriptor call, and this runs per row.
    active = SubscriberStatus.ACTIVE.value
    insert_rows(
        session,
        _SUBSCRIBERS,
        [
            {
                "email": item.email,
                "email_key": item.key,
                "name": item.name,
                "locale": item.locale,
                "status": active,
                "status_changed_at": now,
                "consent_source": consent_source,
                "consent_at": now,
                "soft_bounces": 0,
                "created_at": now,
            }
            for item in subscribers
        ],
    )
    found = session.execute(
        select(Subscriber.email_key, Subscriber.id).where(
            Subscriber.email_key.in_([item.key for item in subscribers])
        )
    )
    ids: dict[str, int] = {key: sid for key, sid in found}  # noqa: C416 - typed unpacking.
    reason = f"subscribed ({consent_source})"
    insert_rows(
        session,
        _STATUS_CHANGES,
        [
            {
                "subscriber_id": ids[item.key],
                "status": active,
                "reason": reason,
                "via": via,
                "at": now,
            }
            for item in subscribers
        ],
    )
    join_many(session, [(ids[item.key], lid) for item in subscribers for lid in item.list_ids], at=at)
    return ids


def join_many(session: Session, pairs: Sequence[tuple[int, int]], *, at: datetime) -> None:
    """Add memberships in bulk, as (subscriber id, list id) pairs that are not members yet."""
    if not pairs:
        return
    now = db_value(session, _MEMBERSHIPS.c.added_at, at)
    insert_rows(
        session, _MEMBERSHIPS, [{"subscriber_id": sid, "list_id": lid, "added_at": now} for sid, lid in pairs]
    )


def update_details(session: Session, changes: Sequence[dict[str, Any]]) -> None:
    """Change names and locales in bulk (``{"id": 7, "name": …}``); statuses change by :func:`set_status`."""
    if not changes:
        return
    unexpected = {key for change in changes for key in change} - {"id", "name", "locale"}
    if unexpected:
        raise ValueError(f"update_details changes names and locales only, not {sorted(unexpected)}")
    session.execute(update(Subscriber), list(changes))
