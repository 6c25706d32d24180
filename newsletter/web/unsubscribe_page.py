"""The subscriber's pages at ``/u/{token}``: one for each state of their subscription.

Each page says where the subscriber stands, shows their address masked, and offers only what
they can do from there: unsubscribe and choose a language while the newsletter arrives, undo
an unsubscribe made through a link, nothing once mail has stopped for another reason. Every
page can be read in each configured language (``?lang=``), which changes only the page: the
language form always shows the language the newsletter arrives in.

The language form sits in ``#language``, the anchor of every email's "Change language" link;
when that anchor is the target, the form moves to the top of the page, so the link opens on it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from newsletter import i18n
from newsletter.model import LANGUAGE_SECTION
from newsletter.store.schema import SubscriberStatus
from newsletter.subscribers.selfservice import LinkState
from newsletter.unsubscribe import UNSUBSCRIBE_PATH
from newsletter.web.page import Gettext, layout, translator

ONE_CLICK_FIELD = "List-Unsubscribe"
ONE_CLICK_VALUE = "One-Click"
#: The undo form's one field, so an empty or stray POST is refused rather than resubscribing.
UNDO_FIELD = "undo"
UNDO_VALUE = "unsubscribe"
LOCALE_FIELD = "locale"
#: The lists form: one ``list-<name>=yes`` per ticked list, beside this field, so that a post
#: with every box cleared is still recognisably ours.
LISTS_FIELD = "lists"
LISTS_VALUE = "save"
LIST_PREFIX = "list-"
LIST_CHECKED = "yes"

#: How each locale names itself in the language choices.
LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}


class Event(enum.Enum):
    """What the request that shows the page just did."""

    SHOWN = "shown"
    UNSUBSCRIBED = "unsubscribed"
    RESUBSCRIBED = "resubscribed"
    LANGUAGE_SAVED = "language-saved"
    LISTS_SAVED = "lists-saved"


@dataclass(frozen=True, slots=True, kw_only=True)
class PageSettings:
    """What every page needs from the configuration."""

    name: str
    """The newsletter's name, as the pages mention it."""
    locales: Sequence[str]
    public_lists: Sequence[str] = ()
    """The lists a subscriber may join or leave from the page (``newsletter.public_lists``)."""
    timezone: str = "UTC"
    """The display time zone of the "joined on" date."""


def subscriber_page(
    *, token: str, state: LinkState, event: Event, locale: str, settings: PageSettings
) -> str:
    """The page of a genuine token's subscriber in ``locale`` after ``event``."""
    _ = translator(locale)
    here = f"{UNSUBSCRIBE_PATH}{escape(token)}"
    # Translated text is looked up outside the f-strings, where extraction finds every msgid.
    name = {"name": escape(settings.name)}
    stopped = escape(_("We no longer send %(name)s to this address.")) % name
    address = ""
    if state.address:
        address = _("Address: %(address)s") % {"address": state.address}
        address = f'<p class="address">{escape(address)}</p>'
    if state.joined is not None and state.status is not None:
        joined = _("Subscriber since %(date)s") % {
            "date": _long_date(state.joined, locale, settings.timezone)
        }
        address += f'<p class="joined" id="joined">{escape(joined)}</p>'
    language = ""
    if state.status is SubscriberStatus.ACTIVE and event is Event.RESUBSCRIBED:
        kind, title = "resubscribed", _("You are subscribed again")
        again = escape(_("We will send %(name)s to this address again.")) % name
        body = f"{address}<p>{again}</p>"
        language = _language_section(here, state, event, settings, _) + _lists_section(
            here, state, event, settings, _
        )
    elif state.status is SubscriberStatus.ACTIVE:
        # The page is the subscriber's preference centre; unsubscribing is one of its choices.
        kind, title = "active", _("Your subscription")
        explain = escape(_("Press the button to stop receiving %(name)s. No login is needed.")) % name
        body = f"{address}<p>{explain}</p>{_one_click_form(here, locale, _)}"
        language = _language_section(here, state, event, settings, _) + _lists_section(
            here, state, event, settings, _
        )
    elif state.status is SubscriberStatus.UNSUBSCRIBED:
        just = event is Event.UNSUBSCRIBED
        kind = "unsubscribed" if just else "already-unsubscribed"
        title = _("You are unsubscribed") if just else _("Already unsubscribed")
        undo = _undo_form(here, locale, _) if state.can_undo else ""
        body = f"{address}<p>{stopped}</p>{undo}"
    else:
        kind, title = "stopped", _("This address no longer receives mail")
        nothing = _("There is nothing else you need to do.")
        body = f"{address}<p>{stopped}</p><p>{escape(nothing)}</p>"
    main = f'<div class="state" id="state" data-state="{kind}"><h1>{escape(title)}</h1>{body}</div>{language}'
    nav = _page_languages(f"{here}?lang=", locale, settings.locales, _)
    return layout(locale=locale, title=title, body=nav + main)


def invalid_page(*, locale: str, locales: Sequence[str], switchable: bool) -> str:
    """The page for a tampered or malformed token or request: it says nothing about why.

    ``switchable`` offers the other languages as links to the same address, which only a GET
    can follow.
    """
    _ = translator(locale)
    title, advice = _("This link is not valid"), _("Please use the link from your latest email.")
    nav = _page_languages("?lang=", locale, locales, _) if switchable else ""
    state = f'<div class="state" id="state" data-state="invalid"><h1>{escape(title)}</h1>'
    return layout(locale=locale, title=title, body=f"{nav}{state}<p>{escape(advice)}</p></div>")


def _one_click_form(here: str, locale: str, _: Gettext) -> str:
    # The button posts exactly what RFC 8058 mail clients post, so both take one path.
    label = _("Unsubscribe")
    return (
        f'<form method="post" action="{here}?lang={escape(locale)}">'
        f'<input type="hidden" name="{ONE_CLICK_FIELD}" value="{ONE_CLICK_VALUE}">'
        f'<button id="unsubscribe" type="submit">{escape(label)}</button></form>'
    )


def _undo_form(here: str, locale: str, _: Gettext) -> str:
    question, label = _("Unsubscribed by mistake?"), _("Subscribe again")
    return (
        f"<p>{escape(question)}</p>"
        f'<form method="post" action="{here}/undo?lang={escape(locale)}">'
        f'<input type="hidden" name="{UNDO_FIELD}" value="{UNDO_VALUE}">'
        f'<button id="undo" class="secondary" type="submit">{escape(label)}</button></form>'
    )


def _language_section(here: str, state: LinkState, event: Event, settings: PageSettings, _: Gettext) -> str:
    heading, label, save = _("Change language"), _("Receive the newsletter in:"), _("Save")
    notice = ""
    if event is Event.LANGUAGE_SAVED and state.locale is not None:
        saved = _("Your newsletter will now arrive in %(language)s.")
        saved %= {"language": _language_name(state.locale)}
        notice = f'<p role="status" id="notice">{escape(saved)}</p>'
    # The select shows the language the newsletter arrives in, whatever language the page is in.
    options = "".join(
        f'<option value="{escape(code)}" lang="{escape(code)}"{" selected" if code == state.locale else ""}>'
        f"{escape(_language_name(code))}</option>"
        for code in settings.locales
    )
    # The form posts to #language, so the page that confirms the choice opens on it too.
    return (
        f'<section id="{LANGUAGE_SECTION}" aria-labelledby="language-heading">'
        f'<h2 id="language-heading">{escape(heading)}</h2>{notice}'
        f'<form method="post" action="{here}/language#{LANGUAGE_SECTION}">'
        f'<label for="locale">{escape(label)}</label>'
        f'<div class="choice"><select id="locale" name="{LOCALE_FIELD}">{options}</select>'
        f'<button id="save-language" class="secondary" type="submit">{escape(save)}</button></div>'
        "</form></section>"
    )


def _lists_section(here: str, state: LinkState, event: Event, settings: PageSettings, _: Gettext) -> str:
    if not settings.public_lists:
        return ""
    heading, save = _("Your lists"), _("Save lists")
    notice = ""
    if event is Event.LISTS_SAVED:
        saved = _("Your lists are saved.")
        notice = f'<p role="status" id="lists-notice">{escape(saved)}</p>'
    boxes = "".join(
        f'<label class="box"><input type="checkbox" name="{LIST_PREFIX}{escape(name)}" value="{LIST_CHECKED}"'
        f"{' checked' if name in state.lists else ''}> {escape(name)}</label>"
        for name in settings.public_lists
    )
    return (
        f'<section id="lists-section" aria-labelledby="lists-heading">'
        f'<h2 id="lists-heading">{escape(heading)}</h2>{notice}'
        f'<form method="post" action="{here}/lists#lists-section">'
        f'<input type="hidden" name="{LISTS_FIELD}" value="{LISTS_VALUE}">{boxes}'
        f'<button id="save-lists" class="secondary" type="submit">{escape(save)}</button>'
        "</form></section>"
    )


def _long_date(value: datetime, locale: str, timezone: str) -> str:
    """ "July 1, 2026" or "2026년 7월 1일": the long form, as running text wants it."""
    return i18n.format_date(value, locale, ZoneInfo(timezone), width="long")


def _page_languages(link: str, current: str, locales: Sequence[str], _: Gettext) -> str:
    """Links that show this same page in each language; only the page changes, not the subscription."""
    items = []
    for code in locales:
        label, lang = escape(_language_name(code)), escape(code)
        if code == current:
            items.append(f'<strong lang="{lang}" aria-current="page">{label}</strong>')
        else:
            items.append(f'<a hreflang="{lang}" lang="{lang}" href="{link}{lang}">{label}</a>')
    read_in = _("Read this page in:")
    return f'<nav class="languages">{escape(read_in)} {" · ".join(items)}</nav>'


def _language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(locale, locale)
