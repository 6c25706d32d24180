"""What the email templates see: one locale's reading of a draft, with every value chosen.

The templates only lay out and translate; which text falls back to English, which links a
paper has, how dates read in the display time zone and how papers are numbered for the
references are decided here, once, for both the HTML and the text part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from babel.support import Translations

from newsletter import i18n
from newsletter.config import Config
from newsletter.model import (
    ABSENT,
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_LANGUAGE_URL,
    PLACEHOLDER_UNSUBSCRIBE_URL,
    Draft,
    DraftPick,
    link_target,
    localized,
)

Gettext = Callable[[str], str]


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
    core_method: str
    key_number: str
    area: str
    meta: str
    """Authors, institution and venue as far as known, joined by middle dots."""
    links: tuple[Link, ...]
    """Code, demo and project pages that the paper lists, in that order."""
    code: Link | None
    first_read_reason: str
    evidence_strength: str
    decision: str
    what_it_does: str
    technical_read: str
    evidence_and_limits: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueView:
    """The whole email for one locale."""

    locale: str
    direction: str
    """``ltr`` or ``rtl``."""
    brand: str
    """The newsletter's configured name."""
    stamp: str
    """When the issue was generated, e.g. ``2026. 7. 1. · 09:24``."""
    date: str
    """The issue's date alone, e.g. ``July 1, 2026``."""
    title: str
    intro: tuple[str, ...]
    """The introduction, one string per paragraph."""
    window_start: str
    window_end: str
    time_zone: str
    picks: tuple[PickView, ...]
    reading_order: tuple[str, ...]
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
    draft: Draft, locale: str, config: Config, catalog: Translations, *, web: bool = False
) -> IssueView:
    """``draft`` as ``locale`` reads it, with ``catalog`` translating the few words chosen here.

    ``web`` builds the public web version: the same issue without anything personal.
    """
    tz = config.tz
    width = i18n.date_width(locale, catalog)
    stamp_time = draft.generated_at or draft.window.end
    gettext = catalog.gettext
    picks = tuple(_pick(pick, number, locale, gettext) for number, pick in enumerate(draft.picks, 1))
    return IssueView(
        locale=locale,
        direction=i18n.text_direction(locale),
        brand=config.newsletter.name,
        stamp=i18n.format_datetime(stamp_time, locale, tz, width=width),
        date=i18n.format_date(draft.issue_date, locale, width=width),
        title=localized(draft.title, locale),
        intro=_paragraphs(localized(draft.intro, locale)),
        window_start=_moment(draft.window.start, locale, tz, catalog),
        window_end=_moment(draft.window.end, locale, tz, catalog),
        time_zone=config.newsletter.timezone,
        picks=picks,
        reading_order=_reading_order(draft, picks, locale),
        public_url=config.newsletter.public_url,
        postal_address=config.newsletter.postal_address,
        archive_url=_public(config, archive_path(locale, draft.issue_date)),
        web=web,
        archive_index_url=_public(config, archive_path(locale)),
        alternates=tuple(
            Alternate(
                locale=other,
                label=i18n.language_name(other),
                url=_public(config, archive_path(other, draft.issue_date)),
            )
            for other in config.newsletter.locales
        ),
        # The web version is read by anyone, and nothing on it is counted.
        tracking=config.delivery.tracking and not web,
    )


def _public(config: Config, path: str) -> str:
    return config.newsletter.public_url.rstrip("/") + path


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
        core_method=pick.core_method or ABSENT,
        key_number=pick.key_number or ABSENT,
        area=pick.area,
        meta=" · ".join(known),
        links=links,
        code=next((link for link in links if link.url == link_target(pick.code_url)), None),
        first_read_reason=localized(pick.first_read_reason, locale),
        evidence_strength=localized(pick.evidence_strength, locale),
        decision=localized(pick.decision, locale),
        what_it_does=localized(pick.what_it_does, locale),
        technical_read=localized(pick.technical_read, locale),
        evidence_and_limits=localized(pick.evidence_and_limits, locale),
    )


def _links(pick: DraftPick, _: Gettext) -> tuple[Link, ...]:
    labelled = ((_("Code"), pick.code_url), (_("Demo"), pick.demo_url), (_("Project"), pick.project_url))
    return tuple(Link(label=label, url=link_target(url)) for label, url in labelled if _present(url))


def _authors(authors: tuple[str, ...], _: Gettext) -> str:
    if len(authors) <= _AUTHORS_SHOWN:
        return ", ".join(authors)
    return ", ".join(authors[:_AUTHORS_SHOWN]) + " " + _("et al.")


def _reading_order(draft: Draft, picks: tuple[PickView, ...], locale: str) -> tuple[str, ...]:
    written = tuple(text for text in (localized(p, locale).strip() for p in draft.reading_order) if text)
    if written:
        return written
    areas: dict[str, list[str]] = {}
    for pick in picks:
        if pick.area:
            areas.setdefault(pick.area, []).append(f"{pick.short_name} [{pick.number}]")
    return tuple(f"{area}: {i18n.format_list(names, locale)}" for area, names in areas.items())


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip())


def _moment(value: datetime, locale: str, tz: tzinfo, catalog: Translations) -> str:
    day, time = i18n.format_day(value, locale, tz), i18n.format_time(value, locale, tz)
    # Translators: a day and a time in the window sentence, e.g. "June 30, 09:20".
    pattern = str(catalog.pgettext("day and time", "%(day)s, %(time)s"))
    return pattern % {"day": day, "time": time}


def _present(value: str) -> bool:
    return bool(value) and value != ABSENT
