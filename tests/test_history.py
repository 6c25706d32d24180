"""The editor's history feeds the ranking: past picks and pins are positives, exclusions negatives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newsletter import pipeline
from newsletter.config import Config
from newsletter.digest import write_draft
from newsletter.errors import ConfigError
from newsletter.history import editor_interests
from newsletter.model import Draft, DraftPick, Window
from newsletter.store import Database
from newsletter.store.schema import ConsideredPaper, Issue
from newsletter.testing.replay import ArxivReplayServer
from tests.sources.conftest import RECORDED
from tests.support import state_snapshot

PAST_END = datetime(2026, 6, 30, 0, tzinfo=UTC)
NOW = datetime(2026, 7, 1, 0, tzinfo=UTC)


def _past_issue(db: Database, drafts: Path) -> None:
    path = drafts / "2026-06-30.toml"
    draft = Draft(
        issue_date=date(2026, 6, 30),
        window=Window(start=datetime(2026, 6, 29, tzinfo=UTC), end=PAST_END),
        title={"en": "T"},
        intro={"en": "I"},
        picks=(
            DraftPick(
                arxiv_id="2606.00001",
                title="Feature Caching for Video Diffusion",
                short_name="FCache",
                url="u",
                what_it_does={"en": "We reuse features across denoising steps."},
            ),
        ),
        pinned=("2606.00002",),
        excluded=("2606.00003",),
    )
    write_draft(draft, path)
    with db.transaction() as session:
        issue = Issue(issue_date=date(2026, 6, 30), window_start=draft.window.start, window_end=PAST_END)
        issue.draft_path = str(path)
        session.add(issue)
        session.flush()
        for arxiv_id, title, rank in (
            ("2606.00001", "Feature Caching for Video Diffusion", 1),
            ("2606.00002", "Pinned Flow Matching Theory", 2),
            ("2606.00003", "Excluded Robot Grasping", None),
            ("2606.00004", "Considered but Not Featured", None),
        ):
            session.add(ConsideredPaper(arxiv_id=arxiv_id, issue_id=issue.id, title=title, rank=rank))
        later = Issue(
            issue_date=date(2026, 7, 2), window_start=NOW, window_end=datetime(2026, 7, 2, tzinfo=UTC)
        )
        session.add(later)
        session.flush()
        session.add(
            ConsideredPaper(arxiv_id="2607.00009", issue_id=later.id, title="From the Future", rank=1)
        )


def test_past_picks_and_pins_are_positives_and_exclusions_negatives(
    db: Database, config: Config, tmp_path: Path
) -> None:
    _past_issue(db, tmp_path)
    interests = editor_interests(db, config, before=NOW)
    assert [e.label for e in interests.positives] == [
        "Pinned Flow Matching Theory",
        "Feature Caching for Video Diffusion",
    ]
    # The draft's summary says more about a pick than its title alone.
    assert "denoising steps" in interests.positives[1].text
    assert [e.label for e in interests.negatives] == ["Excluded Robot Grasping"]


def test_an_arxiv_id_in_the_config_counts_when_a_past_issue_considered_it(
    db: Database, config: Config, tmp_path: Path
) -> None:
    _past_issue(db, tmp_path)
    configured = replace(config.ranking, interests=["2606.00004"])
    interests = editor_interests(db, replace(config, ranking=configured), before=NOW)
    assert interests.positives[0].label == "Considered but Not Featured"


@pytest.mark.parametrize("step", ["build_draft", "run_cycle"])
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param("missing.bib", "cannot read", id="missing export"),
        pytest.param("notes.txt", "expected an arXiv id, a .bib or a .csv file", id="unknown kind"),
    ],
)
def test_a_bad_interest_export_stops_the_draft_before_anything_is_recorded(
    config: Config, tmp_path: Path, entry: str, message: str, step: str
) -> None:
    (tmp_path / "notes.txt").write_text("OTCache", encoding="utf-8")
    with ArxivReplayServer(RECORDED) as server:
        app = pipeline.App(
            config.replace(
                **{
                    "arxiv.base_url": server.url,
                    "arxiv.delay_seconds": 0.0,
                    "ranking.interests": [str(tmp_path / entry)],
                }
            )
        )
        before = state_snapshot(tmp_path, db=app.db)
        with pytest.raises(ConfigError) as raised:
            getattr(pipeline, step)(app, NOW)
        assert state_snapshot(tmp_path, db=app.db) == before
    assert raised.value.key == "ranking.interests"
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
