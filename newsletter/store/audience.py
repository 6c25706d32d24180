"""Lists, subscribers, their statuses and the suppression list."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.errors import StoreError
from newsletter.store.schema import (
    MailingList,
    Membership,
    StatusChange,
    Subscriber,
    SubscriberStatus,
    Suppression,
    utcnow,
)


def email_key(email: str) -> str:
    """What makes two spellings of an address the same subscriber."""
    return email.strip().lower()


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
) -> tuple[Subscriber, bool]:
    """Add a subscriber (or add an existing one to more lists); returns it and whether it is new.

    An existing subscriber keeps its status: adding never re-activates someone who left.
    """
    if is_suppressed(session, email):
        raise StoreError(f"{email}: the address was erased and is suppressed")
    now = at or utcnow()
    subscriber = find_subscriber(session, email)
    created = subscriber is None
    if subscriber is None:
        subscriber = Subscriber(
            email=email.strip(),
            email_key=email_key(email),
            name=name,
            locale=locale,
            consent_source=consent_source,
            consent_at=now,
            status_changed_at=now,
            created_at=now,
        )
        session.add(subscriber)
        session.flush()
    joined = {m.list_id for m in subscriber.memberships}
    for mailing_list in lists:
        if mailing_list.id not in joined:
            session.add(Membership(list_id=mailing_list.id, subscriber_id=subscriber.id, added_at=now))
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
) -> bool:
    """Change a subscriber's status and record why; returns False when nothing changed."""
    if subscriber.status == status.value:
        return False
    now = at or utcnow()
    subscriber.status = status.value
    subscriber.status_changed_at = now
    session.add(
        StatusChange(subscriber_id=subscriber.id, status=status.value, reason=reason, via=via, at=now)
    )
    return True


def member_ids(session: Session, mailing_lists: Sequence[MailingList]) -> list[int]:
    """Every subscriber on any of the lists, once, whatever their status."""
    ids = [m.id for m in mailing_lists]
    return list(
        session.scalars(
            select(Membership.subscriber_id)
            .where(Membership.list_id.in_(ids))
            .distinct()
            .order_by(Membership.subscriber_id)
        )
    )


def locales_of(session: Session, subscriber_ids: Sequence[int]) -> dict[int, str]:
    """Each subscriber's chosen locale, by id."""
    found: dict[int, str] = {}
    # Chunked so a large list stays under every database's parameter limit.
    for start in range(0, len(subscriber_ids), 5000):
        chunk = subscriber_ids[start : start + 5000]
        rows = session.execute(select(Subscriber.id, Subscriber.locale).where(Subscriber.id.in_(chunk)))
        found.update({sid: locale for sid, locale in rows.tuples()})
    return found
