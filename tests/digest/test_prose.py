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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.config import Config, RankingSection
from newsletter.digest import compose_draft
from newsletter.digest.headline import acceptable, compress
from newsletter.digest.person import gerund, method_name, resolve_pronoun, third_person
from newsletter.digest.prose import attribution, boilerplate, dangling, repeats_title, sections, zones
from newsletter.labelled import (
    FLOOR_NOTE,
    LabelledDay,
    below_floors,
    labelled_days,
    read_papers,
    score_prose,
)
from newsletter.model import Draft, Window
from newsletter.ranking import rank
from newsletter.ranking.text import sentences, squash
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
    assert chosen.what_it_does.startswith("Distillation needs a shared latent space. CSD is a paradigm")
    assert chosen.quote == "“SD 1.5 improves from 5.4 to 9.4 HPSv3.” — Kang et al."
    assert chosen.headline == "teacher and student may differ"
    assert chosen.origin == {"what_it_does": (0, 1), "quote": (2,)}


@pytest.mark.parametrize(
    ("phrase", "clause", "expected"),
    [
        # A trailing prepositional phrase goes, the longest complete prefix stays.
        (
            "treats the schedules for different budgets as points on one smooth trajectory in policy space",
            False,
            "treats the schedules for different budgets as points",
        ),
        # A coordinated verb phrase goes.
        (
            "merges tokens whose attention entropy is high and keeps low-entropy tokens that carry detail",
            False,
            "merges tokens whose attention entropy is high",
        ),
        # Never on a participle that needs its complement ("given"), nor on a preposition.
        (
            "rescales the guided update within a noise interval given in closed form by a formula",
            False,
            "rescales the guided update within a noise interval",
        ),
        # Never on a noun that needs what follows ("built on the observation").
        (
            "a training-free DiT caching method built on the observation that the face changes fast",
            False,
            "a training-free DiT caching method",
        ),
        # "between A" needs its "and B".
        (
            "interpolates between the reference schedule and the anchor schedule in Wasserstein space",
            False,
            "interpolates between the reference schedule and the anchor schedule",
        ),
        # A list is never cut short.
        (
            "combines a deep-compression autoencoder, synthetic captions from a small vision-language model "
            "and a data curriculum",
            False,
            "",
        ),
        # Two verbs that share an object stay together.
        ("a language model stores and retrieves summaries of its own failed tool calls", False, ""),
        # A clause keeps its verb; a subject alone is no headline.
        (
            "the conditional objective with a Gaussian path is equivalent in expectation to score matching "
            "with a weighting",
            True,
            "the conditional objective with a Gaussian path is equivalent",
        ),
        (
            "the upper bound computed from two solver evaluations of the learned network at each step",
            True,
            "",
        ),
        ("decode several blocks at once", False, "decode several blocks at once"),
        # "as points" is a complete phrase; "as" alone is not an end.
        (
            "the schedules for budgets as points on one smooth trajectory in policy space",
            False,
            "the schedules for budgets as points on one smooth trajectory",
        ),
    ],
)
def test_a_long_headline_is_cut_only_at_a_syntactic_boundary(
    phrase: str, clause: bool, expected: str
) -> None:
    found = compress(phrase, clause=clause)
    assert found == expected
    if found:
        assert 3 <= len(found.split()) <= 10


_PROBLEM = "Sampling from diffusion models is slow."


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        (
            "FooCache: Optimal Transport Modeling of Cache Schedules",
            f"{_PROBLEM} We present FooCache, which treats the schedules for different budgets as points "
            "on one "
            "smooth trajectory in policy space.",
            # "treats X as Y" heads as "X as Y".
            "schedules for different budgets as points on one smooth trajectory",
        ),
        (
            "A Paper",
            f"{_PROBLEM} We propose BarGuide, which makes guidance a correction, not a shortcut.",
            "makes guidance a correction, not a shortcut",
        ),
        # The appositive, cut before its trailing phrase.
        (
            "InstantFoo: One-Step Editing",
            f"{_PROBLEM} We propose InstantFoo (IF-1), a one-step editor distilled from a multi-step editing "
            "teacher with a cycle-consistency loss that removes the need for inversion.",
            "a one-step editor distilled from a multi-step editing teacher",
        ),
        # A generic appositive says nothing new: the subtitle, in sentence case, does.
        (
            "SyncFoo: Spatially-Asymmetric Caching for Audio-Driven Portrait Animation",
            f"{_PROBLEM} We present SyncFoo, a training-free DiT caching method.",
            "spatially-asymmetric caching for audio-driven portrait animation",
        ),
        # A question is no headline, and the generic appositive is not one either.
        (
            "Why Does Guidance Overshoot: A Provable Account",
            f"{_PROBLEM} We present GIR, a simple method.",
            "",
        ),
        # What a theory paper proves.
        (
            "A Note on Guidance",
            f"{_PROBLEM} We show that guidance overshoots the conditional mean for Gaussian mixtures at high "
            "noise levels.",
            "guidance overshoots the conditional mean for Gaussian mixtures",
        ),
        # "in which a language model stores …": the clause's subject is not the method.
        (
            "Agents that Learn from Failures",
            f"{_PROBLEM} We present an agent framework in which a language model stores and retrieves "
            "summaries of its own failed tool calls.",
            "",
        ),
        # A pronoun needs the sentence it points to.
        ("Bandits", f"{_PROBLEM} We show that a truncated estimator attains it without knowing alpha.", ""),
        ("X", f"{_PROBLEM} We propose X.", ""),
    ],
)
def test_headlines_are_the_papers_own_short_phrase(title: str, abstract: str, expected: str) -> None:
    found = sections(title=title, abstract=abstract, authors=["A. Author", "B. Author"]).headline
    assert found == expected
    assert not found or acceptable(found, title)


@pytest.mark.parametrize(
    ("sentence", "name", "bracket", "expected"),
    [
        (
            "Without any training, it first finds a schedule.",
            "OTCache",
            False,
            "Without any training, OTCache first finds a schedule.",
        ),
        ("It edits an image in 0.12 s.", "InstantEdit", True, "[InstantEdit] edits an image in 0.12 s."),
        ("They decode blocks at once.", "MBD-LMs", False, "MBD-LMs decode blocks at once."),
        ("Its memory is bounded.", "StreamKV", False, "StreamKV's memory is bounded."),
        # The pronoun's number must agree with the name's, else it points elsewhere.
        ("They decode blocks at once.", "OTCache", False, ""),
        ("It is fast.", "MBD-LMs", False, ""),
        ("This removes the need for inversion.", "OTCache", False, ""),
        ("It is fast.", "", False, ""),
    ],
)
def test_a_pronoun_after_the_method_sentence_is_the_methods_name(
    sentence: str, name: str, bracket: bool, expected: str
) -> None:
    assert resolve_pronoun(sentence, name, bracket=bracket) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("We present OTCache, which treats the schedules.", "OTCache"),
        ("We propose Multi-Block Diffusion Language Models (MBD-LMs), which decode blocks.", "MBD-LMs"),
        ("We propose Consistency Trajectory Distillation for 3D (CTD-3D), which distils.", "CTD-3D"),
        ("We propose InstantEdit (IE-1), a one-step editor.", "InstantEdit"),
        ("We propose Cross-Space Distillation, a paradigm.", "Cross-Space Distillation"),
        ("We propose a method that is fast.", ""),
    ],
)
def test_the_method_sentence_names_the_method(sentence: str, expected: str) -> None:
    assert method_name(sentence) == expected


def test_a_dangling_sentence_after_the_method_is_used_with_its_pronoun_resolved() -> None:
    chosen = sections(
        title="OTCache: Cache Schedules",
        abstract=f"{_PROBLEM} We present OTCache, which treats schedules as points on one trajectory. "
        "Without "
        "any training, it first finds a reference schedule with a graph-based search. OTCache reaches 4.5× "
        "acceleration on FLUX.1 [dev].",
        authors=["Hao Zhang", "Yifan Liu"],
    )
    assert chosen.technical_read == (
        "Without any training, OTCache first finds a reference schedule with a graph-based search."
    )
    assert not chosen.technical_is_problem
    assert chosen.origin["technical_read"] == (2,)


@pytest.mark.parametrize(
    ("text", "single", "expected"),
    [
        (
            "We present OTCache, which treats schedules as points.",
            False,
            "OTCache treats schedules as points.",
        ),
        (
            "We propose Multi-Block Diffusion Language Models (MBD-LMs), which decode several blocks "
            "at once.",
            False,
            "Multi-Block Diffusion Language Models (MBD-LMs) decode several blocks at once.",
        ),
        (
            "We present SyncCache, a training-free caching method.",
            False,
            "SyncCache is a training-free caching method.",
        ),
        (
            "We introduce ShortcutModels, a family of samplers.",
            False,
            "ShortcutModels are a family of samplers.",
        ),
        # A coordinated verb still needs "we" as its subject: only the pronoun changes.
        (
            "We introduce PhysReward, a reward model that scores plausibility, and fine-tune video "
            "models on it.",
            False,
            "The authors introduce PhysReward, a reward model that scores plausibility, and fine-tune video "
            "models on it.",
        ),
        (
            "We introduce CoverDistill, a distillation objective: we prove that it is sound.",
            False,
            "The authors introduce CoverDistill, a distillation objective: they prove that it is sound.",
        ),
        (
            "Our method is fast, and we release it.",
            False,
            "The authors' method is fast, and they release it.",
        ),
        (
            "A user study prefers our edits over us.",
            False,
            "A user study prefers the authors' edits over them.",
        ),
        ("In this paper, we focus on guidance.", False, "In this paper, the authors focus on guidance."),
        # A single author: "The author", and the verbs that follow agree with it.
        (
            "We prove guarantees and give counterexamples.",
            True,
            "The author proves guarantees and gives counterexamples.",
        ),
        (
            "We study federated learning and propose a loss.",
            True,
            "The author studies federated learning and proposes a loss.",
        ),
        ("We further show that X holds.", True, "The author further shows that X holds."),
        ("We have shown that X holds.", True, "The author has shown that X holds."),
        ("Our method beats the baseline.", True, "The author's method beats the baseline."),
        ("Guidance overshoots at high scales.", False, "Guidance overshoots at high scales."),
    ],
)
def test_sections_are_in_the_third_person(text: str, single: bool, expected: str) -> None:
    assert third_person(text, single=single) == expected


@pytest.mark.parametrize(
    ("abstract", "expected"),
    [
        (
            f"{_PROBLEM} We propose FooNet, which does Y. A router uses Z to skip tokens. FooNet "
            "reaches an FID "
            "of 2.1 on ImageNet 256, against 2.5 for the baseline. We prove that FooNet converges. Code is "
            "available at https://github.com/a/b.",
            ("problem", "method", "mechanism", "result", "theory", "boilerplate"),
        ),
        # Without "we propose", what the authors prove is the method sentence.
        (
            "We show that flow matching is score matching. The equivalence explains the weighting. "
            "On ImageNet "
            "64, RFM improves FID from 2.41 to 2.18.",
            ("method", "mechanism", "result"),
        ),
        # Without any "we", the first plain sentence says what the paper does.
        (f"{_PROBLEM} We release code, data lists and weights.", ("method", "boilerplate")),
        # Measured results the claim detection has no form for are results too.
        (
            f"{_PROBLEM} We propose FooSeg, which segments organs. Dice improves by 1.1 points over "
            "nnU-Net. Experiments on synthetic instances confirm the predicted rates.",
            ("problem", "method", "result", "result"),
        ),
    ],
)
def test_an_abstract_reads_as_rhetorical_zones(abstract: str, expected: tuple[str, ...]) -> None:
    assert zones(abstract, "A Title About Something Else") == expected


@pytest.mark.parametrize(
    ("result", "quoted"),
    [
        ("On ImageNet 64 the student reaches an FID of 2.9, against 2.7 for its 35-step teacher.", True),
        (
            "Trained for 30 A100-days, FooGen reaches a GenEval score of 0.74, compared with 0.73 "
            "for SD3-Medium.",
            True,
        ),
        ("FooNet is 2.1× faster on FLUX.1 [dev] at 1024 pixels.", True),
        ("FooNet works well in practice.", False),
    ],
)
def test_the_quote_is_the_result_the_claim_detection_finds(result: str, quoted: bool) -> None:
    chosen = sections(
        title="FooNet",
        abstract=f"{_PROBLEM} We propose FooNet, which skips tokens. {result}",
        authors=["A. Author", "B. Author"],
    )
    assert (chosen.quote == f"“{result}” — Author et al.") == quoted
    if not quoted:
        assert chosen.quote == ""


def test_the_strongest_result_is_quoted_and_sections_stay_on_distinct_sentences() -> None:
    chosen = sections(
        title="FooNet",
        abstract=f"{_PROBLEM} We propose FooNet, which skips tokens. Memory falls by 12%. On ImageNet 256, "
        "FID improves from 2.35 to 1.98 at the same budget.",
        authors=["A. Author", "B. Author"],
    )
    assert "2.35 to 1.98" in chosen.quote
    used = [i for covered in chosen.origin.values() for i in covered]
    assert len(used) == len(set(used))


def test_without_a_mechanism_the_technical_read_is_the_problem_said_to_be_one() -> None:
    chosen = sections(
        title="FooDistill",
        abstract="Distilling video models blurs motion, because per-frame matching ignores how frames "
        "relate. "
        "We propose FooDistill, which adds a temporal loss. FooDistill is 3.8× faster than its teacher.",
        authors=["A. Author", "B. Author"],
    )
    assert chosen.technical_read.startswith("Distilling video models blurs motion")
    assert chosen.technical_is_problem


def test_without_a_number_the_quote_is_what_the_authors_prove_and_stays_verbatim() -> None:
    chosen = sections(
        title="A Sampler",
        abstract=f"{_PROBLEM} We propose FooStep, which adapts the step size. The step is chosen from two "
        "evaluations. We prove that the global error is bounded by the sum of the local targets.",
        authors=["Chika Maduabuchi"],
    )
    assert (
        chosen.quote
        == "“We prove that the global error is bounded by the sum of the local targets.” — Chika Maduabuchi"
    )
    assert chosen.technical_read == "The step is chosen from two evaluations."
    assert chosen.what_it_does == "FooStep adapts the step size."


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


@pytest.mark.parametrize("day", labelled_days(DAYS), ids=lambda day: day.name)
def test_the_prose_meets_its_floors_on_every_labelled_day(day: LabelledDay) -> None:
    score = score_prose(day, read_papers(day))
    assert below_floors(score) == [], f"{day.name}: {score} ({FLOOR_NOTE})"


def test_labels_name_sentences_the_abstract_has() -> None:
    for day in labelled_days(DAYS):
        papers = {paper.arxiv_id: paper for paper in read_papers(day)}
        for label in day.picks:
            count = len(sentences(squash(papers[label.arxiv_id].abstract)))
            assert all(0 <= index < count for index in label.mechanism), f"{day.name} {label.arxiv_id}"
            assert label.headline, f"{day.name} {label.arxiv_id}"


def test_a_problem_read_is_framed_in_every_locale() -> None:
    framed = 0
    for name, draft in _day_drafts():
        for pick in draft.picks:
            english = pick.technical_read.get("en", "")
            if english.startswith("The problem it sets out to solve: "):
                framed += 1
                problem = english.removeprefix("The problem it sets out to solve: ")
                assert pick.technical_read["ko"] == f"이 논문이 풀려는 문제: {problem}", name
            else:
                assert "ko" not in pick.technical_read, f"{name}: the abstract's words stay in English"
    # The short abstracts of the off-topic and mixed days have no mechanism sentence.
    assert framed >= 5


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
            assert not pick.headline or acceptable(pick.headline["en"], pick.title), (
                f"{where}: {pick.headline}"
            )
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


@pytest.mark.parametrize(
    ("verb", "expected"),
    [
        ("treats", "treating"),
        ("decode", "decoding"),
        ("maps", "mapping"),
        ("unifies", "unifying"),
        ("matches", "matching"),
        ("merges", "merging"),
        ("sees", "seeing"),
        ("ties", "tying"),
        ("embeds", "embedding"),
        ("distils", "distilling"),
        ("targets", "targeting"),
        ("focuses", "focusing"),
        ("learns", "learning"),
        # No heading form: a modal, a copula, a past participle.
        ("can", ""),
        ("is", ""),
        ("trained", ""),
    ],
)
def test_a_verb_reads_as_its_gerund(verb: str, expected: str) -> None:
    assert gerund(verb) == expected


@pytest.mark.parametrize(
    ("abstract", "expected"),
    [
        # After "Name:", the method's verb phrase reads as a heading, not an imperative.
        (
            f"{_PROBLEM} We propose FooLM, which decodes several blocks at once.",
            "decoding several blocks at once",
        ),
        (
            f"{_PROBLEM} We propose Foo Models (FMs), which decode several blocks at once.",
            "decoding several blocks at once",
        ),
        (
            f"{_PROBLEM} We average several reflow students into an ensemble teacher.",
            "averaging several reflow students into an ensemble teacher",
        ),
        # An appositive and a clause with its own subject keep their form.
        (
            f"{_PROBLEM} We present FooEdit, a one-step editor distilled from a teacher.",
            "a one-step editor distilled from a teacher",
        ),
        (
            f"{_PROBLEM} We show that guidance overshoots the conditional mean.",
            "guidance overshoots the conditional mean",
        ),
    ],
)
def test_a_verb_led_headline_reads_as_a_heading(abstract: str, expected: str) -> None:
    assert (
        sections(title="A Paper", abstract=abstract, authors=["A. Author", "B. Author"]).headline == expected
    )


#: Pieces of abstracts, shuffled into odd records: names, pronouns, numbers, links, punctuation.
_PIECES = (
    "We propose FooNet , which treats a model of the data as a graph . We we present are is a an the "
    "of for with and : ; ( ) 4.5× FID 2.1 → 3.4 % it they this These our us , 1,000 on in by as not "
    "rather than show prove that Code will be released github.com/x ? [dev] é"
)
_FRAGMENTS = tuple(_PIECES.split())


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    abstract=st.lists(st.sampled_from(_FRAGMENTS), max_size=60).map(" ".join),
    title=st.lists(st.sampled_from(_FRAGMENTS), max_size=10).map(" ".join),
    authors=st.lists(st.text(max_size=12), max_size=3),
)
def test_any_abstract_gives_sections_that_fit(abstract: str, title: str, authors: list[str]) -> None:
    # Records from arXiv can be odd (blank author names, stray punctuation): the chooser never
    # fails on them, and what it returns still fits its place.
    chosen = sections(title=title, abstract=abstract, authors=authors)
    if chosen.headline:
        assert 3 <= len(chosen.headline.split()) <= 10
    assert not chosen.quote.endswith("” — ")
