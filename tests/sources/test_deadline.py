"""A total deadline on every arXiv request: a server that drips bytes cannot hold a run.

The deadlines here are two seconds so the tests stay short; what they assert is the error and
that nothing was recorded, not how long anything took.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from newsletter import pipeline
from newsletter.config import Config
from newsletter.errors import SourceError
from newsletter.scheduler import service, timing
from newsletter.scheduler.daily import pipeline_cycle
from newsletter.scheduler.history import Outcome
from newsletter.sources.session import FeedSession
from newsletter.testing.replay import feed_page, load_entries
from tests.sources.conftest import RECORDED, fast_source
from tests.sources.faults import Fault, FaultyReplayServer
from tests.support import postgres_schema, state_snapshot

AFTER = datetime(2026, 6, 26, 0, 0, tzinfo=UTC)
BEFORE = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
#: A genuine page that would parse, had it arrived: only its pace is wrong.
PAGE = feed_page(load_entries(RECORDED)[:1], total=1)
DRIP = r"arXiv sent \d+ bytes in \d+ s; gave up at the 2 s deadline of a request"


@pytest.mark.parametrize(
    ("fault", "sent"),
    [
        pytest.param(Fault(status=200, body=PAGE, drip_seconds=0.2), r"[1-9]\d* bytes", id="body"),
        pytest.param(Fault(status=200, body=PAGE, drip_seconds=0.2, drip_head=True), "0 bytes", id="head"),
    ],
)
def test_a_dripping_answer_fails_at_the_deadline_without_a_retry(
    config: Config, replay: FaultyReplayServer, fault: Fault, sent: str
) -> None:
    replay.script(fault, Fault(status=200, body=PAGE, drip_seconds=0.2))
    source = fast_source(config, replay, request_deadline_seconds=2.0, retries=2, timeout_seconds=1.0)
    with pytest.raises(SourceError, match=DRIP) as caught:
        source.fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert re.search(f"arXiv sent {sent} in", str(caught.value))
    assert caught.value.retryable
    assert replay.url in str(caught.value)
    # The deadline bounds the request with its retries: no second try starts after it.
    assert len(replay.requests) == 1


def test_a_retry_after_past_the_deadline_fails_at_once(config: Config, replay: FaultyReplayServer) -> None:
    replay.script(Fault(status=429, headers={"Retry-After": "5"}))
    source = fast_source(config, replay, request_deadline_seconds=2.0)
    with pytest.raises(
        SourceError,
        match="HTTP 429 and asked us to wait 5 s; waiting 5 s for another try would pass the 2 s deadline",
    ):
        source.fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert len(replay.requests) == 1


@pytest.mark.parametrize(
    ("fault", "failure"),
    [(Fault(status=503), "HTTP 503"), (Fault(reset=True), "ProtocolError")],
    ids=["503", "reset"],
)
def test_a_backoff_past_the_deadline_fails_at_once(
    config: Config, replay: FaultyReplayServer, fault: Fault, failure: str
) -> None:
    replay.script(*[fault] * 3)
    source = fast_source(config, replay, request_deadline_seconds=2.0, delay_seconds=3.0, retries=2)
    message = rf"try 1 failed \({failure}\); waiting [34] s for another try would pass the 2 s deadline"
    with pytest.raises(SourceError, match=message):
        source.fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert len(replay.requests) == 1


def test_an_answer_past_the_size_cap_is_refused(replay: FaultyReplayServer) -> None:
    session = FeedSession(
        timeout=2.0, retries=0, delay_seconds=0.05, max_wait_seconds=5, deadline_seconds=10, max_bytes=1000
    )
    replay.script(Fault(status=200, body=PAGE))
    with pytest.raises(SourceError, match="arXiv's answer passed 1000 bytes"):
        session.get(replay.url)
    assert len(PAGE) > 1000
    assert session.totals == []


def test_an_answer_within_the_deadline_and_the_cap_is_read_whole(replay: FaultyReplayServer) -> None:
    session = FeedSession(
        timeout=2.0,
        retries=0,
        delay_seconds=0.05,
        max_wait_seconds=5,
        deadline_seconds=10,
        max_bytes=len(PAGE),
    )
    replay.script(Fault(status=200, body=PAGE))
    assert session.get(replay.url).content == PAGE
    assert session.totals == [1]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, config: Config, replay: FaultyReplayServer) -> Iterator[pipeline.App]:
    """The app on a store on SQLite and on PostgreSQL, its source pointed at the replay."""
    settings = {
        "arxiv.base_url": replay.url,
        "arxiv.delay_seconds": 0.05,
        "arxiv.timeout_seconds": 1.0,
        "arxiv.request_deadline_seconds": 2.0,
        "arxiv.retries": 2,
    }
    if request.param == "sqlite":
        built = pipeline.App(config.replace(**settings))
        yield built
        built.db.dispose()
        return
    with postgres_schema() as url:
        built = pipeline.App(config.replace(**{**settings, "database.url": url}))
        try:
            yield built
        finally:
            built.db.dispose()


def test_a_dripping_arxiv_fails_the_gather_and_records_nothing(
    app: pipeline.App, replay: FaultyReplayServer
) -> None:
    replay.script(Fault(status=200, body=PAGE, drip_seconds=0.2))
    before = state_snapshot(app.config.data_dir, db=app.db)
    with pytest.raises(SourceError, match=DRIP):
        pipeline.gather(app, datetime(2026, 7, 1, 0, 0, tzinfo=UTC))
    assert state_snapshot(app.config.data_dir, db=app.db) == before


def test_the_scheduler_records_the_run_as_failed_with_the_deadline_in_its_detail(
    app: pipeline.App, replay: FaultyReplayServer
) -> None:
    replay.script(Fault(status=200, body=PAGE, drip_seconds=0.2))
    runtime = service.Runtime(
        db=app.db, trigger=timing.daily_trigger("0 0 * * *", UTC), cycle=pipeline_cycle(app)
    )
    result = service.run_close(runtime, datetime(2026, 7, 1, 0, 0, tzinfo=UTC))
    assert result is not None
    assert result.outcome == Outcome.FAILED
    assert "gave up at the 2 s deadline of a request" in result.detail
