"""Generate an issue's draft from its picks: every field filled, nothing invented.

The text is assembled from two kinds of material only: the paper's own sentences and the
facts extracted verbatim from its record (:mod:`newsletter.ranking.facts`), joined by
fixed translatable phrases (:mod:`newsletter.digest.phrases`) chosen from the signals.
"What it does" and "Technical read" quote the abstract, so they stay in its language;
every other generated text is produced in each configured locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, tzinfo
from functools import partial

from newsletter.digest import areas, prose, topics
from newsletter.digest.fingerprint import fingerprints
from newsletter.digest.phrases import N_, Phrases, localized
from newsletter.model import ABSENT, Draft, DraftPick, LocalizedText, Pick, Window
from newsletter.ranking.text import squash, term_pattern

_SIGNAL_NAMES = {
    "topic": N_("topic relevance"),
    "novelty": N_("method novelty"),
    "venue": N_("venue or lab signal"),
    "evidence": N_("concrete evidence"),
    "code": N_("public code"),
}
_STRONG, _SOME = 0.6, 0.3


def compose_draft(
    picks: Sequence[Pick],
    *,
    window: Window,
    issue_date: date,
    candidates: int,
    locales: Sequence[str],
    tz: tzinfo = UTC,
    topic_terms: Sequence[str] = (),
    generated_at: datetime | None = None,
) -> Draft:
    """The draft of the issue that features ``picks`` in this order.

    ``tz`` is the display time zone for the window in the intro; ``topic_terms`` name the
    issue in its title (the most common term among the picks; "research" without them).
    """
    topic = _issue_topic(picks, topic_terms)
    draft_picks = tuple(_draft_pick(pick, locales) for pick in picks)
    draft = Draft(
        issue_date=issue_date,
        window=window,
        title=localized(locales, lambda say: _title(say, len(picks), topic, issue_date)),
        intro=localized(locales, lambda say: _intro(say, draft_picks, topic, window, candidates, tz)),
        picks=draft_picks,
        reading_order=_reading_order(draft_picks, locales),
        generated_at=generated_at or datetime.now(UTC).replace(microsecond=0),
    )
    return _with_fingerprints(draft)


def _with_fingerprints(draft: Draft) -> Draft:
    return replace(draft, generated=fingerprints(draft))


def _issue_topic(picks: Sequence[Pick], terms: Sequence[str]) -> str:
    counts = [
        (sum(bool(term_pattern(t).search(f"{p.paper.title} {p.paper.abstract}")) for p in picks), -i, t)
        for i, t in enumerate(terms)
    ]
    best = max(counts, default=(0, 0, ""))
    return best[2] if best[0] else topics.GENERAL


def _title(say: Phrases, count: int, topic: str, issue_date: date) -> str:
    if not count:
        # Translators: {date}: the issue's date in the catalog's long date format.
        return say(N_("No new papers: {date}"), date=say.date(issue_date))
    return say.plural(
        # Translators: {count}: a number (a word in English); {topic}: the translated topic term; {date}: the
        # issue's date.
        N_("{count} {topic} paper: {date}"),
        N_("{count} {topic} papers: {date}"),
        count,
        count=say.count_word(count),
        topic=say.topic(topic),
        date=say.date(issue_date),
    )


def _intro(
    say: Phrases, picks: Sequence[DraftPick], topic: str, window: Window, candidates: int, tz: tzinfo
) -> str:
    if not picks:
        # An empty window (a weekend, a holiday) with schedule.empty_window = "note".
        return say(
            N_(
                "arXiv announced no new papers in our categories for this window. "
                "Papers that appear late are not lost: the next issue picks them up."
            )
        )
    names = say.join([p.short_name for p in picks])
    lead = say.plural(
        # Translators: {topic}: the translated topic term; {day}: a long date; {names}: the papers' short
        # English names, joined as a list.
        N_("Today's digest features one {topic} paper from the {day} arXiv window: {names}."),
        N_("Today's digest prioritizes {count} {topic} papers from the {day} arXiv window: {names}."),
        len(picks),
        count=say.count_word(len(picks)).lower(),
        topic=say.topic(topic),
        day=say.date(window.end.astimezone(tz).date()),
        names=names,
    )
    # The window itself is stated once, by the email's own translated window note.
    span = say(N_("{candidates} new papers were considered for this issue."), candidates=candidates)
    method = say(
        N_(
            "The ranking weighs topic relevance, method novelty, venue or lab signal, concrete evidence "
            "and public code, and keeps the picks from crowding into one sub-topic."
        )
    )
    return "\n\n".join(filter(None, (lead, span + " " + method, _cluster(say, picks))))


def _cluster(say: Phrases, picks: Sequence[DraftPick]) -> str:
    # Only a specific area that clearly leads is a cluster: "Other methods" is no topic, and two
    # areas of two papers each make neither the strongest.
    sizes = sorted((len(members) for members in _by_area(picks).values()), reverse=True)
    groups = {area: members for area, members in _by_area(picks).items() if area != areas.OTHER}
    area, members = max(groups.items(), key=lambda item: len(item[1]), default=("", []))
    if len(members) < 2 or sizes[1:2] == [len(members)]:
        return ""
    return say(
        # Translators: {area}: a translated research area; {names}: the papers' short English names, joined as
        # a list.
        N_("Today's strongest cluster is {area}: {names}."),
        area=_in_sentence(say(area)),
        names=say.join([p.short_name for p in members]),
    )


def _by_area(picks: Sequence[DraftPick]) -> dict[str, list[DraftPick]]:
    groups: dict[str, list[DraftPick]] = {}
    for pick in picks:
        groups.setdefault(pick.area, []).append(pick)
    return groups


def _in_sentence(area: str) -> str:
    """An area name inside a sentence: "Inference acceleration" → "inference acceleration"."""
    return area[:1].lower() + area[1:] if area[1:2].islower() else area


def reading_order(picks: Sequence[DraftPick], locales: Sequence[str]) -> tuple[LocalizedText, ...]:
    """One paragraph per research area, in the order the areas first appear among ``picks``."""
    return _reading_order(picks, locales)


def _reading_order(picks: Sequence[DraftPick], locales: Sequence[str]) -> tuple[LocalizedText, ...]:
    return tuple(
        localized(locales, partial(_area_paragraph, area=area, members=members))
        for area, members in _by_area(picks).items()
    )


def _area_paragraph(say: Phrases, *, area: str, members: Sequence[DraftPick]) -> str:
    # Key numbers stand in the speed-read table: the reading order only says where to start.
    return say(
        # Translators: {area}: a translated research area; {names}: the papers' short English names, joined as
        # a list.
        N_("For {area}, read {names}."),
        area=_in_sentence(say(area)),
        names=say.join([p.short_name for p in members]),
    )


def _draft_pick(pick: Pick, locales: Sequence[str]) -> DraftPick:
    paper, facts = pick.paper, pick.facts
    base = DraftPick(
        arxiv_id=paper.arxiv_id,
        title=squash(paper.title),
        short_name=short_name(pick),
        url=paper.abs_url,
        authors=tuple(a.name for a in paper.authors),
        institution=facts.institution or ABSENT,
        venue=facts.venue or ABSENT,
        code_url=facts.code_url or ABSENT,
        demo_url=facts.demo_url or ABSENT,
        project_url=facts.project_url or ABSENT,
        key_number=facts.key_number or ABSENT,
        core_method=facts.core_method or ABSENT,
        area=areas.area_of(paper),
        score=pick.score,
        signals=dict(pick.signals),
        sources=dict(facts.sources),
        reasons=tuple(pick.reasons),
    )
    chosen = prose.sections(
        title=paper.title, abstract=paper.abstract, authors=[a.name for a in paper.authors]
    )
    what = chosen.what_it_does or pick.facts.summary or squash(paper.title)
    with_prose = replace(
        base,
        headline={"en": chosen.headline} if chosen.headline else {},
        quote={"en": chosen.quote} if chosen.quote else {},
        what_it_does={"en": what},
        technical_read=_technical_read(chosen, locales),
    )
    return refresh_pick(with_prose, locales)


def _technical_read(chosen: prose.Sections, locales: Sequence[str]) -> LocalizedText:
    """The mechanism in the abstract's words; or, when the abstract says nothing more about how
    the method works than its method sentence, the problem it answers, said to be the problem."""
    text = chosen.technical_read
    if not text:
        return {}
    if not chosen.technical_is_problem:
        return {"en": text}
    return localized(
        locales,
        # Translators: {problem}: an English sentence of the abstract stating the problem; it follows
        # the colon unchanged.
        lambda say: say(N_("The problem it sets out to solve: {problem}"), problem=text),
    )


#: The generated texts that state a pick's facts (venue, key number, short name, links…),
#: which :func:`refresh_pick` rewrites when an editor corrects a fact.
FACT_TEXTS = ("first_read_reason", "evidence_strength", "decision", "evidence_and_limits")


def refresh_pick(pick: DraftPick, locales: Sequence[str]) -> DraftPick:
    """``pick`` with the texts in :data:`FACT_TEXTS` written from its current facts."""
    return replace(
        pick,
        first_read_reason=localized(locales, lambda say: _first_read_reason(say, pick)),
        evidence_strength=localized(locales, lambda say: _evidence_strength(say, pick)),
        decision=localized(locales, lambda say: _decision(say, pick)),
        evidence_and_limits=localized(locales, lambda say: _evidence_and_limits(say, pick)),
    )


def short_name(pick: Pick) -> str:
    """How the issue names a paper: the name the ranking found (coined name, acronym, title lead-in)."""
    return pick.facts.short_name or squash(pick.paper.title)


def _first_read_reason(say: Phrases, pick: DraftPick) -> str:
    # The table's row already shows the key number, and the paper's section its headline and
    # method: the reason says why the ranking put it here. No "ranks #2 of 45": an editor may
    # reorder the picks, and the table numbers them anyway.
    # Equal signals keep the canonical order (topic first), not the alphabet's.
    order = list(_SIGNAL_NAMES)
    leading = sorted(order, key=lambda name: (-pick.signals.get(name, 0.0), order.index(name)))[:2]
    return say(
        # Translators: {strengths}: two translated signal names joined as a list.
        N_("It stands out on {strengths}."),
        strengths=say.join([say(_SIGNAL_NAMES[name]) for name in leading]),
    )


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


def _decision(say: Phrases, pick: DraftPick) -> str:
    return say(
        # Translators: {name}: a paper's short English name; {area}: a translated research area.
        N_("Read {name} first if your work touches {area}."),
        name=pick.short_name,
        area=_in_sentence(say(pick.area)),
    )


def _evidence_and_limits(say: Phrases, pick: DraftPick) -> str:
    parts = [
        # Translators: {venue}: a venue as the record names it, such as "ECCV 2026".
        say(N_("The paper is listed as accepted to {venue}."), venue=pick.venue)
        if pick.venue != ABSENT
        else say(N_("The record lists no venue."))
    ]
    if pick.key_number != ABSENT:
        # Translators: {key_number}: an English phrase from the abstract.
        parts.append(say(N_("The most telling number: {key_number}."), key_number=pick.key_number))
        parts.append(say(N_("Check whether it holds beyond the settings the abstract names.")))
    else:
        parts.append(
            say(N_("The abstract reports no quantitative result; read the evaluation before relying on it."))
        )
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
