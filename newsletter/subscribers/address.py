"""Addresses, names and locales as operators type them, made safe to store and to put in a header.

Addresses are checked for syntax only (no DNS look-ups: imports run offline and must be
fast), trimmed, and normalized by email-validator: the domain is lower-cased and the text
NFC-normalized, while the local part keeps the spelling the subscriber used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from email_validator import EmailNotValidError, validate_email

from newsletter.errors import InputError
from newsletter.store.audience import email_key

#: The widths of the store's columns; longer values are refused rather than cut.
MAX_EMAIL = 320
MAX_NAME = 200

# Every control character, CR and LF first among them: none may reach a mail header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s{2,}")
# What follows the language and region in a POSIX locale: ``.UTF-8`` or ``@euro``.
_TAG_END = re.compile(r"[.@]")
# RFC 5322 dot-atom: what nearly every real local part is, and what email-validator accepts as is.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A valid address in the two forms the store keeps."""

    email: str
    """The normalized address, with the local part spelled as given."""
    key: str
    """The case-insensitive form that makes two spellings one subscriber."""


class AddressError(InputError):
    """An address that is not a syntactically valid email address."""

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"email: {reason} (got {value!r})")


def parse_address(raw: str) -> Address:
    """The normalized address, or :class:`AddressError` saying what is wrong with it."""
    text = raw.strip()
    if not text:
        raise AddressError(raw, "expected an email address, got an empty value")
    if len(text) > MAX_EMAIL:
        raise AddressError(raw, f"expected at most {MAX_EMAIL} characters")
    try:
        normalized = _fast(text) or validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AddressError(raw, f"expected an address like name@example.org: {error}") from None
    return Address(email=normalized, key=email_key(normalized))


def _fast(text: str) -> str | None:
    """The common case, plain ASCII ``local@domain``, checked with the domain's verdict cached.

    Checking a domain is most of email-validator's work, and a list repeats a few domains
    thousands of times. Anything unusual returns None and gets the full check.
    """
    local, at, domain = text.rpartition("@")
    if not (at and text.isascii() and len(local) <= 64 and len(text) <= 254 and _LOCAL.fullmatch(local)):
        return None
    return f"{local}@{_domain(domain)}"


@lru_cache(maxsize=4096)
def _domain(domain: str) -> str:
    """The normalized domain, or EmailNotValidError (not cached: bad domains are rare)."""
    return validate_email(f"postmaster@{domain}", check_deliverability=False).domain


def clean_name(raw: str) -> str:
    """The name on one line: CR, LF and other control characters become single spaces."""
    name = _SPACES.sub(" ", _CONTROL.sub(" ", raw)).strip()
    if len(name) > MAX_NAME:
        raise InputError(f"name: expected at most {MAX_NAME} characters, got {len(name)}")
    return name


def check_locale(raw: str, locales: Sequence[str]) -> str:
    """The locale in its configured spelling, or an error listing the configured ones."""
    found = normalize_locale(raw, locales)
    if found is None:
        raise InputError(f"locale: expected one of {', '.join(locales)}, got {raw!r}")
    return found


def normalize_locale(raw: str, locales: Sequence[str]) -> str | None:
    """The configured locale ``raw`` names, in its configured spelling, or None.

    Operators' files spell languages as BCP 47 tags (``ko-KR``), POSIX locales (``ko_KR``,
    ``en_GB.UTF-8``), in capitals, or by name (``Korean``, ``한국어``). A region or encoding
    says nothing about the language we send in, so ``ko-KR`` is ``ko`` when only ``ko`` is
    configured; a configured ``pt-BR`` still matches ``pt_BR`` exactly.
    """
    tag = _TAG_END.split(raw.strip(), maxsplit=1)[0].replace("_", "-").lower()
    if not tag:
        return None
    spellings = _spellings(tuple(locales))
    return (
        spellings.get(tag) or spellings.get(tag.split("-")[0]) or spellings.get(" ".join(raw.split()).lower())
    )


@lru_cache(maxsize=8)
def _spellings(locales: tuple[str, ...]) -> dict[str, str]:
    """Every spelling that names a configured locale: its tag, and its name in English and in each locale."""
    spellings = {locale.replace("_", "-").lower(): locale for locale in locales}
    parsed = {locale: _parse(locale) for locale in locales}
    readers = [found for found in (*parsed.values(), Locale("en")) if found is not None]
    for locale, found in parsed.items():
        if found is None:
            continue
        for reader in readers:
            name = found.get_language_name(reader)
            if name:
                spellings.setdefault(name.lower(), locale)
    return spellings


def _parse(locale: str) -> Locale | None:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
