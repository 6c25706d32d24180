"""Crontab expressions fire on the days cron would fire them, not APScheduler 3's numbering."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from newsletter.crontab import cron_trigger
from newsletter.scheduler import timing

KST = ZoneInfo("Asia/Seoul")
# Saturday 2026-07-04, 12:00 in Seoul: the next week's fire days show which weekdays match.
SATURDAY = datetime(2026, 7, 4, 12, 0, tzinfo=KST)

# Each row: a name, the expression, and the weekdays (%a) of its fire times in the next 7 days.
WEEKDAY_CASES = [
    ("every day", "0 9 * * *", ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]),
    ("cron weekdays 1-5", "0 9 * * 1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
    ("names mon-fri", "0 9 * * mon-fri", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
    ("0 is Sunday", "0 9 * * 0", ["Sun"]),
    ("7 is Sunday too", "0 9 * * 7", ["Sun"]),
    ("weekend 0,6", "0 9 * * 0,6", ["Sun", "Sat"]),
    ("range to 7", "0 9 * * 5-7", ["Sun", "Fri", "Sat"]),
    ("every second day from Sunday", "0 9 * * */2", ["Sun", "Tue", "Thu", "Sat"]),
    ("stepped range", "0 9 * * 1-5/2", ["Mon", "Wed", "Fri"]),
    ("upper-case name", "0 9 * * SUN", ["Sun"]),
    ("day of month with a star weekday", "0 9 6 * *", ["Mon"]),
]


@pytest.mark.parametrize(("expression", "days"), [pytest.param(e, d, id=n) for n, e, d in WEEKDAY_CASES])
def test_weekdays_are_read_as_cron_reads_them(expression: str, days: list[str]) -> None:
    trigger = cron_trigger(expression, KST)
    week = [fire for fire in timing.next_fire_times(trigger, SATURDAY, 8) if (fire - SATURDAY).days < 7]
    assert [f"{fire:%a}" for fire in week] == days
    assert all(f"{fire:%H:%M}" == "09:00" and fire.tzinfo == KST for fire in week)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 9 * *", "4 fields instead of 5: minute hour day month weekday"),
        ("0 9 * * 8", "day of week: expected 0 to 7 or sun to sat, got '8'"),
        ("0 9 * * 5-1", "day of week: the range 5-1 runs backwards"),
        ("0 9 * * */0", "day of week: expected a step of 1 or more, got '0'"),
        (
            "0 9 1 * mon",
            "a day of month and a day of week both set: cron runs on either, this scheduler only on "
            "days matching both; keep one and write * for the other",
        ),
    ],
)
def test_expressions_cron_would_read_differently_are_refused(expression: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        cron_trigger(expression, KST)
    assert str(caught.value) == message
