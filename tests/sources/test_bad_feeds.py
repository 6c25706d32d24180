"""Bad answers from arXiv, through the whole gathering step: one clear line, nothing recorded.

Each row scripts what the replay server answers; ``gather`` must raise a SourceError whose
message is one line naming what went wrong, and leave the store and the data folder exactly as
they were, so the next run covers the same window (SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from newsletter import pipeline
from newsletter.config import Config
from newsletter.errors import SourceError
from newsletter.store import Database
from newsletter.testing.replay import feed_page, load_entries
from tests.sources.conftest import RECORDED, fast_source
from tests.sources.faults import Fault, FaultyReplayServer
from tests.support import state_snapshot

CLOSE = datetime(2026, 7, 1, 9, tzinfo=ZoneInfo("Asia/Seoul"))
#: A genuine first page of a two-page answer, for rows whose second page goes wrong.
ENTRIES = load_entries(RECORDED)
FIRST_OF_TWO = feed_page(ENTRIES[:10], total=len(ENTRIES), start=0)

BAD_FEEDS = [
    pytest.param(
        [Fault(status=200, body=b"<html><body>Down for maintenance</body></html>")],
        "not an Atom feed",
        id="html-page",
    ),
    pytest.param([Fault(status=200, body=b"")], "not a valid feed", id="empty-body"),
    pytest.param(
        [Fault(status=200, body=b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>")],
        "not a valid feed",
        id="truncated-xml",
    ),
    pytest.param([Fault(status=200, body=b"\xff\xfe<\x00f\x00e\x00e\x00d\x00")], "not", id="utf16-garbage"),
    pytest.param([Fault(status=200, body=b"<feed>\x00\x01\x02</feed>")], "not", id="control-bytes"),
    pytest.param([Fault(status=400, body=b"<feed>incorrect id format</feed>")], "HTTP 400", id="http-400"),
    pytest.param([Fault(status=404)], "HTTP 404", id="http-404"),
    pytest.param([Fault(status=503)] * 3, "HTTP 503", id="http-503-every-try"),
    pytest.param(
        [Fault(status=200, body=FIRST_OF_TWO), *[Fault(status=500)] * 3], "HTTP 500", id="second-page-fails"
    ),
]


@pytest.mark.parametrize(("faults", "message"), BAD_FEEDS)
def test_a_bad_feed_is_one_line_and_records_nothing(
    config: Config, db_url: str, faults: list[Fault], message: str
) -> None:
    with FaultyReplayServer(RECORDED) as replay:
        replay.script(*faults)
        settings = config.replace(**{"database.url": db_url})
        app = pipeline.App(settings, source_factory=lambda cfg: fast_source(cfg, replay, page_size=10))
        db = Database(db_url)
        before = state_snapshot(settings.data_dir, db=db)

        with pytest.raises(SourceError) as caught:
            pipeline.gather(app, CLOSE)

        text = str(caught.value)
        assert message in text
        assert "\n" not in text
        assert state_snapshot(settings.data_dir, db=db) == before
        db.dispose()
        app.db.dispose()
