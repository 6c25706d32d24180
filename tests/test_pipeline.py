"""The orchestrator's gathering: windows chain, nothing repeats, a failed source changes nothing."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from newsletter import pipeline
from newsletter.config import Config
from newsletter.demo import load_sample_list
from newsletter.errors import SourceError
from newsletter.store.issues import considered_ids
from newsletter.testing.replay import Entry, load_entries
from tests.sources.conftest import RECORDED
from tests.sources.faults import Fault, FaultyReplayServer

SEOUL = ZoneInfo("Asia/Seoul")
LATE_ID = "2606.28933v1"


@pytest.fixture
def late_and_rest() -> tuple[list[Entry], list[Entry]]:
    entries = load_entries(RECORDED)
    late = [e for e in entries if e.arxiv_id == LATE_ID]
    return late, [e for e in entries if e.arxiv_id != LATE_ID]


@pytest.fixture
def served(late_and_rest: tuple[list[Entry], list[Entry]]) -> Iterator[FaultyReplayServer]:
    _, rest = late_and_rest
    with FaultyReplayServer(entries=rest) as server:
        yield server


def _app(config: Config, server: FaultyReplayServer) -> pipeline.App:
    return pipeline.App(config.replace(**{"arxiv.base_url": server.url, "arxiv.delay_seconds": 0.0}))


def test_windows_chain_and_a_late_indexed_paper_is_caught_exactly_once(
    config: Config, served: FaultyReplayServer, late_and_rest: tuple[list[Entry], list[Entry]]
) -> None:
    app = _app(config, served)
    first = pipeline.gather(app, datetime(2026, 7, 1, 9, tzinfo=SEOUL))
    assert "2606.28933" not in {p.arxiv_id for p in first.candidates}

    late, _ = late_and_rest
    served.entries.extend(late)  # The API indexes the moderated paper a day late.
    second = pipeline.gather(app, datetime(2026, 7, 2, 9, tzinfo=SEOUL))
    assert second.window.start == first.window.end
    assert [p.arxiv_id for p in second.candidates] == ["2606.28933"]

    third = pipeline.gather(app, datetime(2026, 7, 3, 9, tzinfo=SEOUL))
    assert third.candidates == ()


def test_gathering_the_same_close_again_finds_the_same_issue(
    config: Config, served: FaultyReplayServer
) -> None:
    app = _app(config, served)
    at = datetime(2026, 7, 1, 9, tzinfo=SEOUL)
    first = pipeline.gather(app, at)
    again = pipeline.gather(app, at)
    assert again.issue_id == first.issue_id
    assert {p.arxiv_id for p in again.candidates} == {p.arxiv_id for p in first.candidates}


def test_a_failing_source_records_nothing_and_the_next_run_covers_the_window(
    config: Config, served: FaultyReplayServer
) -> None:
    app = _app(config.replace(**{"arxiv.retries": 0}), served)
    good = pipeline.gather(app, datetime(2026, 6, 29, 9, tzinfo=SEOUL))
    served.script(Fault(status=503))
    with pytest.raises(SourceError):
        pipeline.gather(app, datetime(2026, 6, 30, 9, tzinfo=SEOUL))
    with app.db.transaction() as session:
        considered = considered_ids(session, [e.arxiv_id.split("v")[0] for e in served.entries])
    assert considered == {p.arxiv_id for p in good.candidates}
    later = pipeline.gather(app, datetime(2026, 7, 1, 9, tzinfo=SEOUL))
    assert later.window.start == good.window.end
    assert len(later.candidates) > 30


def test_cross_lists_can_be_left_out(config: Config, served: FaultyReplayServer) -> None:
    app = _app(config.replace(**{"arxiv.include_cross_lists": False}), served)
    found = pipeline.gather(app, datetime(2026, 7, 1, 9, tzinfo=SEOUL))
    assert found.candidates
    assert all(p.primary_category in app.config.arxiv.categories for p in found.candidates)
    assert "2606.30233" not in {p.arxiv_id for p in found.candidates}  # cs.CL, cross-listed to cs.LG


def _sent_messages(app: pipeline.App, issue_id: int) -> list[EmailMessage]:
    folder = app.config.outbox_dir / f"issue-{issue_id}"
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in sorted(folder.glob("*.eml"))
    ]


@pytest.fixture
def subscribed(config: Config, served: FaultyReplayServer, monkeypatch: pytest.MonkeyPatch) -> pipeline.App:
    monkeypatch.setenv("NEWSLETTER_SIGNING_KEY", "k" * 32)
    app = _app(config, served)
    load_sample_list(app)
    pipeline.run_cycle(app, datetime(2026, 7, 1, 9, tzinfo=SEOUL))
    return app


def test_an_empty_window_is_skipped_and_folds_into_the_next_issue(subscribed: pipeline.App) -> None:
    weekend = pipeline.run_cycle(subscribed, datetime(2026, 7, 5, 9, tzinfo=SEOUL))
    assert weekend.report is None
    assert "no new papers" in weekend.skipped
    assert not _sent_messages(subscribed, weekend.gathering.issue_id)
    monday = pipeline.gather(subscribed, datetime(2026, 7, 6, 9, tzinfo=SEOUL))
    assert monday.window.start == datetime(2026, 7, 1, 9, tzinfo=SEOUL)


def test_an_empty_window_can_send_a_short_note_instead(subscribed: pipeline.App) -> None:
    app = pipeline.App(subscribed.config.replace(**{"schedule.empty_window": "note"}))
    weekend = pipeline.run_cycle(app, datetime(2026, 7, 5, 9, tzinfo=SEOUL))
    assert weekend.report is not None
    assert weekend.report.sent == 6
    assert weekend.draft is not None
    assert weekend.draft.draft.title == {
        "en": "No new papers: July 5, 2026",
        "ko": "새 논문 없음: 2026년 7월 5일",
    }
    messages = _sent_messages(app, weekend.gathering.issue_id)
    assert {str(m["Subject"]) for m in messages} == {
        "No new papers: July 5, 2026",
        "새 논문 없음: 2026년 7월 5일",
    }
    # Each locale's From name is its brand (newsletter.brand), the address the configured one.
    assert {str(m["Content-Language"]): str(m["From"]) for m in messages} == {
        "en": "Research Brief <brief@example.org>",
        "ko": "리서치 브리프 <brief@example.org>",
    }
    for message in messages:
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert "next issue" in text or "다음 호" in text
        for part in (text, html):
            assert "Speed-read table" not in part
            assert "빠르게 읽기 표" not in part
