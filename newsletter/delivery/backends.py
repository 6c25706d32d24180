"""Choosing the delivery backend named by ``delivery.backend``."""

from __future__ import annotations

from typing import assert_never

from newsletter.config import Config
from newsletter.delivery.base import DeliveryBackend
from newsletter.delivery.outbox import OutboxBackend


def create(config: Config) -> DeliveryBackend:
    """A ready backend for ``config``; its secrets are read from the environment here."""
    # delivery.backend is a Literal checked at load, so mypy sees every choice handled here.
    match config.delivery.backend:
        case "outbox":
            return OutboxBackend(config.outbox_dir)
        case "smtp":
            from newsletter.delivery.smtp import SmtpBackend

            return SmtpBackend.from_config(config)
        case "sendgrid":
            from newsletter.delivery.sendgrid import SendGridBackend

            return SendGridBackend.from_config(config)
        case unknown:
            assert_never(unknown)
