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

from newsletter.digest import areas, pick_sentences, prose, topics
from newsletter.digest.fingerprint import fingerprints
from newsletter.digest.phrases import N_, Phrases, in_sentence, localized
from newsletter.model import ABSENT, Draft, DraftPick, LocalizedText, Pick, Window
from newsletter.ranking.text import squash, term_pattern


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
    draft_picks = tuple(_draft_pick(pick, locales, lead=index == 0) for index, pick in enumerate(picks))
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
        area=in_sentence(say(area)),
        names=say.join([p.short_name for p in members]),
    )


def _by_area(picks: Sequence[DraftPick]) -> dict[str, list[DraftPick]]:
    groups: dict[str, list[DraftPick]] = {}
    for pick in picks:
        groups.setdefault(pick.area, []).append(pick)
    return groups


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
        area=in_sentence(say(area)),
        names=say.join([p.short_name for p in members]),
    )


def _draft_pick(pick: Pick, locales: Sequence[str], *, lead: bool = False) -> DraftPick:
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
    return pick_sentences.refresh_pick(with_prose, locales, lead=lead)


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


def short_name(pick: Pick) -> str:
    """How the issue names a paper: the name the ranking found (coined name, acronym, title lead-in)."""
    return pick.facts.short_name or squash(pick.paper.title)
