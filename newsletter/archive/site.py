"""The archive's pages and feeds, rendered from the drafts and kept in memory.

An issue's web version is its email rendered again with ``web=True`` (see
:func:`newsletter.render.render_email`): the same draft and templates, with a footer that has
no personal link. Rendered issues are cached by issue, locale and the draft file's modification
time and size, so an edited draft is rendered again; the most recently used
:data:`RENDERED_KEPT` are kept whole, and every issue's title and summary for the lists. Lists
and feeds are cached by the issues they show.
Which issues are public, and the drafts' times and sizes, are read at most every
``refresh_seconds``, so an issue hidden or sent by another process, or a draft edited, shows
within that time.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from newsletter import i18n
from newsletter.archive.feeds import FEED_TYPES, FeedInfo, FeedItem, render_feed
from newsletter.archive.issues import ArchiveEntry, public_entries
from newsletter.assets import templates_dir
from newsletter.config import Config
from newsletter.digest import read_draft
from newsletter.errors import NewsletterError
from newsletter.model import Draft, RenderedEmail
from newsletter.render import render_email
from newsletter.render.email import default_renderer
from newsletter.render.view import archive_path
from newsletter.store import Database

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
#: Marks a key not in a cache, where None is a cached answer ("this draft does not render").
_MISSING = object()

INDEX_TEMPLATE = "archive/index.html.j2"
#: Issues per page of a locale's list.
PAGE_SIZE = 20
#: Issues per feed, each with its whole content: a reader needs only the recent ones (WordPress also
#: keeps ten), and twenty would double the largest response the archive sends.
FEED_SIZE = 10

#: Whole renderings kept in memory (about 130 KB each); older issues are rendered again on a visit.
RENDERED_KEPT = 64

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)

#: An issue's draft file as last seen: its path, modification time and size.
_Stamp = tuple[int, int, int]


class NotCached(Exception):  # noqa: N818 - a signal between two calls, not an error.
    """Raised with ``cached_only=True`` when an answer needs the store or a rendering."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Summary:
    """What a list shows of an issue in one locale: its subject and preheader."""

    title: str
    summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Listed:
    """An issue as the lists and feeds show it."""

    date: str
    """The long date (``July 1, 2026``, ``2026년 7월 1일``)."""
    url: str
    title: str
    summary: str


class Archive:
    """Pages and feeds for every configured locale; ``None`` for what does not exist."""

    def __init__(
        self,
        config: Config,
        db: Database,
        *,
        refresh_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.db = db
        self.locales = tuple(config.newsletter.locales)
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: list[ArchiveEntry] = []
        self._read_at: float | None = None
        self._refreshing = False
        self._stamps: dict[int, _Stamp] = {}
        self._issues: OrderedDict[tuple[int, str, _Stamp], RenderedEmail | None] = OrderedDict()
        self._summaries: dict[tuple[int, str, _Stamp], _Summary | None] = {}
        self._pages: dict[tuple[object, ...], str] = {}
        self._environments: dict[str, Environment] = {}

    def entries(self, *, cached_only: bool = False) -> list[ArchiveEntry]:
        """The public issues, newest first, re-read from the store when older than ``refresh_seconds``."""
        now = self._clock()
        if self._read_at is not None and now - self._read_at < self.refresh_seconds:
            return self._entries
        if cached_only:
            # One request reads the store; the others meanwhile get what was read a moment ago,
            # rather than all queueing behind that read.
            if self._refreshing and self._read_at is not None:
                return self._entries
            self._refreshing = True
            raise NotCached
        with self._lock:
            try:
                return self._refresh(now)
            finally:
                self._refreshing = False

    def _refresh(self, now: float) -> list[ArchiveEntry]:
        # Another thread may have read them while this one waited for the lock.
        if self._read_at is not None and self._clock() - self._read_at < self.refresh_seconds:
            return self._entries
        with self.db.transaction() as session:
            entries = public_entries(session)
        # The draft files are looked at with the store, not on every request.
        stamps = {entry.issue_id: _stamp(entry) for entry in entries}
        if entries != self._entries or stamps != self._stamps:
            # Drop what a hidden issue or an edited draft left behind, so withdrawn text is
            # not kept in memory.
            for cache in (self._issues, self._summaries):
                # list() copies the keys in one step, so requests answered meanwhile on the
                # event loop cannot change the mapping under this loop.
                for key in list(cache):
                    if stamps.get(key[0]) != key[2]:
                        cache.pop(key, None)
            self._pages = {}
        self._stamps, self._entries, self._read_at = stamps, entries, now
        return entries

    def invalidate(self) -> None:
        """Read the public issues again on the next request (after a hide or a send here)."""
        self._read_at = None

    # Each page method answers from memory alone with ``cached_only=True`` or raises NotCached,
    # so a server can answer most requests without handing them to a worker thread.

    def issue_page(self, locale: str, day: date, *, cached_only: bool = False) -> str | None:
        """The web version of the issue of ``day`` in ``locale``."""
        if locale not in self.locales:
            return None
        entry = next((e for e in self.entries(cached_only=cached_only) if e.issue_date == day), None)
        rendered = self._rendered(entry, locale, cached_only) if entry else None
        return rendered.html if rendered else None

    def pages(self, locale: str) -> int:
        """How many pages the locale's list has (one, even when empty)."""
        return max(1, -(-len(self._available(locale)) // PAGE_SIZE))

    def index_page(self, locale: str, page: int = 1, *, cached_only: bool = False) -> str | None:
        """Page ``page`` (from 1) of the locale's list of issues, newest first."""
        if locale not in self.locales:
            return None
        available = self._available(locale, cached_only)
        pages = max(1, -(-len(available) // PAGE_SIZE))
        if not 1 <= page <= pages:
            return None
        shown = available[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        key = ("index", locale, page, tuple(self._stamp(entry) for entry, _ in shown))
        return self._cached(key, lambda: self._index(locale, page, pages, shown), cached_only)

    def feed(self, locale: str, name: str, *, cached_only: bool = False) -> str | None:
        """The feed ``name`` (``atom.xml``, ``rss.xml`` or ``feed.json``) of the locale."""
        if locale not in self.locales or name not in FEED_TYPES:
            return None
        shown = self._available(locale, cached_only)[:FEED_SIZE]
        key = ("feed", locale, name, tuple(self._stamp(entry) for entry, _ in shown))
        return self._cached(key, lambda: self._feed(locale, name, shown), cached_only)

    def url(self, path: str) -> str:
        return self.config.newsletter.public_url.rstrip("/") + path

    def _cached(self, key: tuple[object, ...], make: Callable[[], str], cached_only: bool) -> str:
        found = self._pages.get(key)
        if found is None:
            if cached_only:
                raise NotCached
            found = self._pages[key] = make()
        return found

    def _available(self, locale: str, cached_only: bool = False) -> list[tuple[ArchiveEntry, _Summary]]:
        """The public issues whose drafts render, with their title and summary."""
        found = []
        for entry in self.entries(cached_only=cached_only):
            summary = self._summary(entry, locale, cached_only)
            if summary is not None:
                found.append((entry, summary))
        return found

    def _stamp(self, entry: ArchiveEntry) -> _Stamp:
        return self._stamps.get(entry.issue_id) or _stamp(entry)

    def _rendered(self, entry: ArchiveEntry, locale: str, cached_only: bool = False) -> RenderedEmail | None:
        key = (entry.issue_id, locale, self._stamp(entry))
        # Read once and guarded: another thread may drop the key between two steps.
        found = self._issues.get(key, _MISSING)
        if found is not _MISSING:
            with contextlib.suppress(KeyError):
                self._issues.move_to_end(key)
            return found  # type: ignore[return-value]
        if cached_only:
            raise NotCached
        rendered = self._from_draft(
            entry, lambda draft: render_email(draft, locale, self.config.render_settings(), web=True)
        )
        self._issues[key] = rendered
        while len(self._issues) > RENDERED_KEPT:
            with contextlib.suppress(KeyError):
                self._issues.popitem(last=False)
        return rendered

    def _summary(self, entry: ArchiveEntry, locale: str, cached_only: bool = False) -> _Summary | None:
        key = (entry.issue_id, locale, self._stamp(entry))
        known = self._summaries.get(key, _MISSING)
        if known is not _MISSING:
            return known  # type: ignore[return-value]
        if cached_only:
            raise NotCached

        def headline(draft: Draft) -> _Summary:
            title, summary = default_renderer().headline(draft, locale, self.config.render_settings())
            return _Summary(title=title, summary=summary)

        found = self._summaries[key] = self._from_draft(entry, headline)
        return found

    def _from_draft(self, entry: ArchiveEntry, make: Callable[[Draft], _T]) -> _T | None:
        try:
            return make(read_draft(Path(entry.draft_path)))
        except NewsletterError as error:
            # One broken or missing draft must not take the whole archive down with it. The
            # failure is kept too, so it is logged once per change of the file, not per visit.
            logger.warning("archive: issue %s is left out: %s", entry.issue_id, error)
            return None

    def _listed(self, locale: str, entry: ArchiveEntry, rendered: _Summary) -> _Listed:
        return _Listed(
            # The long form in both languages ("2026년 7월 1일"): the date is the list's headline.
            date=i18n.format_date(entry.issue_date, locale, width="long"),
            url=self.url(archive_path(locale, entry.issue_date)),
            title=rendered.title,
            summary=rendered.summary,
        )

    def _index(self, locale: str, page: int, pages: int, shown: list[tuple[ArchiveEntry, _Summary]]) -> str:
        def page_url(number: int) -> str:
            return self.url(archive_path(locale) + (f"page/{number}/" if number > 1 else ""))

        return (
            self._environment(locale)
            .get_template(INDEX_TEMPLATE)
            .render(
                locale=locale,
                direction=i18n.text_direction(locale),
                brand=self.config.newsletter.name,
                issues=[self._listed(locale, entry, rendered) for entry, rendered in shown],
                page=page,
                pages=pages,
                canonical=page_url(page),
                newer=page_url(page - 1) if page > 1 else "",
                older=page_url(page + 1) if page < pages else "",
                alternates=[
                    {
                        "locale": other,
                        "label": i18n.language_name(other),
                        "url": self.url(archive_path(other)),
                    }
                    for other in self.locales
                ],
                feeds={name: self.url(archive_path(locale) + name) for name in FEED_TYPES},
            )
        )

    def _feed(self, locale: str, name: str, shown: list[tuple[ArchiveEntry, _Summary]]) -> str:
        catalog = i18n.translations(locale)
        brand = self.config.newsletter.name
        info = FeedInfo(
            locale=locale,
            # Translators: a feed's title; brand is the newsletter's name.
            title=catalog.gettext("%(brand)s: all issues") % {"brand": brand},
            description=catalog.gettext("Every issue of the daily research digest, newest first."),
            home_url=self.url(archive_path(locale)),
            base_url=self.url(archive_path(locale)),
            author=brand,
        )
        items = []
        for entry, summary in shown:
            rendered = self._rendered(entry, locale)
            if rendered is None:
                continue
            listed = self._listed(locale, entry, summary)
            items.append(
                FeedItem(
                    url=listed.url,
                    title=listed.title,
                    summary=listed.summary,
                    content_html=_body(rendered.html),
                    published=entry.published,
                )
            )
        return render_feed(name, info, items)

    def _environment(self, locale: str) -> Environment:
        env = self._environments.get(locale)
        if env is None:
            env = Environment(
                loader=FileSystemLoader(templates_dir()),
                autoescape=True,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                extensions=["jinja2.ext.i18n"],
            )
            catalog: Translations = i18n.translations(locale)
            env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
            self._environments[locale] = env
        return env


def _stamp(entry: ArchiveEntry) -> _Stamp:
    try:
        stat = Path(entry.draft_path).stat()
    except OSError:
        return (entry.issue_id, -1, -1)
    return (entry.issue_id, stat.st_mtime_ns, stat.st_size)


def _body(html: str) -> str:
    """What is inside ``<body>``: a feed item's content is a fragment, not a whole document."""
    found = _BODY.search(html)
    return found.group(1).strip() if found else html
