"""When the daily job fires, which scheduled close a late run belongs to, and review deadlines.

The cron expression is read in the display time zone (``newsletter.timezone``), so "0 9 * * *"
means 09:00 in Seoul whatever the US clocks do. arXiv's announcement time moves against it
twice a year (09:00 KST in US summer, 10:00 KST in US winter), which :func:`upcoming` reports
beside each fire time so an operator sees which runs will find nothing new.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from itertools import islice

from apscheduler.triggers.cron import CronTrigger

from newsletter.errors import ConfigError
from newsletter.scheduler.crontab import cron_trigger
from newsletter.window import latest_announcement

# A daily or weekly cron always fires within this span, so looking this far back finds the
# latest fire time before a moment.
_LOOKBACK = timedelta(days=8)


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


def daily_trigger(cron: str, tz: tzinfo) -> CronTrigger:
    """The trigger for ``schedule.cron``, read in ``tz``; a ConfigError names a bad expression."""
    try:
        return cron_trigger(cron, tz)
    except ValueError as error:
        raise ConfigError(
            "schedule.cron", f"expected a crontab expression like '0 9 * * *': {error}"
        ) from None


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
    """The next fire times, each with arXiv's latest announcement before it."""
    fires = next_fire_times(trigger, after, count)
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
