"""One locale's email: Jinja2 → MJML → HTML (compiled in-process by mrml) and a separate text part.

The text part has its own template rather than being derived from the HTML, because
HTML-to-text converters mangle layout tables and drop links. Everything from the draft is
autoescaped in the MJML, so a title such as ``<mj-raw>`` stays text. Per-recipient values
(unsubscribe link, change-language link, address) are left as ``model.PLACEHOLDER_*`` for
delivery to fill without rendering again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import mrml
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from newsletter import assets, i18n
from newsletter.errors import RenderError
from newsletter.model import Draft, RenderedEmail, RenderSettings
from newsletter.render.view import IssueView, build_view

logger = logging.getLogger(__name__)

MJML_TEMPLATE = "email/issue.mjml.j2"
TEXT_TEMPLATE = "email/issue.txt.j2"

#: Gmail clips an HTML body past 102 KB, hiding the footer and its unsubscribe link.
GMAIL_CLIP_BYTES = 102 * 1024
#: Warn from this size on, leaving room for the per-recipient links filled in later.
WARN_BYTES = 90 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class _Environments:
    """One locale's template environments: MJML (autoescaped) and text (not)."""

    mjml: Environment
    text: Environment
    catalog: Translations


class EmailRenderer:
    """Renders drafts with one templates folder and one set of catalogs.

    Environments are built once per locale, because Jinja2 installs gettext on the whole
    environment; sharing one and swapping catalogs would race between threads.
    """

    def __init__(self, templates: Path | None = None, catalogs: i18n.Catalogs | None = None) -> None:
        self.templates = templates or assets.templates_dir()
        self.catalogs = catalogs or i18n.default_catalogs()
        self._environments: dict[str, _Environments] = {}
        self._lock = threading.Lock()

    def render(
        self,
        draft: Draft,
        locale: str,
        settings: RenderSettings,
        *,
        send_time: datetime | None = None,
        web: bool = False,
    ) -> RenderedEmail:
        """See :func:`render_email`."""
        envs = self._for(locale)
        view = build_view(draft, locale, settings, envs.catalog, send_time, web=web)
        mjml_source = self._template(envs.mjml, MJML_TEMPLATE, view, envs.catalog)
        html = compile_mjml(mjml_source)
        text = self._template(envs.text, TEXT_TEMPLATE, view, envs.catalog)
        return RenderedEmail(
            locale=locale,
            subject=subject(draft, view, envs.catalog),
            preheader=preheader(view, envs.catalog),
            html=html,
            text=text,
        )

    def headline(self, draft: Draft, locale: str, settings: RenderSettings) -> tuple[str, str]:
        """The subject and preheader alone, without compiling the email (for lists of issues)."""
        envs = self._for(locale)
        view = build_view(draft, locale, settings, envs.catalog)
        return subject(draft, view, envs.catalog), preheader(view, envs.catalog)

    def mjml(self, draft: Draft, locale: str, settings: RenderSettings) -> str:
        """The MJML source before compilation, for MJML's reference validator and for debugging."""
        envs = self._for(locale)
        view = build_view(draft, locale, settings, envs.catalog)
        return self._template(envs.mjml, MJML_TEMPLATE, view, envs.catalog)

    def _template(self, env: Environment, name: str, view: IssueView, catalog: Translations) -> str:
        try:
            return env.get_template(name).render(issue=view, preheader=preheader(view, catalog))
        except TemplateError as error:
            raise RenderError(f"{self.templates / name}: {error}") from error

    def _for(self, locale: str) -> _Environments:
        with self._lock:
            envs = self._environments.get(locale)
            if envs is None:
                catalog = self.catalogs.translations(locale)
                envs = _Environments(
                    mjml=self._environment(catalog, autoescape=True),
                    text=self._environment(catalog, autoescape=False),
                    catalog=catalog,
                )
                self._environments[locale] = envs
            return envs

    def _environment(self, catalog: Translations, *, autoescape: bool) -> Environment:
        # The text part is text/plain: HTML escaping would show "&amp;" to its readers.
        env = Environment(
            loader=FileSystemLoader(self.templates),
            autoescape=autoescape,  # noqa: S701
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
        return env


def compile_mjml(source: str) -> str:
    """HTML from MJML, with no web fonts (the email never loads anything from elsewhere)."""
    try:
        output = mrml.to_html(source, render_options=mrml.RenderOptions(fonts={}))
    except OSError as error:
        # mrml reports MJML it cannot parse as an OSError ("unexpected end of stream …").
        raise RenderError(f"MJML did not compile: {error}") from error
    for warning in output.warnings:
        logger.warning("mrml: %s", warning)
    html: str = output.content
    return html


def subject(draft: Draft, view: IssueView, catalog: Translations) -> str:
    """The editor's title in this locale; a translated generic subject when only English exists."""
    if draft.title.get(view.locale):
        return str(view.title)
    count = len(view.picks)
    return catalog.ngettext(
        "%(brand)s: %(num)d paper, %(date)s", "%(brand)s: %(num)d papers, %(date)s", count
    ) % {"brand": view.brand, "num": count, "date": view.date}


def preheader(view: IssueView, catalog: Translations) -> str:
    """The inbox preview line: how many papers and which."""
    count = len(view.picks)
    names = i18n.format_list([pick.short_name for pick in view.picks], view.locale)
    return catalog.ngettext("Today's pick: %(names)s.", "Today's %(num)d picks: %(names)s.", count) % {
        "num": count,
        "names": names,
    }


def size_warning(rendered: RenderedEmail) -> str | None:
    """A warning when the HTML nears Gmail's clipping limit, else ``None``."""
    size = len(rendered.html.encode("utf-8"))
    if size < WARN_BYTES:
        return None
    verdict = "is over" if size >= GMAIL_CLIP_BYTES else "is close to"
    return (
        f"the {rendered.locale} HTML is {size / 1024:.1f} KB and {verdict} Gmail's "
        f"{GMAIL_CLIP_BYTES // 1024} KB clipping limit; shorten the issue or its texts"
    )


@cache
def default_renderer() -> EmailRenderer:
    """The renderer for the shipped templates and catalogs."""
    return EmailRenderer()


def render_email(
    draft: Draft,
    locale: str,
    settings: RenderSettings,
    *,
    send_time: datetime | None = None,
    web: bool = False,
) -> RenderedEmail:
    """One locale's subject, preheader, HTML and text, with the per-recipient placeholders left in.

    ``locale`` is used as given (resolve it first with :func:`newsletter.i18n.resolve_locale`);
    a locale without a catalog reads in English, and editorial text falls back to English.
    The header shows ``send_time`` (see :func:`newsletter.window.send_time`); without it (a
    preview, a sample) the planned send time, which is the issue's close. ``web`` renders the
    public web version instead: no placeholders, nothing personal.
    """
    return default_renderer().render(draft, locale, settings, send_time=send_time, web=web)
