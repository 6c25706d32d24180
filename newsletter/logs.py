"""Logging: one line per event, as text or JSON, with addresses masked and secrets removed.

:class:`RedactingFilter` sits on the handler, so it cleans every logger's records, ours and
the libraries' alike. At INFO and above an address ``ada@example.org`` becomes
``a***@example.org``; DEBUG keeps it whole, for an operator who asked. Secrets (the values of
``NEWSLETTER_*KEY*``, ``*PASSWORD*``, ``*TOKEN*``, ``*SECRET*`` variables, SendGrid API keys,
bearer tokens and passwords in URLs) are removed at every level.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

_ADDRESS = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")
_PATTERNS = (
    (re.compile(r"SG\.[\w-]{10,}\.[\w-]{10,}"), "[secret]"),
    (re.compile(r"(?i)(bearer\s+)[\w.~+/=-]+"), r"\1[secret]"),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1[secret]@"),
)
_SECRET_NAMES = re.compile(r"KEY|PASSWORD|TOKEN|SECRET", re.IGNORECASE)
_MIN_SECRET_LENGTH = 6
_HANDLER_NAME = "newsletter"


def mask_address(match: re.Match[str]) -> str:
    return f"{match.group(1)}***@{match.group(2)}"


def secrets_from_env(env: Mapping[str, str]) -> list[str]:
    """The values of the newsletter's secret variables (comma-separated lists split)."""
    found: list[str] = []
    for name, value in env.items():
        if name.startswith("NEWSLETTER_") and _SECRET_NAMES.search(name):
            found.extend(part for part in value.split(",") if len(part) >= _MIN_SECRET_LENGTH)
    # Longest first, so a secret that contains another is removed whole.
    return sorted(set(found), key=len, reverse=True)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with addresses masked and secrets removed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = self.clean(record.getMessage(), mask=record.levelno >= logging.INFO)
        record.msg, record.args = message, ()
        if record.exc_info and record.exc_info[1] is not None:
            # The traceback is formatted later from the exception; keep only its cleaned text.
            record.exc_text = self.clean(
                logging.Formatter().formatException(record.exc_info), mask=record.levelno >= logging.INFO
            )
            record.exc_info = None
        return True

    def clean(self, text: str, *, mask: bool) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[secret]")
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return _ADDRESS.sub(mask_address, text) if mask else text


class OneLineFormatter(logging.Formatter):
    """``time level logger message``, with any newline (a traceback) folded into the line."""

    def __init__(self, *, json_lines: bool = False) -> None:
        super().__init__()
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        message = record.getMessage()
        if record.exc_text:
            message = f"{message}\n{record.exc_text}"
        if self.json_lines:
            event = {"time": at, "level": record.levelname, "logger": record.name, "message": message}
            return json.dumps(event, ensure_ascii=False)
        return f"{at} {record.levelname} {record.name} " + message.replace("\n", " | ")


def configure_logging(
    level: int = logging.INFO, *, json_lines: bool = False, env: Mapping[str, str] | None = None
) -> logging.Handler:
    """Send every logger's events to stderr, one cleaned line each; replaces an earlier call's handler."""
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(OneLineFormatter(json_lines=json_lines))
    handler.addFilter(RedactingFilter(secrets_from_env(os.environ if env is None else env)))
    root = logging.getLogger()
    # Only our own earlier handler goes: a test harness's capturing handler stays.
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
