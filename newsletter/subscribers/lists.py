"""Operators' operations on mailing lists: create, summarize, rename, delete."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from newsletter.errors import InputError, StoreError
from newsletter.store.audience import all_lists, get_list
from newsletter.store.schema import MailingList, Membership, Subscriber, SubscriberStatus
from newsletter.subscribers.address import check_locale

logger = logging.getLogger(__name__)

#: Separators of the import's list column and control characters cannot be part of a name.
_BAD_NAME = re.compile(r"[,;|\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True, kw_only=True)
class ListSummary:
    """A list with its members counted by status."""

    name: str
    description: str
    default_locale: str
    created_at: datetime
    counts: dict[str, int]
    """Members by status; every status is present, zero included."""

    @property
    def members(self) -> int:
        return sum(self.counts.values())


def check_list_name(raw: str) -> str:
    name = raw.strip()
    if not name or len(name) > 200 or _BAD_NAME.search(name):
        raise InputError(
            f"list name: expected 1-200 characters without , ; | or control characters, got {raw!r}"
        )
    return name


def create_list(
    session: Session, name: str, *, description: str = "", default_locale: str, locales: Sequence[str]
) -> MailingList:
    """A new list; refuses a name that is taken or a locale that is not configured."""
    name = check_list_name(name)
    locale = check_locale(default_locale, locales)
    if session.scalar(select(MailingList.id).where(MailingList.name == name)) is not None:
        raise StoreError(f"list {name!r}: already exists")
    created = MailingList(name=name, description=description.strip(), default_locale=locale)
    session.add(created)
    session.flush()
    return created


def summaries(session: Session) -> list[ListSummary]:
    """Every list, by name, with its members counted by status."""
    counted = session.execute(
        select(Membership.list_id, Subscriber.status, func.count())
        .join(Subscriber, Subscriber.id == Membership.subscriber_id)
        .group_by(Membership.list_id, Subscriber.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for list_id, status, number in counted:
        counts.setdefault(list_id, {})[status] = number
    return [_summary(item, counts.get(item.id, {})) for item in all_lists(session)]


def summary(session: Session, name: str) -> ListSummary:
    found = get_list(session, name)
    counted = session.execute(
        select(Subscriber.status, func.count())
        .join(Membership, Subscriber.id == Membership.subscriber_id)
        .where(Membership.list_id == found.id)
        .group_by(Subscriber.status)
    )
    return _summary(found, dict(counted.all()))


def rename_list(session: Session, old: str, new: str) -> MailingList:
    found = get_list(session, old)
    new = check_list_name(new)
    if new != old and session.scalar(select(MailingList.id).where(MailingList.name == new)) is not None:
        raise StoreError(f"list {new!r}: already exists")
    found.name = new
    session.flush()
    return found


def delete_list(session: Session, name: str, *, force: bool = False) -> int:
    """Delete a list; refused while it has members unless ``force``. Returns the members it had.

    The subscribers themselves stay: only their membership of this list goes.
    """
    found = get_list(session, name)
    members = session.scalar(select(func.count()).where(Membership.list_id == found.id)) or 0
    if members and not force:
        raise StoreError(f"list {name!r}: has {members} members; use --force to delete it anyway")
    session.execute(delete(Membership).where(Membership.list_id == found.id))
    session.execute(delete(MailingList).where(MailingList.id == found.id))
    session.expunge(found)
    logger.info("deleted list %s with %d members", name, members)
    return members


def _summary(item: MailingList, counts: dict[str, int]) -> ListSummary:
    return ListSummary(
        name=item.name,
        description=item.description,
        default_locale=item.default_locale,
        created_at=item.created_at,
        counts={status.value: counts.get(status.value, 0) for status in SubscriberStatus},
    )
