"""arXiv through its export API, with the real ``arxiv`` client made polite and strict.

``arxiv.Client`` retries without backoff, ignores ``Retry-After``, sets no timeout and turns an
HTML error page or a malformed feed into zero results. We keep the client (its paging, its
parser and its politeness delay) and give it a session that fixes those gaps:

- every request has a timeout;
- transient answers (429, 5xx, resets, timeouts) are retried by urllib3 with exponential
  backoff and jitter, honouring ``Retry-After``;
- every response must be an Atom feed with opensearch totals, or the gathering fails;
- the number of results must match the feed's total, so a busy day is never truncated.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

import arxiv
import requests
from lxml import etree
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from newsletter.config import ArxivSection
from newsletter.errors import SourceError
from newsletter.model import Author, Paper

logger = logging.getLogger(__name__)

_ATOM = "{http://www.w3.org/2005/Atom}"
_TOTAL = "{http://a9.com/-/spec/opensearch/1.1/}totalResults"
_ID = re.compile(r"abs/(?P<id>.+?)v(?P<version>\d+)$")
_SPACE = re.compile(r"\s+")


class ArxivSource:
    """See :class:`~newsletter.sources.base.PaperSource`."""

    def __init__(self, settings: ArxivSection) -> None:
        self.settings = settings
        self.session = _FeedSession(settings)
        # One client for the process, so its politeness delay spans every request we make.
        self.client = arxiv.Client(
            page_size=settings.page_size, delay_seconds=settings.delay_seconds, num_retries=0
        )
        self.client.query_url_format = settings.base_url + "?{}"
        self.client._session = self.session  # The client offers no other way to set a session.

    def fetch(self, *, submitted_after: datetime, submitted_before: datetime) -> list[Paper]:
        search = arxiv.Search(
            query=self.query(submitted_after, submitted_before),
            max_results=None,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Ascending,
        )
        self.session.first_total = None
        try:
            results = list(self.client.results(search))
        except arxiv.UnexpectedEmptyPageError as error:
            raise SourceError(
                "arXiv returned an empty page in the middle of the results", url=error.url
            ) from None
        except arxiv.HTTPError as error:
            raise SourceError(f"arXiv answered HTTP {error.status}", url=error.url) from None
        except requests.RequestException as error:
            raise SourceError(f"arXiv is unavailable: {_reason(error)}", url=self.settings.base_url) from None
        expected = self.session.first_total or 0
        if len(results) < expected:
            raise SourceError(
                f"arXiv returned {len(results)} of {expected} results", url=self.settings.base_url
            )
        logger.info("fetched %d papers from arXiv", len(results))
        return [to_paper(result) for result in results]

    def query(self, after: datetime, before: datetime) -> str:
        """The search query: the categories, the optional topic query, and the submission span."""
        categories = " OR ".join(f"cat:{category}" for category in self.settings.categories)
        parts = [f"({categories})", f"submittedDate:[{_gmt(after)} TO {_gmt(before)}]"]
        if self.settings.query:
            parts.insert(1, f"({self.settings.query})")
        return " AND ".join(parts)


class _FeedSession(requests.Session):
    """A session with a timeout, polite retries, and a check that each answer is a real feed."""

    def __init__(self, settings: ArxivSection) -> None:
        super().__init__()
        self.timeout = settings.timeout_seconds
        self.first_total: int | None = None
        retry = Retry(
            total=settings.retries,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            backoff_factor=max(settings.delay_seconds, 0.05),
            backoff_jitter=max(settings.delay_seconds, 0.05) / 2,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        self.hooks["response"].append(self._check_feed)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)

    def _check_feed(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        if response.status_code != 200:
            raise SourceError(f"arXiv answered HTTP {response.status_code}", url=response.url)
        try:
            root = etree.fromstring(response.content, parser=etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError as error:
            raise SourceError(f"arXiv's answer is not a valid feed ({error})", url=response.url) from None
        total = root.find(_TOTAL)
        if root.tag != f"{_ATOM}feed" or total is None or not (total.text or "").strip().isdigit():
            raise SourceError("arXiv's answer is not an Atom feed with result totals", url=response.url)
        if self.first_total is None:
            self.first_total = int((total.text or "0").strip())
        return response


def to_paper(result: arxiv.Result) -> Paper:
    """Our plain ``Paper`` from the client's ``Result``."""
    match = _ID.search(result.entry_id)
    if match is None:
        raise SourceError(f"unexpected arXiv entry id {result.entry_id!r}")
    return Paper(
        arxiv_id=match["id"],
        version=int(match["version"]),
        title=_clean(result.title),
        abstract=_clean(result.summary),
        authors=tuple(
            Author(name=_clean(author.name), affiliations=tuple(author.affiliation or ()))
            for author in result.authors
        ),
        primary_category=result.primary_category,
        categories=tuple(result.categories),
        published=result.published.astimezone(UTC),
        updated=result.updated.astimezone(UTC),
        comment=_clean(result.comment) if result.comment else None,
        journal_ref=_clean(result.journal_ref) if result.journal_ref else None,
    )


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _reason(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return "no answer within the timeout"
    if isinstance(error, requests.exceptions.RetryError):
        return "it kept answering with errors after every retry"
    return type(error).__name__
