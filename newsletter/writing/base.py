"""The contract of a writer: the prose of each pick and the intro, per locale.

A writer gets the composed draft (whose extractive text is always there to fall back on)
and the picks with their papers and facts. For each pick and locale it may return the five
fields below, and for each locale the intro; ``None`` or a missing key means "keep the
extractive text". Writers never raise for a failed request: the issue is never late, or
lost, because of a model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from newsletter.model import Draft, DraftPick, Pick

#: The keys a writer returns for a pick, and the draft field each one fills. The headline is
#: the one-line pitch of the speed-read table; the paper's own title is never rewritten.
PICK_FIELDS: Mapping[str, str] = {
    "headline": "first_read_reason",
    "decision": "decision",
    "what_it_does": "what_it_does",
    "technical_read": "technical_read",
    "evidence_and_limits": "evidence_and_limits",
}
INTRO_FIELD = "intro"


@dataclass(frozen=True, slots=True, kw_only=True)
class Usage:
    """What a writer spent on one issue."""

    requests: int = 0
    """Requests sent, retries included (cached replies cost none)."""
    tokens: int = 0
    cached: int = 0
    """Replies served from the cache."""


class Writer(ABC):
    """Writes an issue's prose; see the module's docstring for the contract."""

    @abstractmethod
    def write_pick(self, pick: Pick, composed: DraftPick, locale: str) -> Mapping[str, str] | None:
        """The fields (keys of :data:`PICK_FIELDS`) of ``pick`` in ``locale``, or None."""

    @abstractmethod
    def write_intro(self, draft: Draft, picks: tuple[Pick, ...], locale: str) -> str | None:
        """The intro of ``draft`` in ``locale``, or None."""

    @property
    def machine(self) -> bool:
        """Whether what this writer returns is machine-written (and so guarded and marked)."""
        return True

    def usage(self) -> Usage:
        return Usage()

    def close(self) -> None:  # noqa: B027 - most writers hold nothing to release
        """Release connections."""
