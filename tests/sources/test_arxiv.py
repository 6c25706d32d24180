"""The arXiv source against a local replay of the export API, through the real arxiv client."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from newsletter.config import Config
from newsletter.errors import SourceError
from newsletter.sources.replay import ArxivReplayServer, Fault, load_entries
from tests.sources.conftest import RECORDED, fast_source

AFTER = datetime(2026, 6, 26, 0, 0, tzinfo=UTC)
BEFORE = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
FEED = b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>"
#: Every recorded entry in the configured categories (one speech paper is in none of them).
IN_CATEGORIES = [e for e in load_entries(RECORDED) if e.categories & {"cs.CV", "cs.LG", "cs.AI"}]


def test_fetches_every_page_of_a_window(config: Config, replay: ArxivReplayServer) -> None:
    source = fast_source(config, replay, page_size=10)
    papers = source.fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert len(papers) == len(IN_CATEGORIES) > 40
    assert len({p.arxiv_id for p in papers}) == len(papers)
    starts = [int(r.query["start"]) for r in replay.requests]
    assert starts == list(range(0, len(IN_CATEGORIES), 10))


def test_requests_are_spaced_by_the_politeness_delay(config: Config, replay: ArxivReplayServer) -> None:
    source = fast_source(config, replay, page_size=10, delay_seconds=0.3)
    source.fetch(submitted_after=AFTER, submitted_before=BEFORE)
    times = [r.at for r in replay.requests]
    assert len(times) >= 4
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.29


def test_the_query_names_categories_and_the_span_in_gmt(config: Config, replay: ArxivReplayServer) -> None:
    source = fast_source(config, replay)
    source.fetch(submitted_after=AFTER, submitted_before=BEFORE)
    query = replay.requests[0].query["search_query"]
    assert query == "(cat:cs.CV OR cat:cs.LG OR cat:cs.AI) AND submittedDate:[202606260000 TO 202607010000]"


def test_maps_entries_to_papers(config: Config, replay: ArxivReplayServer) -> None:
    papers = {
        p.arxiv_id: p
        for p in fast_source(config, replay).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    }
    otcache = papers["2606.29977"]
    assert otcache.version == 1
    assert otcache.title.startswith("OTCache: Optimal Transport Modeling")
    assert otcache.comment == "ECCV 2026 accepted. Code: github.com/UnicomAI/OTCache"
    assert otcache.authors[0].affiliations == ("China Unicom AI Innovation Center",)
    assert otcache.published == datetime(2026, 6, 29, 21, 3, 51, tzinfo=UTC)
    assert "\n" not in otcache.abstract
    assert "  " not in otcache.abstract
    assert papers["2606.29740"].version == 2


def test_an_empty_weekend_window_is_empty_not_an_error(config: Config, replay: ArxivReplayServer) -> None:
    saturday = datetime(2026, 7, 4, 0, 0, tzinfo=UTC)
    papers = fast_source(config, replay).fetch(
        submitted_after=saturday, submitted_before=BEFORE.replace(day=5)
    )
    assert papers == []


def test_a_503_is_retried(config: Config, replay: ArxivReplayServer) -> None:
    replay.script(Fault(status=503, body=b"busy"))
    papers = fast_source(config, replay).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert len(papers) == len(IN_CATEGORIES)
    assert len(replay.requests) == 2


def test_a_429_waits_as_retry_after_says(config: Config, replay: ArxivReplayServer) -> None:
    replay.script(Fault(status=429, headers={"Retry-After": "1"}))
    fast_source(config, replay).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    first, second = replay.requests[0].at, replay.requests[1].at
    assert second - first >= 0.95


def test_a_dropped_connection_is_retried(config: Config, replay: ArxivReplayServer) -> None:
    replay.script(Fault(reset=True))
    papers = fast_source(config, replay).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert papers


def test_arxiv_staying_unavailable_is_a_source_error(config: Config, replay: ArxivReplayServer) -> None:
    replay.script(*[Fault(status=503)] * 5)
    with pytest.raises(SourceError, match="HTTP 503") as caught:
        fast_source(config, replay, retries=2).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert replay.url in str(caught.value)
    assert len(replay.requests) == 3


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            Fault(status=200, body=b"<html><body>Service temporarily unavailable</body></html>"),
            "not an Atom feed",
        ),
        (Fault(status=200, body=FEED), "not a valid feed"),
        (Fault(status=200, body=b""), "not a valid feed"),
    ],
    ids=["html-error-page", "truncated-feed", "empty-body"],
)
def test_an_answer_that_is_not_a_feed_is_an_error_not_zero_results(
    config: Config, replay: ArxivReplayServer, fault: Fault, message: str
) -> None:
    replay.script(fault)
    with pytest.raises(SourceError, match=message):
        fast_source(config, replay).fetch(submitted_after=AFTER, submitted_before=BEFORE)


def test_a_hung_server_trips_the_timeout(config: Config, replay: ArxivReplayServer) -> None:
    replay.script(*[Fault(hang_seconds=1.5)] * 2)
    with pytest.raises(SourceError, match="arXiv is unavailable"):
        fast_source(config, replay, timeout_seconds=0.3, retries=1).fetch(
            submitted_after=AFTER, submitted_before=BEFORE
        )


def test_a_configured_query_narrows_the_search(config: Config, replay: ArxivReplayServer) -> None:
    papers = fast_source(config, replay, query="abs:diffusion").fetch(
        submitted_after=AFTER, submitted_before=BEFORE
    )
    assert papers
    assert all("diffusion" in (p.title + p.abstract).lower() for p in papers)
    assert "AND (abs:diffusion) AND" in replay.requests[0].query["search_query"]
