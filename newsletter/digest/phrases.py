"""The translatable phrases the draft is generated from, and their per-locale lookup.

English is the source text. Each phrase is marked with ``N_`` (or passed to ``ngettext``)
so ``pybabel extract`` finds it; :func:`phrases_for` looks it up through
:mod:`newsletter.i18n` and falls back to English when there is no catalog or a translation
is broken, so generating a draft never fails for want of a translation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from gettext import NullTranslations

from babel import dates, lists

from newsletter.errors import NewsletterError
from newsletter.korean import Word
from newsletter.model import LocalizedText

logger = logging.getLogger(__name__)

SOURCE_LOCALE = "en"


def N_(message: str) -> str:  # noqa: N802 (the gettext convention Babel extracts)
    """Mark ``message`` for extraction; it is translated where it is used."""
    return message


#: A sentence's own period after a filled-in phrase that already ends one: "…." or "?.".
_DOUBLE_END = re.compile(r"(…|\.\.\.|[.!?])\.(?=\s|$)")
#: The possessive of a name ending in s, which takes an apostrophe alone: "MBD-LMs's" → "MBD-LMs'".
_S_POSSESSIVE = re.compile(r"(?<=[\w-]s)'s\b")
_COUNT_WORDS = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


@dataclass(frozen=True, slots=True)
class Phrases:
    """One locale's view of the phrases: translate, fill in, and format lists and dates."""

    locale: str
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    untranslated: list[str] = field(default_factory=list)
    """The phrases this locale's catalog lacked, in the order they were asked for."""
    pgettext: Callable[[str, str], str] = field(default=lambda _context, message: message)
    """Looks up a message in a context (``msgctxt``): topic terms and list separators."""

    def __call__(self, message: str, **values: object) -> str:
        """``message`` translated and filled with ``values``; English if the translation is broken."""
        translated = self.gettext(message)
        self._note(translated, message)
        # A message without values may be an editor's text (an area name): never a format string.
        return self._fill(translated, message, values) if values else translated

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The form for ``n``; ``{count}`` is ``n`` unless ``values`` spell it otherwise.

        Both forms are marked with ``N_`` and so are extracted as two plain messages;
        the catalog's own plural entry (``msgid_plural``) is used when it has one.
        """
        english = singular if n == 1 else plural
        translated = self.ngettext(singular, plural, n)
        if translated == english:
            translated = self.gettext(english)
        self._note(translated, english)
        return self._fill(translated, english, {"count": n, **values})

    def _note(self, translated: str, english: str) -> None:
        if translated == english and self.locale != SOURCE_LOCALE:
            self.untranslated.append(english)

    def join(self, items: Sequence[str]) -> str:
        """``A, B, and C`` in English, ``A, B 및 C`` in Korean."""
        return lists.format_list(list(items), locale=self.locale) if items else ""

    def noun_list(self, items: Sequence[str]) -> str:
        """The items of a table cell: ``A, B, and C.`` in English, ``A · B · C`` in Korean.

        KOREAN.md joins noun phrases with a middle dot and no final period, and never with 및,
        which would read a negative last item ("코드 공개 정보 없음") as covering them all.
        """
        # Translators: "standard" joins a table cell's noun phrases as a sentence ("A, B, and C.");
        # any other text is the separator itself, and the cell then takes no final period.
        separator = self.pgettext("noun list separator", "standard")
        if separator == "standard":
            return self.join(items) + "." if items else ""
        return separator.join(items)

    def alternatives(self, items: Sequence[str]) -> str:
        """``A, B, or C`` in English; ``A · B · C`` in Korean, which lists them after a colon."""
        # Translators: "standard" joins alternatives with the language's "or" ("A, B, or C");
        # any other text is the separator itself.
        separator = self.pgettext("alternatives separator", "standard")
        if separator == "standard":
            return lists.format_list(list(items), style="or", locale=self.locale) if items else ""
        return separator.join(items)

    def topic(self, term: str) -> str:
        """The configured topic term in this locale ("diffusion" → "확산 모델"), else as written."""
        return self.pgettext("topic", term)

    def count_word(self, count: int) -> str:
        """ "Five" in English, where the sample issue spells counts out; digits elsewhere."""
        english = self.locale == SOURCE_LOCALE and count < len(_COUNT_WORDS)
        return _COUNT_WORDS[count] if english else str(count)

    def date(self, value: date) -> str:
        try:
            from newsletter import i18n
        except ImportError:
            return dates.format_date(value, "long", locale=self.locale)
        return i18n.format_date(value, self.locale)

    def time(self, value: datetime, tz: tzinfo) -> str:
        """``June 30, 09:20`` in English, in ``tz``."""
        local = value.astimezone(tz)
        return dates.format_skeleton("MMMMd", local, locale=self.locale) + ", " + local.strftime("%H:%M")

    def _fill(self, translated: str, english: str, values: dict[str, object]) -> str:
        # Names become korean.Word, so a translation may ask for a particle: "{names:을}".
        words = {key: Word(value) if isinstance(value, str) else value for key, value in values.items()}
        try:
            return _tidy(translated.format(**words))
        except (KeyError, IndexError, ValueError):
            logger.warning("the %s translation of %r is broken; using English", self.locale, english)
            return _tidy(english.format(**values))


def _tidy(text: str) -> str:
    """``text`` without the punctuation that joining phrases leaves: "…." and "Models's"."""
    return _S_POSSESSIVE.sub("'", _DOUBLE_END.sub(r"\1", text))


def phrases_for(locale: str) -> Phrases:
    """The phrases in ``locale``, through the shipped catalogs when they load."""
    catalog: NullTranslations = NullTranslations()
    if locale != SOURCE_LOCALE:
        try:
            from newsletter import i18n

            catalog = i18n.translations(locale)
        except (ImportError, NewsletterError):
            logger.info("no translation catalogs available; generating %s text in English", locale)
    return Phrases(
        locale=locale, gettext=catalog.gettext, ngettext=catalog.ngettext, pgettext=catalog.pgettext
    )


def localized(locales: Sequence[str], build: Callable[[Phrases], str]) -> LocalizedText:
    """``build``'s text in English and in each other locale whose catalog translates it.

    A locale whose catalog lacks any phrase of the text is left out, and falls back to
    English when rendered, rather than mixing English phrases with localized dates.
    """
    texts = {SOURCE_LOCALE: build(phrases_for(SOURCE_LOCALE))}
    for locale in locales:
        if locale != SOURCE_LOCALE:
            say = phrases_for(locale)
            text = build(say)
            if say.untranslated:
                logger.debug("no %s text for %r: untranslated %s", locale, texts["en"][:40], say.untranslated)
            else:
                texts[locale] = text
    return texts


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Inference acceleration" → "inference acceleration"; "DiT
    caching" keeps its capitals."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label
