"""Translations and locale-aware formatting, shared by the email, the web pages and the digest.

English is the source language: the ``msgid`` of every entry is the English text, so an
empty English catalog already reads correctly. Every other locale overlays English, and any
string its catalog lacks (missing, empty or fuzzy) falls back to English. Catalogs are the
``messages.po`` files themselves, compiled in memory on first use, so no ``.mo`` build step
is needed and an edited catalog takes effect on the next start. Adding a language takes only
``locales/<lang>/LC_MESSAGES/messages.po``: dates, lists, plural rules and text direction come
from Babel's locale data.

Use it like this in Python (``pybabel extract`` finds the ``_()`` calls)::

    _ = translations(locale).gettext
    notice = _("You are unsubscribed.")
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError, dates, lists
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from newsletter import assets
from newsletter.errors import RenderError

if TYPE_CHECKING:
    from newsletter.config import Config

logger = logging.getLogger(__name__)

SOURCE_LOCALE = "en"
DOMAIN = "messages"
DATE_WIDTHS = ("short", "medium", "long", "full")
_DEFAULT_DATE_WIDTH = "long"
#: The separator between a date and a time, as in the sample issue's "2026. 7. 1. · 09:24".
_DATE_TIME_SEPARATOR = " · "
#: Hours and minutes on a 24-hour clock in every language, as arXiv's schedule is written.
_TIME_PATTERN = "HH:mm"


class Catalogs:
    """The catalogs of one ``locales`` folder, compiled in memory and cached per locale."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, Translations] = {}
        self._lock = threading.Lock()

    def available(self) -> tuple[str, ...]:
        """The locales with a catalog, sorted."""
        found = self.directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        return tuple(sorted(path.parents[1].name for path in found))

    def translations(self, locale: str) -> Translations:
        """``locale``'s translations over English; English alone when it has no catalog."""
        with self._lock:
            cached = self._cache.get(locale)
            if cached is None:
                cached = self._cache[locale] = self._load(locale)
            return cached

    def _load(self, locale: str) -> Translations:
        source = self._compile(SOURCE_LOCALE) or Translations()
        name = self._catalog_name(locale)
        if name is None or name == SOURCE_LOCALE:
            return source
        overlay = self._compile(name)
        if overlay is None:
            return source
        overlay.add_fallback(source)
        return overlay

    def _catalog_name(self, locale: str) -> str | None:
        """The catalog that serves ``locale``: ``ko_KR`` is served by ``ko`` when it has none."""
        for name in (locale, locale.replace("-", "_").split("_")[0]):
            if (self.directory / name / "LC_MESSAGES" / f"{DOMAIN}.po").is_file():
                return name
        return None

    def _compile(self, name: str) -> Translations | None:
        path = self.directory / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.is_file():
            return None
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=name, domain=DOMAIN)
        except (ValueError, UnknownLocaleError) as error:
            raise RenderError(f"{path}: cannot read the catalog: {error}") from None
        _drop_unfinished_plurals(catalog)
        compiled = BytesIO()
        # Fuzzy entries are a translator's unfinished guesses: English is better than a wrong text.
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        logger.debug("compiled %s (%d entries)", path, len(catalog))
        return Translations(fp=compiled, domain=DOMAIN)


def _drop_unfinished_plurals(catalog: Catalog) -> None:
    """Remove plural entries with an empty form, which ``write_mo`` would keep as blank text."""
    for message in list(catalog):
        if message.id and isinstance(message.string, tuple) and not all(message.string):
            catalog.delete(message.id, context=message.context)


@cache
def default_catalogs() -> Catalogs:
    """The catalogs shipped with the program."""
    return Catalogs(assets.locales_dir())


def translations(locale: str) -> Translations:
    """The shipped translations for ``locale`` (cached), falling back to English string by string."""
    return default_catalogs().translations(locale)


def available_locales() -> tuple[str, ...]:
    """The locales the program ships a catalog for."""
    return default_catalogs().available()


def resolve_locale(locale: str | None, config: Config) -> str:
    """The configured locale that serves ``locale``; the default locale when none does.

    ``ko``, ``ko-KR`` and ``ko_KR`` all resolve to ``ko`` when ``ko`` is configured.
    """
    configured = config.newsletter.locales
    if locale:
        wanted = locale.strip().replace("-", "_")
        for candidate in (wanted, wanted.split("_")[0]):
            for known in configured:
                if known.lower() == candidate.lower():
                    return known
    return config.newsletter.default_locale


def babel_locale(locale: str) -> Locale:
    """Babel's data for ``locale``; English's for a code Babel does not know."""
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        logger.warning("Babel has no data for locale %r; formatting as English", locale)
        return Locale.parse(SOURCE_LOCALE)


def date_width(locale: str, catalog: Translations | None = None) -> str:
    """The date width of running text and titles (``July 1, 2026``, ``2026년 7월 1일``)."""
    catalog = catalog or translations(locale)
    # Translators: the Babel date width for dates in sentences and titles: short, medium, long
    # or full. English and Korean use "long" ("July 1, 2026", "2026년 7월 1일").
    width = catalog.pgettext("date format", "long")
    return width if width in DATE_WIDTHS else _DEFAULT_DATE_WIDTH


def header_date_width(locale: str, catalog: Translations | None = None) -> str:
    """The date width of metadata lines such as the email's header (Korean: ``2026. 7. 1.``).

    KOREAN.md keeps the compact form out of prose, where its periods read as sentence ends.
    """
    catalog = catalog or translations(locale)
    # Translators: the Babel date width for the header line beside the send time: short,
    # medium, long or full. English uses "long" ("July 1, 2026 · 09:24"); Korean uses
    # "medium" ("2026. 7. 1. · 09:24").
    width = catalog.pgettext("header date format", "long")
    return width if width in DATE_WIDTHS else _DEFAULT_DATE_WIDTH


def time_zone_name(zone: str, locale: str) -> str:
    """The zone as people say it: ``Korean Time``, ``한국 시간``, ``Eastern Time``.

    Babel's generic name, which does not change with daylight saving time; the zone's own key
    (``UTC``) where Babel has none and falls back to a region in parentheses
    ("Unknown Region (UTC) Time").
    """
    try:
        tz = dates.get_timezone(zone)
    except LookupError:
        return zone
    name = dates.get_timezone_name(tz, "long", locale=babel_locale(locale), zone_variant="generic")
    return zone if "(" in name else name


def brand_name(config: Config, locale: str) -> str:
    """The newsletter's name in ``locale`` (``newsletter.brand``), else ``newsletter.name``."""
    return locale_brand(config, locale) or config.newsletter.name


def locale_brand(config: Config, locale: str) -> str | None:
    """The name ``newsletter.brand`` gives ``locale`` (``ko`` serves ``ko_KR``), or None."""
    return brand_in(config.newsletter.brand, locale)


def brand_in(brands: Mapping[str, object], locale: str) -> str | None:
    """The name ``brands`` gives ``locale`` (``ko`` serves ``ko_KR``), or None."""
    for key in (locale, locale.replace("-", "_").split("_")[0]):
        name = brands.get(key)
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def format_date(
    value: date | datetime, locale: str, tz: tzinfo | None = None, *, width: str | None = None
) -> str:
    """A date such as ``July 1, 2026`` or ``2026. 7. 1.``, in ``tz`` when ``value`` has a time."""
    day = _local(value, tz).date() if isinstance(value, datetime) else value
    return dates.format_date(day, width or date_width(locale), locale=babel_locale(locale))


def format_datetime(value: datetime, locale: str, tz: tzinfo, *, width: str | None = None) -> str:
    """A date and time such as ``July 1, 2026 · 09:24`` or ``2026. 7. 1. · 09:24`` in ``tz``."""
    return format_date(value, locale, tz, width=width) + _DATE_TIME_SEPARATOR + format_time(value, locale, tz)


def format_day(value: datetime, locale: str, tz: tzinfo) -> str:
    """A day without its year, such as ``June 30`` or ``6월 30일``, in ``tz``."""
    return dates.format_skeleton("MMMMd", _local(value, tz), locale=babel_locale(locale))


def format_time(value: datetime, locale: str, tz: tzinfo) -> str:
    """A time such as ``09:20`` in ``tz``."""
    return dates.format_time(_local(value, tz), _TIME_PATTERN, locale=babel_locale(locale))


def format_list(items: Sequence[str], locale: str) -> str:
    """``A, B, and C`` in English, ``A, B 및 C`` in Korean."""
    return lists.format_list(list(items), locale=babel_locale(locale)) if items else ""


def language_name(locale: str) -> str:
    """The language's own name for itself: ``English``, ``한국어``."""
    return babel_locale(locale).get_display_name() or locale


def text_direction(locale: str) -> str:
    """``ltr`` or ``rtl``, for the ``dir`` attribute."""
    return "rtl" if babel_locale(locale).text_direction == "rtl" else "ltr"


def _local(value: datetime, tz: tzinfo | None) -> datetime:
    if tz is None:
        return value
    if value.tzinfo is None:
        raise ValueError(f"cannot place the naive time {value} in a time zone")
    return value.astimezone(tz)
