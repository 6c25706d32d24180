"""Unsubscribe tokens: opaque, HMAC-signed, one per recipient and issue.

The signing key comes from ``NEWSLETTER_SIGNING_KEY``. To rotate it without breaking the links
in issues already sent, move the old key to ``NEWSLETTER_SIGNING_KEYS_OLD`` (comma-separated):
new tokens are signed with the current key, and every listed key still verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from newsletter.errors import ConfigError, InputError

KEY_ENV = "NEWSLETTER_SIGNING_KEY"
OLD_KEYS_ENV = "NEWSLETTER_SIGNING_KEYS_OLD"
_MAC_BYTES = 16
_URLSAFE = bytes.maketrans(b"+/", b"-_")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")

UNSUBSCRIBE_PATH = "/u/"
"""Where the web app serves a token's unsubscribe page: this path, then the token."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenSubject:
    """Who and which issue a token speaks for."""

    subscriber_id: int
    issue_id: int


@dataclass(frozen=True, slots=True)
class Signer:
    """Signs with the first key and verifies with any of them."""

    keys: Sequence[bytes]
    _keyed: tuple[hmac.HMAC, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.keys or any(len(key) < 16 for key in self.keys):
            raise ConfigError(KEY_ENV, "expected a signing key of at least 16 characters")
        # Keyed once, copied per token: a send signs one token per recipient, and for a
        # payload this short, keying (hashing the padded key twice) is much of an HMAC's work.
        keyed = tuple(hmac.new(key, digestmod=hashlib.sha256) for key in self.keys)
        object.__setattr__(self, "_keyed", keyed)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Signer:
        env = os.environ if env is None else env
        current = env.get(KEY_ENV, "")
        if not current:
            raise ConfigError(
                KEY_ENV,
                "not set: generate one with `python -c 'import secrets; print(secrets.token_urlsafe(32))'`",
            )
        old = [key for key in env.get(OLD_KEYS_ENV, "").split(",") if key]
        return cls([key.encode() for key in [current, *old]])

    def sign(self, subject: TokenSubject) -> str:
        return self.token(subject.subscriber_id, subject.issue_id)

    def token(self, subscriber_id: int, issue_id: int) -> str:
        """The token for a subscriber and an issue: :meth:`sign` without building the subject,
        for a send that signs one per recipient."""
        payload = b"%d.%d" % (subscriber_id, issue_id)
        return f"{_b64(payload)}.{_b64(_mac(self._keyed[0], payload))}"

    def verify(self, token: str) -> TokenSubject:
        """The subject of a genuine token; InputError for a tampered or malformed one."""
        try:
            payload_part, mac_part = token.split(".")
            payload = _unb64(payload_part)
            mac = _unb64(mac_part)
            subscriber_id, issue_id = (int(part) for part in payload.decode("ascii").split("."))
        except (ValueError, UnicodeDecodeError):
            raise InputError("unsubscribe token: malformed") from None
        if not any(hmac.compare_digest(mac, _mac(keyed, payload)) for keyed in self._keyed):
            raise InputError("unsubscribe token: signature does not match")
        return TokenSubject(subscriber_id=subscriber_id, issue_id=issue_id)

    def seal(self, purpose: bytes, payload: bytes) -> str:
        """A token for ``payload`` that :meth:`open` accepts only for the same ``purpose``.

        The purpose is signed with the payload but not written out, so a token made for one
        use (a sign-up's confirmation, a form's CSRF check) is never valid for another, nor as
        an unsubscribe token, whose payload has no purpose before it.
        """
        return f"{_b64(payload)}.{_b64(_mac(self._keyed[0], purpose + b':' + payload))}"

    def open(self, purpose: bytes, token: str) -> bytes:
        """The payload of a genuine :meth:`seal` token for ``purpose``; InputError otherwise."""
        try:
            payload_part, mac_part = token.split(".")
            payload, mac = _unb64(payload_part), _unb64(mac_part)
        except ValueError:
            raise InputError(f"{purpose.decode()} token: malformed") from None
        signed = purpose + b":" + payload
        if not any(hmac.compare_digest(mac, _mac(keyed, signed)) for keyed in self._keyed):
            raise InputError(f"{purpose.decode()} token: signature does not match")
        return payload


#: Signs the links of sample and test messages, which no real subscriber receives; the web
#: endpoints never accept it because it is not among the configured keys.
PREVIEW_SIGNER = Signer([b"preview-only-signing-key-not-secret"])


def unsubscribe_link_prefix(public_url: str) -> str:
    """Every unsubscribe link is this followed by a token, unquoted: a token is base64url and
    dots, which a URL path carries as they are."""
    return f"{public_url.rstrip('/')}{UNSUBSCRIBE_PATH}"


def _mac(keyed: hmac.HMAC, payload: bytes) -> bytes:
    mac = keyed.copy()
    mac.update(payload)
    return mac.digest()[:_MAC_BYTES]


def _b64(raw: bytes) -> str:
    # binascii directly: base64.urlsafe_b64encode is two more Python calls per token.
    return binascii.b2a_base64(raw, newline=False).translate(_URLSAFE).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict base64url: the decoder skips characters outside the alphabet, so a token with junk
    in it would decode to a genuine one; only the exact text :func:`_b64` writes is accepted."""
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:
        # Leftover bits that are not zero: another spelling of the same bytes.
        raise ValueError("not the canonical spelling")
    return raw
