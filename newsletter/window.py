"""Issue windows and arXiv's announcement calendar, and an issue's other times: when its review
ends and which send time its header shows.

An issue covers the span from the previous issue's close to its own scheduled close. arXiv
announces new papers Sunday to Thursday at 20:00 US Eastern time — 09:00 in Seoul while the US
is on daylight time, 10:00 in winter — and nothing on Friday or Saturday evenings. Holidays
are passed in by the caller (arXiv publishes them each year); a window without papers is simply
empty, which the pipeline skips or notes.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from newsletter.config import ArxivSection
from newsletter.errors import ConfigError
from newsletter.model import Window

ARXIV_ZONE = ZoneInfo("America/New_York")
ANNOUNCEMENT_TIME = time(20, 0)
#: Monday is 0: arXiv announces on Sunday (6) and Monday to Thursday (0-3).
ANNOUNCEMENT_WEEKDAYS = frozenset({6, 0, 1, 2, 3})
#: How far to look for an announcement: longer than any run of holidays arXiv has taken.
_SEARCH_DAYS = 30


def issue_window(at: datetime, previous_end: datetime | None, settings: ArxivSection) -> Window:
    """The window of the issue that closes at ``at``.

    It starts where the previous issue closed; the first issue looks back
    ``settings.first_window_hours``.
    """
    if at.tzinfo is None:
        raise ValueError("the close of a window must be timezone-aware")
    if previous_end is None:
        return Window(start=at - timedelta(hours=settings.first_window_hours), end=at)
    if previous_end.tzinfo is None or previous_end >= at:
        raise ValueError(f"the previous issue closed at {previous_end}, which is not before {at}")
    return Window(start=previous_end, end=at)


def announcement(day: date, holidays: Collection[date] = ()) -> datetime | None:
    """arXiv's announcement on ``day`` (US Eastern calendar), or None when it announces nothing.

    ``holidays`` are US Eastern days arXiv has said it will not announce on.
    """
    if day.weekday() not in ANNOUNCEMENT_WEEKDAYS or day in holidays:
        return None
    # Combining with the zone, not adding hours to UTC, keeps 20:00 right across clock changes.
    return datetime.combine(day, ANNOUNCEMENT_TIME, tzinfo=ARXIV_ZONE)


def announcement_in(day: date, zone: tzinfo, holidays: Collection[date] = ()) -> datetime | None:
    """The announcement of ``day`` (US Eastern calendar) on the clock of ``zone``.

    In Seoul that is 09:00 the next morning while the US is on daylight time, 10:00 in winter.
    """
    announced = announcement(day, holidays)
    return announced.astimezone(zone) if announced else None


def latest_announcement(moment: datetime, holidays: Collection[date] = ()) -> datetime:
    """arXiv's latest announcement at or before ``moment`` (aware, US Eastern time)."""
    day = moment.astimezone(ARXIV_ZONE).date()
    for _ in range(_SEARCH_DAYS):
        announced = announcement(day, holidays)
        if announced is not None and announced <= moment:
            return announced
        day -= timedelta(days=1)
    raise ValueError(f"no arXiv announcement within {_SEARCH_DAYS} days before {moment}")


def next_announcement(moment: datetime, holidays: Collection[date] = ()) -> datetime:
    """arXiv's first announcement strictly after ``moment`` (aware, US Eastern time)."""
    day = moment.astimezone(ARXIV_ZONE).date()
    for _ in range(_SEARCH_DAYS):
        announced = announcement(day, holidays)
        if announced is not None and announced > moment:
            return announced
        day += timedelta(days=1)
    raise ValueError(f"no arXiv announcement within {_SEARCH_DAYS} days after {moment}")


def announcements_in(window: Window, holidays: Collection[date] = ()) -> list[datetime]:
    """Every announcement inside the window (start exclusive, end inclusive), US Eastern time.

    An empty list means the window is expected to bring no new papers (a weekend or holiday).
    """
    found: list[datetime] = []
    day = window.start.astimezone(ARXIV_ZONE).date()
    last = window.end.astimezone(ARXIV_ZONE).date()
    while day <= last:
        announced = announcement(day, holidays)
        if announced is not None and window.start < announced <= window.end:
            found.append(announced)
        day += timedelta(days=1)
    return found


def review_deadline(close: datetime, deadline: str, tz: tzinfo) -> datetime:
    """The first ``deadline`` (HH:MM in ``tz``) after an issue's close: when review mode decides."""
    try:
        clock = time.fromisoformat(deadline)
    except ValueError:
        raise ConfigError("schedule.review_deadline", f"expected HH:MM, got {deadline!r}") from None
    local = close.astimezone(tz)
    candidate = datetime.combine(local.date(), clock, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), clock, tzinfo=tz)
    return candidate


def send_time(close: datetime, started: datetime, grace_seconds: int) -> datetime:
    """The time an issue's header shows: its scheduled send, unless the send began much later.

    A scheduled run fires at the issue's close, so a send that starts within the scheduler's
    grace period shows the close: the preview showed the same, and every worker and resumed
    batch renders the same header. A later send (a late approval, a manual send the next day)
    shows the minute it started.
    """
    if started - close <= timedelta(seconds=grace_seconds):
        return close
    return started.replace(second=0, microsecond=0)
