"""The outbox backend: one ``.eml`` file per recipient in a folder (the default).

Useful for the demo, for previews and for handing messages to another system. Each file is
written to a temporary name and renamed, so a crash never leaves half a message.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from newsletter.delivery.base import BatchResult, Campaign, Personalization
from newsletter.delivery.message import personalize, to_mime
from newsletter.errors import DeliveryError

logger = logging.getLogger(__name__)


class OutboxBackend:
    """See :class:`~newsletter.delivery.base.DeliveryBackend`."""

    name = "outbox"
    concurrency = 1

    def __init__(self, folder: Path, *, batch_size: int = 500, suffix: str = "") -> None:
        self.folder = folder
        self.batch_size = batch_size
        self.suffix = suffix
        """After ``issue-<N>`` in the folder name: ``-test`` keeps test copies apart from the issue's."""

    def send_batch(self, campaign: Campaign, batch: Sequence[Personalization]) -> BatchResult:
        target = self.folder / f"issue-{campaign.issue_id}{self.suffix}"
        target.mkdir(parents=True, exist_ok=True)
        for person in batch:
            message = to_mime(personalize(campaign, person))
            name = f"{person.recipient.subscriber_id:06d}-{_safe(person.recipient.email)}"
            if self.suffix:
                # Test copies go to the same editors again and again: each keeps a file of its own.
                name += f"-{secrets.token_hex(4)}"
            path = target / f"{name}.eml"
            temporary = path.with_suffix(".eml.tmp")
            temporary.write_bytes(bytes(message))
            os.replace(temporary, path)
        logger.debug("wrote %d messages to %s", len(batch), target)
        return BatchResult()

    def close(self) -> None:
        pass

    def check(self) -> None:
        """Raise DeliveryError now if the folder cannot be written, before a send changes anything."""
        existing = next((p for p in (self.folder, *self.folder.parents) if p.exists()), Path("."))
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise DeliveryError(
                f"delivery.outbox_dir: cannot write to {self.folder} ({existing} is not a writable folder)",
                permanent=True,
            )


def _safe(email: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", email)[:100]
