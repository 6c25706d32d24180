"""The ranking and the fact extractors against the days an editor labelled (tests/fixtures/days).

The bundled day must give the sample issue's five papers; every labelled paper's key number
must contain what the editor expected, and its short name, institutions and venue must be
the editor's. The days are read by the real arXiv client from a replay server on 127.0.0.1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsletter.config import RankingSection
from newsletter.errors import ConfigError
from newsletter.labelled import (
    FLOOR_NOTE,
    LabelledDay,
    evaluate,
    labelled_days,
    load_day,
    read_papers,
)
from newsletter.model import Paper
from newsletter.ranking import extract_facts, rank

DAYS = Path(__file__).resolve().parents[1] / "fixtures" / "days"
ALL_DAYS = labelled_days(DAYS)
_PAPERS: dict[str, list[Paper]] = {}


def papers_of(day: LabelledDay) -> list[Paper]:
    if day.name not in _PAPERS:
        _PAPERS[day.name] = read_papers(day)
    return _PAPERS[day.name]


def by_name(name: str) -> LabelledDay:
    return next(day for day in ALL_DAYS if day.name == name)


def test_there_are_four_labelled_days_with_five_picks_each() -> None:
    names = ["2026-07-01", "2026-07-08-theory", "2026-07-15-off-topic", "2026-07-22-mixed"]
    assert [day.name for day in ALL_DAYS] == names
    assert all(len(day.picks) == 5 for day in ALL_DAYS)


def test_the_bundled_day_picks_the_sample_issues_five_papers() -> None:
    day = by_name("2026-07-01")
    picked = {pick.paper.arxiv_id for pick in rank(papers_of(day), RankingSection())}
    assert picked == {label.arxiv_id for label in day.picks}


@pytest.mark.parametrize("day", ALL_DAYS, ids=lambda day: day.name)
def test_each_labelled_day_keeps_the_editors_picks(day: LabelledDay) -> None:
    score = evaluate(day, papers_of(day), RankingSection())
    assert score.precision >= 0.8, f"missed {score.missed}; {FLOOR_NOTE}"


@pytest.mark.parametrize(
    ("day", "index"),
    [(day, index) for day in ALL_DAYS for index in range(len(day.picks))],
    ids=lambda value: value.name if isinstance(value, LabelledDay) else str(value),
)
def test_each_labelled_pick_has_the_editors_facts(day: LabelledDay, index: int) -> None:
    label = day.picks[index]
    paper = next(p for p in papers_of(day) if p.arxiv_id == label.arxiv_id)
    facts = extract_facts(paper)
    key = facts.key_number or ""
    assert [fact for fact in label.key_facts if fact not in key] == [], key
    assert facts.short_name == label.short_name
    assert tuple((facts.institution or "").split("; ")) == label.institutions
    assert (facts.venue or "") == label.venue


@pytest.mark.parametrize("day", ALL_DAYS, ids=lambda day: day.name)
def test_every_key_number_of_a_day_is_language_neutral(day: LabelledDay) -> None:
    # The key number stands unchanged in the Korean table: no English word may join its parts.
    found = [extract_facts(paper) for paper in papers_of(day)]
    # A theory paper's key result is its own words, not a number.
    keys = [facts.key_number or "" for facts in found if "key_result" not in facts.sources]
    assert [key for key in keys if re.search(r"\b(?:on|at|from|for|in|with)\b", key)] == []
    assert any("→" in key or "×" in key for key in keys)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        pytest.param('name = "x"\n', "picks", id="no picks"),
        pytest.param('[[picks]]\narxiv_id = "1"\n', "picks[1].why", id="a pick without its reason"),
        pytest.param("picks = [", "labels", id="not TOML"),
    ],
)
def test_a_malformed_labels_file_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    (tmp_path / "labels.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_day(tmp_path)
    assert raised.value.key == field
    assert str(tmp_path / "labels.toml") in str(raised.value)
