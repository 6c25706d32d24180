"""The SendGrid backend: the ``sendgrid`` package's client against the v3 Mail Send API.

One request carries up to 1,000 personalizations. The rendering goes once as the request's
content (text/plain first, then text/html); each recipient's values go as ``substitutions``,
with their own ``List-Unsubscribe`` headers and ``custom_args`` naming the issue and the
subscriber, so webhook events can be traced back. The API host is configurable for EU data
residency (``https://api.eu.sendgrid.com``) and for tests.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from email.utils import parseaddr, parsedate_to_datetime
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient

from newsletter.config import Config, secret
from newsletter.delivery import retry
from newsletter.delivery.base import BatchResult, Campaign, Personalization
from newsletter.delivery.message import check_headers, one_line
from newsletter.errors import ConfigError, DeliveryError
from newsletter.store.schema import SubscriberStatus

logger = logging.getLogger(__name__)

# python_http_client logs the Authorization header and whole request bodies at DEBUG; a
# debugging session must never put the API key or subscribers' addresses in a log.
logging.getLogger("python_http_client").setLevel(logging.INFO)

API_KEY_NAME = "SENDGRID_API_KEY"
"""Read from ``NEWSLETTER_SENDGRID_API_KEY``."""

# SendGrid's Event Webhook vocabulary, in one place: the webhook applies it to subscribers
# (newsletter.web.events), ``newsletter status`` and the per-issue report count by it
# (newsletter.status, newsletter.report).
DELIVERED = "delivered"
BOUNCE = "bounce"
SOFT_BOUNCE = "blocked"
"""A ``bounce`` whose ``type`` is ``blocked``: kept under this name, since it is a soft bounce."""
DROPPED = "dropped"
SPAM_REPORT = "spamreport"
OPEN = "open"
CLICK = "click"
"""A followed link; the only event that carries a ``url``."""
UNSUBSCRIBE_EVENTS = ("unsubscribe", "group_unsubscribe")
LEAVING: Mapping[str, SubscriberStatus] = {
    BOUNCE: SubscriberStatus.BOUNCED,
    DROPPED: SubscriberStatus.BOUNCED,
    SPAM_REPORT: SubscriberStatus.COMPLAINED,
    **dict.fromkeys(UNSUBSCRIBE_EVENTS, SubscriberStatus.UNSUBSCRIBED),
}
"""The events after which a subscriber receives nothing more, and the status each one means."""
DROP_REASONS: Mapping[str, SubscriberStatus] = {
    "unsubscribed address": SubscriberStatus.UNSUBSCRIBED,
    "spam reporting address": SubscriberStatus.COMPLAINED,
}
"""SendGrid's reasons for dropping a message to an address on one of its own suppression lists."""
KNOWN_EVENTS = frozenset(
    {
        "processed",
        DROPPED,
        DELIVERED,
        "deferred",
        BOUNCE,
        OPEN,
        CLICK,
        SPAM_REPORT,
        *UNSUBSCRIBE_EVENTS,
        "group_resubscribe",
        "account_status_change",
    }
)
"""Every event SendGrid's Event Webhook documents; the webhook refuses a batch with any other."""


def event_kind(event: str, bounce_type: object) -> str:
    """An event's name as it is kept: SendGrid's ``event``, except a blocked bounce."""
    return SOFT_BOUNCE if event == BOUNCE and bounce_type == SOFT_BOUNCE else event


def leaving_status(kind: str, reason: str) -> SubscriberStatus | None:
    """The status an event of ``kind`` (with SendGrid's ``reason``) moves a subscriber to, if any."""
    if kind == DROPPED:
        return DROP_REASONS.get(reason.strip().lower(), SubscriberStatus.BOUNCED)
    return LEAVING.get(kind)


class SendGridBackend:
    """See :class:`~newsletter.delivery.base.DeliveryBackend`.

    Each thread gets its own client, because ``python_http_client`` keeps per-call state on it.
    """

    name = "sendgrid"

    def __init__(
        self,
        api_key: str,
        *,
        api_host: str = "https://api.sendgrid.com",
        batch_size: int = 1000,
        concurrency: int = 4,
        timeout_seconds: float = 30.0,
        policy: retry.RetryPolicy | None = None,
        categories: Sequence[str] = (),
    ) -> None:
        self.api_host = api_host.rstrip("/")
        # Checked before any send: each category is one line, like every value in a request.
        self.categories = tuple(one_line("delivery.sendgrid.categories", item) for item in categories)
        self.batch_size = batch_size
        self.concurrency = max(1, concurrency)
        self.timeout_seconds = timeout_seconds
        self.policy = policy or retry.RetryPolicy()
        self._api_key = api_key
        self._local = threading.local()

    @classmethod
    def from_config(cls, config: Config) -> SendGridBackend:
        api_key = secret(API_KEY_NAME)
        if not api_key:
            raise ConfigError(f"NEWSLETTER_{API_KEY_NAME}", "not set: the sendgrid backend needs an API key")
        section = config.delivery.sendgrid
        return cls(
            api_key,
            api_host=section.api_host,
            batch_size=section.batch_size,
            concurrency=section.concurrency,
            timeout_seconds=section.timeout_seconds,
            policy=retry.RetryPolicy(retries=config.delivery.max_retries),
            categories=section.categories,
        )

    def send_batch(self, campaign: Campaign, batch: Sequence[Personalization]) -> BatchResult:
        if not batch:
            return BatchResult()
        if len(batch) > self.batch_size:
            raise ValueError(f"a batch of {len(batch)} exceeds batch_size {self.batch_size}")
        # Once per request: the shared header values are one line each (see message.py).
        body = request_body(check_headers(campaign), batch, categories=self.categories)
        what = f"SendGrid batch of {len(batch)} for issue {campaign.issue_id}"
        retry.call(lambda: self._post(body), self.policy, what=what)
        return BatchResult()

    def close(self) -> None:
        self._local = threading.local()

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            client = SendGridAPIClient(self._api_key, host=self.api_host).client
            self._local.client = client
        return client

    def _post(self, body: Mapping[str, Any]) -> None:
        try:
            response = self._client().mail.send.post(request_body=body, timeout=self.timeout_seconds)
        except http_errors.HTTPError as error:
            raise _classify(error) from None
        except URLError as error:
            # urllib raises URLError only while connecting or writing the request, before the
            # server could have read a whole body: nothing was accepted.
            raise retry.Transient(f"cannot reach {self.api_host}: {error.reason}") from None
        except (OSError, HTTPException) as error:
            # A timeout or reset while waiting for the reply: the server may have accepted it.
            raise retry.Transient(
                f"no reply from {self.api_host}: {error or type(error).__name__}", outcome_unknown=True
            ) from None
        logger.debug(
            "SendGrid accepted %d personalizations (%s)", len(body["personalizations"]), response.status_code
        )


def request_body(
    campaign: Campaign, batch: Sequence[Personalization], *, categories: Sequence[str] = ()
) -> dict[str, Any]:
    """The Mail Send request for ``batch``: shared content once, one personalization each,
    filed under ``categories`` (``delivery.sendgrid.categories``) in SendGrid's statistics."""
    email = campaign.email
    issue_id = str(campaign.issue_id)
    body: dict[str, Any] = {
        "personalizations": [_personalization(issue_id, person) for person in batch],
        "from": _address(campaign.sender),
        "subject": email.subject,
        "content": [
            {"type": "text/plain", "value": email.text},
            {"type": "text/html", "value": email.html},
        ],
    }
    if campaign.reply_to:
        body["reply_to"] = _address(campaign.reply_to)
    if categories:
        body["categories"] = list(dict.fromkeys(categories))
    # Said either way, because an account's own settings may turn tracking on: off must mean off.
    body["tracking_settings"] = {
        "click_tracking": {"enable": campaign.tracking, "enable_text": False},
        "open_tracking": {"enable": campaign.tracking},
    }
    return body


def _personalization(issue_id: str, person: Personalization) -> dict[str, Any]:
    recipient = person.recipient
    to = {"email": recipient.email, "name": recipient.name} if recipient.name else {"email": recipient.email}
    return {
        "to": [to],
        "substitutions": _plain(person.values),
        "headers": _plain(person.headers),
        "custom_args": {"issue_id": issue_id, "subscriber_id": str(recipient.subscriber_id)},
    }


def _plain(mapping: Mapping[str, str]) -> Mapping[str, str]:
    # json.dumps takes only dicts. The personalizer's values are dicts already, and copying
    # them would cost a thousand copies per request.
    return mapping if isinstance(mapping, dict) else dict(mapping)


def _address(text: str) -> dict[str, str]:
    name, address = parseaddr(text)
    return {"email": address, "name": name} if name else {"email": address}


def _classify(error: Any) -> Exception:
    """A DeliveryError or a retry.Transient for an HTTP error status."""
    status = int(error.status_code)
    detail = _provider_message(error.body)
    if status == 429:
        return retry.Transient("rate limited (429)", wait=_rate_limit_wait(error.headers), status=status)
    if status >= 500:
        return retry.Transient(f"server error {status}: {detail}", status=status)
    if status in (401, 403):
        return DeliveryError(
            f"SendGrid refused the API key ({status}: {detail}); check NEWSLETTER_{API_KEY_NAME}",
            fatal=True,
            status=status,
        )
    if status in (400, 413):
        return DeliveryError(
            f"SendGrid rejected the batch ({status}): {detail}", permanent=True, status=status
        )
    # 404, 405, 415: the address or the request's form is wrong, and will be for every batch.
    return DeliveryError(
        f"SendGrid answered {status} ({detail}); check delivery.sendgrid.api_host", fatal=True, status=status
    )


def _provider_message(body: bytes | str | None) -> str:
    """The ``errors[].message`` values of a SendGrid error reply, or its first 200 characters."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    try:
        errors = json.loads(text)["errors"]
        return "; ".join(
            f"{e.get('message', '')}" + (f" ({e['field']})" if e.get("field") not in (None, "null") else "")
            for e in errors
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return text[:200] or "no details"


def _rate_limit_wait(headers: Any, *, now: float | None = None) -> float:
    """Seconds to wait, from ``X-RateLimit-Reset`` (a Unix time) or ``Retry-After``; 1 s if neither."""
    now = time.time() if now is None else now
    get = headers.get if headers is not None else (lambda _name: None)
    reset = get("X-RateLimit-Reset")
    if reset:
        try:
            value = float(reset)
            # A value this large is a Unix time, as SendGrid sends; a small one is a delay.
            return max(0.0, value - now) if value > 1e8 else max(0.0, value)
        except ValueError:
            pass
    after = get("Retry-After")
    if after:
        try:
            return max(0.0, float(after))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(after).timestamp() - now)
            except (TypeError, ValueError):
                pass
    return 1.0
