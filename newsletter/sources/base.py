"""The contract every source of papers implements."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from newsletter.model import Paper


class PaperSource(Protocol):
    """Delivers every paper of the configured categories and query submitted in a span.

    ``fetch`` returns the complete set — all pages, nothing silently truncated — or raises
    :class:`~newsletter.errors.SourceError`; it never returns a partial or empty result for a
    failure, so a failed gathering leaves the window to the next run.
    """

    def fetch(self, *, submitted_after: datetime, submitted_before: datetime) -> list[Paper]: ...
