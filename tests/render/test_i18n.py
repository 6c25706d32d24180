"""Catalogs, locale resolution and Babel formatting in the display time zone."""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from newsletter import i18n
from newsletter.assets import locales_dir
from newsletter.config import Config
from newsletter.model import Draft
from newsletter.render import EmailRenderer

ROOT = Path(__file__).resolve().parents[2]
UTC = ZoneInfo("UTC")
SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")


def _extracted() -> dict[tuple[str, str | None], Message]:
    """Every message the sources and templates use now, extracted exactly as ``make i18n`` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    catalog = Catalog()
    wanted = ("newsletter", "templates")

    def only_sources(dirpath: str) -> bool:
        relative = Path(dirpath).relative_to(ROOT).parts
        return not relative or (relative[0] in wanted and not any(p.startswith((".", "_")) for p in relative))

    for _, _, message, _, context in extract_from_dir(
        ROOT, method_map, options_map, directory_filter=only_sources
    ):
        catalog.add(message, context=context)
    return {(_key(m), m.context): m for m in catalog if m.id}


def _key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _catalog(locale: str) -> Catalog:
    with (locales_dir() / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]|\{\w+\}", text))


def test_korean_catalog_is_complete_current_and_not_fuzzy() -> None:
    extracted = _extracted()
    korean = {(_key(m), m.context): m for m in _catalog("ko") if m.id}
    missing = sorted(str(key) for key in extracted.keys() - korean.keys())
    stale = sorted(str(key) for key in korean.keys() - extracted.keys())
    assert not missing, f"add these to locales/ko (make i18n, then translate): {missing}"
    assert not stale, f"remove these stale entries from locales/ko (make i18n): {stale}"
    for key, message in korean.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated Korean entry {key}"
        assert not message.fuzzy, f"fuzzy Korean entry {key}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        allowed = set().union(*(_placeholders(text) for text in ids))
        for text in strings:
            assert _placeholders(text) <= allowed, f"{key}: {text!r} uses a placeholder the source lacks"
    assert not _catalog("ko").obsolete, "obsolete entries linger in locales/ko"
    # Babel's own checks, which `pybabel compile` (make i18n) would otherwise report.
    problems = [(message.id, [str(e) for e in errors]) for message, errors in _catalog("ko").check()]
    assert problems == []


def test_template_and_english_catalog_list_the_same_messages() -> None:
    extracted = set(_extracted())
    with (locales_dir() / "messages.pot").open("rb") as handle:
        template = {(_key(m), m.context) for m in read_po(handle) if m.id}
    english = {(_key(m), m.context) for m in _catalog("en") if m.id}
    assert template == extracted, "locales/messages.pot is out of date: run make i18n"
    assert english == extracted, "locales/en is out of date: run make i18n"


def test_a_missing_or_fuzzy_string_falls_back_to_english(tmp_path: Path) -> None:
    _write_catalog(tmp_path, "ko", {"Summary table": "요약 표", "References": ("참고 출처", True)})
    catalogs = i18n.Catalogs(tmp_path)
    korean = catalogs.translations("ko")
    assert korean.gettext("Summary table") == "요약 표"
    assert korean.gettext("References") == "References"
    assert korean.gettext("Unsubscribe") == "Unsubscribe"


def test_an_untranslated_plural_falls_back_to_the_english_plural(tmp_path: Path) -> None:
    _write_catalog(tmp_path, "ko", {("%(num)d paper", "%(num)d papers"): ("",)})
    korean = i18n.Catalogs(tmp_path).translations("ko")
    assert korean.ngettext("%(num)d paper", "%(num)d papers", 5) == "%(num)d papers"


def test_shipped_korean_translates_and_english_is_the_source() -> None:
    assert i18n.translations("ko").gettext("References") == "참고 출처"
    assert i18n.translations("ko").gettext("Speed-read table") == "빠르게 읽기 표"
    assert i18n.translations("en").gettext("References") == "References"
    assert i18n.translations("ko_KR").gettext("References") == "참고 출처"
    assert i18n.translations("xx").gettext("References") == "References"
    assert set(i18n.available_locales()) >= {"en", "ko"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("ko", "ko"),
        ("ko-KR", "ko"),
        ("ko_KR", "ko"),
        ("KO", "ko"),
        ("en", "en"),
        ("en-GB", "en"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_resolve_locale_falls_back_to_the_default(config: Config, given: str | None, expected: str) -> None:
    assert i18n.resolve_locale(given, config) == expected


def test_resolve_locale_uses_the_configured_default(config: Config) -> None:
    korean_first = config.replace(**{"newsletter.default_locale": "ko"})
    assert i18n.resolve_locale("de", korean_first) == "ko"


#: (name, moment, zone, locale, expected) — the display zone decides the day, not UTC.
DATETIMES = [
    ("sample issue, Korean", datetime(2026, 7, 1, 0, 24, tzinfo=UTC), SEOUL, "ko", "2026년 7월 1일 · 09:24"),
    ("sample issue, English", datetime(2026, 7, 1, 0, 24, tzinfo=UTC), SEOUL, "en", "July 1, 2026 · 09:24"),
    (
        "UTC evening is next morning",
        datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
        SEOUL,
        "en",
        "July 1, 2026 · 08:30",
    ),
    ("New York summer time", datetime(2026, 7, 1, 13, 0, tzinfo=UTC), NEW_YORK, "en", "July 1, 2026 · 09:00"),
    (
        "New York winter time",
        datetime(2026, 1, 15, 14, 0, tzinfo=UTC),
        NEW_YORK,
        "en",
        "January 15, 2026 · 09:00",
    ),
    ("DST starts", datetime(2026, 3, 8, 7, 30, tzinfo=UTC), NEW_YORK, "ko", "2026년 3월 8일 · 03:30"),
    (
        "Babel-less code reads English",
        datetime(2026, 7, 1, 0, 24, tzinfo=UTC),
        SEOUL,
        "xx",
        "July 1, 2026 · 09:24",
    ),
]


@pytest.mark.parametrize(
    ("moment", "zone", "locale", "expected"), [d[1:] for d in DATETIMES], ids=[d[0] for d in DATETIMES]
)
def test_format_datetime_in_the_display_zone(
    moment: datetime, zone: ZoneInfo, locale: str, expected: str
) -> None:
    assert i18n.format_datetime(moment, locale, zone) == expected


def test_format_date_day_time_and_list() -> None:
    # Prose and titles take the long form; the compact one is for metadata lines (KOREAN.md).
    assert i18n.format_date(date(2026, 7, 1), "ko") == "2026년 7월 1일"
    assert i18n.format_date(date(2026, 7, 1), "ko", width=i18n.header_date_width("ko")) == "2026. 7. 1."
    assert i18n.format_date(date(2026, 7, 1), "en", width=i18n.header_date_width("en")) == "July 1, 2026"
    assert i18n.format_date(date(2026, 7, 1), "en") == "July 1, 2026"
    assert i18n.format_date(date(2026, 7, 1), "en", width="short") == "7/1/26"
    moment = datetime(2026, 6, 30, 0, 20, tzinfo=UTC)
    assert i18n.format_day(moment, "ko", SEOUL) == "6월 30일"
    assert i18n.format_day(moment, "en", SEOUL) == "June 30"
    assert i18n.format_time(moment, "en", SEOUL) == "09:20"
    assert i18n.format_list(["A", "B", "C"], "ko") == "A, B 및 C"
    assert i18n.language_name("ko") == "한국어"
    assert i18n.text_direction("ar") == "rtl"


# (name, zone, locale, expected): the zone as people say it, never its IANA key when avoidable.
ZONE_NAMES = [
    ("Seoul in Korean", "Asia/Seoul", "ko", "한국 시간"),
    ("Seoul in English", "Asia/Seoul", "en", "Korean Time"),
    ("New York in Korean, whatever the season", "America/New_York", "ko", "미 동부 시간"),
    ("New York in English", "America/New_York", "en", "Eastern Time"),
    ("UTC has no region: its key", "UTC", "ko", "UTC"),
    ("a locale Babel does not know reads English", "Asia/Seoul", "xx", "Korean Time"),
]


@pytest.mark.parametrize(("zone", "locale", "expected"), [pytest.param(*z[1:], id=z[0]) for z in ZONE_NAMES])
def test_time_zone_name_as_people_say_it(zone: str, locale: str, expected: str) -> None:
    assert i18n.time_zone_name(zone, locale) == expected


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        i18n.format_datetime(datetime(2026, 7, 1, 9, 0), "en", SEOUL)


def test_a_third_locale_takes_only_a_new_catalog(tmp_path: Path, draft: Draft, config: Config) -> None:
    shutil.copytree(locales_dir(), tmp_path, dirs_exist_ok=True)
    _write_catalog(
        tmp_path,
        "fr",
        {
            "References": "Références",
            "Speed-read table": "Lecture rapide",
            "Unsubscribe": "Se désabonner",
            ("long", "date format"): "long",
            (
                "This issue covers the arXiv window from %(start)s to %(end)s (%(zone)s)."
            ): "Ce numéro couvre la fenêtre arXiv du %(start)s au %(end)s (%(zone)s).",
        },
    )
    # The loader accepts only locales with a catalog in the shipped locales/ folder; this one
    # lives in tmp_path, so the configuration is changed past the loader.
    french_newsletter = dataclasses.replace(config.newsletter, locales=["en", "ko", "fr"])
    french_config = dataclasses.replace(config, newsletter=french_newsletter)
    renderer = EmailRenderer(catalogs=i18n.Catalogs(tmp_path))
    locale = i18n.resolve_locale("fr-FR", french_config)
    french = renderer.render(draft, locale, french_config.render_settings())
    assert locale == "fr"
    assert '<html lang="fr" dir="ltr"' in french.html
    for phrase in ("Références", "Lecture rapide", "Se désabonner", "1 juillet 2026 · 09:00"):
        assert phrase in french.html
        assert phrase in french.text
    assert (
        "Ce numéro couvre la fenêtre arXiv du 30 juin, 09:20 au 1 juillet, 09:00 (heure de la Corée)"
        in french.text
    )
    # What the French catalog lacks reads in English, chrome and editorial text alike.
    assert "Reading order by research area" in french.html
    assert french.subject == "Research Brief: 5 papers, 1 juillet 2026"


def _write_catalog(root: Path, locale: str, entries: dict[object, object]) -> None:
    """A catalog of ``entries``: msgid, (msgid, context) or (singular, plural) → text or (text, fuzzy)."""
    catalog = Catalog(locale=locale)
    for key, value in entries.items():
        context = None
        msgid: object = key
        if isinstance(key, tuple) and key[0] == "long":
            msgid, context = key
        text, fuzzy = value if isinstance(value, tuple) and len(value) == 2 else (value, False)
        catalog.add(msgid, text, context=context, flags=("fuzzy",) if fuzzy else ())
    folder = root / locale / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "messages.po").open("wb") as handle:
        write_po(handle, catalog)
