"""Fire times and arXiv announcements across the US clock changes, as named tables.

By default the daily job fires 30 minutes after each arXiv announcement. With a fixed cron the
job fires at 09:00 in Seoul (no daylight saving time). arXiv announces at 20:00 US
Eastern time, Sunday to Thursday: 09:00 KST while the US is on daylight time (from
2026-03-08 to 2026-11-01) and 10:00 KST otherwise. Nothing is announced on Friday and
Saturday evenings, so the runs of the following mornings find nothing new.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from newsletter.cli import cli
from newsletter.config import ScheduleSection
from newsletter.errors import ConfigError
from newsletter.scheduler import timing
from newsletter.window import announcement, latest_announcement, review_deadline

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")


def kst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=KST)


# (name, fire time in KST, arXiv's latest announcement at or before it in KST, new since the day before)
ANNOUNCEMENT_CASES = [
    (
        "winter Thursday: Wednesday's 20:00 EST is 10:00 KST, after the run",
        "2026-03-05T09:00",
        "2026-03-04T10:00",
        True,
    ),
    ("winter Friday run sees Wednesday evening's announcement", "2026-03-06T09:00", "2026-03-05T10:00", True),
    (
        "winter Saturday run sees Thursday evening's announcement",
        "2026-03-07T09:00",
        "2026-03-06T10:00",
        True,
    ),
    ("Sunday run: Friday evening announces nothing", "2026-03-08T09:00", "2026-03-06T10:00", False),
    (
        "first Monday of US daylight time: Sunday 20:00 EDT is exactly 09:00 KST",
        "2026-03-09T09:00",
        "2026-03-09T09:00",
        True,
    ),
    (
        "summer Saturday: Thursday's 20:00 EDT was at Friday's 09:00 run; Friday evening announces nothing",
        "2026-07-04T09:00",
        "2026-07-03T09:00",
        False,
    ),
    ("summer Sunday run: Friday evening ET announces nothing", "2026-07-05T09:00", "2026-07-03T09:00", False),
    ("last Saturday of US daylight time: nothing new", "2026-10-31T09:00", "2026-10-30T09:00", False),
    (
        "Sunday 2026-11-01: clocks fall back, Saturday announced nothing",
        "2026-11-01T09:00",
        "2026-10-30T09:00",
        False,
    ),
    (
        "first winter Monday: Sunday 20:00 EST is 10:00 KST, after the run",
        "2026-11-02T09:00",
        "2026-10-30T09:00",
        False,
    ),
    ("first winter Tuesday", "2026-11-03T09:00", "2026-11-02T10:00", True),
]


@pytest.mark.parametrize(
    ("fire", "announced", "new"),
    [pytest.param(fire, announced, new, id=name) for name, fire, announced, new in ANNOUNCEMENT_CASES],
)
def test_upcoming_runs_name_the_latest_announcement(fire: str, announced: str, new: bool) -> None:
    trigger = timing.daily_trigger("0 9 * * *", KST)
    day_before = kst(fire).replace(hour=8)
    (first,) = timing.upcoming(trigger, day_before, 1)
    assert first.at == kst(fire)
    assert first.last_announcement == kst(announced)
    assert first.new_announcement is new


# (name, cron, zone, after, the next three fire times as local wall-clock strings)
FIRE_TIME_CASES = [
    (
        "KST ignores the US spring change",
        "0 9 * * *",
        "Asia/Seoul",
        "2026-03-07T12:00",
        ["2026-03-08T09:00+09:00", "2026-03-09T09:00+09:00", "2026-03-10T09:00+09:00"],
    ),
    (
        "KST ignores the US autumn change",
        "0 9 * * *",
        "Asia/Seoul",
        "2026-10-31T12:00",
        ["2026-11-01T09:00+09:00", "2026-11-02T09:00+09:00", "2026-11-03T09:00+09:00"],
    ),
    (
        "New York 09:00 keeps its wall clock in spring",
        "0 9 * * *",
        "America/New_York",
        "2026-03-07T12:00",
        ["2026-03-08T09:00-04:00", "2026-03-09T09:00-04:00", "2026-03-10T09:00-04:00"],
    ),
    (
        "New York 09:00 keeps its wall clock in autumn",
        "0 9 * * *",
        "America/New_York",
        "2026-10-31T12:00",
        ["2026-11-01T09:00-05:00", "2026-11-02T09:00-05:00", "2026-11-03T09:00-05:00"],
    ),
    (
        "New York 02:30 does not exist on 2026-03-08: that day's run is at 03:30 EDT",
        "30 2 * * *",
        "America/New_York",
        "2026-03-07T12:00",
        ["2026-03-08T03:30-04:00", "2026-03-09T02:30-04:00", "2026-03-10T02:30-04:00"],
    ),
    (
        "weekdays only: Friday to Monday",
        "0 9 * * mon-fri",
        "Asia/Seoul",
        "2026-03-06T10:00",
        ["2026-03-09T09:00+09:00", "2026-03-10T09:00+09:00", "2026-03-11T09:00+09:00"],
    ),
]


@pytest.mark.parametrize(
    ("cron", "zone", "after", "expected"),
    [pytest.param(c, z, a, e, id=name) for name, c, z, a, e in FIRE_TIME_CASES],
)
def test_next_fire_times(cron: str, zone: str, after: str, expected: list[str]) -> None:
    tz = ZoneInfo(zone)
    fires = timing.next_fire_times(
        timing.daily_trigger(cron, tz), datetime.fromisoformat(after).replace(tzinfo=tz), 3
    )
    # Through UTC, so a nonexistent wall-clock time shows as the instant it really fires at.
    assert [f.astimezone(UTC).astimezone(tz).isoformat(timespec="minutes") for f in fires] == expected


def test_announcements_are_at_20_00_eastern_on_sunday_to_thursday() -> None:
    # A week in March that straddles the spring change; each announcement is 20:00 local.
    moment = datetime(2026, 3, 14, 12, tzinfo=ET)
    seen = []
    for _ in range(5):
        last = latest_announcement(moment)
        seen.append(last.strftime("%a %H:%M %Z"))
        moment = last.replace(minute=0) - (last - last.replace(hour=19))
    assert seen == ["Thu 20:00 EDT", "Wed 20:00 EDT", "Tue 20:00 EDT", "Mon 20:00 EDT", "Sun 20:00 EDT"]


def test_latest_fire_time_is_the_close_a_late_run_belongs_to() -> None:
    trigger = timing.daily_trigger("0 9 * * *", KST)
    assert timing.latest_fire_time(trigger, kst("2026-03-09T09:40")) == kst("2026-03-09T09:00")
    assert timing.latest_fire_time(trigger, kst("2026-03-09T09:00")) == kst("2026-03-09T09:00")
    assert timing.latest_fire_time(trigger, kst("2026-03-09T08:59")) == kst("2026-03-08T09:00")


# (name, close, deadline, expected deadline in KST)
DEADLINE_CASES = [
    ("same morning", "2026-03-09T09:00", "11:00", "2026-03-09T11:00"),
    ("a deadline before the run time is the next day's", "2026-03-09T12:00", "11:00", "2026-03-10T11:00"),
    ("a deadline equal to the run time is the next day's", "2026-03-09T11:00", "11:00", "2026-03-10T11:00"),
]


@pytest.mark.parametrize(
    ("close", "deadline", "expected"), [pytest.param(c, d, e, id=n) for n, c, d, e in DEADLINE_CASES]
)
def test_review_deadline(close: str, deadline: str, expected: str) -> None:
    assert review_deadline(kst(close), deadline, KST) == kst(expected)


@pytest.mark.parametrize(
    ("key", "call"),
    [
        ("schedule.cron", lambda: timing.daily_trigger("0 25 * * *", KST)),
        ("schedule.review_deadline", lambda: review_deadline(kst("2026-03-09T09:00"), "11h", KST)),
    ],
)
def test_bad_settings_name_their_key(key: str, call: object) -> None:
    with pytest.raises(ConfigError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.key == key


# (name, after (KST), the next three fire times of the default schedule, in KST and in US Eastern)
AFTER_ANNOUNCEMENT_CASES = [
    (
        "US summer: 20:30 EDT is 09:30 KST; Friday and Saturday evenings are skipped",
        "2026-07-01T12:00",
        ["2026-07-02T09:30+09:00", "2026-07-03T09:30+09:00", "2026-07-06T09:30+09:00"],
        ["Wed 20:30 EDT", "Thu 20:30 EDT", "Sun 20:30 EDT"],
    ),
    (
        "US winter: 20:30 EST is 10:30 KST",
        "2026-01-14T12:00",
        ["2026-01-15T10:30+09:00", "2026-01-16T10:30+09:00", "2026-01-19T10:30+09:00"],
        ["Wed 20:30 EST", "Thu 20:30 EST", "Sun 20:30 EST"],
    ),
    (
        "March switch week: Thursday on EST, Sunday on EDT",
        "2026-03-05T12:00",
        ["2026-03-06T10:30+09:00", "2026-03-09T09:30+09:00", "2026-03-10T09:30+09:00"],
        ["Thu 20:30 EST", "Sun 20:30 EDT", "Mon 20:30 EDT"],
    ),
    (
        "November switch week: Thursday on EDT, Sunday on EST",
        "2026-10-29T12:00",
        ["2026-10-30T09:30+09:00", "2026-11-02T10:30+09:00", "2026-11-03T10:30+09:00"],
        ["Thu 20:30 EDT", "Sun 20:30 EST", "Mon 20:30 EST"],
    ),
    (
        "from a Friday morning: the weekend has no run",
        "2026-07-03T12:00",
        ["2026-07-06T09:30+09:00", "2026-07-07T09:30+09:00", "2026-07-08T09:30+09:00"],
        ["Sun 20:30 EDT", "Mon 20:30 EDT", "Tue 20:30 EDT"],
    ),
]


@pytest.mark.parametrize(
    ("after", "expected", "eastern"),
    [pytest.param(a, e, u, id=name) for name, a, e, u in AFTER_ANNOUNCEMENT_CASES],
)
def test_the_default_schedule_follows_arxiv_announcements(
    after: str, expected: list[str], eastern: list[str]
) -> None:
    trigger = timing.schedule_trigger(ScheduleSection(), KST)
    fires = timing.upcoming(trigger, kst(after), 3)
    assert [f.at.isoformat(timespec="minutes") for f in fires] == expected
    assert [f.at.astimezone(ET).strftime("%a %H:%M %Z") for f in fires] == eastern
    assert all(f.new_announcement for f in fires)


def test_every_announcement_of_a_year_is_followed_by_one_run_after_the_delay() -> None:
    trigger = timing.schedule_trigger(ScheduleSection(after_announcement=45), KST)
    start = kst("2026-01-01T00:00")
    fires = timing.next_fire_times(trigger, start, 400)
    expected, day = [], start.astimezone(ET).date()
    while len(expected) < len(fires):
        announced = announcement(day)
        if announced is not None and announced > start:
            expected.append(announced + timedelta(minutes=45))
        day += timedelta(days=1)
    assert fires == expected
    assert fires[-1] > kst("2027-01-01T00:00")


# (name, minutes after the announcement, the first fire after Wednesday 2026-07-01 12:00 KST)
DELAY_CASES = [
    ("at the announcement", 0, "2026-07-02T09:00+09:00"),
    ("an hour and a half later", 90, "2026-07-02T10:30+09:00"),
    ("past midnight in New York: Wednesday 01:00 EDT for Tuesday's", 300, "2026-07-01T14:00+09:00"),
    ("the longest delay", 1439, "2026-07-02T08:59+09:00"),
]


@pytest.mark.parametrize(("minutes", "expected"), [pytest.param(m, e, id=n) for n, m, e in DELAY_CASES])
def test_the_delay_after_the_announcement(minutes: int, expected: str) -> None:
    trigger = timing.schedule_trigger(ScheduleSection(after_announcement=minutes), KST)
    (first,) = timing.upcoming(trigger, kst("2026-07-01T12:00"), 1)
    assert first.at.isoformat(timespec="minutes") == expected
    week = timing.next_fire_times(trigger, kst("2026-07-01T12:00"), 10)
    # Each run follows an announcement by exactly the delay, so none falls on a day without one.
    assert all(latest_announcement(f) == f - timedelta(minutes=minutes) for f in week)


def test_an_explicit_cron_replaces_the_announcement_schedule() -> None:
    trigger = timing.schedule_trigger(ScheduleSection(cron="0 9 * * *", after_announcement=30), KST)
    fires = timing.next_fire_times(trigger, kst("2026-07-03T12:00"), 3)
    assert [f.isoformat(timespec="minutes") for f in fires] == [
        "2026-07-04T09:00+09:00",
        "2026-07-05T09:00+09:00",
        "2026-07-06T09:00+09:00",
    ]


@pytest.mark.parametrize("minutes", [-1, 1440, 100_000])
def test_a_delay_outside_a_day_names_its_key(minutes: int) -> None:
    with pytest.raises(ConfigError) as caught:
        timing.schedule_trigger(ScheduleSection(after_announcement=minutes), KST)
    assert caught.value.key == "schedule.after_announcement"
    assert "expected 0 to 1439 minutes" in str(caught.value)


def test_schedule_next_prints_both_clocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSLETTER_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["schedule", "--next", "4"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 4
    for line in lines:
        found = re.fullmatch(
            r"(Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d (09|10):30 KST = (Sun|Mon|Tue|Wed|Thu) 20:30 E[SD]T"
            r"  latest arXiv announcement \w{3} (09|10):00",
            line,
        )
        assert found, line
    shown = CliRunner().invoke(cli, ["schedule", "--next", "1", "--json"])
    (fire,) = json.loads(shown.output)
    assert datetime.fromisoformat(fire["at"]) == datetime.fromisoformat(fire["at_us_eastern"])
    assert datetime.fromisoformat(fire["at_us_eastern"]).strftime("%H:%M") == "20:30"
