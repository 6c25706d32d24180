"""The archive's routes: ``/archive/<locale>/`` and its pages, issues and feeds; GET and HEAD only.

Anything not exactly an archive address (an unknown locale, a date that is not a real date, a
page past the last, ``..`` in the path, a hidden or unsent issue) is a plain 404: the archive
has nothing to explain to a visitor about issues it does not show.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from newsletter.archive import Archive
from newsletter.archive.feeds import FEED_TYPES
from newsletter.archive.site import NotCached
from newsletter.render.view import archive_path
from newsletter.web.page import accepted_locale

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A page number as the archive writes it: no sign, no leading zero, and short enough that
#: a number of a thousand digits is never converted.
_PAGE = re.compile(r"[1-9][0-9]{0,5}")

#: Public pages, the same for everyone: caches may keep them a little while. Nothing is loaded
#: from elsewhere and nothing runs.
_HTML = "text/html; charset=utf-8"
_HEADERS = {
    "Vary": "Accept-Encoding",
    "Cache-Control": "public, max-age=300",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:",
}


#: Encoded bodies kept at most (an issue is about 180 KB with its text, a feed about 2 MB);
#: past it the oldest half is dropped.
_MAX_BODIES = 128


@dataclass(frozen=True, slots=True)
class _Body:
    """A page as sent: UTF-8, and gzipped once for the clients that accept it (feeds are large)."""

    plain: bytes
    gzipped: bytes


class ArchiveEndpoints:
    """The handlers behind ``/archive/``.

    A request is answered from the archive's memory on the event loop when it can be, and in a
    worker thread when it needs the store or a rendering.
    """

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        # Keyed by the page text itself: the archive hands back the same string object while a
        # page is unchanged, and a string caches its hash, so a lookup costs no hashing.
        self._bodies: dict[str, _Body] = {}

    def routes(self) -> list[Route]:
        return [
            Route("/archive/", self.root, methods=["GET"]),
            Route("/archive/{locale}/", self.index, methods=["GET"]),
            Route("/archive/{locale}/page/{page}/", self.index, methods=["GET"]),
            Route("/archive/{locale}/{name}", self.feed, methods=["GET"]),
            Route("/archive/{locale}/{day}/", self.issue, methods=["GET"]),
        ]

    async def root(self, request: Request) -> Response:
        locales = self.archive.locales
        chosen = accepted_locale(request.headers.get("accept-language", ""), locales) or locales[0]
        return RedirectResponse(archive_path(chosen), status_code=302, headers={"Vary": "Accept-Language"})

    async def index(self, request: Request) -> Response:
        raw = request.path_params.get("page", "1")
        if not _PAGE.fullmatch(raw) or (raw == "1" and "page" in request.path_params):
            return _not_found()
        page = self.archive.index_page
        return await self._answer(request, page, request.path_params["locale"], int(raw), media_type=_HTML)

    async def issue(self, request: Request) -> Response:
        day = _day(request.path_params["day"])
        if day is None:
            return _not_found()
        page = self.archive.issue_page
        return await self._answer(request, page, request.path_params["locale"], day, media_type=_HTML)

    async def feed(self, request: Request) -> Response:
        name = request.path_params["name"]
        if _day(name) is not None:
            # An issue's address typed without its final slash.
            return RedirectResponse(request.url.path + "/", status_code=308)
        if name not in FEED_TYPES:
            return _not_found()
        page = self.archive.feed
        return await self._answer(
            request, page, request.path_params["locale"], name, media_type=FEED_TYPES[name]
        )

    async def _answer(
        self, request: Request, page: Callable[..., str | None], *args: object, media_type: str
    ) -> Response:
        try:
            text = page(*args, cached_only=True)
            body = self._bodies.get(text) if text is not None else None
        except NotCached:
            text, body = await run_in_threadpool(page, *args), None
        if text is None:
            return _not_found()
        if body is None:
            body = await run_in_threadpool(self._encode, text)
        headers = dict(_HEADERS)
        content = body.plain
        if "gzip" in request.headers.get("accept-encoding", ""):
            content, headers["Content-Encoding"] = body.gzipped, "gzip"
        return Response(content, media_type=media_type, headers=headers)

    def _encode(self, text: str) -> _Body:
        plain = text.encode("utf-8")
        body = _Body(plain, gzip.compress(plain, compresslevel=6, mtime=0))
        if len(self._bodies) >= _MAX_BODIES:
            for old in list(self._bodies)[: _MAX_BODIES // 2]:
                self._bodies.pop(old, None)
        self._bodies[text] = body
        return body


def _day(text: str) -> date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _not_found() -> Response:
    return PlainTextResponse("not found", status_code=404, headers={"Cache-Control": "no-store"})
