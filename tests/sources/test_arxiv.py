"""The arXiv source against a local replay of the export API, through the real arxiv client."""

from __future__ import annotations

import email.utils
import itertools
import time
from datetime import UTC, datetime

import pytest

from newsletter.config import Config
from newsletter.errors import SourceError
from newsletter.sources.arxiv import ArxivSource
from newsletter.sources.session import retry_after_seconds
from newsletter.testing.replay import Entry, feed_page, load_entries
from tests.sources.conftest import RECORDED, fast_source, source_settings
from tests.sources.faults import Fault, FaultyReplayServer

AFTER = datetime(2026, 6, 26, 0, 0, tzinfo=UTC)
BEFORE = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
FEED = b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>"
#: Every recorded entry in the configured categories (one speech paper is in none of them).
IN_CATEGORIES = [e for e in load_entries(RECORDED) if e.categories & {"cs.CV", "cs.LG", "cs.AI"}]


def test_fetches_every_page_of_a_window(config: Config, replay: FaultyReplayServer) -> None:
    source = fast_source(config, replay, page_size=10)
    papers = source.fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert len(papers) == len(IN_CATEGORIES) > 40
    assert len({p.arxiv_id for p in papers}) == len(papers)
    starts = [int(r.query["start"]) for r in replay.requests]
    assert starts == list(range(0, len(IN_CATEGORIES), 10))


def test_requests_are_spaced_by_the_politeness_delay(config: Config, replay: FaultyReplayServer) -> None:
    source = fast_source(config, replay, page_size=10, delay_seconds=0.3)
    source.fetch(submitted_after=AFTER, submitted_before=BEFORE)
    times = [r.at for r in replay.requests]
    assert len(times) >= 4
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.29


def test_the_query_names_categories_and_the_span_in_gmt(config: Config, replay: FaultyReplayServer) -> None:
    source = fast_source(config, replay)
    source.fetch(submitted_after=AFTER, submitted_before=BEFORE)
    query = replay.requests[0].query["search_query"]
    assert query == "(cat:cs.CV OR cat:cs.LG OR cat:cs.AI) AND submittedDate:[202606260000 TO 202607010000]"


def test_maps_entries_to_papers(config: Config, replay: FaultyReplayServer) -> None:
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
    assert papers["2606.29765"].journal_ref == "Journal of Machine Learning Research 27(118):1-34, 2026"
    assert otcache.journal_ref is None
    note = papers["2606.30447"]
    assert [(a.name, a.affiliations) for a in note.authors] == [("D. Ortega", ())]
    assert papers["2606.30233"].primary_category == "cs.CL"
    assert papers["2606.30233"].categories == ("cs.CL", "cs.LG")


def test_an_empty_weekend_window_is_empty_not_an_error(config: Config, replay: FaultyReplayServer) -> None:
    saturday = datetime(2026, 7, 4, 0, 0, tzinfo=UTC)
    papers = fast_source(config, replay).fetch(
        submitted_after=saturday, submitted_before=BEFORE.replace(day=5)
    )
    assert papers == []


def test_a_503_is_retried_after_at_least_the_politeness_delay(
    config: Config, replay: FaultyReplayServer
) -> None:
    replay.script(Fault(status=503, body=b"busy"))
    papers = fast_source(config, replay, delay_seconds=0.3).fetch(
        submitted_after=AFTER, submitted_before=BEFORE
    )
    assert len(papers) == len(IN_CATEGORIES)
    first, second = replay.requests
    assert second.query == first.query
    # urllib3 alone would retry at once; arXiv asks for the delay between every request.
    assert second.at - first.at >= 0.29


def test_backoff_doubles_between_retries(config: Config, replay: FaultyReplayServer) -> None:
    replay.script(*[Fault(status=502)] * 3)
    fast_source(config, replay, delay_seconds=0.1, retries=3).fetch(
        submitted_after=AFTER, submitted_before=BEFORE
    )
    gaps = [b.at - a.at for a, b in itertools.pairwise(replay.requests)]
    assert len(gaps) == 3
    # 0.1, 0.2, 0.4 s, each plus up to 0.05 s of jitter.
    assert gaps[0] >= 0.09
    assert gaps[1] >= 0.19
    assert gaps[2] >= 0.39


def test_a_429_waits_as_retry_after_says(config: Config, replay: FaultyReplayServer) -> None:
    replay.script(Fault(status=429, headers={"Retry-After": "1"}))
    fast_source(config, replay).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    first, second = replay.requests[0].at, replay.requests[1].at
    assert second - first >= 0.95


def test_a_retry_after_longer_than_we_wait_fails_at_once(config: Config, replay: FaultyReplayServer) -> None:
    replay.script(Fault(status=429, headers={"Retry-After": "3600"}))
    source = ArxivSource(source_settings(config, replay), max_wait_seconds=5)
    with pytest.raises(SourceError, match="wait 3600 s") as caught:
        source.fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert caught.value.retryable
    assert len(replay.requests) == 1


def test_a_dropped_connection_is_retried(config: Config, replay: FaultyReplayServer) -> None:
    replay.script(Fault(reset=True))
    papers = fast_source(config, replay).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert len(papers) == len(IN_CATEGORIES)
    assert len(replay.requests) == 2


def test_connections_dropped_every_time_are_a_source_error(
    config: Config, replay: FaultyReplayServer
) -> None:
    replay.script(*[Fault(reset=True)] * 3)
    with pytest.raises(SourceError, match="connection was dropped, 3 tries"):
        fast_source(config, replay, retries=2).fetch(submitted_after=AFTER, submitted_before=BEFORE)


def test_a_request_arxiv_refuses_is_not_retried(config: Config, replay: FaultyReplayServer) -> None:
    replay.script(Fault(status=400, body=b"<feed>incorrect id format</feed>"))
    with pytest.raises(SourceError, match="refused the request with HTTP 400") as caught:
        fast_source(config, replay).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert not caught.value.retryable
    assert len(replay.requests) == 1


def test_arxiv_staying_unavailable_is_a_source_error(config: Config, replay: FaultyReplayServer) -> None:
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
    config: Config, replay: FaultyReplayServer, fault: Fault, message: str
) -> None:
    replay.script(fault)
    with pytest.raises(SourceError, match=message):
        fast_source(config, replay).fetch(submitted_after=AFTER, submitted_before=BEFORE)


def test_a_hung_server_trips_the_timeout(config: Config, replay: FaultyReplayServer) -> None:
    replay.script(*[Fault(hang_seconds=1.5)] * 2)
    with pytest.raises(SourceError, match=r"arXiv is unavailable: no answer within 0.3 s, 2 tries"):
        fast_source(config, replay, timeout_seconds=0.3, retries=1).fetch(
            submitted_after=AFTER, submitted_before=BEFORE
        )
    assert len(replay.requests) == 2


def test_a_hung_request_is_retried_and_the_window_completes(
    config: Config, replay: FaultyReplayServer
) -> None:
    replay.script(Fault(hang_seconds=1.0), after=1)
    papers = fast_source(config, replay, page_size=10, timeout_seconds=0.3).fetch(
        submitted_after=AFTER, submitted_before=BEFORE
    )
    assert len(papers) == len(IN_CATEGORIES)
    starts = [r.query["start"] for r in replay.requests]
    assert starts[:3] == ["0", "10", "10"]


def test_an_empty_page_inside_the_results_is_asked_again(config: Config, replay: FaultyReplayServer) -> None:
    empty = feed_page([], total=len(IN_CATEGORIES), start=10)
    replay.script(Fault(status=200, body=empty), after=1)
    papers = fast_source(config, replay, page_size=10).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    assert len(papers) == len(IN_CATEGORIES)
    assert [r.query["start"] for r in replay.requests][:3] == ["0", "10", "10"]


def test_a_page_short_of_an_entry_is_an_error_not_a_truncated_day(
    config: Config, replay: FaultyReplayServer
) -> None:
    source = fast_source(config, replay, page_size=10)
    query = {
        "search_query": source.query(AFTER, BEFORE),
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
    }
    first_page = load_page(replay, query, start=0, size=10)
    replay.script(Fault(status=200, body=feed_page(first_page[1:], total=len(IN_CATEGORIES))))
    with pytest.raises(SourceError, match=f"returned {len(IN_CATEGORIES) - 1} distinct papers of the"):
        source.fetch(submitted_after=AFTER, submitted_before=BEFORE)


def test_a_count_that_changes_while_paging_is_an_error(config: Config, replay: FaultyReplayServer) -> None:
    source = fast_source(config, replay, page_size=10)
    query = {
        "search_query": source.query(AFTER, BEFORE),
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
    }
    first_page = load_page(replay, query, start=0, size=10)
    replay.script(Fault(status=200, body=feed_page(first_page, total=len(IN_CATEGORIES) - 3)))
    with pytest.raises(SourceError, match="result count changed while paging"):
        source.fetch(submitted_after=AFTER, submitted_before=BEFORE)


def test_sources_built_apart_share_one_client_and_its_delay(
    config: Config, replay: FaultyReplayServer
) -> None:
    fast_source(config, replay, delay_seconds=0.4).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    fast_source(config, replay, delay_seconds=0.4).fetch(submitted_after=AFTER, submitted_before=BEFORE)
    first, second = replay.requests
    assert second.at - first.at >= 0.39


def test_a_configured_query_narrows_the_search(config: Config, replay: FaultyReplayServer) -> None:
    papers = fast_source(config, replay, query="abs:diffusion").fetch(
        submitted_after=AFTER, submitted_before=BEFORE
    )
    assert papers
    assert all("diffusion" in (p.title + p.abstract).lower() for p in papers)
    assert "AND (abs:diffusion) AND" in replay.requests[0].query["search_query"]


def load_page(replay: FaultyReplayServer, query: dict[str, str], *, start: int, size: int) -> list[Entry]:
    """The entries the replay serves for one page of ``query``, as the real API would."""
    matches = replay.search(query["search_query"], "")
    matches.sort(key=lambda e: (e.published, e.arxiv_id))
    return matches[start : start + size]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), (" 120 ", 120.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None), (None, None)],
    ids=["seconds", "padded", "past-date", "unreadable", "absent"],
)
def test_retry_after_values(header: str | None, expected: float | None) -> None:
    assert retry_after_seconds(header) == expected


def test_retry_after_as_a_future_date() -> None:
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    seconds = retry_after_seconds(future)
    assert seconds is not None
    assert 25 <= seconds <= 31
