"""Mailing lists: names, members counted by status, renaming and deleting.

Finding a list by name lives in :mod:`newsletter.store.audience` beside the subscribers.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from newsletter.store.schema import MailingList, Membership, Subscriber


def name_taken(session: Session, name: str) -> bool:
    return session.scalar(select(MailingList.id).where(MailingList.name == name)) is not None


def create(session: Session, name: str, *, description: str, default_locale: str) -> MailingList:
    """A new list; the caller has checked the name is free and the locale configured."""
    created = MailingList(name=name, description=description, default_locale=default_locale)
    session.add(created)
    session.flush()
    return created


def rename(session: Session, mailing_list: MailingList, name: str) -> None:
    mailing_list.name = name
    session.flush()


def status_counts(session: Session) -> dict[int, dict[str, int]]:
    """Members of every list that has some, by list id and then by subscriber status."""
    counted = session.execute(
        select(Membership.list_id, Subscriber.status, func.count())
        .join(Subscriber, Subscriber.id == Membership.subscriber_id)
        .group_by(Membership.list_id, Subscriber.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for list_id, status, number in counted:
        counts.setdefault(list_id, {})[status] = number
    return counts


def status_counts_of(session: Session, list_id: int) -> dict[str, int]:
    """Members of one list by subscriber status."""
    counted = session.execute(
        select(Subscriber.status, func.count())
        .join(Membership, Subscriber.id == Membership.subscriber_id)
        .where(Membership.list_id == list_id)
        .group_by(Subscriber.status)
    )
    return {str(status): int(number) for status, number in counted}


def member_count(session: Session, list_id: int) -> int:
    return session.scalar(select(func.count()).where(Membership.list_id == list_id)) or 0


def delete_list(session: Session, mailing_list: MailingList) -> None:
    """Delete the list and its memberships; the subscribers themselves stay."""
    session.execute(delete(Membership).where(Membership.list_id == mailing_list.id))
    session.execute(delete(MailingList).where(MailingList.id == mailing_list.id))
    session.expunge(mailing_list)
