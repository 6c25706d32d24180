"""The archive's routes: ``/archive/<locale>/`` and its pages, issues and feeds; GET and HEAD only.

Anything not exactly an archive address (an unknown locale, a date that is not a real date, a
page past the last, ``..`` in the path, a hidden or unsent issue) is a plain 404: the archive
has nothing to explain to a visitor about issues it does not show.
"""

from __future__ import annotations

import re
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from newsletter.archive import Archive
from newsletter.archive.feeds import FEED_TYPES
from newsletter.render.view import archive_path
from newsletter.web.page import accepted_locale

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A page number as the archive writes it: no sign, no leading zero, and short enough that
#: a number of a thousand digits is never converted.
_PAGE = re.compile(r"[1-9][0-9]{0,5}")

#: Public pages, the same for everyone: caches may keep them a little while. Nothing is loaded
#: from elsewhere and nothing runs.
_HEADERS = {
    "Cache-Control": "public, max-age=300",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:",
}


class ArchiveEndpoints:
    """The handlers behind ``/archive/``."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

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
        locale = request.path_params["locale"]
        html = await run_in_threadpool(self.archive.index_page, locale, int(raw))
        return _found(html, "text/html; charset=utf-8")

    async def issue(self, request: Request) -> Response:
        day = _day(request.path_params["day"])
        if day is None:
            return _not_found()
        html = await run_in_threadpool(self.archive.issue_page, request.path_params["locale"], day)
        return _found(html, "text/html; charset=utf-8")

    async def feed(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in FEED_TYPES:
            return _not_found()
        body = await run_in_threadpool(self.archive.feed, request.path_params["locale"], name)
        return _found(body, FEED_TYPES[name])


def _day(text: str) -> date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _found(body: str | None, media_type: str) -> Response:
    if body is None:
        return _not_found()
    return Response(body, media_type=media_type, headers=_HEADERS)


def _not_found() -> Response:
    return PlainTextResponse("not found", status_code=404, headers={"Cache-Control": "no-store"})
