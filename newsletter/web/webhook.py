"""SendGrid's Event Webhook at ``POST /webhooks/sendgrid``, verified before anything is parsed.

SendGrid signs ``timestamp + raw body`` with ECDSA (P-256, SHA-256) and sends the base64 DER
signature and the timestamp in ``X-Twilio-Email-Event-Webhook-Signature`` and ``-Timestamp``.
A bad signature, or a timestamp outside ``delivery.sendgrid.webhook_tolerance_seconds`` (a
replayed request), gets 403; a body that is not a batch of events gets 400; either way nothing
changes, because a whole batch is applied in one transaction or not at all.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from newsletter.config import SendgridSection
from newsletter.errors import ConfigError, InputError
from newsletter.store import Database
from newsletter.web.events import EventOutcome, ProviderEvent, apply_events, parse_events

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
KEY_SETTING = "delivery.sendgrid.webhook_public_key"
WEBHOOK_PATH = "/webhooks/sendgrid"
#: SendGrid batches events; even a large batch is far below this. The app's
#: :class:`~newsletter.web.body.BodyLimit` enforces it while the body streams in.
MAX_BODY_BYTES = 8 * 1024 * 1024


class SignatureError(InputError):
    """A webhook request whose signature or timestamp does not verify."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureVerifier:
    """Checks SendGrid's signature with the public key shown in its webhook settings."""

    public_key: ec.EllipticCurvePublicKey
    tolerance_seconds: int

    @classmethod
    def from_key(cls, key: str, *, tolerance_seconds: int) -> SignatureVerifier:
        """From SendGrid's base64 DER key (a PEM block works too); ConfigError when it is not one."""
        try:
            if key.lstrip().startswith("-----BEGIN"):
                loaded = serialization.load_pem_public_key(key.encode())
            else:
                loaded = serialization.load_der_public_key(base64.b64decode(key.strip(), validate=True))
        except (ValueError, binascii.Error, UnsupportedAlgorithm):
            raise ConfigError(KEY_SETTING, "expected SendGrid's base64 verification key") from None
        if not isinstance(loaded, ec.EllipticCurvePublicKey) or loaded.curve.name != "secp256r1":
            raise ConfigError(KEY_SETTING, "expected an ECDSA P-256 public key")
        if tolerance_seconds < 1:
            raise ConfigError("delivery.sendgrid.webhook_tolerance_seconds", "expected a positive number")
        return cls(public_key=loaded, tolerance_seconds=tolerance_seconds)

    def verify(self, *, signature: str, timestamp: str, body: bytes, now: datetime) -> None:
        """Return quietly for a genuine, fresh request; raise SignatureError otherwise."""
        if not re.fullmatch(r"[0-9]{1,12}", timestamp):
            raise SignatureError("webhook: missing or malformed timestamp")
        if abs(now.timestamp() - int(timestamp)) > self.tolerance_seconds:
            raise SignatureError("webhook: timestamp outside the tolerance")
        try:
            raw = base64.b64decode(signature, validate=True)
            self.public_key.verify(raw, timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        except (binascii.Error, ValueError, InvalidSignature):
            raise SignatureError("webhook: the signature does not verify") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class SendGridWebhook:
    """The handler behind ``/webhooks/sendgrid``."""

    db: Database
    verifier: SignatureVerifier | None
    """None when no key is configured: every request is then refused."""
    soft_bounce_threshold: int
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    @classmethod
    def from_config(cls, section: SendgridSection, db: Database) -> SendGridWebhook:
        verifier = None
        if section.webhook_public_key:
            verifier = SignatureVerifier.from_key(
                section.webhook_public_key, tolerance_seconds=section.webhook_tolerance_seconds
            )
        else:
            logger.warning("%s is not set: the SendGrid webhook refuses every request", KEY_SETTING)
        if section.soft_bounce_threshold < 1:
            raise ConfigError("delivery.sendgrid.soft_bounce_threshold", "expected a positive number")
        return cls(db=db, verifier=verifier, soft_bounce_threshold=section.soft_bounce_threshold)

    def routes(self) -> list[Route]:
        return [Route(WEBHOOK_PATH, self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        if self.verifier is None:
            # 503 rather than 403: SendGrid retries, so events survive until a key is configured.
            return PlainTextResponse("webhook verification key not configured", status_code=503)
        # Bounded by the app's BodyLimit middleware, which refuses a larger body with 413.
        body = await request.body()
        try:
            self.verifier.verify(
                signature=request.headers.get(SIGNATURE_HEADER, ""),
                timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
                body=body,
                now=self.clock(),
            )
        except SignatureError as error:
            logger.warning("refused a SendGrid webhook request: %s", error)
            return PlainTextResponse("forbidden", status_code=403)
        try:
            events = parse_events(body)
        except InputError as error:
            logger.warning("refused a SendGrid webhook batch: %s", error)
            return PlainTextResponse(str(error), status_code=400)
        outcome = await run_in_threadpool(self._store, events)
        logger.info(
            "webhook: %d events, %d duplicates, %d status changes",
            outcome.received,
            outcome.duplicates,
            outcome.status_changes,
        )
        return PlainTextResponse("ok")

    def _store(self, events: list[ProviderEvent]) -> EventOutcome:
        # SendGrid may deliver the same batch twice at once; on PostgreSQL the second
        # transaction then trips over the first one's event ids, and a retry skips them.
        return self.db.retrying(
            lambda session: apply_events(session, events, soft_bounce_threshold=self.soft_bounce_threshold)
        )
