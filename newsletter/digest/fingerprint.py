"""Fingerprints of generated text, which let a re-run tell an editor's edits from its own text.

When a draft is generated, each text field's hash is kept under its path (``title/en``,
``picks/<arxiv id>/decision/ko``, ``reading_order``, ``order``) in ``Draft.generated`` and
written to the draft file. Later, a field whose text no longer matches its hash, or that
has no hash at all (an editor added it), was edited, and merging keeps it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping

from newsletter.model import Draft, DraftPick, LocalizedText

#: DraftPick fields holding one plain string each; an editor may correct any of them.
PLAIN_FIELDS = (
    "title",
    "short_name",
    "institution",
    "venue",
    "code_url",
    "demo_url",
    "project_url",
    "key_number",
    "core_method",
    "area",
)
#: DraftPick fields holding editorial text per locale.
LOCALIZED_FIELDS = (
    "headline",
    "quote",
    "first_read_reason",
    "evidence_strength",
    "decision",
    "what_it_does",
    "technical_read",
    "evidence_and_limits",
)
ORDER = "order"
READING_ORDER = "reading_order"


def digest_of(text: str) -> str:
    """A short, stable hash of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def order_text(ids: list[str]) -> str:
    return " ".join(ids)


def reading_order_text(paragraphs: tuple[LocalizedText, ...]) -> str:
    return json.dumps([dict(p) for p in paragraphs], ensure_ascii=False, sort_keys=True)


def draft_texts(draft: Draft) -> Iterator[tuple[str, str]]:
    """Every text of ``draft`` that an editor may change, as (path, text)."""
    yield from _localized("title", draft.title)
    yield from _localized("intro", draft.intro)
    yield READING_ORDER, reading_order_text(draft.reading_order)
    yield ORDER, order_text([p.arxiv_id for p in draft.picks])
    for pick in draft.picks:
        yield from pick_texts(pick)


def pick_texts(pick: DraftPick) -> Iterator[tuple[str, str]]:
    prefix = f"picks/{pick.arxiv_id}/"
    for name in PLAIN_FIELDS:
        yield prefix + name, getattr(pick, name)
    for name in LOCALIZED_FIELDS:
        yield from _localized(prefix + name, getattr(pick, name))


def _localized(path: str, text: LocalizedText) -> Iterator[tuple[str, str]]:
    for locale, value in text.items():
        yield f"{path}/{locale}", value


def fingerprints(draft: Draft) -> dict[str, str]:
    """The hash of each of ``draft``'s texts, by path."""
    return {path: digest_of(text) for path, text in draft_texts(draft)}


def is_edited(path: str, text: str | None, generated: Mapping[str, str]) -> bool:
    """Whether ``text`` at ``path`` is an editor's: present and not what was generated there."""
    return text is not None and generated.get(path) != digest_of(text)
