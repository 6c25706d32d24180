"""The generated sentences that state a pick's facts: its decision, its first-read reason in the
speed-read table, its evidence strength and its evidence and limits.

They are written from the pick's facts and signals only, in every configured locale, and
written again when an editor corrects a fact (:func:`refresh_pick`) or reorders the picks
(:func:`placed`): a sentence an editor wrote is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from newsletter.digest import areas, titles, topics
from newsletter.digest.phrases import N_, SOURCE_LOCALE, Phrases, in_sentence, localized, phrases_for
from newsletter.model import ABSENT, DraftPick
from newsletter.ranking import numbers
from newsletter.ranking.facts import is_small_scale
from newsletter.ranking.text import squash, term_pattern

_STRONG, _SOME = 0.6, 0.3
#: Words with which an abstract states the quality that a speed-up keeps ("near-lossless visual
#: fidelity", "with an FID of 6.4"): then the speed-up is not bare.
_QUALITY = re.compile(
    r"\b(?:fidelity|quality|lossless|FID|PSNR|SSIM|LPIPS|CLIP|accuracy|GenEval|VBench|perplexity|"
    r"degradation|drop|comparable|matches|on par|prefer\w*|win rate)\b",
    re.IGNORECASE,
)
#: A figure that is not itself a speed-up ("48%", "0.97"), where the quality could be stated.
_QUALITY_FIGURE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:\s?%|(?![\d.]*\s?(?:×|x\b|times\b)))(?![\w-])")


#: The generated texts that state a pick's facts (venue, key number, short name, links…),
#: which :func:`refresh_pick` rewrites when an editor corrects a fact.
FACT_TEXTS = ("first_read_reason", "evidence_strength", "decision", "evidence_and_limits")


def refresh_pick(pick: DraftPick, locales: Sequence[str], *, lead: bool) -> DraftPick:
    """``pick`` with the texts in :data:`FACT_TEXTS` written from its current facts.

    ``lead`` says whether the pick opens the issue: only its decision says to read it first.
    """
    return replace(
        pick,
        first_read_reason=localized(locales, lambda say: _first_read_reason(say, pick)),
        evidence_strength=localized(locales, lambda say: _evidence_strength(say, pick)),
        decision=localized(locales, lambda say: _decision(say, pick, lead=lead)),
        evidence_and_limits=localized(locales, lambda say: _evidence_and_limits(say, pick)),
    )


def placed(picks: Sequence[DraftPick], locales: Sequence[str]) -> tuple[DraftPick, ...]:
    """``picks`` in this order, the generated decisions rewritten where a pick moved into or
    out of the first place: only the first says "first". An editor's own decision stays."""
    return tuple(_placed(pick, locales, lead=index == 0) for index, pick in enumerate(picks))


def _placed(pick: DraftPick, locales: Sequence[str], *, lead: bool) -> DraftPick:
    stale = _decision(phrases_for(SOURCE_LOCALE), pick, lead=not lead)
    if pick.decision.get(SOURCE_LOCALE) != stale:
        return pick
    return replace(pick, decision=localized(locales, partial(_decision, pick=pick, lead=lead)))


def _first_read_reason(say: Phrases, pick: DraftPick) -> str:
    # The row shows the key number beside it: the reason says what the paper does (its title's
    # own words), what kind of evidence backs it, and the leading signal when that is a fact
    # the row does not show (the venue, public code). No rank: an editor may reorder the picks.
    record = _record(pick)
    phrase, statement = titles.title_phrase(pick.title, titles.names_in(record))
    if phrase and phrase.lower() in record.lower():
        # The paper writes its title in running text: a coined name, kept as written.
        phrase = squash(pick.title).split(": ")[-1]
    clauses = []
    if phrase:
        clauses.append(_subject(say, phrase, statement=statement))
    clauses.extend(filter(None, (_backing(say, pick), _leading_fact(say, pick))))
    # Translators: {clauses}: the table cell's clauses, joined as a list ("proposes …, is accepted at …").
    return say(N_("It {clauses}"), clauses=say.noun_list(clauses))


def _subject(say: Phrases, phrase: str, *, statement: bool) -> str:
    if phrase.endswith("?"):
        # Translators: a clause of a table cell; {question}: the paper's title, an English question.
        return say(N_("asks {question}"), question=phrase.rstrip("?"))
    if statement:
        # Translators: a clause of a table cell; {claim}: the paper's title, an English statement.
        return say(N_("argues that {claim}"), claim=phrase)
    if re.match(r"[a-z]+ing\b", phrase):
        # "presents distilling large teachers" reads wrongly: an activity is what a paper is about.
        # Translators: a clause of a table cell; {activity}: words of the paper's English title
        # ("distilling large teachers into compact students").
        return say(N_("is about {activity}"), activity=phrase)
    # Translators: a clause of a table cell; {method}: words of the paper's English title.
    return say(N_("presents {method}"), method=phrase)


def _backing(say: Phrases, pick: DraftPick) -> str:
    if _proves(pick):
        # Translators: a clause of a table cell.
        return say(N_("proves its result rather than benchmarking it"))
    if pick.key_number == ABSENT:
        # Translators: a clause of a table cell.
        return say(N_("gives no number in the abstract"))
    count = len(numbers.settings_of(pick.key_number))
    if count < 2:
        return ""
    speed = "×" in pick.key_number
    return say.plural(
        # Translators: a clause of a table cell; {count}: a number (a word in English).
        N_("reports a speed-up in {count} setting") if speed else N_("reports results in {count} setting"),
        N_("reports speed-ups in {count} settings") if speed else N_("reports results in {count} settings"),
        count,
        count=say.count_word(count).lower(),
    )


def _leading_fact(say: Phrases, pick: DraftPick) -> str:
    """The venue or the code, when that signal alone leads the pick's scores."""
    scores = sorted(pick.signals.values(), reverse=True)
    top = scores[0] if scores else 0.0
    alone = scores[1:2] != [top]
    if alone and pick.signals.get("venue") == top and pick.venue != ABSENT:
        # Translators: a clause of a table cell; {venue}: a venue such as "ECCV 2026".
        return say(N_("is accepted at {venue}"), venue=pick.venue)
    if alone and pick.signals.get("code") == top and pick.code_url != ABSENT:
        # Translators: a clause of a table cell.
        return say(N_("links public code"))
    return ""


def _record(pick: DraftPick) -> str:
    """The paper's own sentences its facts came from (the proposal, the key number's…)."""
    # A fact read from the title (a short name, a method) is no evidence of how the paper writes.
    return " ".join(text for text in pick.sources.values() if text != pick.title)


def _evidence_strength(say: Phrases, pick: DraftPick) -> str:
    evidence = pick.signals.get("evidence", 0.0)
    if evidence >= _STRONG:
        level = say(N_("Strong quantitative evidence"))
    elif evidence >= _SOME:
        level = say(N_("Some quantitative evidence"))
    elif pick.area == areas.THEORY:
        level = say(N_("A theory contribution; its evidence is mathematical rather than benchmark-led"))
    else:
        level = say(N_("Little quantitative evidence in the abstract"))
    # Translators: An item of the evidence list; {venue}: a venue such as "ECCV 2026".
    extras = [say(N_("accepted at {venue}"), venue=pick.venue)] if pick.venue != ABSENT else []
    extras.append(_link_phrase(say, pick))
    return say.noun_list([level, *extras])


def _link_phrase(say: Phrases, pick: DraftPick) -> str:
    if pick.code_url != ABSENT:
        return say(N_("public code"))
    if pick.demo_url != ABSENT:
        return say(N_("a public demo"))
    if pick.project_url != ABSENT:
        return say(N_("a project page"))
    return say(N_("no public code listed"))


def _decision(say: Phrases, pick: DraftPick, *, lead: bool) -> str:
    focus = _focus(say, pick)
    if focus and lead:
        # Translators: {name}: a paper's short English name; {focus}: research topics, joined with
        # "or" (English words from the paper's title, and translated topics and areas); end with them.
        return say(N_("Read {name} first if you work on {focus}."), name=pick.short_name, focus=focus)
    if focus:
        # Translators: {name}: a paper's short English name; {focus}: research topics, joined with
        # "or" (English words from the paper's title, and translated topics and areas); end with them.
        return say(N_("Read {name} if you work on {focus}."), name=pick.short_name, focus=focus)
    if lead:
        # Translators: {name}: a paper's short English name.
        return say(N_("Start with {name}: it leads today's ranking."), name=pick.short_name)
    # Translators: {name}: a paper's short English name.
    return say(N_("Read {name} if its method is close to your work."), name=pick.short_name)


#: The shipped topic terms that name a field of work ("if you work on caching"): not the
#: digest's own field, which every pick shares, nor an adjective ("score-based").
_FIELD_TERMS = ("flow matching", "distillation", "text-to-image", "video generation", "caching")
_FOCUS_LIMIT = 3


def _focus(say: Phrases, pick: DraftPick) -> str:
    """The topics a reader of ``pick`` works on: what its title says it is for, its research
    area, and the topic terms its title names, without repeating a word."""
    area = "" if pick.area in ("", areas.OTHER) else pick.area
    terms = [t for t in topics.TOPIC_TERMS if t in _FIELD_TERMS and term_pattern(t).search(pick.title)]
    chosen: list[tuple[str, str]] = []
    for english, shown in (
        (titles.title_use(pick.title), titles.title_use(pick.title)),
        (area, in_sentence(say(area)) if area else ""),
        *((term, say.topic(term)) for term in terms),
    ):
        if english and not any(_words(english) & _words(taken) for taken, _ in chosen):
            chosen.append((english, shown))
    return say.alternatives([shown for _, shown in chosen[:_FOCUS_LIMIT]])


def _words(text: str) -> set[str]:
    """The words of ``text`` that say something: "video and audio" → video, audio."""
    return {word for word in text.lower().replace("-", " ").split() if len(word) > 3}


def _is_result(pick: DraftPick) -> bool:
    """Whether the key number is what the paper proves rather than a number it measures."""
    return pick.key_number != ABSENT and "key_result" in pick.sources


def _proves(pick: DraftPick) -> bool:
    """Whether the paper's evidence is a proof: a proved key result, or a new theory paper
    without a number (a survey of theory proves nothing itself)."""
    if pick.key_number != ABSENT:
        return _is_result(pick)
    return pick.area == areas.THEORY and pick.signals.get("novelty", 0.0) >= _SOME


def _evidence_and_limits(say: Phrases, pick: DraftPick) -> str:
    parts = [
        # Translators: {venue}: a venue as the record names it, such as "ECCV 2026".
        say(N_("The paper is listed as accepted to {venue}."), venue=pick.venue)
        if pick.venue != ABSENT
        else say(N_("The record lists no venue."))
    ]
    parts.extend(_evidence(say, pick))
    # Last, because Korean ends this sentence with the URL after a colon (KOREAN.md): another
    # sentence after it would run on from the address.
    if pick.code_url != ABSENT:
        # Translators: {url}: an address; attach no particle to it (end the sentence with it after a colon).
        parts.append(say(N_("The authors link code at {url}."), url=pick.code_url))
    elif pick.project_url != ABSENT or pick.demo_url != ABSENT:
        url = pick.project_url if pick.project_url != ABSENT else pick.demo_url
        # Translators: {url}: an address; attach no particle to it (end the sentence with it after a colon).
        parts.append(say(N_("The authors link a project page at {url}."), url=url))
    else:
        parts.append(say(N_("The available record does not list public code.")))
    return " ".join(parts)


def _evidence(say: Phrases, pick: DraftPick) -> list[str]:
    """What the key number shows and how far it reaches: the settings it spans, or its limit."""
    if _proves(pick):
        mathematical = say(
            N_("The evidence is mathematical: the abstract states what it proves, not benchmark numbers.")
        )
        if pick.key_number == ABSENT:
            return [mathematical]
        # Translators: {result}: what the paper proves, in its English words; end the sentence with it.
        return [mathematical, say(N_("Its key result: {result}."), result=pick.key_number)]
    if pick.key_number == ABSENT:
        return [
            say(N_("The abstract reports no quantitative result; read the evaluation before relying on it."))
        ]
    # Translators: {key_number}: a result in a notation without words ("4.5× FLUX.1", "FID 2.3 → 1.9").
    parts = [say(N_("The most telling number: {key_number}."), key_number=pick.key_number)]
    settings = numbers.settings_of(pick.key_number)
    if len(settings) > 1:
        parts.append(
            say.plural(
                # Translators: {count}: a number (a word in English).
                N_("The evidence spans {count} setting."),
                N_("The evidence spans {count} settings."),
                len(settings),
                count=say.count_word(len(settings)).lower(),
            )
        )
    elif settings and is_small_scale(settings[0]):
        parts.append(
            # Translators: {setting}: a benchmark's English name; end the sentence with it.
            say(N_("It is measured only on a small-scale benchmark, {setting}."), setting=settings[0])
        )
        parts.append(say(N_("Check whether it holds at scale.")))
    elif settings:
        # Translators: {setting}: a model's or benchmark's English name; end the sentence with it.
        parts.append(say(N_("It is measured in one setting, {setting}."), setting=settings[0]))
        parts.append(say(N_("Check whether it transfers to other models and data.")))
    else:
        parts.append(
            say(N_("The key number names no model or benchmark; find its setting in the evaluation."))
        )
    bare_speedup = "×" in pick.key_number and not re.search(r";|:|→", pick.key_number)
    source = pick.sources.get("key_number", "")
    if bare_speedup and _QUALITY.search(source) and _QUALITY_FIGURE.search(source):
        # "human raters prefer its edits in 48% of comparisons": the quality has its figure.
        pass
    elif bare_speedup and _QUALITY.search(source):
        parts.append(
            say(
                N_(
                    "The abstract states the quality beside the speed-up in words, not figures; "
                    "check the fidelity numbers in the evaluation."
                )
            )
        )
    elif bare_speedup:
        parts.append(
            say(
                N_(
                    "The key number gives no quality figure beside the speed-up; "
                    "check what it costs in fidelity."
                )
            )
        )
    return parts
