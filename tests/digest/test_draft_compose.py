"""The generated draft fills every field from the picks' own record, never inventing a fact."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import UTC

import pytest

from newsletter.digest.fingerprint import LOCALIZED_FIELDS
from newsletter.model import ABSENT, Draft, DraftPick, Pick
from newsletter.ranking.text import squash

#: Fields a pick may lack: reasons beyond the signals come only from the editor's interests,
#: which these picks lack; a headline or quote only when the abstract has a phrase fit for one;
#: the writing step's marks only where a model wrote something (newsletter.writing).
_OPTIONAL = ("reasons", "headline", "quote", "machine", "guard")


def test_title_and_intro_read_like_the_sample(draft: Draft) -> None:
    assert draft.title["en"] == "Five diffusion papers: July 1, 2026"
    assert draft.intro["en"].startswith(
        "Today's digest prioritizes five diffusion papers from the July 1, 2026"
    )
    # The window is stated once, by the email's translated window note, not again in the intro.
    assert "arXiv window from" not in draft.intro["en"]
    assert "new papers were considered for this issue." in draft.intro["en"]


def test_every_field_of_every_pick_is_filled(draft: Draft) -> None:
    assert len(draft.picks) == 5
    for pick in draft.picks:
        for f in (f for f in fields(DraftPick) if f.name not in _OPTIONAL):
            assert getattr(pick, f.name) not in ("", {}, ()), f"{pick.arxiv_id}.{f.name} is empty"


def test_facts_come_from_the_source_or_say_absent(draft: Draft, picks: list[Pick]) -> None:
    papers = {pick.paper.arxiv_id: pick.paper for pick in picks}
    for pick in draft.picks:
        paper = papers[pick.arxiv_id]
        source = squash(" ".join([paper.abstract, paper.comment or "", paper.journal_ref or ""]))
        for fact in (pick.code_url, pick.demo_url, pick.project_url):
            assert fact == ABSENT or fact in source
        # The key number is written the editor's way; its phrase is the source's own, and
        # every number in it is in that phrase.
        if pick.key_number != ABSENT:
            phrase = pick.sources["key_number"]
            assert phrase in source
            assert all(n in phrase for n in re.findall(r"\d+(?:\.\d+)?", pick.key_number))
        if pick.venue != ABSENT:
            assert pick.sources["venue"] in source


#: The words the third person and a framed problem may add to the abstract's own.
_REWRITE_WORDS = frozenset(
    [
        "the",
        "authors",
        "author",
        "authors'",
        "author's",
        "they",
        "their",
        "them",
        "theirs",
        "themselves",
        "is",
        "are",
        "problem",
        "it",
        "sets",
        "out",
        "to",
        "solve",
    ]
)


def test_quoted_sections_are_the_abstracts_own_words(draft: Draft, picks: list[Pick]) -> None:
    abstracts = {pick.paper.arxiv_id: squash(pick.paper.abstract) for pick in picks}
    for pick in draft.picks:
        words = set(re.findall(r"[\w'-]+", abstracts[pick.arxiv_id].lower()))
        for text in (pick.what_it_does["en"], pick.technical_read.get("en", "")):
            added = set(re.findall(r"[\w'-]+", text.lower())) - words - _REWRITE_WORDS
            # A single author's verb agrees with "The author": "proposes" for "propose".
            added = {w for w in added if not {w[:-1], w[:-2], w[:-3] + "y"} & words}
            assert not added, f"{pick.arxiv_id}: {text}"


def test_generated_lines_name_the_picks_facts(draft: Draft) -> None:
    otcache = next(p for p in draft.picks if p.short_name == "OTCache")
    # The key number has its own column beside the reason, which says what the paper does and
    # what backs it.
    assert "4.5× FLUX.1 [dev]" in otcache.evidence_and_limits["en"]
    assert otcache.first_read_reason["en"] == (
        "It presents optimal-transport cache schedules for diffusion transformers "
        "and reports speed-ups in three settings."
    )
    assert otcache.first_read_reason["ko"] == (
        "주제: optimal-transport cache schedules for diffusion transformers · 설정 3개에서 속도 향상 보고"
    )
    assert otcache.decision["en"].startswith("Read OTCache first if you work on ")
    assert "The evidence spans three settings." in otcache.evidence_and_limits["en"]
    assert (
        otcache.evidence_strength["en"]
        == "Strong quantitative evidence, accepted at ECCV 2026, and public code."
    )
    assert "github.com/UnicomAI/OTCache" in otcache.evidence_and_limits["en"]
    ecfm = next(p for p in draft.picks if p.arxiv_id == "2607.00102")
    assert ecfm.key_number == ABSENT
    assert "The evidence is mathematical" in ecfm.evidence_and_limits["en"]
    # Only the pick that opens the issue is read "first".
    assert [p.short_name for p in draft.picks if " first " in p.decision["en"]] == ["OTCache"]
    assert [p.short_name for p in draft.picks if "논문부터" in p.decision["ko"]] == ["OTCache"]


def test_reading_order_groups_picks_by_area(draft: Draft) -> None:
    paragraphs = [p["en"] for p in draft.reading_order]
    assert any(p.startswith("For inference acceleration, read OTCache and SyncCache.") for p in paragraphs)
    for pick in draft.picks:
        assert any(pick.short_name in p for p in paragraphs)


def test_score_and_signals_are_carried(draft: Draft, picks: list[Pick]) -> None:
    for pick, made in zip(draft.picks, picks, strict=True):
        assert pick.score == made.score
        assert dict(pick.signals) == dict(made.signals)


def test_untranslated_phrases_leave_the_locale_to_fall_back(
    compose: Callable[..., Draft], picks: list[Pick]
) -> None:
    english_only = compose(picks, locales=("en",))
    both = compose(picks, locales=("en", "ko"))
    for pick_en, pick_both in zip(english_only.picks, both.picks, strict=True):
        for name in (n for n in LOCALIZED_FIELDS if getattr(pick_en, n)):
            assert getattr(pick_both, name)["en"] == getattr(pick_en, name)["en"]
            korean = getattr(pick_both, name).get("ko")
            assert korean is None or korean != getattr(pick_en, name)["en"]


def test_the_same_picks_give_the_same_draft(compose: Callable[..., Draft], picks: list[Pick]) -> None:
    assert compose(picks) == compose(picks)


@pytest.mark.parametrize(
    ("areas", "cluster"),
    [
        (["Inference acceleration", "Inference acceleration", "Theory", "Diffusion language models"], True),
        (["Other methods", "Other methods", "Theory", "Video and audio"], False),
        (["Theory", "Theory", "Video and audio", "Video and audio"], False),
        (["Theory", "Video and audio", "Other methods", "Diffusion language models"], False),
    ],
)
def test_the_strongest_cluster_is_specific_and_leads_or_is_left_out(
    draft: Draft, areas: list[str], cluster: bool
) -> None:
    from newsletter.digest.compose import _intro
    from newsletter.digest.phrases import phrases_for

    picks = [replace(pick, area=area) for pick, area in zip(draft.picks, areas, strict=False)]
    intro = _intro(phrases_for("en"), picks, "diffusion", draft.window, 11, UTC)
    assert ("strongest cluster" in intro) == cluster
    if cluster:
        assert "Today's strongest cluster is inference acceleration:" in intro
