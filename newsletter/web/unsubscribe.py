"""One-click unsubscribe (RFC 8058), its undo and the language choice, at ``/u/{token}``.

A ``POST`` whose body carries ``List-Unsubscribe=One-Click`` unsubscribes at once; the page's
button posts exactly that, so mail clients and people take the same path. A ``GET`` only shows
the page: link scanners prefetch every link in a message, and must never unsubscribe anyone.

A genuine token is the capability of the one person its email was sent to, so its pages say
where that subscriber stands (address masked). A forged, tampered or malformed token, and any
malformed request, gets the same plain "not valid" page, which says nothing about why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from newsletter.config import Config
from newsletter.errors import InputError
from newsletter.store import Database, Session
from newsletter.subscribers import selfservice
from newsletter.subscribers.selfservice import LinkState
from newsletter.unsubscribe import UNSUBSCRIBE_PATH, Signer, TokenSubject
from newsletter.web.form import read_form
from newsletter.web.page import html_page, page_locale
from newsletter.web.unsubscribe_page import (
    LIST_CHECKED,
    LIST_PREFIX,
    LISTS_FIELD,
    LISTS_VALUE,
    LOCALE_FIELD,
    ONE_CLICK_FIELD,
    ONE_CLICK_VALUE,
    UNDO_FIELD,
    UNDO_VALUE,
    Event,
    PageSettings,
    invalid_page,
    subscriber_page,
)

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, kw_only=True)
class UnsubscribeEndpoints:
    """The handlers behind ``/u/{token}``, bound to one store and one signer."""

    config: Config
    db: Database
    signer: Signer

    def routes(self) -> list[Route]:
        return [
            Route(f"{UNSUBSCRIBE_PATH}{{token}}", self.show, methods=["GET"]),
            Route(f"{UNSUBSCRIBE_PATH}{{token}}", self.unsubscribe, methods=["POST"]),
            Route(f"{UNSUBSCRIBE_PATH}{{token}}/undo", self.undo, methods=["POST"]),
            Route(f"{UNSUBSCRIBE_PATH}{{token}}/language", self.change_language, methods=["POST"]),
            Route(f"{UNSUBSCRIBE_PATH}{{token}}/lists", self.change_lists, methods=["POST"]),
        ]

    async def show(self, request: Request) -> Response:
        token, subject = self._verified(request)
        state = await self._run(selfservice.state, subject)
        return self._page(request, token, state, Event.SHOWN)

    async def unsubscribe(self, request: Request) -> Response:
        token, subject = self._verified(request)
        form = await read_form(request)
        # RFC 8058 asks that the body contain this pair, so other fields are allowed beside it.
        if form.get(ONE_CLICK_FIELD) != ONE_CLICK_VALUE:
            raise InputError(f"unsubscribe: expected the body {ONE_CLICK_FIELD}={ONE_CLICK_VALUE}")
        at = datetime.now(UTC)
        state = await self._run(partial(selfservice.unsubscribe, at=at), subject)
        return self._page(request, token, state, Event.UNSUBSCRIBED)

    async def undo(self, request: Request) -> Response:
        token, subject = self._verified(request)
        form = await read_form(request)
        _expect_fields(form, {UNDO_FIELD: UNDO_VALUE})
        at = datetime.now(UTC)
        state, done = await self._run(partial(selfservice.undo, at=at), subject)
        # A bounce, a complaint, an operator's unsubscribe or an erasure is not undone here.
        return self._page(request, token, state, Event.RESUBSCRIBED, status=200 if done else 409)

    async def change_language(self, request: Request) -> Response:
        token, subject = self._verified(request)
        form = await read_form(request)
        chosen = form.get(LOCALE_FIELD, "")
        if chosen not in self.config.newsletter.locales:
            raise InputError(f"language: expected one of {', '.join(self.config.newsletter.locales)}")
        _expect_fields(form, {LOCALE_FIELD: chosen})
        state, done = await self._run(partial(selfservice.choose_locale, locale=chosen), subject)
        if not done:
            return self._page(request, token, state, Event.SHOWN, status=409)
        # The page answers in the language just chosen, which its chooser can read.
        return self._page(request, token, state, Event.LANGUAGE_SAVED, locale=chosen)

    async def change_lists(self, request: Request) -> Response:
        token, subject = self._verified(request)
        form = await read_form(request)
        offered = self.config.newsletter.public_lists
        if form.get(LISTS_FIELD) != LISTS_VALUE:
            raise InputError(f"lists: expected the field {LISTS_FIELD}={LISTS_VALUE}")
        chosen = [name[len(LIST_PREFIX) :] for name in form if name.startswith(LIST_PREFIX)]
        expected = {LISTS_FIELD: LISTS_VALUE, **{LIST_PREFIX + name: LIST_CHECKED for name in chosen}}
        if any(name not in offered for name in chosen):
            raise InputError(f"lists: expected only the public lists {', '.join(offered)}")
        _expect_fields(form, expected)
        at = datetime.now(UTC)
        state, done = await self._run(
            partial(selfservice.choose_lists, offered=offered, chosen=chosen, at=at), subject
        )
        if not done:
            return self._page(request, token, state, Event.SHOWN, status=409)
        return self._page(request, token, state, Event.LISTS_SAVED)

    def _verified(self, request: Request) -> tuple[str, TokenSubject]:
        token = str(request.path_params["token"])
        return token, self.signer.verify(token)

    async def _run(self, action: Callable[[Session, TokenSubject], _T], subject: TokenSubject) -> _T:
        def in_transaction() -> _T:
            with self.db.transaction() as session:
                return action(session, subject)

        return await run_in_threadpool(in_transaction)

    def _page(
        self,
        request: Request,
        token: str,
        state: LinkState,
        event: Event,
        *,
        locale: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        newsletter = self.config.newsletter
        shown = page_locale(
            request.query_params.get("lang"),
            state.locale,
            request.headers.get("accept-language", ""),
            newsletter.locales,
            newsletter.default_locale,
        )
        settings = PageSettings(
            name=newsletter.name,
            locales=newsletter.locales,
            public_lists=newsletter.public_lists,
            timezone=newsletter.timezone,
        )
        page = subscriber_page(
            token=token, state=state, event=event, locale=locale or shown, settings=settings
        )
        return html_page(page, status=status)


def _expect_fields(form: dict[str, str], expected: dict[str, str]) -> None:
    """Our own forms post exactly these fields with these values; anything else is not from them."""
    if form != expected:
        names = ", ".join(f"{name}={value}" for name, value in expected.items())
        raise InputError(f"form: expected exactly {names}")


def invalid_link(request: Request, config: Config) -> HTMLResponse:
    """The "not valid" page, in the language of ``?lang=`` or else of the browser."""
    newsletter = config.newsletter
    locale = page_locale(
        request.query_params.get("lang"),
        None,
        request.headers.get("accept-language", ""),
        newsletter.locales,
        newsletter.default_locale,
    )
    page = invalid_page(locale=locale, locales=newsletter.locales, switchable=request.method == "GET")
    return html_page(page, status=400)
