"""Merge an editor's draft with a freshly generated one: never clobber an edit.

A text counts as edited when it differs from the hash recorded for it when it was
generated (see :mod:`newsletter.digest.fingerprint`); edited texts are kept, untouched
ones take the fresh text. When the editor rewrote a field's English text, its untouched
generated translations are dropped rather than refreshed, so every locale shows the
editor's words (English until the editor adds a translation).

The editor's ``pinned``, ``excluded`` and ``approved`` always win. The picks follow the
fresh ranking (which already honours pins and exclusions) unless the editor reordered the
file's picks, in which case that order is kept. A pick the fresh ranking no longer makes
is kept when the editor edited it, and dropped otherwise.

Edits flow through: when the editor corrected a fact (``venue``, ``key_number``,
``short_name``…), the generated sentences that state it are written again from the corrected
facts, unless the editor rewrote those sentences too; the same goes for the reading order and
for the short names in the introduction. The only generated text that states a pick's place
is the first pick's decision ("read it first"): a reordering rewrites the decisions of the
picks that moved into or out of the first place, unless the editor rewrote them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from newsletter.digest import compose, pick_sentences
from newsletter.digest.fingerprint import (
    LOCALIZED_FIELDS,
    ORDER,
    PLAIN_FIELDS,
    READING_ORDER,
    digest_of,
    draft_texts,
    fingerprints,
    is_edited,
    order_text,
    pick_texts,
    reading_order_text,
)
from newsletter.model import Draft, DraftPick, LocalizedText

logger = logging.getLogger(__name__)


def merge_drafts(edited: Draft, fresh: Draft) -> Draft:
    """``fresh`` with every edit of ``edited`` carried over (see the module's docstring)."""
    known = edited.generated
    kept = {p.arxiv_id: p for p in edited.picks}
    picks = [
        _merge_pick(kept[p.arxiv_id], p, known, lead=index == 0) if p.arxiv_id in kept else p
        for index, p in enumerate(fresh.picks)
    ]
    picks += _orphans(edited, fresh)
    # Only the first pick's decision says "read it first": a pick that moved is told so.
    ordered = pick_sentences.placed(_order(picks, edited, known), _locales(fresh))
    reading_order = fresh.reading_order
    if is_edited(READING_ORDER, reading_order_text(edited.reading_order), known):
        reading_order = edited.reading_order
    elif ordered != fresh.picks:
        reading_order = compose.reading_order(ordered, _locales(fresh))
    merged = replace(
        fresh,
        title=_merge_text("title", edited.title, fresh.title, known),
        intro=_merge_text("intro", edited.intro, _renamed(fresh.intro, fresh.picks, ordered), known),
        picks=ordered,
        reading_order=reading_order,
        pinned=edited.pinned,
        excluded=edited.excluded,
        approved=edited.approved,
    )
    return replace(merged, generated=_generated(merged, edited, fresh))


def _locales(draft: Draft) -> tuple[str, ...]:
    """The locales the draft was generated in: every locale of its generated texts."""
    found = {path.rsplit("/", 1)[-1] for path in draft.generated if path.startswith(("title/", "intro/"))}
    return ("en", *sorted(found - {"en"}))


def _renamed(
    intro: LocalizedText, fresh: tuple[DraftPick, ...], merged: tuple[DraftPick, ...]
) -> LocalizedText:
    """The generated introduction with the editor's short names in place of the generated ones.

    The introduction inserts short names verbatim, so each can be swapped for its correction.
    """
    names = {p.arxiv_id: p.short_name for p in merged}
    swaps = [
        (p.short_name, names[p.arxiv_id])
        for p in fresh
        if names.get(p.arxiv_id, p.short_name) != p.short_name
    ]
    if not swaps:
        return intro
    renamed = dict(intro)
    for old, new in swaps:
        renamed = {locale: text.replace(old, new) for locale, text in renamed.items()}
    return renamed


def _generated(merged: Draft, edited: Draft, fresh: Draft) -> dict[str, str]:
    """The fingerprints of what was generated: the fresh draft's, and those of the texts
    written again from an editor's facts, while an editor's own text keeps counting as edited."""
    known = dict(fresh.generated)
    editors = dict(draft_texts(edited))
    for path, digest in fingerprints(merged).items():
        if path in known and not is_edited(path, editors.get(path), edited.generated):
            known[path] = digest
    return known


def _merge_text(
    path: str, edited: LocalizedText, fresh: LocalizedText, known: Mapping[str, str]
) -> LocalizedText:
    mine = {loc: text for loc, text in edited.items() if is_edited(f"{path}/{loc}", text, known)}
    if "en" in mine:
        # A generated translation of the text the editor replaced would contradict it:
        # readers of that locale get the editor's words (English, or their own translation).
        return mine
    return {**fresh, **mine}


def _merge_pick(edited: DraftPick, fresh: DraftPick, known: Mapping[str, str], *, lead: bool) -> DraftPick:
    prefix = f"picks/{fresh.arxiv_id}/"
    facts: dict[str, object] = {}
    for name in PLAIN_FIELDS:
        text = getattr(edited, name)
        if is_edited(prefix + name, text, known):
            facts[name] = text
    if facts:
        # The sentences that state the facts follow the editor's corrections.
        corrected = replace(fresh, **facts)  # type: ignore[arg-type]
        locales = tuple(fresh.decision) or ("en",)
        fresh = pick_sentences.refresh_pick(corrected, locales, lead=lead)
    changes = {
        name: _merge_text(prefix + name, getattr(edited, name), getattr(fresh, name), known)
        for name in LOCALIZED_FIELDS
    }
    return replace(fresh, **changes)  # type: ignore[arg-type]


def _has_edits(pick: DraftPick, known: Mapping[str, str]) -> bool:
    return any(is_edited(path, text, known) for path, text in pick_texts(pick))


def _orphans(edited: Draft, fresh: Draft) -> list[DraftPick]:
    """The editor's picks the fresh ranking dropped, kept when the editor worked on them."""
    current = {p.arxiv_id for p in fresh.picks} | set(fresh.excluded) | set(edited.excluded)
    orphans = [p for p in edited.picks if p.arxiv_id not in current and _has_edits(p, edited.generated)]
    for pick in orphans:
        logger.warning("keeping edited pick %s that the ranking no longer chooses", pick.arxiv_id)
    return orphans


def _order(picks: list[DraftPick], edited: Draft, known: Mapping[str, str]) -> list[DraftPick]:
    """Pinned first; then the editor's order if they reordered the file, else the fresh one."""
    ids = [p.arxiv_id for p in edited.picks]
    reordered = known.get(ORDER) not in (None, digest_of(order_text(ids)))
    pinned = {arxiv_id: place for place, arxiv_id in enumerate(edited.pinned)}
    position = {arxiv_id: place for place, arxiv_id in enumerate(ids)} if reordered else {}
    fresh_place = {p.arxiv_id: place for place, p in enumerate(picks)}

    def key(pick: DraftPick) -> tuple[int, int, int]:
        if pick.arxiv_id in pinned:
            return (0, pinned[pick.arxiv_id], 0)
        return (1, position.get(pick.arxiv_id, len(ids)), fresh_place[pick.arxiv_id])

    return sorted(picks, key=key)
