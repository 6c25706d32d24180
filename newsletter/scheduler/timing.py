"""When the daily job fires, and which scheduled close a late run belongs to.

By default the job follows arXiv: it fires ``schedule.after_announcement`` minutes after each
announcement, which is 20:00 US Eastern from Sunday to Thursday. The trigger is a cron in
America/New_York, so APScheduler keeps it on arXiv's clock across both US clock changes: with
30 minutes, 09:30 KST in US summer and 10:30 KST in winter, Monday to Friday, and never on the
mornings after Friday and Saturday, when arXiv announces nothing. Fire times are shown in the
display time zone.

A ``schedule.cron`` set explicitly replaces that and is read in the display time zone
(``newsletter.timezone``), so "0 9 * * *" means 09:00 in Seoul whatever the US clocks do.
arXiv's announcement time then moves against it twice a year, which :func:`upcoming` reports
beside each fire time so an operator sees which runs will find nothing new.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from itertools import islice

from apscheduler.triggers.cron import CronTrigger

from newsletter.config import ScheduleSection
from newsletter.crontab import cron_trigger
from newsletter.errors import ConfigError
from newsletter.window import ANNOUNCEMENT_TIME, ANNOUNCEMENT_WEEKDAYS, ARXIV_ZONE, latest_announcement

# A daily or weekly cron always fires within this span, so looking this far back finds the
# latest fire time before a moment.
_LOOKBACK = timedelta(days=8)
_MINUTES_PER_DAY = 24 * 60
#: Python's weekday numbers (Monday is 0) as APScheduler's cron names them.
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True, kw_only=True)
class FireTime:
    """One future run of the daily job and what arXiv will have announced by then."""

    at: datetime
    """When the job fires, in the display time zone."""
    last_announcement: datetime
    """arXiv's latest announcement at or before ``at``, in the display time zone."""
    new_announcement: bool
    """Whether arXiv announced anything since the previous fire time; a run without one
    finds an empty window, which is skipped (or noted) and folds into the next issue."""


def schedule_trigger(schedule: ScheduleSection, tz: tzinfo) -> CronTrigger:
    """The daily job's trigger for the ``[schedule]`` settings, with cron times read in ``tz``."""
    return daily_trigger(schedule.cron, tz, schedule.after_announcement)


def daily_trigger(cron: str, tz: tzinfo, after_announcement: int = 30) -> CronTrigger:
    """The trigger for ``schedule.cron``, read in ``tz``; a ConfigError names a bad expression.

    An empty ``cron`` follows arXiv's announcements (:func:`announcement_trigger`).
    """
    if not cron.strip():
        return announcement_trigger(after_announcement)
    try:
        return cron_trigger(cron, tz)
    except ValueError as error:
        raise ConfigError(
            "schedule.cron", f"expected a crontab expression like '0 9 * * *': {error}"
        ) from None


def announcement_trigger(after_announcement: int) -> CronTrigger:
    """Fire ``after_announcement`` minutes after each arXiv announcement, on arXiv's own clock.

    A delay that reaches past midnight moves the weekdays with it (Monday to Friday, US Eastern).
    """
    if not 0 <= after_announcement < _MINUTES_PER_DAY:
        raise ConfigError(
            "schedule.after_announcement", f"expected 0 to 1439 minutes, got {after_announcement!r}"
        )
    start = ANNOUNCEMENT_TIME.hour * 60 + ANNOUNCEMENT_TIME.minute + after_announcement
    days_later, minutes = divmod(start, _MINUTES_PER_DAY)
    weekdays = sorted((day + days_later) % 7 for day in ANNOUNCEMENT_WEEKDAYS)
    return CronTrigger(
        day_of_week=",".join(_DAY_NAMES[day] for day in weekdays),
        hour=minutes // 60,
        minute=minutes % 60,
        timezone=ARXIV_ZONE,
    )


def describe(schedule: ScheduleSection, zone: str) -> str:
    """The schedule in words, for the scheduler's start-up line."""
    if schedule.cron.strip():
        return f"{schedule.cron!r} in {zone}"
    return (
        f"{schedule.after_announcement} minutes after each arXiv announcement "
        "(Sunday to Thursday, 20:00 US Eastern)"
    )


def next_fire_times(trigger: CronTrigger, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times strictly after ``after``."""
    return list(islice(_fire_times(trigger, after), count))


def latest_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The last fire time at or before ``now``: the close a (possibly late) run is for.

    APScheduler 3 does not tell a job which run time it was started for; with ``coalesce``
    a late start runs once, for the latest missed time, which is exactly this one.
    """
    latest: datetime | None = None
    for fire in _fire_times(trigger, now - _LOOKBACK):
        if fire > now:
            break
        latest = fire
    return latest


def _fire_times(trigger: CronTrigger, after: datetime) -> Iterator[datetime]:
    previous: datetime | None = None
    now = after + timedelta(microseconds=1)
    while (fire := trigger.get_next_fire_time(previous, now)) is not None:
        yield fire
        previous, now = fire, fire + timedelta(microseconds=1)


def upcoming(trigger: CronTrigger, after: datetime, count: int) -> list[FireTime]:
    """The next fire times in ``after``'s time zone, each with arXiv's latest announcement before it."""
    fires = [fire.astimezone(after.tzinfo) for fire in next_fire_times(trigger, after, count)]
    previous = latest_fire_time(trigger, after)
    result = []
    for fire in fires:
        last = latest_announcement(fire)
        result.append(
            FireTime(
                at=fire,
                last_announcement=last.astimezone(fire.tzinfo),
                new_announcement=previous is None or last > previous,
            )
        )
        previous = fire
    return result
