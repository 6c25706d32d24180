"""Choosing candidates: each paper once, never one an earlier issue considered."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from newsletter.model import Paper
from newsletter.sources.candidates import select_candidates

CATEGORIES = ["cs.CV", "cs.LG", "cs.AI"]


def paper(arxiv_id: str, *, version: int = 1, primary: str = "cs.CV", also: tuple[str, ...] = ()) -> Paper:
    moment = datetime(2026, 6, 30, tzinfo=UTC) + timedelta(minutes=int(arxiv_id[-3:]))
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=f"Paper {arxiv_id}",
        abstract="",
        authors=(),
        primary_category=primary,
        categories=(primary, *also),
        published=moment,
        updated=moment,
    )


def test_the_newest_version_stands_for_a_paper() -> None:
    chosen = select_candidates(
        [paper("2606.30001"), paper("2606.30001", version=2)],
        already_considered=set(),
        categories=CATEGORIES,
        include_cross_lists=True,
    )
    assert [(p.arxiv_id, p.version) for p in chosen] == [("2606.30001", 2)]


def test_a_replacement_of_a_considered_paper_never_comes_back() -> None:
    chosen = select_candidates(
        [paper("2606.30001", version=3), paper("2606.30002")],
        already_considered={"2606.30001"},
        categories=CATEGORIES,
        include_cross_lists=True,
    )
    assert [p.arxiv_id for p in chosen] == ["2606.30002"]


def test_cross_lists_follow_the_setting() -> None:
    papers = [paper("2606.30001"), paper("2606.30002", primary="stat.ML", also=("cs.LG",))]
    with_cross = select_candidates(
        papers, already_considered=set(), categories=CATEGORIES, include_cross_lists=True
    )
    without = select_candidates(
        papers, already_considered=set(), categories=CATEGORIES, include_cross_lists=False
    )
    assert [p.arxiv_id for p in with_cross] == ["2606.30001", "2606.30002"]
    assert [p.arxiv_id for p in without] == ["2606.30001"]


ids = st.sampled_from([f"2606.30{n:03d}" for n in range(30)])


@given(st.lists(st.tuples(ids, st.integers(1, 4)), max_size=60), st.sets(ids, max_size=10))
def test_each_paper_once_and_none_already_considered(entries: list[tuple[str, int]], seen: set[str]) -> None:
    papers = [replace(paper(arxiv_id), version=version) for arxiv_id, version in entries]
    chosen = select_candidates(
        papers, already_considered=seen, categories=CATEGORIES, include_cross_lists=True
    )
    chosen_ids = [p.arxiv_id for p in chosen]
    assert len(chosen_ids) == len(set(chosen_ids))
    assert not set(chosen_ids) & seen
    assert set(chosen_ids) == {arxiv_id for arxiv_id, _ in entries} - seen
    for candidate in chosen:
        assert candidate.version == max(v for i, v in entries if i == candidate.arxiv_id)
