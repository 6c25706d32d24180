"""Sign-up with double opt-in at ``/subscribe``: the form, its post, and the confirmation link.

Defences, in the order a post meets them: the per-client rate limit, the CSRF check (a signed,
time-limited token in the form that must match a cookie), the honeypot (a filled one gets the
usual "check your inbox" page and nothing is stored), the fields, the per-address rate limit
and ``subscribe.resend_minutes``. Bodies are bounded by the app's BodyLimit like every route.
A post without a valid CSRF token, such as one from the plain-HTML snippet on an operator's
own site, gets the form back filled in, to be sent once more from here.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from newsletter import i18n
from newsletter.config import Config
from newsletter.delivery.notice import send_notice
from newsletter.errors import DeliveryError, InputError
from newsletter.render.notice import confirmation_email, welcome_email
from newsletter.store import ConflictError, Database, Session
from newsletter.subscribers import signup
from newsletter.subscribers.address import AddressError, parse_address
from newsletter.subscribers.selfservice import mask
from newsletter.subscribers.signup import SignupRequest
from newsletter.unsubscribe import Signer, unsubscribe_link_prefix
from newsletter.web.form import read_form
from newsletter.web.page import html_page, page_locale
from newsletter.web.ratelimit import RateLimit, client_address
from newsletter.web.subscribe_page import (
    CHECKED,
    CONFIRM_FIELD,
    CONFIRM_PATH,
    CSRF_FIELD,
    EMAIL_FIELD,
    HONEYPOT_FIELD,
    LIST_PREFIX,
    LOCALE_FIELD,
    SUBSCRIBE_PATH,
    FormPage,
    Problem,
    closed_page,
    confirm_page,
    confirmed_page,
    form_page,
    gone_page,
    limited_page,
    sent_page,
    unavailable_page,
)
from newsletter.web.unsubscribe_page import LANGUAGE_NAMES

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
CSRF_COOKIE = "newsletter_csrf"
CSRF_PURPOSE = b"csrf"
#: How long a form page may sit open before its post needs one more press.
CSRF_SECONDS = 2 * 3600


@dataclass(slots=True, kw_only=True)
class SubscribeEndpoints:
    """The handlers behind ``/subscribe``, bound to one store, one signer and one set of limits."""

    config: Config
    db: Database
    signer: Signer
    per_client: RateLimit = field(init=False)
    per_address: RateLimit = field(init=False)

    def __post_init__(self) -> None:
        self.per_client = RateLimit(self.config.subscribe.ip_per_hour)
        self.per_address = RateLimit(self.config.subscribe.address_per_hour)

    def routes(self) -> list[Route]:
        return [
            Route(SUBSCRIBE_PATH, self.show, methods=["GET"]),
            Route(SUBSCRIBE_PATH, self.submit, methods=["POST"]),
            Route(f"{CONFIRM_PATH}{{token}}", self.show_confirm, methods=["GET"]),
            Route(f"{CONFIRM_PATH}{{token}}", self.confirm, methods=["POST"]),
        ]

    async def show(self, request: Request) -> Response:
        locale = self._locale(request)
        if not self.config.newsletter.public_lists:
            return html_page(closed_page(locale=locale), status=404)
        return self._form(self._form_base(locale))

    async def submit(self, request: Request) -> Response:  # noqa: PLR0911 - one early answer per defence.
        locale = self._locale(request)
        if not self.config.newsletter.public_lists:
            return html_page(closed_page(locale=locale), status=404)
        if not self.per_client.allow(client_address(request, self.config.web.trusted_proxies)):
            return html_page(limited_page(locale=locale), status=429)
        form = await read_form(request)
        email, chosen_locale, lists = self._fields(form)
        page = replace(self._form_base(locale), email=email, chosen_locale=chosen_locale, chosen_lists=lists)
        if not self._csrf_ok(request, form.get(CSRF_FIELD, "")):
            return self._form(replace(page, problem=Problem.RESUBMIT), status=403)
        if form.get(HONEYPOT_FIELD, ""):
            logger.info("sign-up refused: the honeypot was filled")
            return self._sent(locale)
        try:
            address = parse_address(email)
        except AddressError:
            return self._form(replace(page, problem=Problem.EMAIL), status=400)
        if not lists:
            return self._form(replace(page, problem=Problem.NO_LIST), status=400)
        wanted = SignupRequest(email=address.email, key=address.key, locale=chosen_locale, lists=tuple(lists))
        return await self._accept(wanted, locale)

    async def _accept(self, wanted: SignupRequest, locale: str) -> Response:
        """A well-formed sign-up: limited per address, stored, mailed; the same page for everyone."""
        if not self.per_address.allow(hashlib.sha256(wanted.key.encode()).hexdigest()):
            return html_page(limited_page(locale=locale), status=429)
        try:
            await self._in_transaction(lambda session: self._request(session, wanted))
        except DeliveryError as error:
            logger.error("sign-up: the confirmation email could not be sent: %s", error)
            return html_page(unavailable_page(locale=locale), status=503)
        except ConflictError:
            # A simultaneous post for the same address stored its sign-up first and mails it.
            logger.info("sign-up: a simultaneous post for the same address won")
        return self._sent(locale)

    async def show_confirm(self, request: Request) -> Response:
        signup_id, nonce = signup.read_token(self.signer, str(request.path_params["token"]))
        now = datetime.now(UTC)

        def look(session: Session) -> tuple[str, str, list[str]] | None:
            found = signup.pending(session, signup_id, nonce, now=now)
            return None if found is None else (found.email, found.locale, list(found.lists))

        found = await self._in_transaction(look)
        if found is None:
            return self._gone(request)
        email, stored, lists = found
        locale = self._locale(request, stored)
        here = f"{CONFIRM_PATH}{request.path_params['token']}"
        page = confirm_page(
            locale=locale, locales=self.config.newsletter.locales, here=here, address=mask(email), lists=lists
        )
        return html_page(page)

    async def confirm(self, request: Request) -> Response:
        signup_id, nonce = signup.read_token(self.signer, str(request.path_params["token"]))
        form = await read_form(request)
        if form != {CONFIRM_FIELD: CHECKED}:
            raise InputError(f"form: expected exactly {CONFIRM_FIELD}={CHECKED}")
        now = datetime.now(UTC)
        try:
            done = await self._in_transaction(lambda session: self._confirm(session, signup_id, nonce, now))
        except DeliveryError as error:
            logger.error("sign-up: the welcome email could not be sent: %s", error)
            return html_page(unavailable_page(locale=self._locale(request)), status=503)
        except ConflictError:
            # The same link pressed twice at once: the other press confirmed it.
            done = None
        if done is None:
            return self._gone(request)
        locale = self._locale(request, done.locale)
        return html_page(confirmed_page(locale=locale, name=i18n.brand_name(self.config, locale)))

    def _request(self, session: Session, wanted: SignupRequest) -> None:
        settings = self.config.subscribe
        stored = signup.request(
            session,
            wanted,
            now=datetime.now(UTC),
            confirm_hours=settings.confirm_hours,
            resend_minutes=settings.resend_minutes,
        )
        if stored is None:
            # One went out lately; the page says the same, and the inbox gets no second copy.
            return
        token = signup.confirmation_token(self.signer, stored)
        url = f"{self.config.newsletter.public_url.rstrip('/')}{CONFIRM_PATH}{token}"
        email = confirmation_email(self.config, wanted.locale, url=url, lists=wanted.lists)
        # Sent inside the transaction: a failure leaves no sign-up behind without its email.
        send_notice(self.config, email, to=wanted.email, kind="confirm")

    def _confirm(
        self, session: Session, signup_id: int, nonce: str, now: datetime
    ) -> signup.Confirmed | None:
        done = signup.confirm(session, signup_id, nonce, now=now)
        if done is None:
            return None
        url = unsubscribe_link_prefix(self.config.newsletter.public_url) + self.signer.token(
            done.subscriber_id, 0
        )
        language = LANGUAGE_NAMES.get(done.locale, done.locale)
        email = welcome_email(self.config, done.locale, url=url, lists=done.lists, language=language)
        send_notice(self.config, email, to=done.email, kind="welcome")
        return done

    def _fields(self, form: dict[str, str]) -> tuple[str, str, list[str]]:
        """The email, the newsletter's language and the chosen lists; InputError for any field
        our form never sends (an unknown list or language, a stray name)."""
        locales, public = self.config.newsletter.locales, self.config.newsletter.public_lists
        known = {EMAIL_FIELD, LOCALE_FIELD, CSRF_FIELD, HONEYPOT_FIELD}
        lists: list[str] = []
        for name, value in form.items():
            if name.startswith(LIST_PREFIX):
                if name[len(LIST_PREFIX) :] not in public or value != CHECKED:
                    raise InputError(f"form: {name}: expected one of the public lists, ticked")
                lists.append(name[len(LIST_PREFIX) :])
            elif name not in known:
                raise InputError(f"form: {name}: not a field of the sign-up form")
        chosen = form.get(LOCALE_FIELD, self.config.newsletter.default_locale)
        if chosen not in locales:
            raise InputError(f"form: {LOCALE_FIELD}: expected one of {', '.join(locales)}")
        return form.get(EMAIL_FIELD, "").strip(), chosen, sorted(lists, key=public.index)

    def _form_base(self, locale: str) -> FormPage:
        newsletter = self.config.newsletter
        return FormPage(
            name=i18n.brand_name(self.config, locale),
            locale=locale,
            locales=newsletter.locales,
            lists=newsletter.public_lists,
            csrf="",
        )

    def _form(self, page: FormPage, *, status: int = 200) -> HTMLResponse:
        # Each form page carries a fresh token and sets its cookie; the post must bring both.
        nonce = secrets.token_urlsafe(12)
        expires = int(time.time()) + CSRF_SECONDS
        csrf = self.signer.seal(CSRF_PURPOSE, f"{expires}.{nonce}".encode())
        response = html_page(form_page(replace(page, csrf=csrf)), status=status)
        secure = self.config.newsletter.public_url.startswith("https://")
        response.set_cookie(
            CSRF_COOKIE,
            nonce,
            max_age=CSRF_SECONDS,
            path=SUBSCRIBE_PATH,
            secure=secure,
            httponly=True,
            samesite="strict",
        )
        return response

    def _csrf_ok(self, request: Request, token: str) -> bool:
        try:
            expires, nonce = self.signer.open(CSRF_PURPOSE, token).decode("ascii").split(".")
            fresh = int(expires) >= time.time()
        except (InputError, ValueError):
            return False
        cookie = request.cookies.get(CSRF_COOKIE, "")
        return fresh and bool(cookie) and secrets.compare_digest(cookie, nonce)

    def _sent(self, locale: str) -> HTMLResponse:
        settings = self.config.subscribe
        page = sent_page(locale=locale, hours=settings.confirm_hours, minutes=settings.resend_minutes)
        return html_page(page)

    def _gone(self, request: Request) -> HTMLResponse:
        locale = self._locale(request)
        page = gone_page(
            locale=locale, locales=self.config.newsletter.locales, switchable=request.method == "GET"
        )
        return html_page(page, status=410)

    def _locale(self, request: Request, stored: str | None = None) -> str:
        newsletter = self.config.newsletter
        return page_locale(
            request.query_params.get("lang"),
            stored,
            request.headers.get("accept-language", ""),
            newsletter.locales,
            newsletter.default_locale,
        )

    async def _in_transaction(self, action: Callable[[Session], _T]) -> _T:
        def run() -> _T:
            with self.db.transaction() as session:
                return action(session)

        return await run_in_threadpool(run)
