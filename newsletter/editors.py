"""Mail to the editors, outside every send record: the review request and test copies of an issue.

Neither is an issue's send: no record is read or written. The review request is no issue's
mail, and the outbox keeps it apart under ``issue-0/``; test copies say "[TEST]" in the
subject, carry a Message-ID each, and the outbox keeps them in ``issue-<N>-test/``. Each
function here is handed a way to open the delivery backend, and closes what it opened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from newsletter.config import Config
from newsletter.delivery.base import DeliveryBackend, Personalization
from newsletter.delivery.message import campaign_for, sample_copy
from newsletter.errors import DeliveryError, InputError
from newsletter.model import Recipient, RenderedEmail
from newsletter.subscribers.address import AddressError, check_locale, parse_address
from newsletter.window import review_deadline

logger = logging.getLogger(__name__)

OpenBackend = Callable[[], DeliveryBackend]
"""Opens the configured delivery backend; its caller closes it."""


def notify_editors(
    config: Config, open_backend: OpenBackend, issue_id: int, subject: str, close: datetime
) -> None:
    """Ask every editor (``newsletter.editor_email``) to review the issue."""
    email = review_request(config, issue_id, subject, close)
    # Issue 0: the request is no issue's mail, and the outbox keeps it apart from them.
    campaign = campaign_for(config, 0, email, tracked=False)
    people = [
        Personalization(recipient=Recipient(subscriber_id=0, email=address), values={})
        for address in editor_addresses(config)
    ]
    backend = open_backend()
    try:
        backend.send_batch(campaign, people)
    finally:
        backend.close()
    logger.info("asked %d editors to review issue %s", len(people), issue_id)


def review_request(config: Config, issue_id: int, subject: str, close: datetime) -> RenderedEmail:
    """The email that asks the editors to review an issue before its deadline."""
    deadline = review_deadline(close, config.schedule.review_deadline, config.tz)
    after = "it is skipped" if config.schedule.on_deadline == "skip" else "it is sent as it is"
    text = (
        f"Issue #{issue_id} is drafted and waits for your approval: {subject}\n\n"
        f"Preview and approve it: run `newsletter preview` and open {preview_url(config)}\n"
        f"(or set approved = true in its draft file).\n\n"
        f"If nobody approves it by {deadline:%Y-%m-%d %H:%M %Z}, {after}.\n"
    )
    html = "".join(f"<p>{line}</p>" for line in text.strip().split("\n\n"))
    return RenderedEmail(locale="en", subject=f"Review: {subject}", preheader="", html=html, text=text)


def preview_url(config: Config) -> str:
    """Where ``newsletter preview`` serves the latest draft."""
    return f"http://{config.web.host}:{config.web.preview_port}/"


def editor_addresses(config: Config) -> list[str]:
    """``newsletter.editor_email``, which may list several addresses separated by commas."""
    return [part.strip() for part in config.newsletter.editor_email.split(",") if part.strip()]


def test_copy_addresses(raw: Sequence[str]) -> list[str]:
    """The addresses of ``--test-to``, each checked as an import row is; at least one."""
    checked = [_test_address(address) for address in raw]
    if not checked:
        raise InputError("--test-to: expected at least one address")
    return checked


def test_copy_locale(config: Config, locale: str | None) -> str:
    """The configured locale a test copy is rendered in: ``locale``'s, else the default one."""
    if locale is None:
        return config.newsletter.default_locale
    try:
        return check_locale(locale, config.newsletter.locales)
    except InputError as error:
        raise InputError(f"--{error}") from None


def send_test_copies(
    config: Config,
    open_backend: OpenBackend,
    email: RenderedEmail,
    addresses: Sequence[str],
    *,
    issue_id: int,
    lists: Sequence[str],
) -> None:
    """Send ``email`` to each of ``addresses`` as a test copy; DeliveryError when one is refused."""
    copies = [
        sample_copy(config, email, address=a, issue_id=issue_id, lists=lists, test=True) for a in addresses
    ]
    campaign, people = copies[0][0], [person for _, person in copies]
    backend = open_backend()
    try:
        for start in range(0, len(people), backend.batch_size):
            result = backend.send_batch(campaign, people[start : start + backend.batch_size])
            if result.rejected:
                refused = "; ".join(result.rejected.values())
                raise DeliveryError(f"the mail system refused the test copy: {refused}", permanent=True)
    finally:
        backend.close()


def _test_address(raw: str) -> str:
    try:
        return parse_address(raw).email
    except AddressError as error:
        raise InputError(f"--test-to: {error.reason} (got {raw!r})") from None
