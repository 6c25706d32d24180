"""Personalizing a rendered email and turning it into a MIME message."""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import lru_cache

from newsletter.config import Config
from newsletter.delivery.base import Campaign, Personalization
from newsletter.errors import DeliveryError
from newsletter.model import (
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_UNSUBSCRIBE_URL,
    OutgoingMessage,
    Recipient,
    RenderedEmail,
)
from newsletter.unsubscribe import PREVIEW_SIGNER, Signer, unsubscribe_link_prefix

#: Before the subject of every test copy, so nobody takes one for the issue itself.
TEST_SUBJECT_PREFIX = "[TEST] "


class Personalizer:
    """Each recipient's values and headers for one issue (RFC 8058 one-click unsubscribe).

    A send personalizes every recipient of a list, so what all of them share (the sender's
    domain, the issue, the signer) is settled here once; a call signs one token and builds
    the strings that carry it.
    """

    def __init__(
        self,
        *,
        issue_id: int,
        signer: Signer,
        public_url: str,
        sender: str,
        list_id: str = "",
        unsubscribe_mailto: str = "",
    ) -> None:
        self._issue_id = issue_id
        self._signer = signer
        domain = sender_domain(sender)
        self._link = unsubscribe_link_prefix(public_url)
        # A mailto that nothing reads would silently lose the request, so it is offered only
        # when the operator names a mailbox that processes them (delivery.unsubscribe_mailto).
        self._mailto = f"mailto:{unsubscribe_mailto}?subject=unsubscribe%20" if unsubscribe_mailto else ""
        self._list_id = {"List-Id": list_id} if list_id else {}
        self._message_id = f"<issue-{issue_id}.subscriber-"
        self._domain = f"@{domain}>"

    def __call__(self, subscriber_id: int, email: str, name: str = "", locale: str = "en") -> Personalization:
        token = self._signer.token(subscriber_id, self._issue_id)
        url = self._link + token
        return Personalization(
            recipient=Recipient(subscriber_id=subscriber_id, email=email, name=name, locale=locale),
            values={
                # Also fills the change-language link (model.PLACEHOLDER_LANGUAGE_URL).
                PLACEHOLDER_UNSUBSCRIBE_URL: url,
                PLACEHOLDER_EMAIL: email,
            },
            headers={
                "List-Unsubscribe": f"<{url}>, <{self._mailto}{token}>" if self._mailto else f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Message-ID": f"{self._message_id}{subscriber_id}{self._domain}",
                **self._list_id,
            },
        )


def personalizer_for(config: Config, issue_id: int, signer: Signer, lists: Sequence[str]) -> Personalizer:
    """The personalizer of an issue going to ``lists``, with the configured headers."""
    newsletter = config.newsletter
    return Personalizer(
        issue_id=issue_id,
        signer=signer,
        public_url=newsletter.public_url,
        sender=newsletter.sender,
        list_id=list_id(newsletter.name, lists, newsletter.sender),
        unsubscribe_mailto=config.delivery.unsubscribe_mailto,
    )


def campaign_for(config: Config, issue_id: int, email: RenderedEmail) -> Campaign:
    """What every message of the issue in ``email``'s locale shares."""
    newsletter = config.newsletter
    return Campaign(
        issue_id=issue_id,
        email=email,
        sender=newsletter.sender,
        reply_to=newsletter.reply_to or None,
        categories=tuple(config.delivery.sendgrid.categories),
    )


def sample_copy(
    config: Config,
    email: RenderedEmail,
    *,
    address: str,
    issue_id: int = 0,
    lists: Sequence[str] = (),
    test: bool = False,
) -> tuple[Campaign, Personalization]:
    """The editor's copy of an issue: the one place it is built.

    ``newsletter render`` writes it as the sample ``issue.eml``, the preview shows it, and
    test sends (``test=True``) mail it. Its links are signed with the preview key, so they
    unsubscribe nobody. A test copy's subject starts with "[TEST] " and its Message-ID is
    its own, because mail clients drop or thread together messages that share one.
    """
    if test:
        email = dataclasses.replace(email, subject=TEST_SUBJECT_PREFIX + email.subject)
    campaign = campaign_for(config, issue_id, email)
    person = personalizer_for(config, issue_id, PREVIEW_SIGNER, lists)(0, address, "", email.locale)
    if test:
        unique = f"<issue-{issue_id}.test-{secrets.token_hex(8)}@{sender_domain(config.newsletter.sender)}>"
        person = dataclasses.replace(person, headers={**person.headers, "Message-ID": unique})
    return campaign, person


def list_id(name: str, lists: Sequence[str], sender: str) -> str:
    """The RFC 2919 ``List-Id``: ``"Research Brief" <research-brief.example.org>``.

    The label is the issue's list when it goes to one, else the newsletter's name, so that
    readers' filters keep working from issue to issue. The namespace is the sender's domain,
    which the operator controls (its SPF and DKIM records say so); the public URL's host is
    often an address or localhost.
    """
    label = (_label(lists[0]) if len(lists) == 1 else "") or _label(name) or "newsletter"
    description = " ".join(name.replace("\\", "").replace('"', "").split())
    return f'"{description}" <{label}.{sender_domain(sender)}>'


def _label(text: str) -> str:
    """``text`` as an RFC 2919 list label: lower-case ASCII letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def personalization(
    recipient: Recipient, *, issue_id: int, signer: Signer, public_url: str, sender: str
) -> Personalization:
    """One recipient's personalization, for a single message (a sample or a test copy)."""
    personalizer = Personalizer(issue_id=issue_id, signer=signer, public_url=public_url, sender=sender)
    return personalizer(recipient.subscriber_id, recipient.email, recipient.name, recipient.locale)


def personalize(campaign: Campaign, person: Personalization) -> OutgoingMessage:
    """Fill one recipient's values into the shared rendering."""
    html, text = campaign.email.html, campaign.email.text
    for placeholder, value in person.values.items():
        html = html.replace(placeholder, value)
        text = text.replace(placeholder, value)
    return OutgoingMessage(
        recipient=person.recipient,
        subject=campaign.email.subject,
        sender=campaign.sender,
        reply_to=campaign.reply_to,
        html=html,
        text=text,
        headers=person.headers,
        issue_id=campaign.issue_id,
    )


def to_mime(message: OutgoingMessage, *, date: datetime | None = None) -> EmailMessage:
    """A multipart/alternative message: text/plain first, then text/html, both UTF-8."""
    mime = EmailMessage()
    mime["Subject"] = message.subject
    mime["From"] = message.sender
    mime["To"] = _address(message.recipient)
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    mime["Date"] = format_datetime(date or datetime.now(UTC))
    for name, value in message.headers.items():
        mime[name] = value
    mime.set_content(message.text, subtype="plain", charset="utf-8")
    mime.add_alternative(message.html, subtype="html", charset="utf-8")
    # After the parts: set_content() drops every Content-* header already on the message.
    mime["Content-Language"] = message.recipient.locale
    return mime


# Parsing the sender was most of the cost of personalizing; it is the same for every recipient.
@lru_cache(maxsize=16)
def sender_domain(sender: str) -> str:
    _, address = parseaddr(sender)
    if "@" not in address:
        raise DeliveryError(f"newsletter.sender: expected an address like 'Name <a@b.org>', got {sender!r}")
    return address.rsplit("@", 1)[1]


def _address(recipient: Recipient) -> Address | str:
    # The email package refuses CR/LF in a display name, so a hostile name can never inject a
    # header; names are also cleaned on import, this is the last line of defence.
    name = " ".join(recipient.name.split())
    user, _, domain = recipient.email.rpartition("@")
    try:
        return Address(display_name=name, username=user, domain=domain)
    except (ValueError, IndexError):
        return recipient.email
