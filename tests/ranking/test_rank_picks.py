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


def test_topic_reads_the_abstract_not_mostly_the_title(papers: ModuleType, settings: RankingSection) -> None:
    about = replace(
        papers.ROBOT_GRASP,
        title="Bounded KV Memory for Minute-Long Streaming Generation",
        abstract="Autoregressive video diffusion models generate long videos chunk by chunk. "
        "Each chunk is denoised while attending to earlier frames. "
        "We bound the memory of this denoising process. Drift falls from 5.2 to 0.9.",
    )
    says = replace(
        papers.ROBOT_GRASP,
        title="Diffusion for Grasp Selection",
        abstract="We select grasps with a learned scorer. It runs on a real arm. "
        "A diffusion prior ranks candidates. Success improves to 81%.",
    )
    assert score_signals(about, settings)["topic"] > score_signals(says, settings)["topic"]


def test_a_mention_only_as_a_comparison_is_not_on_topic(papers: ModuleType, settings: RankingSection) -> None:
    compared = replace(
        papers.LLM_REASONING,
        abstract="We train language models by self-play. Accuracy doubles on AIME. "
        "Unlike diffusion language models, it keeps autoregressive decoding.",
    )
    assert score_signals(compared, settings)["topic"] < settings.min_topic


def test_theory_is_evidence_too(papers: ModuleType, settings: RankingSection) -> None:
    proofs = replace(
        papers.ECFM,
        abstract="We show that the conditional flow matching loss is equivalent in expectation to a "
        "reweighted score matching loss. We prove convergence guarantees and tight lower bounds.",
    )
    numbers = replace(papers.ECFM, abstract="It reaches an FID of 2.1 on ImageNet 256.")
    nothing = replace(papers.ECFM, abstract="We discuss flow matching and its uses.")
    proven = score_signals(proofs, settings)["evidence"]
    assert proven >= score_signals(numbers, settings)["evidence"]
    assert score_signals(nothing, settings)["evidence"] == 0.0
    # Only named, not claimed as proven, a result counts for less.
    named = replace(
        proofs, abstract=proofs.abstract.replace("We show that", "Perhaps").replace("We prove", "On")
    )
    assert 0 < score_signals(named, settings)["evidence"] < proven


def test_a_survey_benchmark_and_note_stay_below_a_theory_paper(
    papers: ModuleType, settings: RankingSection
) -> None:
    theory = score_signals(papers.ECFM, settings)
    for weak in (papers.DIFFUSION_SURVEY, papers.DIFFUSION_BENCHMARK, papers.DIFFUSION_NOTE):
        assert score_signals(weak, settings)["novelty"] < theory["novelty"]


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
