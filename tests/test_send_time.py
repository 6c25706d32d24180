"""The time an issue's header shows, as a named table: the scheduled send, or a late send's start."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from newsletter.window import send_time

KST = ZoneInfo("Asia/Seoul")
CLOSE = datetime(2026, 7, 1, 9, 30, tzinfo=KST)

# (name, send started at (KST), grace seconds, the header's time (KST))
CASES = [
    ("the scheduled run sends a minute after it fires", "2026-07-01T09:31:12", 3600, "2026-07-01T09:30"),
    (
        "a resumed batch within the grace period keeps the same header",
        "2026-07-01T10:29:59",
        3600,
        "2026-07-01T09:30",
    ),
    ("exactly at the end of the grace period", "2026-07-01T10:30:00", 3600, "2026-07-01T09:30"),
    (
        "an approval after the grace period: the send's own minute",
        "2026-07-01T10:45:31",
        3600,
        "2026-07-01T10:45",
    ),
    ("a manual send the next day", "2026-07-02T08:05:59", 3600, "2026-07-02T08:05"),
    ("no grace: any later start shows itself", "2026-07-01T09:30:01", 0, "2026-07-01T09:30"),
    ("no grace, a minute late", "2026-07-01T09:31:00", 0, "2026-07-01T09:31"),
]


@pytest.mark.parametrize(("started", "grace", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_the_header_shows_the_scheduled_send_unless_the_send_began_later(
    started: str, grace: int, expected: str
) -> None:
    shown = send_time(CLOSE, datetime.fromisoformat(started).replace(tzinfo=KST), grace)
    assert shown.astimezone(KST).isoformat(timespec="minutes") == expected + "+09:00"
