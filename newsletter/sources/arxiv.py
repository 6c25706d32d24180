"""arXiv through its export API, with the real ``arxiv`` client made polite and strict.

We keep ``arxiv.Client`` for its paging, its parser and its politeness delay, and give it a
:class:`~newsletter.sources.session.FeedSession` (timeouts, backoff, ``Retry-After``, feed
checks). One client per API endpoint is shared by the whole process, and one search runs at a
time on it, so the politeness delay holds across sources, runs and threads. After paging we
check the distinct papers against the feed's own total, so a busy day is never truncated.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import arxiv
import requests
import urllib3

from newsletter.config import ArxivSection
from newsletter.errors import SourceError
from newsletter.model import Author, Paper
from newsletter.sources.session import FeedSession

logger = logging.getLogger(__name__)

_ID = re.compile(r"abs/(?P<id>.+?)v(?P<version>\d+)$")
_SPACE = re.compile(r"\s+")
#: arXiv's terms of use ask for no more than one request every three seconds.
ARXIV_MIN_DELAY = 3.0
#: The longest ``Retry-After`` we wait for before giving the window to the next run.
MAX_WAIT_SECONDS = 300.0


class ArxivSource:
    """See :class:`~newsletter.sources.base.PaperSource`.

    Searches ``settings.categories`` (and ``settings.query``) by ``submittedDate``, oldest first.
    """

    def __init__(self, settings: ArxivSection, *, max_wait_seconds: float = MAX_WAIT_SECONDS) -> None:
        self.settings = settings
        self.shared = shared_client(settings, max_wait_seconds=max_wait_seconds)

    def fetch(self, *, submitted_after: datetime, submitted_before: datetime) -> list[Paper]:
        search = arxiv.Search(
            query=self.query(submitted_after, submitted_before),
            max_results=None,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Ascending,
        )
        with self.shared.lock:
            self.shared.session.reset()
            results = self._results(search)
            totals = list(self.shared.session.totals)
        papers = newest_versions(to_paper(result) for result in results)
        _check_complete(len(papers), totals, self.settings.base_url)
        logger.info("fetched %d papers from arXiv in %d pages", len(papers), len(totals))
        return papers

    def query(self, after: datetime, before: datetime) -> str:
        """The search query: the categories, the optional topic query, and the submission span."""
        categories = " OR ".join(f"cat:{category}" for category in self.settings.categories)
        parts = [f"({categories})", f"submittedDate:[{_gmt(after)} TO {_gmt(before)}]"]
        if self.settings.query:
            parts.insert(1, f"({self.settings.query})")
        return " AND ".join(parts)

    def _results(self, search: arxiv.Search) -> list[Any]:
        url = self.settings.base_url
        try:
            return list(self.shared.client.results(search))
        except arxiv.UnexpectedEmptyPageError as error:
            raise SourceError(
                "arXiv kept answering an empty page inside the results", url=error.url
            ) from None
        except arxiv.HTTPError as error:
            raise SourceError(f"arXiv answered HTTP {error.status}", url=error.url) from None
        except requests.RequestException as error:
            raise SourceError(f"arXiv is unavailable: {_reason(error, self.settings)}", url=url) from None


@dataclass(slots=True, kw_only=True)
class SharedClient:
    """The process's client for one endpoint, with its session and the lock searches take."""

    client: arxiv.Client
    session: FeedSession
    lock: threading.Lock


_shared: dict[tuple[object, ...], SharedClient] = {}
_shared_lock = threading.Lock()


def shared_client(settings: ArxivSection, *, max_wait_seconds: float = MAX_WAIT_SECONDS) -> SharedClient:
    """The one client this process uses for ``settings.base_url`` with these settings."""
    delay = settings.delay_seconds
    if urlsplit(settings.base_url).hostname in {"export.arxiv.org", "arxiv.org"} and delay < ARXIV_MIN_DELAY:
        logger.warning(
            "arxiv.delay_seconds=%s is below arXiv's %s s; using %s s", delay, *[ARXIV_MIN_DELAY] * 2
        )
        delay = ARXIV_MIN_DELAY
    key = (
        settings.base_url,
        settings.page_size,
        delay,
        settings.retries,
        settings.timeout_seconds,
        settings.request_deadline_seconds,
        max_wait_seconds,
    )
    with _shared_lock:
        if key not in _shared:
            _shared[key] = _new_client(settings, delay, max_wait_seconds)
        return _shared[key]


def _new_client(settings: ArxivSection, delay: float, max_wait_seconds: float) -> SharedClient:
    session = FeedSession(
        timeout=settings.timeout_seconds,
        retries=settings.retries,
        delay_seconds=delay,
        max_wait_seconds=max_wait_seconds,
        deadline_seconds=settings.request_deadline_seconds,
    )
    client = _PatientClient(page_size=settings.page_size, delay_seconds=delay, num_retries=0)
    client.empty_page_retries = settings.retries
    client.query_url_format = settings.base_url + "?{}"
    # The client offers no other way to set a session; retries happen in the session's adapter.
    client._session = session
    return SharedClient(client=client, session=session, lock=threading.Lock())


class _PatientClient(arxiv.Client):  # type: ignore[misc]
    """Retries a page that comes back empty inside the results, a known arXiv quirk.

    Failed requests are retried below, in the session; only the empty page is retried here,
    after the client's own politeness delay.
    """

    empty_page_retries = 0

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> Any:
        for attempt in range(self.empty_page_retries + 1):
            try:
                return super()._parse_feed(url, first_page=first_page, _try_index=attempt)
            except arxiv.UnexpectedEmptyPageError:
                if attempt == self.empty_page_retries:
                    raise
                logger.info("arXiv answered an empty page inside the results; asking again: %s", url)
        raise AssertionError("unreachable")


def _check_complete(found: int, totals: list[int], url: str) -> None:
    if len(set(totals)) > 1:
        raise SourceError(
            f"arXiv's result count changed while paging ({totals[0]} then {totals[-1]}); "
            "the next run will gather the window again",
            url=url,
        )
    expected = totals[0] if totals else 0
    if found != expected:
        raise SourceError(f"arXiv returned {found} distinct papers of the {expected} it counted", url=url)


def newest_versions(papers: Any) -> list[Paper]:
    """Each paper once, in first-seen order, as its newest version."""
    newest: dict[str, Paper] = {}
    for paper in papers:
        known = newest.get(paper.arxiv_id)
        if known is None or paper.version > known.version:
            newest[paper.arxiv_id] = paper
    return list(newest.values())


def to_paper(result: arxiv.Result) -> Paper:
    """Our plain ``Paper`` from the client's ``Result``."""
    match = _ID.search(result.entry_id)
    if match is None:
        raise SourceError(f"arXiv entry id {result.entry_id!r} has no version (expected …/abs/<id>v<n>)")
    return Paper(
        arxiv_id=match["id"],
        version=int(match["version"]),
        title=_clean(result.title),
        abstract=_clean(result.summary),
        authors=tuple(
            Author(name=_clean(author.name), affiliations=tuple(_clean(a) for a in author.affiliation or ()))
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
    if moment.tzinfo is None:
        raise ValueError(f"submission bounds must be timezone-aware, got {moment}")
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _reason(error: requests.RequestException, settings: ArxivSection) -> str:
    """Why the last try failed, in words, from the urllib3 error requests wraps."""
    cause = error.args[0] if error.args else None
    reason = getattr(cause, "reason", cause)
    tries = f"{settings.retries + 1} tries"
    if isinstance(error, requests.Timeout) or isinstance(reason, urllib3.exceptions.TimeoutError):
        return f"no answer within {settings.timeout_seconds:g} s, {tries}"
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return f"no connection could be made, {tries}"
    if isinstance(reason, urllib3.exceptions.ProtocolError):
        return f"the connection was dropped, {tries}"
    return f"{type(reason or error).__name__}, {tries}"
