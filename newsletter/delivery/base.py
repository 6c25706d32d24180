"""The delivery contract every backend implements.

An issue is rendered once per locale; a backend receives that rendering with a batch of
:class:`Personalization` values and fills them in per recipient (the outbox and SMTP by
string replacement, SendGrid as ``substitutions``), so nothing is rendered per recipient.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from newsletter.model import Recipient, RenderedEmail


@dataclass(frozen=True, slots=True, kw_only=True)
class Campaign:
    """What every message of one issue in one locale shares."""

    issue_id: int
    email: RenderedEmail
    sender: str
    reply_to: str | None = None
    tracking: bool = False
    """Whether the provider may count opens and clicks (``delivery.tracking``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Personalization:
    """What differs per recipient: the placeholder values and the per-recipient headers."""

    recipient: Recipient
    values: Mapping[str, str]
    """Placeholder (``model.PLACEHOLDER_*``) → value for this recipient."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """``List-Unsubscribe``, ``List-Unsubscribe-Post``, ``Message-ID``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingMessage:
    """One personalized email as a whole, for a backend that sends whole messages (SMTP, the outbox)."""

    recipient: Recipient
    subject: str
    sender: str
    reply_to: str | None
    html: str
    text: str
    headers: Mapping[str, str]
    """Extra headers: ``List-Unsubscribe``, ``List-Unsubscribe-Post``, ``Message-ID`` …"""
    issue_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchResult:
    """What the mail system said about one batch it took."""

    rejected: Mapping[int, str] = field(default_factory=dict)
    """Recipients refused one by one (subscriber id → the server's reason); every other
    recipient of the batch was accepted."""


class DeliveryBackend(Protocol):
    """Hands personalized messages to a mail system.

    ``send_batch`` returns only once the mail system has accepted every message of the batch
    that :attr:`BatchResult.rejected` does not name. Otherwise it raises
    :class:`~newsletter.errors.DeliveryError`: ``permanent`` when the same request can never
    succeed, ``fatal`` when no further request should be made (bad credentials),
    ``outcome_unknown`` when the request may have been accepted although no reply came, and
    ``accepted`` naming whoever was accepted before the error. Transient failures (rate
    limits, 5xx, timeouts, dropped connections) are retried inside ``send_batch`` a bounded
    number of times before it gives up. It may be called from :attr:`concurrency` threads at once.
    """

    name: str
    batch_size: int
    """How many personalizations one call may carry."""
    concurrency: int
    """How many calls may be in flight at once."""

    def send_batch(self, campaign: Campaign, batch: Sequence[Personalization]) -> BatchResult: ...

    def close(self) -> None: ...
