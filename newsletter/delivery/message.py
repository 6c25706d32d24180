"""Personalizing a rendered email and turning it into a MIME message.

No header value may carry a line break or another control character: it would end the
header and start another (header injection), or make the mail library refuse the message
half-way through a batch. The draft file refuses them where an editor types them; this
module checks again, once per issue and locale, before anything is claimed or sent, and
makes each recipient's display name one line.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import lru_cache

from newsletter import i18n
from newsletter.config import Config
from newsletter.delivery.base import Campaign, OutgoingMessage, Personalization
from newsletter.errors import DeliveryError
from newsletter.model import (
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_UNSUBSCRIBE_URL,
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
        # Both go into every recipient's List-Unsubscribe header.
        one_line("newsletter.public_url", public_url)
        one_line("newsletter.sender", sender)
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
        if not name.isprintable():
            # A name with a line break would reach the To header (SendGrid's "to.name").
            name = " ".join("".join(" " if _breaks_line(c) else c for c in name).split())
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


def campaign_for(config: Config, issue_id: int, email: RenderedEmail, *, tracked: bool = True) -> Campaign:
    """What every message of the issue in ``email``'s locale shares: the one place a campaign is
    made. Mail that is no issue (a review request, a sign-up notice) passes ``issue_id`` 0 and
    ``tracked=False``: only an issue's readers were told that opens and clicks may be counted."""
    newsletter = config.newsletter
    return Campaign(
        issue_id=issue_id,
        email=email,
        sender=sender_for(config, email.locale),
        reply_to=newsletter.reply_to or None,
        tracking=tracked and config.delivery.tracking,
    )


def sender_for(config: Config, locale: str) -> str:
    """The From of ``locale``'s email: its own brand (``newsletter.brand``) as the display name,
    when it has one, else ``newsletter.sender`` as configured."""
    brand = i18n.locale_brand(config, locale)
    return localized_sender(config.newsletter.sender, brand) if brand else config.newsletter.sender


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
    # The email package refuses a line break with a ValueError, which would leave a batch
    # looking unknown; this says which value it was, as a permanent delivery error.
    mime["Subject"] = one_line("subject", message.subject)
    mime["From"] = one_line("newsletter.sender", message.sender)
    mime["To"] = _address(message.recipient)
    if message.reply_to:
        mime["Reply-To"] = one_line("newsletter.reply_to", message.reply_to)
    mime["Date"] = format_datetime(date or datetime.now(UTC))
    for name, value in message.headers.items():
        mime[name] = one_line(name, value)
    mime.set_content(message.text, subtype="plain", charset="utf-8")
    mime.add_alternative(message.html, subtype="html", charset="utf-8")
    # After the parts: set_content() drops every Content-* header already on the message.
    mime["Content-Language"] = message.recipient.locale
    return mime


def localized_sender(sender: str, brand: str) -> str:
    """``sender`` with ``brand`` as its display name: "리서치 브리프 <brief@example.org>".

    Every backend reads the From name from the campaign's sender, so the name is chosen here
    once per locale; the address stays the configured one.
    """
    _, address = parseaddr(sender)
    user, _, domain = address.rpartition("@")
    if not user or not brand:
        return sender
    return str(Address(display_name=" ".join(brand.split()), username=user, domain=domain))


def check_headers(campaign: Campaign) -> Campaign:
    """``campaign`` when its subject, sender and reply-to are each one line;
    otherwise a DeliveryError naming the value, raised before any record is claimed."""
    locale = campaign.email.locale
    one_line(f"subject ({locale})", campaign.email.subject)
    one_line("newsletter.sender", campaign.sender)
    one_line("newsletter.reply_to", campaign.reply_to or "")
    return campaign


def one_line(what: str, value: str) -> str:
    """``value`` when it holds no control character; else a DeliveryError naming ``what``."""
    # Most values are printable; the others are checked for what breaks a line, so that a
    # no-break space or an emoji's zero-width joiner stays allowed.
    found = None if value.isprintable() else next((c for c in value if _breaks_line(c)), None)
    if found is None:
        return value
    raise DeliveryError(
        f"{what}: expected one line of text for a mail header, found the control character "
        f"U+{ord(found):04X} in {value[:60]!r}",
        permanent=True,
    )


def _breaks_line(char: str) -> bool:
    """A control character or a line or paragraph separator."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


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
