"""The SMTP backend: any mail server, in the clear, with STARTTLS or over SSL.

Credentials come from ``NEWSLETTER_SMTP_USERNAME`` and ``NEWSLETTER_SMTP_PASSWORD``. One
connection per thread is kept open across batches and re-opened when the server drops it.
SMTP accepts or refuses each recipient on its own, so a batch can come back with some
recipients refused while the rest were accepted.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import parseaddr
from functools import partial
from typing import get_args

from newsletter.config import Config, SmtpSecurity, secret
from newsletter.delivery import retry
from newsletter.delivery.base import BatchResult, Campaign, Personalization
from newsletter.delivery.message import personalize, to_mime
from newsletter.errors import ConfigError, DeliveryError

logger = logging.getLogger(__name__)


class _Refused(Exception):  # noqa: N818 (internal: one recipient refused for good)
    pass


class SmtpBackend:
    """See :class:`~newsletter.delivery.base.DeliveryBackend`."""

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: SmtpSecurity = "none",
        timeout_seconds: float = 30.0,
        username: str | None = None,
        password: str | None = None,
        batch_size: int = 100,
        concurrency: int = 1,
        policy: retry.RetryPolicy | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if security not in get_args(SmtpSecurity):
            raise ValueError(f"security must be one of {', '.join(get_args(SmtpSecurity))}, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.timeout_seconds = timeout_seconds
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.policy = policy or retry.RetryPolicy()
        self._credentials = (username, password) if username else None
        self._context = ssl_context or ssl.create_default_context()
        self._local = threading.local()
        self._open: list[smtplib.SMTP] = []
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Config) -> SmtpBackend:
        section = config.delivery.smtp
        # An empty host never gets here: delivery.smtp.host is checked when the config loads.
        if secret("SMTP_USERNAME") and not secret("SMTP_PASSWORD"):
            raise ConfigError("NEWSLETTER_SMTP_PASSWORD", "not set, although NEWSLETTER_SMTP_USERNAME is")
        return cls(
            section.host,
            section.port,
            security=section.security,
            timeout_seconds=section.timeout_seconds,
            username=secret("SMTP_USERNAME"),
            password=secret("SMTP_PASSWORD") or "",
            policy=retry.RetryPolicy(retries=config.delivery.max_retries),
        )

    def send_batch(self, campaign: Campaign, batch: Sequence[Personalization]) -> BatchResult:
        envelope_from = parseaddr(campaign.sender)[1]
        accepted: set[int] = set()
        rejected: dict[int, str] = {}
        for person in batch:
            recipient = person.recipient
            message = to_mime(personalize(campaign, person))
            what = f"SMTP {self.host}:{self.port} message for subscriber {recipient.subscriber_id}"
            try:
                retry.call(
                    partial(self._send, message, envelope_from, recipient.email), self.policy, what=what
                )
            except _Refused as refusal:
                rejected[recipient.subscriber_id] = str(refusal)
                continue
            except DeliveryError as error:
                raise DeliveryError(
                    str(error),
                    permanent=error.permanent,
                    fatal=error.fatal,
                    status=error.status,
                    outcome_unknown=error.outcome_unknown,
                    accepted=frozenset(accepted),
                ) from None
            accepted.add(recipient.subscriber_id)
        return BatchResult(rejected=rejected)

    def close(self) -> None:
        with self._lock:
            connections, self._open = self._open, []
        for connection in connections:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()
        self._local = threading.local()

    def _send(self, message: EmailMessage, envelope_from: str, to: str) -> None:
        connection = self._connection()
        try:
            connection.send_message(message, from_addr=envelope_from, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as error:
            code, reason = error.recipients.get(to, (550, b"refused"))
            _refusal(code, reason, to)
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
            _refusal(error.smtp_code, error.smtp_error, to)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as error:
            # The message may have been taken before the connection broke.
            self._drop()
            raise retry.Transient(f"connection lost: {error}", outcome_unknown=True) from None

    def _connection(self) -> smtplib.SMTP:
        connection: smtplib.SMTP | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
            with self._lock:
                self._open.append(connection)
        return connection

    def _connect(self) -> smtplib.SMTP:
        where = f"{self.host}:{self.port}"
        try:
            if self.security == "ssl":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout_seconds, context=self._context
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds)
            if self.security == "starttls":
                connection.starttls(context=self._context)
            if self._credentials:
                connection.login(*(value or "" for value in self._credentials))
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(
                f"SMTP {where} refused the credentials ({error.smtp_code}); "
                "check NEWSLETTER_SMTP_USERNAME and NEWSLETTER_SMTP_PASSWORD",
                fatal=True,
                status=error.smtp_code,
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryError(f"SMTP {where}: {error}; check delivery.smtp.security", fatal=True) from None
        except UnicodeEncodeError:
            # smtplib encodes AUTH credentials as ASCII and cannot send anything else.
            raise DeliveryError(
                "NEWSLETTER_SMTP_USERNAME/PASSWORD: only ASCII characters can be sent over SMTP AUTH",
                fatal=True,
            ) from None
        except ssl.SSLError as error:
            raise DeliveryError(f"SMTP {where}: TLS failed: {error}", fatal=True) from None
        except (smtplib.SMTPException, OSError) as error:
            raise retry.Transient(f"cannot connect to {where}: {error}") from None
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with self._lock:
                if connection in self._open:
                    self._open.remove(connection)
            connection.close()


def _refusal(code: int, reason: bytes | str, to: str) -> None:
    """Raise for a refused recipient: retry a 4xx, give up on a 5xx."""
    text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else reason
    if 400 <= code < 500:
        raise retry.Transient(f"{to}: {code} {text}", status=code)
    raise _Refused(f"{code} {text}")
