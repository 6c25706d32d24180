"""Logs: one line per event, addresses masked at INFO, secrets never written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from newsletter.logs import configure_logging

SIGNING_KEY = "sk-live-0123456789abcdef"
OLD_KEY = "old-key-abcdefghijkl"
ENV = {
    "NEWSLETTER_SIGNING_KEY": SIGNING_KEY,
    "NEWSLETTER_SIGNING_KEYS_OLD": f"{OLD_KEY},x",
    "NEWSLETTER_X": "ok",
}


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = configure_logging(logging.DEBUG, env=ENV)
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def test_addresses_are_masked_at_info_and_kept_at_debug(output: io.StringIO) -> None:
    log = logging.getLogger("newsletter.test")
    log.info("sent issue %s to %s", 7, "ada.lovelace@example.org")
    log.debug("debugging %s", "ada.lovelace@example.org")
    info, debug = output.getvalue().splitlines()
    assert "a***@example.org" in info
    assert "lovelace" not in info
    assert info.endswith("INFO newsletter.test sent issue 7 to a***@example.org")
    assert "ada.lovelace@example.org" in debug


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        (f"signing with {SIGNING_KEY}", SIGNING_KEY),
        (f"old key {OLD_KEY} still verifies", OLD_KEY),
        (
            "SendGrid said no to SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg",
            "SG.abcdef",
        ),
        ("header Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
        ("connecting to postgresql://news:hunter22@db.internal/newsletter", "hunter22"),
    ],
)
def test_secrets_never_appear_even_at_debug(output: io.StringIO, message: str, secret: str) -> None:
    logging.getLogger("any.library").debug(message)
    logging.getLogger("any.library").error(message)
    written = output.getvalue()
    assert secret not in written
    assert written.count("[secret]") == 2


def test_a_traceback_stays_on_one_line_and_is_cleaned(output: io.StringIO) -> None:
    try:
        raise ValueError(f"bad key {SIGNING_KEY} for bob@example.org")
    except ValueError:
        logging.getLogger("newsletter.test").exception("delivery failed")
    (line,) = output.getvalue().splitlines()
    assert "Traceback" in line
    assert "ValueError" in line
    assert SIGNING_KEY not in line
    assert "bob@example.org" not in line


def test_json_lines_carry_the_same_cleaned_message() -> None:
    stream = io.StringIO()
    handler = configure_logging(logging.INFO, json_lines=True, env=ENV)
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        logging.getLogger("newsletter.scheduler").warning(
            "run for %s missed; told %s", "2026-03-09", "ed@example.org"
        )
    finally:
        logging.getLogger().removeHandler(handler)
    event = json.loads(stream.getvalue())
    assert event["level"] == "WARNING"
    assert event["logger"] == "newsletter.scheduler"
    assert event["message"] == "run for 2026-03-09 missed; told e***@example.org"
