"""What a configuration value must be, declared beside its field with ``typing.Annotated``.

``port: Annotated[int, Range(1, 65535)]`` reads "an integer from 1 to 65535". The loader in
:mod:`newsletter.config` checks the field's type first, then asks each constraint in turn;
:meth:`Constraint.expected` answers None for a good value, or what was expected, which the
loader prints as ``config.toml: web.port: expected 1 to 65535, got 99999``.

Constraints see one value only. Rules that relate two keys (the default locale must be one of
the configured locales) live in the loader.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from newsletter.assets import catalog_locales

# Control characters, CR and LF among them, would let a value break out of a mail header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
# arXiv's category names: "cs.CV", "hep-th", "astro-ph.GA", "cond-mat.mes-hall", "physics.optics".
_CATEGORY = re.compile(r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?")
# "Name <a@b.org>" or a bare address; the address itself is checked by email-validator.
_MAILBOX = re.compile(r"(?:(?P<name>[^<>]*?)\s*<(?P<inner>[^<>\s]+)>|(?P<bare>[^<>\s]+))")
_CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
# A cron expression that fires less often than this is a mistake (31 February never comes).
CRON_HORIZON = timedelta(days=5 * 366)


class Constraint(Protocol):
    """One rule a value of the right type must also satisfy."""

    def expected(self, value: Any) -> str | None:
        """None when ``value`` is good, else what was expected, e.g. ``"1 to 65535"``."""


@dataclass(frozen=True, slots=True)
class Range:
    """A number from ``low`` to ``high`` (inclusive; ``above`` makes ``low`` exclusive)."""

    low: float | None = None
    high: float | None = None
    above: bool = False

    def expected(self, value: Any) -> str | None:
        low_ok = self.low is None or (value > self.low if self.above else value >= self.low)
        if low_ok and (self.high is None or value <= self.high):
            return None
        if self.low is not None and self.high is not None:
            return f"{self.low} to {self.high}"
        if self.low is not None:
            return f"more than {self.low}" if self.above else f"{self.low} or more"
        return f"{self.high} or less"


@dataclass(frozen=True, slots=True)
class Length:
    """A list with ``low`` to ``high`` items, none repeated."""

    low: int = 0
    high: int | None = None

    def expected(self, value: Any) -> str | None:
        if not self.low <= len(value) <= (self.high if self.high is not None else len(value)):
            if self.high is not None:
                return f"a list of {self.low} to {self.high} items"
            return "a non-empty list" if self.low == 1 else f"a list of at least {self.low} items"
        if len(set(value)) != len(value):
            return "a list without repeated items"
        return None


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text with no control characters; not blank unless ``blank``."""

    blank: bool = False

    def expected(self, value: Any) -> str | None:
        if _CONTROL.search(value):
            return "one line of text without control characters"
        if not self.blank and not value.strip():
            return "a non-empty text"
        return None


@dataclass(frozen=True, slots=True)
class OrEmpty:
    """The empty string, which means "not set", or a value ``inner`` accepts."""

    inner: Constraint

    def expected(self, value: Any) -> str | None:
        if value == "":
            return None
        wanted = self.inner.expected(value)
        return None if wanted is None else f"empty or {wanted}"


@dataclass(frozen=True, slots=True)
class Url:
    """An http(s) URL with a host, as a base that paths are appended to (no query, no fragment)."""

    def expected(self, value: Any) -> str | None:
        wanted = "an http(s) URL like https://example.org"
        if _CONTROL.search(value) or " " in value:
            return wanted
        try:
            parts = urlsplit(value)
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            return wanted
        if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
            return wanted
        if parts.query or parts.fragment:
            return "an http(s) URL without a query or fragment"
        return None


@dataclass(frozen=True, slots=True)
class Host:
    """A host name or an IP address to connect to or listen on."""

    def expected(self, value: Any) -> str | None:
        try:
            ipaddress.ip_address(value)
            return None
        except ValueError:
            pass
        labels = value.rstrip(".").split(".")
        if len(value) <= 253 and all(_LABEL.fullmatch(label) for label in labels):
            return None
        return "a host name or IP address like 127.0.0.1"


@dataclass(frozen=True, slots=True)
class IpAddress:
    """An IPv4 or IPv6 address, as a peer's address is compared with it."""

    def expected(self, value: Any) -> str | None:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return "an IP address like 127.0.0.1 or ::1"
        return None


@dataclass(frozen=True, slots=True)
class Mailbox:
    """An email address, with a display name (``Name <a@b.org>``) when ``named``."""

    named: bool = False

    def expected(self, value: Any) -> str | None:
        wanted = (
            "an address like 'Name <name@example.org>'" if self.named else "an address like name@example.org"
        )
        match = _MAILBOX.fullmatch(value.strip())
        if _CONTROL.search(value) or match is None or (match["inner"] and not self.named):
            return wanted
        try:
            validate_email(match["inner"] or match["bare"], check_deliverability=False)
        except EmailNotValidError:
            return wanted
        return None


@dataclass(frozen=True, slots=True)
class TimeZone:
    """An IANA time zone name."""

    def expected(self, value: Any) -> str | None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return "an IANA time zone like Asia/Seoul"
        return None


@dataclass(frozen=True, slots=True)
class ClockTime:
    """A time of day on the 24-hour clock, ``HH:MM`` from 00:00 to 23:59."""

    def expected(self, value: Any) -> str | None:
        return None if _CLOCK.fullmatch(value) else "a time HH:MM from 00:00 to 23:59"


@dataclass(frozen=True, slots=True)
class Cron:
    """A five-field crontab expression, read as cron reads it (see :mod:`newsletter.crontab`),
    that fires at least once within :data:`CRON_HORIZON`.

    Whether an expression ever fires does not depend on the time zone, so it is checked in UTC:
    the display zone is another key, and a constraint sees one value.
    """

    def expected(self, value: Any) -> str | None:
        # Imported here: APScheduler is slow to import, and only a configured schedule needs it.
        from newsletter.crontab import cron_trigger

        try:
            trigger = cron_trigger(value, UTC)
        except ValueError as error:
            return f"a crontab expression like '0 9 * * *' ({_sentence(error)})"
        now = datetime.now(UTC)
        fire = trigger.get_next_fire_time(None, now)
        if fire is None or fire > now + CRON_HORIZON:
            return "a crontab expression that fires at least once every five years"
        return None


@dataclass(frozen=True, slots=True)
class Category:
    """An arXiv category name such as ``cs.CV`` or ``hep-th``."""

    def expected(self, value: Any) -> str | None:
        return None if _CATEGORY.fullmatch(value) else "an arXiv category like cs.CV"


@dataclass(frozen=True, slots=True)
class Locale:
    """A locale served by a catalog in ``locales/`` (``ko_KR`` is served by ``ko``)."""

    def expected(self, value: Any) -> str | None:
        shipped = catalog_locales()
        if value.replace("-", "_").split("_")[0] in shipped:
            return None
        return f"a locale with a catalog in locales/ ({', '.join(shipped)})"


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A SQLAlchemy URL of a SQLite or PostgreSQL database."""

    def expected(self, value: Any) -> str | None:
        # Imported here: the store is heavy, and only a configured database URL needs it.
        from newsletter.store.database import BACKENDS, backend_of

        wanted = "a URL like sqlite:///var/newsletter.db or postgresql://user@host/db"
        return None if backend_of(value) in BACKENDS else wanted


@dataclass(frozen=True, slots=True)
class WebhookKey:
    """SendGrid's Event Webhook verification key: an ECDSA P-256 public key, base64 DER or PEM."""

    def expected(self, value: Any) -> str | None:
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        try:
            if value.lstrip().startswith("-----BEGIN"):
                key = serialization.load_pem_public_key(value.encode())
            else:
                key = serialization.load_der_public_key(base64.b64decode(value.strip(), validate=True))
        except (ValueError, binascii.Error, UnsupportedAlgorithm):
            return "SendGrid's base64 verification key"
        if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
            return "an ECDSA P-256 public key (SendGrid's verification key)"
        return None


def finite(value: float) -> bool:
    """TOML allows ``nan`` and ``inf``; no setting means either."""
    return math.isfinite(value)


def _sentence(error: Exception) -> str:
    text = str(error).rstrip(".").replace("\n", " ")
    return text[:1].lower() + text[1:]
