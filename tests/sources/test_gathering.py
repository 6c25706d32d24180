"""Gathering across consecutive windows: the source, the window and the choice of candidates.

These follow the pipeline's shape (window → look-back fetch → select) against the replay server,
with the set of considered ids kept here as the store keeps it between issues.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from lxml import etree

from newsletter.config import ArxivSection, Config
from newsletter.model import Paper, Window
from newsletter.sources.arxiv import ArxivSource
from newsletter.sources.candidates import select_candidates
from newsletter.testing.replay import NS, ArxivReplayServer, Entry, load_entries
from newsletter.window import issue_window
from tests.sources.conftest import RECORDED, source_settings

SEOUL = ZoneInfo("Asia/Seoul")
LATE = "2606.28933v1"  # Submitted on Sunday 28 June, held in moderation.
CROSS_LIST = "2606.30233"  # Primary cs.CL, cross-listed to cs.LG.


class Gatherer:
    """The pipeline's gathering, with the considered ids kept in memory instead of the store."""

    def __init__(self, settings: ArxivSection) -> None:
        self.settings = settings
        self.source = ArxivSource(settings)
        self.considered: set[str] = set()
        self.previous_end: datetime | None = None

    def issue(self, at: datetime) -> tuple[Window, list[Paper]]:
        window = issue_window(at, self.previous_end, self.settings)
        papers = self.source.fetch(
            submitted_after=window.end - timedelta(days=self.settings.lookback_days),
            submitted_before=window.end,
        )
        chosen = select_candidates(
            papers,
            already_considered=self.considered,
            categories=self.settings.categories,
            include_cross_lists=self.settings.include_cross_lists,
        )
        self.considered |= {paper.arxiv_id for paper in chosen}
        self.previous_end = window.end
        return window, chosen


def kst(day: int, month: int = 7) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=SEOUL)


def test_a_late_indexed_paper_appears_in_the_next_window_exactly_once(config: Config) -> None:
    entries = load_entries(RECORDED)
    late = [e for e in entries if e.arxiv_id == LATE]
    with ArxivReplayServer(entries=[e for e in entries if e.arxiv_id != LATE]) as server:
        gatherer = Gatherer(source_settings(config, server))
        _, first = gatherer.issue(kst(1))
        server.entries.extend(late)  # The API indexes the moderated paper after the first issue.
        second_window, second = gatherer.issue(kst(2))
        _, third = gatherer.issue(kst(3))
    assert first
    assert "2606.28933" not in {p.arxiv_id for p in first}
    assert second_window.start == kst(1)
    assert [p.arxiv_id for p in second] == ["2606.28933"]
    assert third == []


def test_a_replacement_of_a_considered_paper_never_comes_back(config: Config) -> None:
    entries = load_entries(RECORDED)
    original = next(e for e in entries if e.arxiv_id == "2606.30412v1")
    with ArxivReplayServer(entries=entries) as server:
        gatherer = Gatherer(source_settings(config, server))
        _, first = gatherer.issue(kst(1))
        server.entries.append(replacement(original, version=2, at=kst(1) + timedelta(hours=5)))
        fetched = gatherer.source.fetch(submitted_after=kst(1) - timedelta(days=4), submitted_before=kst(2))
        _, second = gatherer.issue(kst(2))
    assert "2606.30412" in {p.arxiv_id for p in first}
    # The API now serves v2, and only v2, under the original submission date.
    assert [p.version for p in fetched if p.arxiv_id == "2606.30412"] == [2]
    assert "2606.30412" not in {p.arxiv_id for p in second}


def test_a_replacement_of_an_unseen_paper_is_a_candidate_at_its_newest_version(config: Config) -> None:
    with ArxivReplayServer(RECORDED) as server:
        _, chosen = Gatherer(source_settings(config, server)).issue(kst(1))
    replaced = {p.arxiv_id: p.version for p in chosen if p.version > 1}
    assert replaced == {"2606.29740": 2, "2606.29765": 2}


def test_cross_lists_follow_the_setting(config: Config) -> None:
    with ArxivReplayServer(RECORDED) as server:
        _, with_cross = Gatherer(source_settings(config, server, include_cross_lists=True)).issue(kst(1))
        without_settings = source_settings(config, server, include_cross_lists=False)
        _, without = Gatherer(without_settings).issue(kst(1))
    assert CROSS_LIST in {p.arxiv_id for p in with_cross}
    assert CROSS_LIST not in {p.arxiv_id for p in without}
    assert all(p.primary_category in without_settings.categories for p in without)
    assert {p.arxiv_id for p in without} < {p.arxiv_id for p in with_cross}


def test_a_weekend_issue_finds_nothing_new(config: Config) -> None:
    with ArxivReplayServer(RECORDED) as server:
        gatherer = Gatherer(source_settings(config, server))
        gatherer.issue(kst(1))
        gatherer.issue(kst(2))
        _, saturday = gatherer.issue(kst(4))
    assert saturday == []


def replacement(entry: Entry, *, version: int, at: datetime) -> Entry:
    """The entry as the API serves it after a replacement: same submission date, new version."""
    element = etree.fromstring(entry.xml)
    base = entry.arxiv_id.rsplit("v", 1)[0]
    element.find("atom:id", NS).text = f"http://arxiv.org/abs/{base}v{version}"
    element.find("atom:updated", NS).text = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return replace(entry, xml=etree.tostring(element), arxiv_id=f"{base}v{version}", updated=at)
