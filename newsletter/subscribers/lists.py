"""Operators' operations on mailing lists (create, summarize, rename, delete); the lists an issue goes to."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from newsletter.errors import ConfigError, InputError, StoreError
from newsletter.store import Session
from newsletter.store import lists as stored_lists
from newsletter.store.audience import all_lists, get_list
from newsletter.store.schema import Issue, MailingList, SubscriberStatus
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
    if stored_lists.name_taken(session, name):
        raise StoreError(f"list {name!r}: already exists")
    return stored_lists.create(session, name, description=description.strip(), default_locale=locale)


def summaries(session: Session) -> list[ListSummary]:
    """Every list, by name, with its members counted by status."""
    counts = stored_lists.status_counts(session)
    return [_summary(item, counts.get(item.id, {})) for item in all_lists(session)]


def summary(session: Session, name: str) -> ListSummary:
    found = get_list(session, name)
    return _summary(found, stored_lists.status_counts_of(session, found.id))


def rename_list(session: Session, old: str, new: str) -> MailingList:
    found = get_list(session, old)
    new = check_list_name(new)
    if new != old and stored_lists.name_taken(session, new):
        raise StoreError(f"list {new!r}: already exists")
    stored_lists.rename(session, found, new)
    return found


def delete_list(session: Session, name: str, *, force: bool = False) -> int:
    """Delete a list; refused while it has members unless ``force``. Returns the members it had.

    The subscribers themselves stay: only their membership of this list goes.
    """
    found = get_list(session, name)
    members = stored_lists.member_count(session, found.id)
    if members and not force:
        raise StoreError(f"list {name!r}: has {members} members; use --force to delete it anyway")
    stored_lists.delete_list(session, found)
    logger.info("deleted list %s with %d members", name, members)
    return members


def issue_lists(issue: Issue, default: Sequence[str]) -> list[str]:
    """The lists ``issue`` goes to: those recorded when it was drafted, else ``default``."""
    return list(issue.lists or default)


def sending_lists(
    session: Session, issue: Issue, default: Sequence[str], narrowed: Sequence[str] = ()
) -> list[MailingList]:
    """The lists a send of ``issue`` goes to: its own (:func:`issue_lists`), or ``narrowed`` when
    every one is its own.

    Raises InputError for a list outside the issue's set (``--list`` may narrow, never widen),
    ConfigError when it has none, and StoreError for a list that does not exist.
    """
    own = issue_lists(issue, default)
    if not own:
        raise ConfigError("newsletter.lists", "expected at least one list name")
    outside = [name for name in narrowed if name not in own]
    if outside:
        raise InputError(
            f"--list {outside[0]}: issue #{issue.id} goes to {', '.join(own)}; --list can only narrow that"
        )
    found = []
    for name in dict.fromkeys(narrowed or own):
        try:
            found.append(get_list(session, name))
        except StoreError:
            raise StoreError(
                f"list {name!r}: no such list, but issue #{issue.id} goes to it (newsletter.lists when "
                f"it was drafted); create it with `newsletter lists create {name}`"
            ) from None
    return found


def _summary(item: MailingList, counts: dict[str, int]) -> ListSummary:
    return ListSummary(
        name=item.name,
        description=item.description,
        default_locale=item.default_locale,
        created_at=item.created_at,
        counts={status.value: counts.get(status.value, 0) for status in SubscriberStatus},
    )
