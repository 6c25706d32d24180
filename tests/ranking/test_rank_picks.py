"""The ranking picks the strong on-topic papers, deterministically, and obeys the editor."""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from newsletter.config import RankingSection
from newsletter.ranking import SIGNALS, rank, score_signals
from tests.ranking import papers

IDS = [p.arxiv_id for p in papers.DAY]


def ids(picks: list) -> list[str]:  # type: ignore[type-arg]
    return [pick.paper.arxiv_id for pick in picks]


def test_the_strong_on_topic_five_are_picked(papers: ModuleType, settings: RankingSection) -> None:
    picked = ids(rank(papers.DAY, settings))
    assert sorted(picked) == sorted(p.arxiv_id for p in papers.ON_TOPIC)


def test_strong_off_topic_papers_lose_to_weak_on_topic_ones(
    papers: ModuleType, settings: RankingSection
) -> None:
    picked = ids(rank(papers.DAY, replace(settings, picks=9)))
    assert not {p.arxiv_id for p in papers.OFF_TOPIC} & set(picked)


def test_off_topic_papers_fill_slots_only_when_nothing_else_is_left(
    papers: ModuleType, settings: RankingSection
) -> None:
    picked = ids(rank(papers.DAY, replace(settings, picks=len(papers.DAY))))
    assert set(picked[-2:]) == {p.arxiv_id for p in papers.OFF_TOPIC}


def test_a_new_method_outranks_a_survey_a_benchmark_and_a_note(
    papers: ModuleType, settings: RankingSection
) -> None:
    method = score_signals(papers.CROSS_SPACE, settings)["novelty"]
    for weak in (papers.DIFFUSION_SURVEY, papers.DIFFUSION_BENCHMARK, papers.DIFFUSION_NOTE):
        assert score_signals(weak, settings)["novelty"] < method


def test_topic_counts_the_title_above_the_abstract(papers: ModuleType, settings: RankingSection) -> None:
    in_title = replace(papers.ROBOT_GRASP, title="Diffusion policies for grasping", abstract="We grasp.")
    in_abstract = replace(papers.ROBOT_GRASP, title="Policies for grasping", abstract="We use diffusion.")
    assert score_signals(in_title, settings)["topic"] > score_signals(in_abstract, settings)["topic"]


def test_a_configured_lab_raises_the_venue_signal(papers: ModuleType, settings: RankingSection) -> None:
    plain = score_signals(papers.MBD, settings)["venue"]
    with_lab = score_signals(papers.MBD, replace(settings, labs=["Shanghai Jiao Tong"]))["venue"]
    assert plain == 0.0
    assert with_lab > plain


def test_weights_come_from_the_configuration(papers: ModuleType, settings: RankingSection) -> None:
    only_code = replace(
        settings, weight_topic=0, weight_novelty=0, weight_venue=0, weight_evidence=0, weight_code=1
    )
    top = rank(papers.ON_TOPIC, replace(only_code, picks=2, diversity=0))
    assert {pick.paper.arxiv_id for pick in top} == {papers.OTCACHE.arxiv_id, papers.MBD.arxiv_id}


def test_diversity_keeps_near_duplicates_apart(papers: ModuleType, settings: RankingSection) -> None:
    twin = replace(papers.OTCACHE, arxiv_id="2607.00999", title=papers.OTCACHE.title + " (extended)")
    day = (*papers.ON_TOPIC, twin)
    by_score = ids(rank(day, replace(settings, picks=2, diversity=0)))
    diverse = ids(rank(day, replace(settings, picks=2, diversity=0.5)))
    assert set(by_score) == {papers.OTCACHE.arxiv_id, twin.arxiv_id}
    assert len({papers.OTCACHE.arxiv_id, twin.arxiv_id} & set(diverse)) == 1


def test_pinned_come_first_in_order_and_excluded_never(papers: ModuleType, settings: RankingSection) -> None:
    survey, note, otcache = (
        papers.DIFFUSION_SURVEY.arxiv_id,
        papers.DIFFUSION_NOTE.arxiv_id,
        papers.OTCACHE.arxiv_id,
    )
    picked = ids(rank(papers.DAY, settings, pinned=[note, survey, "2607.99999"], excluded=[otcache]))
    assert picked[:2] == [note, survey]
    assert otcache not in picked
    assert len(picked) == settings.picks


def test_every_signal_is_in_the_unit_interval(papers: ModuleType, settings: RankingSection) -> None:
    for paper in papers.DAY:
        signals = score_signals(paper, settings)
        assert set(signals) == set(SIGNALS)
        assert all(0.0 <= value <= 1.0 for value in signals.values())


_subsets = st.lists(st.sampled_from(papers.DAY), unique_by=lambda p: p.arxiv_id)


@hypothesis_settings(deadline=None, max_examples=60)
@given(
    chosen=_subsets,
    pinned=st.lists(st.sampled_from(IDS), unique=True, max_size=3),
    excluded=st.lists(st.sampled_from(IDS), unique=True, max_size=3),
    picks=st.integers(min_value=1, max_value=8),
    diversity=st.floats(min_value=0, max_value=1),
)
def test_ranking_never_repeats_and_obeys_the_editor(
    chosen: list,
    pinned: list[str],
    excluded: list[str],
    picks: int,
    diversity: float,  # type: ignore[type-arg]
) -> None:
    config = RankingSection(picks=picks, diversity=diversity)
    picked = ids(rank(chosen, config, pinned=pinned, excluded=excluded))
    available = {p.arxiv_id for p in chosen} - set(excluded)
    honoured = [i for i in pinned if i in available]
    assert len(picked) == len(set(picked))
    assert not set(picked) & set(excluded)
    assert picked[: len(honoured)] == honoured
    assert len(picked) == max(len(honoured), min(picks, len(available)))


@hypothesis_settings(deadline=None, max_examples=30)
@given(order=st.permutations(papers.DAY))
def test_same_input_same_picks_whatever_the_order(order: list) -> None:  # type: ignore[type-arg]
    config = RankingSection()
    assert ids(rank(order, config)) == ids(rank(papers.DAY, config))
