"""Choosing the delivery backend named by ``delivery.backend``."""

from __future__ import annotations

from newsletter.config import Config
from newsletter.delivery.base import DeliveryBackend
from newsletter.delivery.outbox import OutboxBackend
from newsletter.errors import ConfigError


def create(config: Config, *, test: bool = False) -> DeliveryBackend:
    """A ready backend for ``config``; its secrets are read from the environment here.

    Raises ConfigError or DeliveryError when the backend cannot work (a missing key, no SMTP
    host, an outbox folder that cannot be written), so a send can check before it changes
    anything. ``test`` is for test copies: the outbox puts them in ``issue-<N>-test/``.
    """
    name = config.delivery.backend
    if name == "outbox":
        outbox = OutboxBackend(config.outbox_dir, suffix="-test" if test else "")
        outbox.check()
        return outbox
    if name == "smtp":
        from newsletter.delivery.smtp import SmtpBackend

        return SmtpBackend.from_config(config)
    if name == "sendgrid":
        from newsletter.delivery.sendgrid import SendGridBackend

        return SendGridBackend.from_config(config)
    raise ConfigError("delivery.backend", f"expected outbox, smtp or sendgrid, got {name!r}")
