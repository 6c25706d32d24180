"""Choosing the delivery backend named by ``delivery.backend``."""

from __future__ import annotations

from newsletter.config import Config
from newsletter.delivery.base import DeliveryBackend
from newsletter.delivery.outbox import OutboxBackend
from newsletter.errors import ConfigError


def create(config: Config) -> DeliveryBackend:
    """A ready backend for ``config``; its secrets are read from the environment here."""
    name = config.delivery.backend
    if name == "outbox":
        return OutboxBackend(config.outbox_dir)
    if name == "smtp":
        from newsletter.delivery.smtp import SmtpBackend

        return SmtpBackend.from_config(config)
    if name == "sendgrid":
        from newsletter.delivery.sendgrid import SendGridBackend

        return SendGridBackend.from_config(config)
    raise ConfigError("delivery.backend", f"expected outbox, smtp or sendgrid, got {name!r}")
