"""Choosing the delivery backend named by ``delivery.backend``."""

from __future__ import annotations

from typing import assert_never

from newsletter.config import Config
from newsletter.delivery.base import DeliveryBackend
from newsletter.delivery.outbox import OutboxBackend


def create(config: Config, *, test: bool = False) -> DeliveryBackend:
    """A ready backend for ``config``; its secrets are read from the environment here.

    Raises ConfigError or DeliveryError when the backend cannot work (a missing key, no SMTP
    host, an outbox folder that cannot be written), so a send can check before it changes
    anything. ``test`` is for test copies: the outbox puts them in ``issue-<N>-test/``.
    """
    # delivery.backend is a Literal checked at load, so mypy sees every choice handled here.
    match config.delivery.backend:
        case "outbox":
            outbox = OutboxBackend(config.outbox_dir, suffix="-test" if test else "")
            outbox.check()
            return outbox
        case "smtp":
            from newsletter.delivery.smtp import SmtpBackend

            return SmtpBackend.from_config(config)
        case "sendgrid":
            from newsletter.delivery.sendgrid import SendGridBackend

            return SendGridBackend.from_config(config)
        case unknown:
            assert_never(unknown)
