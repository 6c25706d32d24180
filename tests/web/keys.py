"""A SendGrid-style webhook key pair made in the test, and requests signed with it."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from newsletter.web.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER


@dataclass
class WebhookKey:
    private: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    @property
    def public_b64(self) -> str:
        """The form SendGrid shows in its settings: base64 of the DER SubjectPublicKeyInfo."""
        der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def headers(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.private.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            SIGNATURE_HEADER: base64.b64encode(signature).decode(),
            TIMESTAMP_HEADER: stamp,
            "Content-Type": "application/json",
        }


def body_of(events: list[dict[str, Any]]) -> bytes:
    return json.dumps(events).encode()


def event(kind: str, event_id: str, **fields: Any) -> dict[str, Any]:
    """One event as SendGrid posts it, custom args at the top level as strings."""
    return {"event": kind, "sg_event_id": event_id, "timestamp": 1_782_900_000, **fields}
