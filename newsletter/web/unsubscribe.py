"""One-click unsubscribe (RFC 8058) and the language choice, at ``/u/{token}``.

A ``POST`` whose body carries ``List-Unsubscribe=One-Click`` unsubscribes at once; the page's
button posts exactly that, so mail clients and people take the same path. A ``GET`` only shows
the page: link scanners prefetch every link in a message, and must never unsubscribe anyone.

The response never depends on whether the token's subscriber still exists or was already
unsubscribed, so the endpoint cannot be used to learn anything about an address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from newsletter.config import Config
from newsletter.errors import InputError
from newsletter.model import LANGUAGE_SECTION
from newsletter.store import Database
from newsletter.store.audience import set_status
from newsletter.store.schema import Issue, Subscriber, SubscriberStatus
from newsletter.unsubscribe import UNSUBSCRIBE_PATH, Signer, TokenSubject
from newsletter.web.form import read_form
from newsletter.web.page import html_page, layout, translator

logger = logging.getLogger(__name__)

ONE_CLICK_FIELD = "List-Unsubscribe"
ONE_CLICK_VALUE = "One-Click"
VIA = "unsubscribe-link"

#: How each locale names itself in the language switch.
LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}


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
            Route(f"{UNSUBSCRIBE_PATH}{{token}}/language", self.change_language, methods=["POST"]),
        ]

    async def show(self, request: Request) -> Response:
        token, subject = self._verified(request)
        stored = await run_in_threadpool(_stored_locale, self.db, subject)
        return html_page(self._page(token, self._locale(request, stored), notice=""))

    async def unsubscribe(self, request: Request) -> Response:
        token, subject = self._verified(request)
        form = await read_form(request)
        if form.get(ONE_CLICK_FIELD) != ONE_CLICK_VALUE:
            raise InputError(f"unsubscribe: expected the body {ONE_CLICK_FIELD}={ONE_CLICK_VALUE}")
        stored = await run_in_threadpool(unsubscribe_subject, self.db, subject, datetime.now(UTC))
        locale = self._locale(request, stored)
        _ = translator(locale)
        return html_page(self._page(token, locale, notice=_("You are unsubscribed.")))

    async def change_language(self, request: Request) -> Response:
        token, subject = self._verified(request)
        chosen = (await read_form(request)).get("locale", "")
        if chosen not in self.config.newsletter.locales:
            raise InputError(f"language: expected one of {', '.join(self.config.newsletter.locales)}")
        await run_in_threadpool(set_locale, self.db, subject, chosen)
        _ = translator(chosen)
        language = LANGUAGE_NAMES.get(chosen, chosen)
        notice = _("Your newsletter will now arrive in %(language)s.") % {"language": language}
        return html_page(self._page(token, chosen, notice=notice))

    def _verified(self, request: Request) -> tuple[str, TokenSubject]:
        token = str(request.path_params["token"])
        return token, self.signer.verify(token)

    def _locale(self, request: Request, stored: str | None) -> str:
        """The page's language: the one asked for in ``?lang=``, else the subscriber's own."""
        locales = self.config.newsletter.locales
        for candidate in (request.query_params.get("lang"), stored):
            if candidate in locales:
                return str(candidate)
        return self.config.newsletter.default_locale

    def _page(self, token: str, locale: str, *, notice: str) -> str:
        _ = translator(locale)
        # Translated text is looked up outside the f-strings so that extraction finds every msgid.
        title = _("Unsubscribe")
        explain = _("Press the button to stop receiving %(name)s. No login is needed.") % {
            "name": escape(self.config.newsletter.name)
        }
        button, heading, read_in = _("Unsubscribe"), _("Language"), _("Read this page in:")
        receive_in, save = _("Receive the newsletter in:"), _("Save")
        here = f"{UNSUBSCRIBE_PATH}{escape(token)}"
        status = f'<p role="status" id="notice"><strong>{escape(notice)}</strong></p>' if notice else ""
        body = (
            f"<h1>{escape(title)}</h1>{status}<p>{explain}</p>"
            f'<form method="post" action="{here}?lang={escape(locale)}">'
            f'<input type="hidden" name="{ONE_CLICK_FIELD}" value="{ONE_CLICK_VALUE}">'
            f'<button id="unsubscribe" type="submit">{escape(button)}</button></form>'
            f'<section id="{LANGUAGE_SECTION}"><h2>{escape(heading)}</h2>'
            f"<p>{escape(read_in)} {self._language_links(here, locale)}</p>"
            f'<form method="post" action="{here}/language">'
            f"<p>{escape(receive_in)} {self._language_select(locale)}</p>"
            f'<button id="save-language" class="secondary" type="submit">{escape(save)}</button></form>'
            "</section>"
        )
        return layout(locale=locale, title=title, body=body)

    def _language_links(self, here: str, current: str) -> str:
        links = []
        for locale in self.config.newsletter.locales:
            label = escape(LANGUAGE_NAMES.get(locale, locale))
            if locale == current:
                links.append(f"<strong>{label}</strong>")
            else:
                links.append(
                    f'<a hreflang="{escape(locale)}" href="{here}?lang={escape(locale)}">{label}</a>'
                )
        return " · ".join(links)

    def _language_select(self, current: str) -> str:
        options = "".join(
            f'<option value="{escape(locale)}"{" selected" if locale == current else ""}>'
            f"{escape(LANGUAGE_NAMES.get(locale, locale))}</option>"
            for locale in self.config.newsletter.locales
        )
        return f'<select name="locale" aria-label="language">{options}</select>'


def unsubscribe_subject(db: Database, subject: TokenSubject, at: datetime) -> str | None:
    """Unsubscribe the token's subscriber if still active; returns their locale, None if unknown.

    Only an active subscriber changes: one who bounced or complained already receives nothing,
    and the record of why is worth more than a second status change.
    """
    with db.transaction() as session:
        subscriber = session.get(Subscriber, subject.subscriber_id)
        if subscriber is None:
            return None
        if subscriber.status == SubscriberStatus.ACTIVE.value:
            reason = f"one-click unsubscribe from issue {subject.issue_id}"
            set_status(
                session,
                subscriber,
                SubscriberStatus.UNSUBSCRIBED,
                via=VIA,
                reason=reason,
                at=at,
                # A genuine token may outlive its issue's row; the change then names no issue.
                issue_id=subject.issue_id if session.get(Issue, subject.issue_id) else None,
            )
            logger.info(
                "subscriber %s unsubscribed through the link of issue %s", subscriber.id, subject.issue_id
            )
        return subscriber.locale


def set_locale(db: Database, subject: TokenSubject, locale: str) -> None:
    with db.transaction() as session:
        subscriber = session.get(Subscriber, subject.subscriber_id)
        if subscriber is not None:
            subscriber.locale = locale


def _stored_locale(db: Database, subject: TokenSubject) -> str | None:
    with db.transaction() as session:
        subscriber = session.get(Subscriber, subject.subscriber_id)
        return None if subscriber is None else subscriber.locale


def invalid_link(locale: str) -> HTMLResponse:
    """The plain page for a tampered or malformed token: it says nothing about why."""
    _ = translator(locale)
    title, advice = _("This link is not valid"), _("Please use the link from your latest email.")
    body = f"<h1>{escape(title)}</h1><p>{escape(advice)}</p>"
    return html_page(layout(locale=locale, title=title, body=body), status=400)
