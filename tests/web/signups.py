"""Helpers for the sign-up tests: the form's hidden token, and the notices in the outbox."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from newsletter.config import Config
from newsletter.delivery.notice import NOTICES_FOLDER

PUBLIC_LISTS = ["brief", "papers"]


def signup_config(config: Config, **keys: object) -> Config:
    """The test configuration with two public lists and the given keys replaced."""
    return config.replace(**{"newsletter.public_lists": PUBLIC_LISTS, **keys})


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]*)"', html)
    assert found is not None, html[:500]
    return found.group(1)


def notices(config: Config) -> list[EmailMessage]:
    """Every notice the outbox holds, oldest first."""
    folder = config.outbox_dir / NOTICES_FOLDER
    paths = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [_parse(path) for path in paths]


def notices_to(config: Config, address: str) -> list[EmailMessage]:
    return [message for message in notices(config) if address.lower() in str(message["To"]).lower()]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


def link_in(message: EmailMessage, path: str) -> str:
    """The one URL in the message's text whose path starts with ``path``."""
    found = set(re.findall(rf"https?://[^\s/]+({re.escape(path)}[A-Za-z0-9_.\-]+)", text_of(message)))
    assert len(found) == 1, text_of(message)
    return found.pop()


def _parse(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message
