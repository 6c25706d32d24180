"""Issue windows and arXiv's announcement calendar, with the clock changes as named cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from newsletter.config import ArxivSection
from newsletter.model import Window
from newsletter.window import (
    announcement,
    announcement_in,
    announcements_in,
    issue_window,
    latest_announcement,
    next_announcement,
)

SEOUL = ZoneInfo("Asia/Seoul")


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def test_a_window_starts_where_the_previous_issue_closed() -> None:
    previous = kst(2026, 6, 30, 9, 20)
    window = issue_window(kst(2026, 7, 1, 9), previous, ArxivSection())
    assert (window.start, window.end) == (previous, kst(2026, 7, 1, 9))


def test_the_first_window_looks_back_the_configured_hours() -> None:
    window = issue_window(kst(2026, 7, 1, 9), None, ArxivSection(first_window_hours=36))
    assert window.end - window.start == timedelta(hours=36)


def test_a_previous_close_at_or_after_this_close_is_refused() -> None:
    with pytest.raises(ValueError, match="not before"):
        issue_window(kst(2026, 7, 1, 9), kst(2026, 7, 1, 9), ArxivSection())


def test_a_window_keeps_its_bounds_across_a_clock_change() -> None:
    # Seoul has no DST: a window across the US change stays 24 hours long.
    window = issue_window(kst(2026, 3, 9, 9), kst(2026, 3, 8, 9), ArxivSection())
    assert window.end - window.start == timedelta(hours=24)
    assert [a.astimezone(SEOUL) for a in announcements_in(window)] == [kst(2026, 3, 9, 9)]


def test_a_naive_close_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        issue_window(datetime(2026, 7, 1, 9), None, ArxivSection())


# (name, US Eastern calendar day, announcement in Seoul or None)
ANNOUNCEMENTS = [
    ("summer-sunday-edt", (2026, 6, 28), kst(2026, 6, 29, 9)),
    ("summer-thursday-edt", (2026, 7, 2), kst(2026, 7, 3, 9)),
    ("friday-nothing", (2026, 7, 3), None),
    ("saturday-nothing", (2026, 7, 4), None),
    ("winter-monday-est", (2026, 1, 12), kst(2026, 1, 13, 10)),
    ("spring-forward-sunday", (2026, 3, 8), kst(2026, 3, 9, 9)),
    ("thursday-before-spring-forward", (2026, 3, 5), kst(2026, 3, 6, 10)),
    ("fall-back-sunday", (2026, 11, 1), kst(2026, 11, 2, 10)),
    ("thursday-before-fall-back", (2026, 10, 29), kst(2026, 10, 30, 9)),
]


@pytest.mark.parametrize(
    ("day", "expected"), [c[1:] for c in ANNOUNCEMENTS], ids=[c[0] for c in ANNOUNCEMENTS]
)
def test_announcement_time_in_seoul(day: tuple[int, int, int], expected: datetime | None) -> None:
    announced = announcement(date(*day))
    assert (announced.astimezone(SEOUL) if announced else None) == expected


# (name, a 09:00 KST close, the latest announcement at or before it, in Seoul)
CUTOFFS = [
    ("edt-09-kst-catches-same-morning", kst(2026, 7, 1, 9), kst(2026, 7, 1, 9)),
    ("est-09-kst-misses-the-10-00", kst(2026, 1, 14, 9), kst(2026, 1, 13, 10)),
    ("saturday-morning-has-thursdays", kst(2026, 7, 4, 9), kst(2026, 7, 3, 9)),
    ("sunday-morning-still-thursdays", kst(2026, 7, 5, 9), kst(2026, 7, 3, 9)),
    ("monday-morning-has-sundays", kst(2026, 7, 6, 9), kst(2026, 7, 6, 9)),
    ("first-edt-monday-after-spring-forward", kst(2026, 3, 10, 9), kst(2026, 3, 10, 9)),
    ("first-est-tuesday-after-fall-back", kst(2026, 11, 3, 9), kst(2026, 11, 2, 10)),
    ("spring-forward-monday-09-00-catches-sundays", kst(2026, 3, 9, 9), kst(2026, 3, 9, 9)),
    ("last-est-friday-09-00-misses-thursdays", kst(2026, 3, 6, 9), kst(2026, 3, 5, 10)),
    ("fall-back-monday-09-00-misses-sundays", kst(2026, 11, 2, 9), kst(2026, 10, 30, 9)),
    ("fall-back-monday-10-00-catches-sundays", kst(2026, 11, 2, 10), kst(2026, 11, 2, 10)),
]


@pytest.mark.parametrize(("close", "expected"), [c[1:] for c in CUTOFFS], ids=[c[0] for c in CUTOFFS])
def test_latest_announcement_before_a_kst_close(close: datetime, expected: datetime) -> None:
    assert latest_announcement(close).astimezone(SEOUL) == expected


def test_a_weekend_window_contains_no_announcement() -> None:
    window = Window(start=kst(2026, 7, 4, 9), end=kst(2026, 7, 5, 9))
    assert announcements_in(window) == []
    monday = Window(start=kst(2026, 7, 5, 9), end=kst(2026, 7, 6, 9))
    assert [a.astimezone(SEOUL) for a in announcements_in(monday)] == [kst(2026, 7, 6, 9)]


def test_a_week_of_windows_has_five_announcements() -> None:
    window = Window(start=kst(2026, 6, 28, 9, 1), end=kst(2026, 7, 5, 9))
    found = announcements_in(window)
    assert [a.astimezone(SEOUL).weekday() for a in found] == [0, 1, 2, 3, 4]
    assert all(a.astimezone(UTC).hour == 0 for a in found)


# (name, a moment in Seoul, the next announcement in Seoul)
NEXT = [
    ("friday-after-close-waits-for-monday", kst(2026, 7, 3, 9, 1), kst(2026, 7, 6, 9)),
    ("saturday-before-spring-forward", kst(2026, 3, 7, 12), kst(2026, 3, 9, 9)),
    ("saturday-before-fall-back", kst(2026, 10, 31, 12), kst(2026, 11, 2, 10)),
    ("winter-weekday-08-59", kst(2026, 1, 13, 9, 59), kst(2026, 1, 13, 10)),
    ("at-an-announcement-means-the-next", kst(2026, 7, 1, 9), kst(2026, 7, 2, 9)),
]


@pytest.mark.parametrize(("moment", "expected"), [c[1:] for c in NEXT], ids=[c[0] for c in NEXT])
def test_next_announcement_from_seoul(moment: datetime, expected: datetime) -> None:
    assert next_announcement(moment).astimezone(SEOUL) == expected


def test_announcement_on_a_local_clock() -> None:
    assert announcement_in(date(2026, 7, 1), SEOUL) == kst(2026, 7, 2, 9)
    assert announcement_in(date(2026, 12, 1), SEOUL) == kst(2026, 12, 2, 10)
    assert announcement_in(date(2026, 7, 3), SEOUL) is None


def test_a_holiday_announces_nothing_and_folds_into_the_next_window() -> None:
    # Christmas Eve is a Thursday: without the holiday, Friday morning in Seoul would have papers.
    christmas_eve = date(2026, 12, 24)
    assert announcement(christmas_eve) is not None
    assert announcement(christmas_eve, holidays={christmas_eve}) is None
    week = Window(start=kst(2026, 12, 21, 10, 30), end=kst(2026, 12, 29, 10, 30))
    found = [a.astimezone(SEOUL) for a in announcements_in(week, holidays={christmas_eve})]
    assert found == [
        kst(2026, 12, 22, 10),
        kst(2026, 12, 23, 10),
        kst(2026, 12, 24, 10),
        kst(2026, 12, 28, 10),
        kst(2026, 12, 29, 10),
    ]
    friday = kst(2026, 12, 25, 11)
    assert latest_announcement(friday, holidays={christmas_eve}).astimezone(SEOUL) == kst(2026, 12, 24, 10)
    assert next_announcement(friday, holidays={christmas_eve}).astimezone(SEOUL) == kst(2026, 12, 28, 10)
