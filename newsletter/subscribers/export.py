"""CSV export of subscribers, safe to open in a spreadsheet.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula, so a subscriber could name themselves ``=HYPERLINK(…)`` and
have it run on an operator's machine. Such cells are written with a leading apostrophe,
which spreadsheets show as text (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
from datetime import datetime, tzinfo
from typing import TextIO

from newsletter.store import Session
from newsletter.subscribers import service

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
_TIMES = ("consent_at", "status_changed_at", "created_at")


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet will show it, never run it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def export_csv(
    session: Session,
    out: TextIO,
    *,
    list_name: str | None = None,
    status: str | None = None,
    timezone: tzinfo | None = None,
) -> int:
    """Write the subscribers (of one list, with one status, or all) to ``out``; returns how many.

    Times are ISO 8601 in UTC, for programs; with ``timezone`` they are shown as ``status``
    shows them (``2026-07-01 09:24`` in that zone, named in the header), which spreadsheets
    read as dates.
    """
    writer = csv.writer(out)
    zone = f" ({timezone})" if timezone is not None else ""
    writer.writerow([f"{column}{zone}" if column in _TIMES else column for column in COLUMNS])
    count = 0
    for item in service.each(session, list_name=list_name, status=status, by_email=False):
        row = [item.email, item.name, item.locale, item.status, ";".join(item.lists), item.consent_source]
        row += [_time(at, timezone) for at in (item.consent_at, item.status_changed_at, item.created_at)]
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
    return count


def _time(at: datetime, timezone: tzinfo | None) -> str:
    return at.isoformat() if timezone is None else f"{at.astimezone(timezone):%Y-%m-%d %H:%M}"
