"""arXiv's announcement calendar as the scheduler needs it: the latest announcement before a time.

arXiv announces new papers Sunday to Thursday at 20:00 US Eastern time and nothing on Friday
or Saturday evenings. Holidays are not modelled here: a run after a holiday simply finds an
empty window, which :func:`newsletter.pipeline.run_cycle` skips or notes.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

ARXIV_ZONE = ZoneInfo("America/New_York")
ANNOUNCEMENT_TIME = time(20, 0)
#: Monday is 0: arXiv announces on Sunday (6) and Monday to Thursday (0-3).
ANNOUNCEMENT_WEEKDAYS = frozenset({6, 0, 1, 2, 3})


def latest_before(moment: datetime) -> datetime:
    """arXiv's latest regular announcement at or before ``moment`` (aware, in US Eastern time)."""
    local = moment.astimezone(ARXIV_ZONE)
    day = local.date()
    while True:
        # Combining with the zone, not adding hours, keeps 20:00 right across the clock changes.
        announced = datetime.combine(day, ANNOUNCEMENT_TIME, tzinfo=ARXIV_ZONE)
        if day.weekday() in ANNOUNCEMENT_WEEKDAYS and announced <= local:
            return announced
        day -= timedelta(days=1)
