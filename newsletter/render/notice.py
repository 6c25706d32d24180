"""The two emails of a sign-up: the confirmation request and the welcome.

Each is one short notice (a heading, a few sentences, one link) laid out by the templates
``signup/notice.txt.j2`` and ``signup/notice.html.j2``; the sentences come from the catalog, in
the language the reader chose on the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from newsletter import assets, i18n
from newsletter.config import Config
from newsletter.errors import RenderError
from newsletter.model import RenderedEmail

TEXT_TEMPLATE = "signup/notice.txt.j2"
HTML_TEMPLATE = "signup/notice.html.j2"
_FONTS = {
    "ko": '"Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif',
    "": 'system-ui,-apple-system,"Segoe UI",Roboto,sans-serif',
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """What the templates show."""

    locale: str
    subject: str
    brand: str
    heading: str
    paragraphs: Sequence[str]
    action: str
    """The link's label."""
    url: str
    after: str
    """A last sentence below the link; empty for none."""
    postal_address: str
    fonts: str


def confirmation_email(config: Config, locale: str, *, url: str, lists: Sequence[str]) -> RenderedEmail:
    """The email whose link confirms a sign-up, valid ``subscribe.confirm_hours``."""
    _ = i18n.translations(locale).gettext
    brand = i18n.brand_name(config, locale)
    hours = config.subscribe.confirm_hours
    notice = _notice(
        config,
        locale,
        subject=_("Confirm your subscription to %(name)s") % {"name": brand},
        heading=_("Please confirm your subscription"),
        paragraphs=[
            _("Someone, probably you, asked to receive %(name)s at this address.") % {"name": brand},
            _("Lists: %(lists)s") % {"lists": i18n.format_list(list(lists), locale)},
            _("The link below works for %(hours)d hours.") % {"hours": hours},
        ],
        action=_("Confirm subscription"),
        url=url,
        after=_("If you did not ask for this, ignore this email. We will not write again."),
    )
    return _render(notice)


def welcome_email(
    config: Config, locale: str, *, url: str, lists: Sequence[str], language: str
) -> RenderedEmail:
    """The email that greets a confirmed subscriber, with the link to their preferences."""
    _ = i18n.translations(locale).gettext
    brand = i18n.brand_name(config, locale)
    notice = _notice(
        config,
        locale,
        subject=_("Welcome to %(name)s") % {"name": brand},
        heading=_("Your subscription is confirmed"),
        paragraphs=[
            _("From the next issue on, %(name)s arrives at this address.") % {"name": brand},
            _("Language: %(language)s") % {"language": language},
            _("Lists: %(lists)s") % {"lists": i18n.format_list(list(lists), locale)},
            _("You can change the language, choose lists or unsubscribe at any time."),
        ],
        action=_("Manage your subscription"),
        url=url,
        after="",
    )
    return _render(notice)


def _notice(config: Config, locale: str, **parts: object) -> Notice:
    fonts = _FONTS["ko"] if locale.startswith("ko") else _FONTS[""]
    return Notice(
        locale=locale,
        brand=i18n.brand_name(config, locale),
        postal_address=config.newsletter.postal_address,
        fonts=fonts,
        **parts,  # type: ignore[arg-type]
    )


def _render(notice: Notice) -> RenderedEmail:
    try:
        html = _environment(autoescape=True).get_template(HTML_TEMPLATE).render(notice=notice)
        text = _environment(autoescape=False).get_template(TEXT_TEMPLATE).render(notice=notice)
    except TemplateError as error:
        raise RenderError(f"{assets.templates_dir() / 'signup'}: {error}") from error
    return RenderedEmail(locale=notice.locale, subject=notice.subject, preheader="", html=html, text=text)


@cache
def _environment(*, autoescape: bool) -> Environment:
    # The text part is text/plain: HTML escaping would show "&amp;" to its readers.
    return Environment(
        loader=FileSystemLoader(assets.templates_dir()),
        autoescape=autoescape,  # noqa: S701
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
