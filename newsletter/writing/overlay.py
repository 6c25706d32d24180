"""Lay a writer's text over the composed draft, field by field, behind the fact guard.

A field the writer wrote and the guard passed replaces the extractive text and is marked
(``machine``); a field the guard rejected keeps the extractive text, and the pick's
``guard`` note says why. After a merge with an editor's file, :func:`settle` drops the marks
of texts the editor has since rewritten: those are the editor's, not the machine's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from newsletter.digest.fingerprint import LOCALIZED_FIELDS, digest_of, fingerprints, is_edited
from newsletter.model import ABSENT, Draft, DraftPick, LocalizedText, Pick
from newsletter.writing import guard
from newsletter.writing.base import PICK_FIELDS, Writer

_INTRO = "intro"


@dataclass(frozen=True, slots=True, kw_only=True)
class WritingReport:
    """What the writing step did to one draft."""

    machine: int = 0
    """Fields now machine-written (each locale counts)."""
    rejected: int = 0
    """Fields the fact guard sent back to the extractive text."""
    tokens: int = 0
    requests: int = 0
    cached: int = 0


def overlay(
    draft: Draft, picks: Sequence[Pick], writer: Writer, locales: Sequence[str]
) -> tuple[Draft, WritingReport]:
    """``draft`` with ``writer``'s guarded text; the fingerprints cover the new text."""
    by_id = {pick.paper.arxiv_id: pick for pick in picks}
    records = {arxiv_id: guard.record_of(p.paper, p.facts) for arxiv_id, p in by_id.items()}
    tally = [0, 0]
    new_picks = tuple(
        _pick(composed, by_id[composed.arxiv_id], records[composed.arxiv_id], writer, locales, tally)
        if composed.arxiv_id in by_id
        else composed
        for composed in draft.picks
    )
    draft = replace(draft, picks=new_picks)
    if new_picks:
        everything = guard.merged(list(records.values()))
        draft = _intro(draft, tuple(by_id.values()), everything, writer, locales, tally)
    usage = writer.usage()
    report = WritingReport(
        machine=tally[0], rejected=tally[1], tokens=usage.tokens, requests=usage.requests, cached=usage.cached
    )
    return replace(draft, generated=fingerprints(draft)), report


def _pick(
    composed: DraftPick,
    pick: Pick,
    record: guard.Record,
    writer: Writer,
    locales: Sequence[str],
    tally: list[int],
) -> DraftPick:
    texts = {name: dict(getattr(composed, name)) for name in PICK_FIELDS.values()}
    machine: list[str] = []
    notes: list[str] = []
    for locale in locales:
        written = writer.write_pick(pick, composed, locale) or {}
        for key, name in PICK_FIELDS.items():
            text = written.get(key)
            if not text:
                continue
            problems = guard.check(text, record)
            if problems:
                notes.append(f"{name}.{locale} rejected: {problems[0]}")
                tally[1] += 1
            else:
                texts[name][locale] = text
                machine.append(f"{name}.{locale}")
                tally[0] += 1
    return replace(composed, **texts, machine=tuple(machine), guard=tuple(notes))  # type: ignore[arg-type]


def _intro(
    draft: Draft,
    picks: tuple[Pick, ...],
    record: guard.Record,
    writer: Writer,
    locales: Sequence[str],
    tally: list[int],
) -> Draft:
    # The extractive intro and title are the program's own true sentences (the date, the count
    # of candidates): an intro may repeat what they say.
    record = guard.merged([record], extra=[*draft.intro.values(), *draft.title.values()])
    intro = dict(draft.intro)
    machine: list[str] = []
    notes: list[str] = []
    for locale in locales:
        text = writer.write_intro(draft, picks, locale)
        if not text:
            continue
        problems = guard.check(text, record)
        if problems:
            notes.append(f"{_INTRO}.{locale} rejected: {problems[0]}")
            tally[1] += 1
        else:
            intro[locale] = text
            machine.append(f"{_INTRO}.{locale}")
            tally[0] += 1
    return replace(draft, intro=intro, machine=tuple(machine), guard=tuple(notes))


def settle(draft: Draft) -> Draft:
    """``draft`` with only the marks and notes of texts still as the writing step left them."""
    known = draft.generated

    def unchanged(path: str, text: LocalizedText, mark: str) -> bool:
        locale = mark.partition(" ")[0].rpartition(".")[2]
        value = text.get(locale)
        return value is not None and known.get(f"{path}/{locale}") == digest_of(value)

    def kept(pick: DraftPick, marks: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(
            mark
            for mark in marks
            if (name := mark.partition(".")[0]) in LOCALIZED_FIELDS
            and unchanged(f"picks/{pick.arxiv_id}/{name}", getattr(pick, name), mark)
        )

    return replace(
        draft,
        picks=tuple(replace(p, machine=kept(p, p.machine), guard=kept(p, p.guard)) for p in draft.picks),
        machine=tuple(m for m in draft.machine if unchanged(_INTRO, draft.intro, m)),
        guard=tuple(n for n in draft.guard if unchanged(_INTRO, draft.intro, n)),
    )


def edit_warnings(draft: Draft, records: Mapping[str, guard.Record]) -> Iterator[str]:
    """The guard's warnings on texts an editor wrote, with where they are.

    The guard never blocks an edit: it says "the record does not say 4.1×" so the editor can
    look again before approving. A pick without a stored record is checked against the facts
    in the draft itself.
    """
    for pick in draft.picks:
        record = records.get(pick.arxiv_id) or draft_record(pick)
        for name in LOCALIZED_FIELDS:
            for locale, text in getattr(pick, name).items():
                if not is_edited(f"picks/{pick.arxiv_id}/{name}/{locale}", text, draft.generated):
                    continue
                for problem in guard.check(text, record):
                    yield f"{pick.short_name}, {name.replace('_', ' ')} ({locale}): {problem}"


def draft_record(pick: DraftPick) -> guard.Record:
    """A record from what the draft knows of a pick: its title, authors and facts."""
    facts = (
        pick.institution,
        pick.venue,
        pick.code_url,
        pick.demo_url,
        pick.project_url,
        pick.key_number,
        pick.core_method,
    )
    return guard.Record(
        texts=(pick.title, pick.short_name, pick.url, *pick.authors, *facts),
        own_names=(pick.title, pick.short_name),
        venues=(pick.venue,) if pick.venue not in ("", ABSENT) else (),
    )
