"""The default writer: the composed draft's own extractive text, unchanged.

:func:`newsletter.digest.compose_draft` already wrote every field from the paper's sentences,
its extracted facts and fixed translated phrases; this writer hands that text back, so a
deployment that keeps the default sees exactly what it saw before there were writers.
"""

from __future__ import annotations

from collections.abc import Mapping

from newsletter.model import Draft, DraftPick, Pick, localized
from newsletter.writing.base import PICK_FIELDS, Writer


class ExtractiveWriter(Writer):
    """See :class:`Writer`. Nothing leaves this machine and nothing is marked as machine-written."""

    def write_pick(self, pick: Pick, composed: DraftPick, locale: str) -> Mapping[str, str] | None:
        return {key: localized(getattr(composed, name), locale) for key, name in PICK_FIELDS.items()}

    def write_intro(self, draft: Draft, picks: tuple[Pick, ...], locale: str) -> str | None:
        return localized(draft.intro, locale)

    @property
    def machine(self) -> bool:
        return False
