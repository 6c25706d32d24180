"""The sign-up pages at ``/subscribe``: the form, "check your inbox", and the confirmation.

The form's answer is the same page for every address, whether new, active, unsubscribed or
erased, so the page can never tell anyone who is subscribed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from newsletter.web.page import Gettext, layout, translator
from newsletter.web.unsubscribe_page import LANGUAGE_NAMES

SUBSCRIBE_PATH = "/subscribe"
CONFIRM_PATH = "/subscribe/confirm/"
EMAIL_FIELD = "email"
LOCALE_FIELD = "locale"
CSRF_FIELD = "csrf"
#: The honeypot: hidden from people (and from screen readers), filled by form-filling bots.
HONEYPOT_FIELD = "website"
#: Each list is its own checkbox field, ``list-<name>``, as forms here keep a field's first value.
LIST_PREFIX = "list-"
CHECKED = "yes"
CONFIRM_FIELD = "confirm"


class Problem(enum.Enum):
    """Why the form is shown again."""

    NONE = "none"
    EMAIL = "email"
    NO_LIST = "no-list"
    RESUBMIT = "resubmit"
    """The post carried no valid CSRF token (an old page, or a form on another site)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FormPage:
    """What the form shows."""

    name: str
    locale: str
    """The page's language."""
    locales: Sequence[str]
    lists: Sequence[str]
    """The public lists on offer."""
    csrf: str
    email: str = ""
    chosen_locale: str = ""
    """The newsletter's language as chosen; empty chooses the page's."""
    chosen_lists: Sequence[str] = field(default_factory=tuple)
    problem: Problem = Problem.NONE


def form_page(page: FormPage) -> str:
    _ = translator(page.locale)
    title = _("Subscribe to %(name)s") % {"name": page.name}
    intro = _("A short daily digest of new arXiv papers, in English or Korean.")
    consent = _(
        "By subscribing you agree that we send you this newsletter by email and keep your address "
        "for that purpose. Every email has a link to change your preferences or unsubscribe."
    )
    button = _("Subscribe")
    problem = _problem(page.problem, _)
    notice = f'<p role="alert" id="problem" class="problem">{escape(problem)}</p>' if problem else ""
    body = (
        f"<h1>{escape(title)}</h1>{notice}<p>{escape(intro)}</p>"
        f'<form method="post" action="{SUBSCRIBE_PATH}?lang={escape(page.locale)}" id="subscribe-form">'
        f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(page.csrf)}">'
        f"{_email_input(page, _)}{_locale_select(page, _)}{_list_boxes(page, _)}"
        f'<div class="hp" aria-hidden="true"><label for="{HONEYPOT_FIELD}">Website</label>'
        f'<input id="{HONEYPOT_FIELD}" name="{HONEYPOT_FIELD}" type="text" tabindex="-1" '
        'autocomplete="off"></div>'
        f'<p class="consent" id="consent">{escape(consent)}</p>'
        f'<button id="subscribe" type="submit">{escape(button)}</button></form>'
    )
    nav = page_languages(f"{SUBSCRIBE_PATH}?lang=", page.locale, page.locales, _)
    return layout(
        locale=page.locale, title=title, body=nav + f'<div id="state" data-state="form">{body}</div>'
    )


def sent_page(*, locale: str, hours: int, minutes: int) -> str:
    """The answer to every accepted form, whatever the address."""
    _ = translator(locale)
    title = _("Check your inbox")
    lines = [
        _("If the address can receive mail, a confirmation email is on its way to it."),
        _("Open its link within %(hours)d hours to start your subscription.") % {"hours": hours},
        _("No email? Look in the spam folder, or send the form again after %(minutes)d minutes.")
        % {"minutes": minutes},
    ]
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    # No language links: this page answers a post, and a link could only lead back to the form.
    state = f'<div id="state" data-state="sent"><h1>{escape(title)}</h1>{body}</div>'
    return layout(locale=locale, title=title, body=state)


def confirm_page(
    *, locale: str, locales: Sequence[str], here: str, address: str, lists: Sequence[str]
) -> str:
    """The confirmation link's page: a button, because mail scanners open every link."""
    _ = translator(locale)
    title = _("Confirm your subscription")
    shown = _("Address: %(address)s") % {"address": address}
    on = _("Lists: %(lists)s") % {"lists": ", ".join(lists)}
    press = _("Press the button to start your subscription.")
    button = _("Confirm subscription")
    body = (
        f'<p class="address">{escape(shown)}</p><p>{escape(on)}</p><p>{escape(press)}</p>'
        f'<form method="post" action="{escape(here)}?lang={escape(locale)}">'
        f'<input type="hidden" name="{CONFIRM_FIELD}" value="{CHECKED}">'
        f'<button id="confirm" type="submit">{escape(button)}</button></form>'
    )
    nav = page_languages(f"{escape(here)}?lang=", locale, locales, _)
    state = f'<div id="state" data-state="confirm"><h1>{escape(title)}</h1>{body}</div>'
    return layout(locale=locale, title=title, body=nav + state)


def confirmed_page(*, locale: str, name: str) -> str:
    _ = translator(locale)
    title = _("Your subscription is confirmed")
    lines = [
        _("Welcome to %(name)s.") % {"name": name},
        _("We sent you a welcome email with a link to change your preferences at any time."),
    ]
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return layout(
        locale=locale,
        title=title,
        body=f'<div id="state" data-state="confirmed"><h1>{escape(title)}</h1>{body}</div>',
    )


def gone_page(*, locale: str, locales: Sequence[str], switchable: bool) -> str:
    """A genuine confirmation link that no longer works: used already, or expired."""
    _ = translator(locale)
    title = _("This confirmation link no longer works")
    advice = _("It was used already, or it expired. If you are not subscribed yet, sign up again.")
    label = _("Sign up")
    again = f'<p><a id="again" href="{SUBSCRIBE_PATH}?lang={escape(locale)}">{escape(label)}</a></p>'
    nav = page_languages("?lang=", locale, locales, _) if switchable else ""
    state = f'<div id="state" data-state="gone"><h1>{escape(title)}</h1><p>{escape(advice)}</p>{again}</div>'
    return layout(locale=locale, title=title, body=nav + state)


def limited_page(*, locale: str) -> str:
    _ = translator(locale)
    title = _("Too many attempts")
    advice = _("Please try again in an hour.")
    state = f'<div id="state" data-state="limited"><h1>{escape(title)}</h1><p>{escape(advice)}</p></div>'
    return layout(locale=locale, title=title, body=state)


def unavailable_page(*, locale: str) -> str:
    _ = translator(locale)
    title = _("Sign-up is not available right now")
    advice = _("Please try again later.")
    state = f'<div id="state" data-state="unavailable"><h1>{escape(title)}</h1><p>{escape(advice)}</p></div>'
    return layout(locale=locale, title=title, body=state)


def closed_page(*, locale: str) -> str:
    _ = translator(locale)
    title = _("Sign-up is closed")
    state = f'<div id="state" data-state="closed"><h1>{escape(title)}</h1></div>'
    return layout(locale=locale, title=title, body=state)


def page_languages(link: str, current: str, locales: Sequence[str], _: Gettext) -> str:
    """Links that show this same page in each language."""
    items = []
    for code in locales:
        label, lang = escape(LANGUAGE_NAMES.get(code, code)), escape(code)
        if code == current:
            items.append(f'<strong lang="{lang}" aria-current="page">{label}</strong>')
        else:
            items.append(f'<a hreflang="{lang}" lang="{lang}" href="{link}{lang}">{label}</a>')
    read_in = _("Read this page in:")
    return f'<nav class="languages">{escape(read_in)} {" · ".join(items)}</nav>'


def _problem(problem: Problem, _: Gettext) -> str:
    match problem:
        case Problem.EMAIL:
            return _("Please enter a valid email address, such as name@example.org.")
        case Problem.NO_LIST:
            return _("Please choose at least one list.")
        case Problem.RESUBMIT:
            return _("Please check the form and press the button once more.")
        case _:
            return ""


def _email_input(page: FormPage, _: Gettext) -> str:
    label = _("Email address")
    return (
        f'<label for="{EMAIL_FIELD}">{escape(label)}</label>'
        f'<input id="{EMAIL_FIELD}" name="{EMAIL_FIELD}" type="email" required maxlength="320" '
        f'autocomplete="email" value="{escape(page.email)}">'
    )


def _locale_select(page: FormPage, _: Gettext) -> str:
    chosen = page.chosen_locale or page.locale
    options = "".join(
        f'<option value="{escape(code)}" lang="{escape(code)}"{" selected" if code == chosen else ""}>'
        f"{escape(LANGUAGE_NAMES.get(code, code))}</option>"
        for code in page.locales
    )
    label = _("Receive the newsletter in:")
    return (
        f'<label for="{LOCALE_FIELD}">{escape(label)}</label>'
        f'<select id="{LOCALE_FIELD}" name="{LOCALE_FIELD}">{options}</select>'
    )


def _list_boxes(page: FormPage, _: Gettext) -> str:
    # With nothing chosen yet, every list starts ticked: most people want what the page offers.
    chosen = (
        set(page.chosen_lists) if page.chosen_lists or page.problem is Problem.NO_LIST else set(page.lists)
    )
    boxes = "".join(
        f'<label class="box"><input type="checkbox" name="{LIST_PREFIX}{escape(name)}" value="{CHECKED}"'
        f"{' checked' if name in chosen else ''}> {escape(name)}</label>"
        for name in page.lists
    )
    legend = _("Lists")
    return f'<fieldset id="lists"><legend>{escape(legend)}</legend>{boxes}</fieldset>'
