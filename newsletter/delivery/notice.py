"""Sending one notice (a sign-up's confirmation or welcome) through the configured backend.

A notice belongs to no issue, so it has no send record: it goes out at once, as one message,
and an error reaches the caller, whose transaction then stores nothing. The outbox backend
writes notices to ``<outbox>/notices/``, one file each, named so that none overwrites another.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import UTC, datetime

from newsletter.config import Config
from newsletter.delivery import backends
from newsletter.delivery.base import Campaign, Personalization
from newsletter.delivery.message import campaign_for, personalize, sender_domain, to_mime
from newsletter.delivery.outbox import OutboxBackend
from newsletter.errors import DeliveryError
from newsletter.model import Recipient, RenderedEmail

logger = logging.getLogger(__name__)

NOTICES_FOLDER = "notices"


def send_notice(config: Config, email: RenderedEmail, *, to: str, kind: str) -> None:
    """Send ``email`` to ``to``; DeliveryError when the mail system did not take it."""
    newsletter = config.newsletter
    # Issue 0 names no issue: a preference link signed for it is valid and belongs to none.
    campaign = campaign_for(config, 0, email, tracked=False)
    unique = f"<{kind}-{secrets.token_hex(8)}@{sender_domain(newsletter.sender)}>"
    person = Personalization(
        recipient=Recipient(subscriber_id=0, email=to, locale=email.locale),
        values={},
        headers={"Message-ID": unique},
    )
    if config.delivery.backend == "outbox":
        _write(config, campaign, person, kind)
        return
    backend = backends.create(config)
    try:
        result = backend.send_batch(campaign, [person])
    finally:
        backend.close()
    if result.rejected:
        raise DeliveryError(f"{kind} email: refused by the mail system", permanent=True)
    logger.info("sent a %s email through %s", kind, backend.name)


def _write(config: Config, campaign: Campaign, person: Personalization, kind: str) -> None:
    folder = config.outbox_dir / NOTICES_FOLDER
    OutboxBackend(folder).check()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{kind}-{secrets.token_hex(4)}.eml"
    temporary = path.with_suffix(".eml.tmp")
    temporary.write_bytes(bytes(to_mime(personalize(campaign, person))))
    os.replace(temporary, path)
    logger.debug("wrote a %s email to %s", kind, path)
