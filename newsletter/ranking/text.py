"""Small text helpers shared by the signals and the fact extractors.

Everything here works on the paper's own words and returns spans of them unchanged, so
what a fact says can always be found verbatim in its source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

# A sentence ends at . ! or ? followed by a space and a capital, digit or opening
# bracket; decimals ("FLUX.1", "3.47") and abbreviations in lower case stay whole.
# "vs.", "e.g.", "i.e.", "et al.", "Fig.", "Sec.", "cf." and the like end no sentence:
# "(84.2 vs. 83.4)" stays whole.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\bvs\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bal\.)(?<!\bFig\.)(?<!\bFigs\.)(?<!\bEq\.)"
    r"(?<!\bSec\.)(?<!\bTab\.)(?<!\bcf\.)(?<!\bNo\.)(?<!\bresp\.)(?<!\bapprox\.)\s+(?=[A-Z0-9(\[\"“])"
)
# Suffixes stripped from a term's last word so that "caching" also finds "cache" and
# "distillation" finds "distilled": a light stem, enough for topic words.
_SUFFIXES = ("ation", "ing", "ed", "es", "s", "e")
_MIN_STEM = 4


# Signals and facts read the same few strings many times; caching keeps a 2,000-paper
# day well under a second.
@lru_cache(maxsize=8192)
def squash(text: str) -> str:
    """``text`` with runs of whitespace (the feed wraps lines) folded into single spaces."""
    return " ".join(text.split())


@lru_cache(maxsize=8192)
def sentences(text: str) -> tuple[str, ...]:
    """The sentences of ``text``, whitespace folded, in order."""
    flat = squash(text)
    return tuple(s for s in _SENTENCE_END.split(flat) if s) if flat else ()


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=256)
def term_pattern(term: str) -> re.Pattern[str]:
    """A case-insensitive pattern for a topic term or phrase.

    Words may be joined by spaces or hyphens ("flow matching" finds "flow-matching"), and
    the last word matches its inflections ("caching" finds "cache", "cached").
    """
    words = [re.escape(w) for w in re.split(r"[\s-]+", term.strip().lower()) if w]
    if not words:
        return re.compile(r"(?!x)x")
    words[-1] = re.escape(_stem(re.split(r"[\s-]+", term.strip().lower())[-1])) + r"\w*"
    return re.compile(r"\b" + r"[\s-]+".join(words), re.IGNORECASE)


@lru_cache(maxsize=64)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """All ``terms`` in one case-sensitive pattern for lower-cased text.

    One ``\\b(?:a|b|c)`` group lets the regex engine skip ahead on the words' first
    letters, several times faster than one group per term or IGNORECASE.
    """
    alternatives = "|".join(term_pattern(term).pattern.removeprefix(r"\b") for term in terms)
    return re.compile(rf"\b(?:{alternatives})" if alternatives else r"(?!x)x")


@lru_cache(maxsize=1024)
def _which(found: str, terms: tuple[str, ...]) -> str:
    """The term that matched the text ``found``."""
    return next((t for t in terms if term_pattern(t).fullmatch(found)), found)


def count_terms(text: str, terms: Sequence[str]) -> tuple[int, int]:
    """How many distinct ``terms`` occur in ``text``, and how many times in all."""
    key = tuple(terms)
    found = [_which(m, key) for m in _terms_pattern(key).findall(text.lower())]
    return len(set(found)), len(found)


def first_match(text: str, names: Iterable[str]) -> str | None:
    """The first of ``names`` found in ``text`` (case-insensitive), spelled as ``text`` spells it."""
    lowered = text.lower()
    best: tuple[int, str] | None = None
    for name in names:
        at = lowered.find(name.lower())
        if at >= 0 and (best is None or at < best[0]):
            best = (at, text[at : at + len(name)])
    return best[1] if best else None


def clip(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, marked with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
