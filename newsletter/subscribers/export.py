"""CSV export of subscribers, safe to open in a spreadsheet.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula, so a subscriber could name themselves ``=HYPERLINK(…)`` and
have it run on an operator's machine. Such cells are written with a leading apostrophe,
which spreadsheets show as text (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.store.audience import get_list
from newsletter.store.schema import MailingList, Membership, Subscriber

COLUMNS = (
    "email",
    "name",
    "locale",
    "status",
    "lists",
    "consent_source",
    "consent_at",
    "status_changed_at",
    "created_at",
)
#: What makes a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Rows fetched per round trip: the export streams, so memory stays flat on any list size.
_FETCH = 1000


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet will show it, never run it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def export_csv(
    session: Session, out: TextIO, *, list_name: str | None = None, status: str | None = None
) -> int:
    """Write the subscribers (of one list, with one status, or all) to ``out``; returns how many."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in _rows(session, list_name, status):
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
    return count


def _rows(session: Session, list_name: str | None, status: str | None) -> Iterator[list[str]]:
    query = select(Subscriber).order_by(Subscriber.id).execution_options(yield_per=_FETCH)
    if list_name is not None:
        chosen = get_list(session, list_name)
        query = query.join(Membership).where(Membership.list_id == chosen.id)
    if status is not None:
        query = query.where(Subscriber.status == status)
    names = dict(session.execute(select(MailingList.id, MailingList.name)).all())
    for partition in session.scalars(query).partitions():
        ids = [item.id for item in partition]
        memberships: dict[int, list[str]] = {}
        for sid, lid in session.execute(
            select(Membership.subscriber_id, Membership.list_id).where(Membership.subscriber_id.in_(ids))
        ):
            memberships.setdefault(sid, []).append(names[lid])
        for item in partition:
            yield [
                item.email,
                item.name,
                item.locale,
                item.status,
                ";".join(sorted(memberships.get(item.id, []))),
                item.consent_source,
                item.consent_at.isoformat(),
                item.status_changed_at.isoformat(),
                item.created_at.isoformat(),
            ]
        # Exported rows are not needed again: let the session forget them.
        for item in partition:
            session.expunge(item)
