"""A polite, strict HTTP session for arXiv's export API.

``arxiv.Client`` brings its own ``requests.Session`` but sets no timeout, retries without
waiting, ignores ``Retry-After`` and reads an HTML error page as an empty result. This session
fixes those gaps below the client, so the client keeps its paging and its parser:

- every request has a timeout;
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
from typing import Any

import requests
from lxml import etree
from requests.adapters import HTTPAdapter
from urllib3 import BaseHTTPResponse
from urllib3.util import Retry

from newsletter.errors import SourceError

logger = logging.getLogger(__name__)

_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
#: Statuses arXiv answers under load or during maintenance.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class PoliteRetry(Retry):
    """urllib3's ``Retry``, with backoff that starts at the politeness delay (``backoff_factor``).

    urllib3 retries the first failure at once; arXiv asks for one request every few seconds,
    so every retry here waits at least ``backoff_factor``, doubling each time, plus jitter.
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
        logger.info("arXiv answered %s; waiting %.1f s as Retry-After asks", response.status, wanted)
        time.sleep(max(wanted, self.backoff_factor))
        return True


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
        self, *, timeout: float, retries: int, delay_seconds: float, max_wait_seconds: float
    ) -> None:
        super().__init__()
        self.timeout = timeout
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
        adapter = HTTPAdapter(max_retries=retry)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        self.hooks["response"].append(self._check_feed)

    def reset(self) -> None:
        """Forget the totals of an earlier search."""
        self.totals.clear()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)

    def _check_feed(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        status = response.status_code
        if status in TRANSIENT_STATUSES:
            raise SourceError(f"arXiv answered HTTP {status} after every retry", url=response.url)
        if status != 200:
            # A 4xx is our request's fault: repeating it cannot help.
            raise SourceError(
                f"arXiv refused the request with HTTP {status}", url=response.url, retryable=False
            )
        self.totals.append(feed_total(response.content, response.url))
        return response


def feed_total(content: bytes, url: str) -> int:
    """The ``opensearch:totalResults`` of an Atom feed, or a SourceError if it is not one."""
    # No recovery: arxiv's own parser recovers from a truncated document and silently drops
    # whatever it could not read.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as error:
        raise SourceError(f"arXiv's answer is not a valid feed ({error})", url=url) from None
    if root is None or root.tag != _ATOM_FEED:
        tag = "nothing" if root is None else f"<{etree.QName(root).localname}>"
        raise SourceError(f"arXiv's answer is not an Atom feed (it holds {tag})", url=url)
    total = (root.findtext(f"{_OPENSEARCH}totalResults") or "").strip()
    if not total.isdigit():
        raise SourceError("arXiv's feed has no opensearch:totalResults count", url=url)
    return int(total)
