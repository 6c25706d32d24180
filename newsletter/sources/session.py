"""A polite, strict HTTP session for arXiv's export API.

``arxiv.Client`` brings its own ``requests.Session`` but sets no timeout, retries without
waiting, ignores ``Retry-After`` and reads an HTML error page as an empty result. This session
fixes those gaps below the client, so the client keeps its paging and its parser:

- every request has a timeout for each socket operation, and a total deadline (see
  :mod:`~newsletter.sources.deadline`) that also bounds its retries, the waits between them
  and the body, which is read as a stream and refused past ``MAX_FEED_BYTES``;
- transient failures (429, 5xx, dropped connections, timeouts) are retried by urllib3 with
  exponential backoff and jitter, starting at the politeness delay, honouring ``Retry-After``
  but never waiting less than the politeness delay;
- a ``Retry-After`` longer than the longest wait we accept fails at once, since arXiv asked us
  to stay away and the next scheduled run covers the window;
- every answer must be a well-formed Atom feed with opensearch totals; the totals of each page
  are kept so the caller can check that nothing was truncated.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from itertools import takewhile
from typing import Any, Self

import requests
import urllib3
from lxml import etree
from urllib3 import BaseHTTPResponse
from urllib3.util import Retry

from newsletter.errors import SourceError
from newsletter.sources.deadline import Deadline, DeadlineAdapter, DeadlinePassedError, current_deadline

logger = logging.getLogger(__name__)

_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
#: Statuses arXiv answers under load or during maintenance.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
#: A page of 2,000 entries, the most the API serves, is a few megabytes; more is not a feed.
MAX_FEED_BYTES = 50 * 1024 * 1024
_READ_BYTES = 64 * 1024


class PoliteRetry(Retry):
    """urllib3's ``Retry``, with backoff that starts at the politeness delay (``backoff_factor``).

    urllib3 retries the first failure at once; arXiv asks for one request every few seconds,
    so every retry here waits at least ``backoff_factor``, doubling each time, plus jitter.
    No retry starts, and no wait begins, that the request's deadline would cut short.
    """

    def get_backoff_time(self) -> float:
        failures = len(list(takewhile(lambda h: h.redirect_location is None, reversed(self.history))))
        if failures == 0:
            return 0.0
        backoff = self.backoff_factor * 2 ** (failures - 1) + random.uniform(0, self.backoff_jitter)
        return float(min(self.backoff_max, backoff))

    def sleep_for_retry(self, response: BaseHTTPResponse) -> bool:
        wanted = retry_after_seconds(response.headers.get("Retry-After"))
        if wanted is None:
            return False
        if wanted > self.retry_after_max:
            raise SourceError(
                f"arXiv asked us to wait {wanted:.0f} s before retrying (more than the "
                f"{self.retry_after_max} s we wait); the next run will cover this window"
            )
        wait = max(wanted, self.backoff_factor)
        _check_wait_fits(wait, f"arXiv answered HTTP {response.status} and asked us to wait {wanted:.0f} s")
        logger.info("arXiv answered %s; waiting %.1f s as Retry-After asks", response.status, wanted)
        time.sleep(wait)
        return True

    def increment(self, *args: Any, **kwargs: Any) -> Self:
        deadline = current_deadline()
        if deadline is not None and deadline.expired:
            # The deadline shut the connection; that failure is not one to retry.
            raise DeadlinePassedError
        return super().increment(*args, **kwargs)

    def _sleep_backoff(self) -> None:
        wait = self.get_backoff_time()
        _check_wait_fits(wait, f"arXiv's try {len(self.history)} failed ({self._last_failure()})")
        time.sleep(wait)

    def _last_failure(self) -> str:
        last = self.history[-1] if self.history else None
        if last is not None and last.status:
            return f"HTTP {last.status}"
        return type(last.error).__name__ if last is not None and last.error else "no answer"


def _check_wait_fits(wait: float, what: str) -> None:
    """Give up now rather than wait for a retry that would start after the request's deadline."""
    deadline = current_deadline()
    if deadline is not None and wait >= deadline.remaining():
        raise SourceError(
            f"{what}; waiting {wait:.0f} s for another try would pass the {deadline.seconds:g} s "
            "deadline of a request; the next run will cover this window"
        )


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        logger.warning("ignoring an unreadable Retry-After header %r", value)
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - time.time())


class FeedSession(requests.Session):
    """A session with a timeout, polite retries, and a check that each answer is a real feed."""

    def __init__(
        self,
        *,
        timeout: float,
        retries: int,
        delay_seconds: float,
        max_wait_seconds: float,
        deadline_seconds: float,
        max_bytes: int = MAX_FEED_BYTES,
    ) -> None:
        super().__init__()
        self.timeout = timeout
        self.deadline_seconds = deadline_seconds
        self.max_bytes = max_bytes
        self.totals: list[int] = []
        """The opensearch total of each page answered since the last :meth:`reset`."""
        floor = max(delay_seconds, 0.05)
        retry = PoliteRetry(
            total=retries,
            status_forcelist=TRANSIENT_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=floor,
            backoff_jitter=floor / 2,
            backoff_max=max(60.0, floor),
            retry_after_max=int(max_wait_seconds),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = DeadlineAdapter(max_retries=retry)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        self.hooks["response"].append(self._check_feed)

    def reset(self) -> None:
        """Forget the totals of an earlier search."""
        self.totals.clear()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        # Streamed, so that the feed check reads the body against the deadline and the size cap.
        kwargs["stream"] = True
        with Deadline(self.deadline_seconds) as deadline:
            try:
                return super().request(method, url, *args, **kwargs)
            except (requests.RequestException, DeadlinePassedError):
                if deadline.expired:
                    raise _deadline_error(deadline, url) from None
                raise

    def _check_feed(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        status = response.status_code
        if status in TRANSIENT_STATUSES:
            response.close()
            raise SourceError(f"arXiv answered HTTP {status} after every retry", url=response.url)
        if status != 200:
            response.close()
            # A 4xx is our request's fault: repeating it cannot help.
            raise SourceError(
                f"arXiv refused the request with HTTP {status}", url=response.url, retryable=False
            )
        content = self._read(response)
        self.totals.append(feed_total(content, response.url))
        return response

    def _read(self, response: requests.Response) -> bytes:
        """The whole body, read in pieces as they arrive, within the deadline and the size cap."""
        deadline = current_deadline()
        pieces: list[bytes] = []
        received = 0
        try:
            while piece := response.raw.read1(_READ_BYTES, decode_content=True):
                received += len(piece)
                if deadline is not None:
                    deadline.received = received
                if received > self.max_bytes:
                    response.close()
                    raise SourceError(
                        f"arXiv's answer passed {self.max_bytes} bytes; that is not a feed", url=response.url
                    )
                pieces.append(piece)
        except (urllib3.exceptions.HTTPError, OSError) as error:
            response.close()
            if deadline is not None and deadline.expired:
                raise _deadline_error(deadline, response.url) from None
            # As requests reports a body that broke off when it reads the body itself.
            raise requests.ConnectionError(error) from None
        if deadline is not None and deadline.expired:
            # A body without a length ends where the deadline cut it; it is not the whole feed.
            raise _deadline_error(deadline, response.url)
        # Handed to requests as the body it would have read, for the arxiv client's parser.
        response._content = content = b"".join(pieces)
        return content


def _deadline_error(deadline: Deadline, url: str | bytes) -> SourceError:
    return SourceError(
        f"arXiv sent {deadline.received} bytes in {deadline.elapsed:.0f} s; "
        f"gave up at the {deadline.seconds:g} s deadline of a request",
        url=url.decode() if isinstance(url, bytes) else url,
    )


def feed_total(content: bytes, url: str) -> int:
    """The ``opensearch:totalResults`` of an Atom feed, or a SourceError if it is not one."""
    # No recovery: arxiv's own parser recovers from a truncated document and silently drops
    # whatever it could not read.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as error:
        # lxml's message spans lines; the error is read as one.
        reason = " ".join(str(error).split())
        raise SourceError(f"arXiv's answer is not a valid feed ({reason})", url=url) from None
    if root is None or root.tag != _ATOM_FEED:
        tag = "nothing" if root is None else f"<{etree.QName(root).localname}>"
        raise SourceError(f"arXiv's answer is not an Atom feed (it holds {tag})", url=url)
    total = (root.findtext(f"{_OPENSEARCH}totalResults") or "").strip()
    if not total.isdigit():
        raise SourceError("arXiv's feed has no opensearch:totalResults count", url=url)
    return int(total)
