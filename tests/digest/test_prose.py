"""The sentences each section quotes: whole, distinct, standing alone, never boilerplate.

Cases are tables; the last tests compose and render every labelled day under
tests/fixtures/days/ and scan what a reader would get, in both languages.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pytest

from newsletter.config import Config, RankingSection
from newsletter.digest import compose_draft
from newsletter.digest.prose import attribution, boilerplate, dangling, headline, repeats_title, sections
from newsletter.labelled import labelled_days, read_papers
from newsletter.model import Draft, Window
from newsletter.ranking import rank
from newsletter.ranking.text import sentences
from newsletter.render import render_email

_S_POSSESSIVE = re.compile(r"[\w-]*s's\b")
DAYS = Path(__file__).resolve().parents[1] / "fixtures" / "days"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It is 4.5× faster on FLUX.1 [dev]. It is small.", 2),
        ("We compare with prior work, e.g. DDIM, and win. Fine.", 2),
        ("As Song et al. showed, scores suffice. We agree.", 2),
        ("FID 5.9 vs. 5.8 for the dense model. It is fast.", 2),
        ("See Fig. 2 and Sec. 3 for details. Done.", 2),
        ("Accuracy rises from 79.95% to 81.03%. Code: github.com/a/b.", 2),
    ],
)
def test_sentences_split_at_sentence_ends_only(text: str, expected: int) -> None:
    assert len(sentences(text)) == expected


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("This removes the need for inversion.", "dangling"),
        ("These results hold across three backbones.", "dangling"),
        ("Such schedules are brittle.", "dangling"),
        ("It reaches 4.5× acceleration.", "dangling"),
        ("We propose X, a paradigm that removes this requirement: A and B differ.", "dangling"),
        ("To address these issues, we propose X.", "dangling"),
        ("Code will be released.", "boilerplate"),
        ("Code is available at https://github.com/a/b.", "boilerplate"),
        ("Our models and data are publicly available.", "boilerplate"),
        ("Project page: https://x.github.io.", "boilerplate"),
        ("We propose OTCache, which treats schedules as points on one trajectory.", "fine"),
        ("OTCache reaches 4.5× acceleration on FLUX.1 [dev].", "fine"),
    ],
)
def test_sentences_that_cannot_stand_alone_or_say_nothing(sentence: str, kind: str) -> None:
    assert dangling(sentence) == (kind == "dangling")
    assert boilerplate(sentence) == (kind == "boilerplate")


def test_a_dangling_sentence_comes_with_the_one_before_it() -> None:
    chosen = sections(
        title="Cross-Space Distillation",
        abstract="Distillation needs a shared latent space. We propose CSD, a paradigm that removes this "
        "requirement: teacher and student may differ. SD 1.5 improves from 5.4 to 9.4 HPSv3.",
        authors=["Minho Kang", "Seyoung Lee"],
    )
    assert chosen.what_it_does.startswith("Distillation needs a shared latent space. We propose CSD")
    assert chosen.quote == "“SD 1.5 improves from 5.4 to 9.4 HPSv3.” — Kang et al."
    assert chosen.headline == "teacher and student may differ"


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        (
            "We propose X, which makes mode coverage a constraint: the entropy falls slowly.",
            "the entropy falls slowly",
        ),
        ("We present OTCache, which treats schedules for budgets as points on one trajectory.", None),
        ("We present LightGen, a recipe that combines an autoencoder, captions and a curriculum.", ""),
        (
            "Guidance is a correction, not a shortcut, for few-step samplers.",
            "guidance is a correction, not a shortcut",
        ),
        ("We propose X.", ""),
        # The clause belongs to "a number of steps", not to the method: no subject, no headline.
        ("We prove that the sampler needs a number of steps that grows with the dimension.", ""),
    ],
)
def test_headlines_are_the_papers_own_short_phrase(claim: str, expected: str | None) -> None:
    found = headline(claim, "A Title About Something Else")
    if expected is None:
        assert found in claim
        assert 3 <= len(found.split()) <= 16
    else:
        assert found == expected


def test_a_headline_or_section_never_repeats_the_title() -> None:
    title = "Flow Matching Is Denoising Score Matching in Disguise"
    assert repeats_title("Flow matching is denoising score matching in disguise.", title)
    chosen = sections(
        title=title,
        abstract="Flow matching is denoising score matching in disguise. We show that the two objectives are "
        "equivalent for affine paths.",
        authors=["Sophie Martin"],
    )
    assert "disguise" not in chosen.what_it_does + chosen.technical_read + chosen.quote


@pytest.mark.parametrize(
    ("authors", "expected"),
    [(["Chika Maduabuchi"], "Chika Maduabuchi"), (["Hao Zhang", "Yifan Liu"], "Zhang et al.")],
)
def test_quotes_are_attributed_as_editors_do(authors: list[str], expected: str) -> None:
    assert attribution(authors) == expected


@cache
def _day_drafts() -> tuple[tuple[str, Draft], ...]:
    window = Window(start=datetime(2026, 6, 30, tzinfo=UTC), end=datetime(2026, 7, 1, tzinfo=UTC))
    drafts = []
    for day in labelled_days(DAYS):
        papers = read_papers(day)
        draft = compose_draft(
            rank(papers, RankingSection())[:5],
            window=window,
            issue_date=date(2026, 7, 1),
            candidates=len(papers),
            locales=("en", "ko"),
            topic_terms=RankingSection().topic_terms,
            generated_at=window.end,
        )
        drafts.append((day.name, draft))
    return tuple(drafts)


def test_every_labelled_day_has_distinct_standalone_sections() -> None:
    for name, draft in _day_drafts():
        for pick in draft.picks:
            texts = [pick.what_it_does["en"], pick.technical_read.get("en", ""), pick.quote.get("en", "")]
            used = [s for text in texts for s in sentences(text.split("” — ")[0].lstrip("“"))]
            where = f"{name} {pick.arxiv_id}"
            assert len(used) == len(set(used)), f"{where} quotes a sentence twice: {used}"
            for sentence in used:
                assert not boilerplate(sentence), f"{where}: {sentence}"
                assert not repeats_title(sentence, pick.title), f"{where}: {sentence}"
            for text in texts:
                assert not text or not dangling(sentences(text.lstrip("“"))[0]), f"{where}: {text}"
            assert pick.headline.get("en", "").lower() not in pick.title.lower() or not pick.headline
            if pick.quote:
                assert re.search(r"” — \S.*$", pick.quote["en"]), f"{where}: {pick.quote}"


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_no_double_stops_or_plural_possessives_on_any_labelled_day(locale: str) -> None:
    for name, draft in _day_drafts():
        rendered = render_email(draft, locale, Config().render_settings())
        for text in (rendered.text, rendered.html):
            assert "…." not in text, f"{name}: an ellipsis followed by a period"
            found = _S_POSSESSIVE.findall(text)
            assert not found, f"{name}: possessives of names ending in s: {found}"
