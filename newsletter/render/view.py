"""What the email templates see: one locale's reading of a draft, with every value chosen.

The templates only lay out and translate; which text falls back to English, which links a
paper has, how dates read in the display time zone and how papers are numbered for the
references are decided here, once, for both the HTML and the text part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from babel.support import Translations

from newsletter import i18n
from newsletter.model import (
    ABSENT,
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_LANGUAGE_URL,
    PLACEHOLDER_UNSUBSCRIBE_URL,
    Draft,
    DraftPick,
    LocalizedText,
    RenderSettings,
    link_target,
)

Gettext = Callable[[str], str]

#: Korean fonts first for Korean text (KOREAN.md), so Latin-first stacks do not pick a
#: font whose Hangul fallback differs from one client to the next.
_FONTS = "-apple-system, BlinkMacSystemFont, Segoe UI, Helvetica, Arial, sans-serif"
_KOREAN_FONTS = "Apple SD Gothic Neo, Malgun Gothic, Noto Sans KR, " + _FONTS


class Shown(str):
    """A text as the email shows it, with the language it is written in.

    Editorial text without a translation falls back to English; ``lang`` lets the template
    mark such a paragraph ``lang="en"`` inside a Korean email, so screen readers switch voice.
    """

    lang: str

    def __new__(cls, text: str, lang: str) -> Shown:
        shown = super().__new__(cls, text)
        shown.lang = lang
        return shown


def shown(text: LocalizedText, locale: str) -> Shown:
    """``text`` in ``locale``, or its English fallback marked as English."""
    own = text.get(locale)
    return Shown(own, locale) if own else Shown(text.get("en", ""), "en")


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    label: str
    """The translated link text (``Code``, ``Demo``, ``Project``)."""
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Alternate:
    """The same issue's web version in another language, for the language switch and ``hreflang``."""

    locale: str
    label: str
    """The language's own name (``English``, ``한국어``)."""
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PickView:
    """One paper as the templates show it; absent facts read as ``model.ABSENT``."""

    number: int
    """The paper's place in the issue, also its reference number."""
    arxiv_id: str
    title: str
    short_name: str
    url: str
    authors: str
    """The authors as one line, shortened to the first few."""
    institution: str
    venue: str
    core_method: Shown
    """As the paper words it, so in English."""
    key_number: str
    area: str
    area_label: str
    """The research area in this locale's words."""
    heading: str
    """The section heading: ``<short name>: <headline>``, or the title when there is no headline."""
    meta: str
    """Authors, institution and venue as far as known, joined by middle dots."""
    links: tuple[Link, ...]
    """Code, demo and project pages that the paper lists, in that order."""
    code: Link | None
    quote: Shown
    """The paper's strongest sentence and its attribution, in the paper's language."""
    first_read_reason: Shown
    evidence_strength: Shown
    decision: Shown
    what_it_does: Shown
    technical_read: Shown
    evidence_and_limits: Shown


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueView:
    """The whole email for one locale."""

    locale: str
    direction: str
    """``ltr`` or ``rtl``."""
    font_family: str
    """The font stack, Korean fonts first for Korean."""
    brand: str
    """The newsletter's name in this locale (``newsletter.brand``)."""
    stamp: str
    """When the issue is sent, e.g. ``2026. 7. 1. · 09:24``: never when it was rendered."""
    date: str
    """The issue's date alone, e.g. ``July 1, 2026``."""
    title: Shown
    intro: tuple[Shown, ...]
    """The introduction, one string per paragraph."""
    window_start: str
    window_end: str
    time_zone: str
    """The display time zone as people say it: ``Korean Time``, ``한국 시간``."""
    picks: tuple[PickView, ...]
    reading_order: tuple[Shown, ...]
    """Paragraphs; when the editor wrote none, one line per research area."""
    public_url: str
    postal_address: str
    unsubscribe_url: str = PLACEHOLDER_UNSUBSCRIBE_URL
    language_url: str = PLACEHOLDER_LANGUAGE_URL
    email: str = PLACEHOLDER_EMAIL
    archive_url: str = ""
    """This issue's public web version in this locale: the email's "View in browser" link."""
    web: bool = False
    """The web version: a footer without personal links, a language switch, ``hreflang`` links."""
    archive_index_url: str = ""
    """The list of all issues in this locale."""
    alternates: tuple[Alternate, ...] = ()
    """Every locale's web version of the issue, this one included."""
    tracking: bool = False
    """Whether opens and clicks are counted (``delivery.tracking``); the email footer says so."""


#: How many authors a line names before "et al.", as arXiv listings do.
_AUTHORS_SHOWN = 3


def archive_path(locale: str, day: date | None = None) -> str:
    """A locale's list of issues (``/archive/ko/``) or one issue (``/archive/ko/2026-07-01/``)."""
    return f"/archive/{locale}/" + (f"{day.isoformat()}/" if day else "")


def build_view(
    draft: Draft,
    locale: str,
    settings: RenderSettings,
    catalog: Translations,
    send_time: datetime | None = None,
    *,
    web: bool = False,
) -> IssueView:
    """``draft`` as ``locale`` reads it, with ``catalog`` translating the few words chosen here.

    The header shows ``send_time``; before a send, the planned one: the issue's close, which
    is the time its scheduled run fires. ``web`` builds the public web version: the same issue
    without anything personal.
    """
    tz = ZoneInfo(settings.timezone)
    width = i18n.date_width(locale, catalog)
    gettext = catalog.gettext
    picks = tuple(_pick(pick, number, locale, gettext) for number, pick in enumerate(draft.picks, 1))
    intro = shown(draft.intro, locale)
    return IssueView(
        locale=locale,
        direction=i18n.text_direction(locale),
        font_family=_KOREAN_FONTS if locale.split("_", maxsplit=1)[0] == "ko" else _FONTS,
        brand=i18n.brand_in(settings.brands, locale) or settings.name,
        stamp=i18n.format_datetime(
            send_time or draft.window.end, locale, tz, width=i18n.header_date_width(locale, catalog)
        ),
        date=i18n.format_date(draft.issue_date, locale, width=width),
        title=shown(draft.title, locale),
        intro=tuple(Shown(text, intro.lang) for text in _paragraphs(intro)),
        window_start=_moment(draft.window.start, locale, tz, catalog),
        window_end=_moment(draft.window.end, locale, tz, catalog),
        time_zone=i18n.time_zone_name(settings.timezone, locale),
        picks=picks,
        reading_order=_reading_order(draft, picks, locale, gettext),
        public_url=settings.public_url,
        postal_address=settings.postal_address,
        archive_url=_public(settings, archive_path(locale, draft.issue_date)),
        web=web,
        archive_index_url=_public(settings, archive_path(locale)),
        alternates=tuple(
            Alternate(
                locale=other,
                label=i18n.language_name(other),
                url=_public(settings, archive_path(other, draft.issue_date)),
            )
            for other in settings.locales
        ),
        # The web version is read by anyone, and nothing on it is counted.
        tracking=settings.tracking and not web,
    )


def _public(settings: RenderSettings, path: str) -> str:
    return settings.public_url.rstrip("/") + path


def _pick(pick: DraftPick, number: int, locale: str, gettext: Gettext) -> PickView:
    links = _links(pick, gettext)
    authors = _authors(pick.authors, gettext)
    known = (text for text in (authors, pick.institution, pick.venue) if _present(text))
    return PickView(
        number=number,
        arxiv_id=pick.arxiv_id,
        title=pick.title,
        short_name=pick.short_name or pick.title,
        url=link_target(pick.url),
        authors=authors,
        institution=pick.institution or ABSENT,
        venue=pick.venue or ABSENT,
        core_method=Shown(pick.core_method or ABSENT, "en"),
        key_number=pick.key_number or ABSENT,
        area=pick.area,
        area_label=gettext(pick.area) if pick.area else ABSENT,
        heading=_heading(pick),
        meta=" · ".join(known),
        links=links,
        code=next((link for link in links if link.url == link_target(pick.code_url)), None),
        quote=shown(pick.quote, locale),
        first_read_reason=shown(pick.first_read_reason, locale),
        evidence_strength=shown(pick.evidence_strength, locale),
        decision=shown(pick.decision, locale),
        what_it_does=shown(pick.what_it_does, locale),
        technical_read=shown(pick.technical_read, locale),
        evidence_and_limits=shown(pick.evidence_and_limits, locale),
    )


def _heading(pick: DraftPick) -> str:
    headline = pick.headline.get("en", "").strip()
    name = pick.short_name or pick.title
    return f"{name}: {headline}" if headline else pick.title


def _links(pick: DraftPick, _: Gettext) -> tuple[Link, ...]:
    labelled = ((_("Code"), pick.code_url), (_("Demo"), pick.demo_url), (_("Project"), pick.project_url))
    return tuple(Link(label=label, url=link_target(url)) for label, url in labelled if _present(url))


def _authors(authors: tuple[str, ...], _: Gettext) -> str:
    if len(authors) <= _AUTHORS_SHOWN:
        return ", ".join(authors)
    return ", ".join(authors[:_AUTHORS_SHOWN]) + " " + _("et al.")


def _reading_order(draft: Draft, picks: tuple[PickView, ...], locale: str, _: Gettext) -> tuple[Shown, ...]:
    texts = (shown(paragraph, locale) for paragraph in draft.reading_order)
    written = tuple(Shown(text.strip(), text.lang) for text in texts if text.strip())
    if written:
        return written
    areas: dict[str, list[str]] = {}
    for pick in picks:
        if pick.area:
            areas.setdefault(pick.area, []).append(f"{pick.short_name} [{pick.number}]")
    return tuple(
        Shown(f"{_(area)}: {i18n.format_list(names, locale)}", locale if _(area) != area else "en")
        for area, names in areas.items()
    )


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip())


def _moment(value: datetime, locale: str, tz: tzinfo, catalog: Translations) -> str:
    day, time = i18n.format_day(value, locale, tz), i18n.format_time(value, locale, tz)
    # Translators: a day and a time in the window sentence, e.g. "June 30, 09:20".
    pattern = str(catalog.pgettext("day and time", "%(day)s, %(time)s"))
    return pattern % {"day": day, "time": time}


def _present(value: str) -> bool:
    return bool(value) and value != ABSENT
