"""Issue windows and arXiv's announcement calendar.

An issue covers the span from the previous issue's close to its own scheduled close. arXiv
announces new papers Sunday to Thursday at 20:00 US Eastern time — 09:00 in Seoul while the US
is on daylight time, 10:00 in winter — and nothing on Friday or Saturday evenings. Holidays are
not modelled: a window without papers is simply empty, which the pipeline skips or notes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from newsletter.config import ArxivSection
from newsletter.model import Window

ARXIV_ZONE = ZoneInfo("America/New_York")
ANNOUNCEMENT_TIME = time(20, 0)
#: Monday is 0: arXiv announces on Sunday (6) and Monday to Thursday (0-3).
ANNOUNCEMENT_WEEKDAYS = frozenset({6, 0, 1, 2, 3})


def issue_window(at: datetime, previous_end: datetime | None, settings: ArxivSection) -> Window:
    """The window of the issue that closes at ``at``.

    It starts where the previous issue closed; the first issue looks back
    ``settings.first_window_hours``.
    """
    if at.tzinfo is None:
        raise ValueError("the close of a window must be timezone-aware")
    if previous_end is not None and previous_end < at:
        return Window(start=previous_end, end=at)
    return Window(start=at - timedelta(hours=settings.first_window_hours), end=at)


def announcement(day: date) -> datetime | None:
    """arXiv's announcement on ``day`` (US Eastern calendar), or None when it announces nothing."""
    if day.weekday() not in ANNOUNCEMENT_WEEKDAYS:
        return None
    # Combining with the zone, not adding hours to UTC, keeps 20:00 right across clock changes.
    return datetime.combine(day, ANNOUNCEMENT_TIME, tzinfo=ARXIV_ZONE)


def latest_announcement(moment: datetime) -> datetime:
    """arXiv's latest regular announcement at or before ``moment`` (aware, US Eastern time)."""
    day = moment.astimezone(ARXIV_ZONE).date()
    while True:
        announced = announcement(day)
        if announced is not None and announced <= moment:
            return announced
        day -= timedelta(days=1)


def announcements_in(window: Window) -> list[datetime]:
    """Every regular announcement inside the window (start exclusive, end inclusive)."""
    found: list[datetime] = []
    day = window.start.astimezone(ARXIV_ZONE).date()
    last = window.end.astimezone(ARXIV_ZONE).date()
    while day <= last:
        announced = announcement(day)
        if announced is not None and window.start < announced <= window.end:
            found.append(announced)
        day += timedelta(days=1)
    return found
