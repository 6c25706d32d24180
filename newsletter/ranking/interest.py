"""The editor's taste: how close a candidate is to the papers the editor wanted before.

Positives are ``ranking.interests`` (arXiv ids, or BibTeX/CSV exports from a reference
manager) and every past issue's picks and pins; negatives are past exclusions. A candidate's
``interest`` signal is its TF-IDF cosine to the nearest positive, less half that to the
nearest negative, scaled so that a clearly related paper scores 1. It starts empty, and
then has no effect, and gets better with every issue, as zotero-arxiv-daily and
arxiv-sanity do for one reader, but here for an editor serving a whole list.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsletter.errors import ConfigError
from newsletter.model import Paper
from newsletter.ranking.diversity import cosine, tfidf

logger = logging.getLogger(__name__)

#: A cosine this high (title and abstract, TF-IDF) means a clearly related paper.
_SATURATION = 0.3
_NEGATIVE_SHARE = 0.5
#: Below this the candidate is not "close to" anything worth saying.
REASON_FLOOR = 0.5
_BIB_ENTRY = re.compile(r"@\w+\s*\{", re.IGNORECASE)
_BIB_FIELD = re.compile(
    r"(?P<key>\w+)\s*=\s*(?:\{(?P<braced>(?:[^{}]|\{[^{}]*\})*)\}|\"(?P<quoted>[^\"]*)\")", re.S
)
_CSV_TITLE = ("title", "Title")
_CSV_ABSTRACT = ("abstract", "Abstract", "Abstract Note", "abstractNote")
_ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    """A paper that stands for what the editor wants, or does not."""

    label: str
    """How a reason names it: its title."""
    text: str
    """What is known of it: title, and abstract or summary when available."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Interests:
    positives: tuple[Example, ...] = ()
    negatives: tuple[Example, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.positives)


@dataclass(frozen=True, slots=True, kw_only=True)
class Closeness:
    value: float
    """The interest signal, in [0, 1]."""
    nearest: str
    """The label of the nearest positive example."""


def closeness(papers: Sequence[Paper], interests: Interests) -> dict[str, Closeness]:
    """Each paper's interest signal and nearest positive, by arXiv id; empty without positives."""
    if not interests:
        return {}
    examples = [*interests.positives, *interests.negatives]
    # One vocabulary for candidates and examples, so that the IDF reflects today's window too.
    vectors = tfidf([f"{p.title} {p.title} {p.abstract}" for p in papers] + [e.text for e in examples])
    candidates, liked = vectors[: len(papers)], vectors[len(papers) :]
    positive = liked[: len(interests.positives)]
    negative = liked[len(interests.positives) :]
    found: dict[str, Closeness] = {}
    for paper, vector in zip(papers, candidates, strict=True):
        near = [cosine(vector, other) for other in positive]
        best = max(range(len(near)), key=lambda i: near[i])
        against = max((cosine(vector, other) for other in negative), default=0.0)
        raw = near[best] - _NEGATIVE_SHARE * against
        value = min(1.0, max(0.0, raw / _SATURATION))
        found[paper.arxiv_id] = Closeness(value=value, nearest=interests.positives[best].label)
    return found


def read_interests(
    entries: Iterable[str], known: Mapping[str, Example], *, base: Path | None = None
) -> list[Example]:
    """``ranking.interests`` as examples: arXiv ids looked up in ``known``, files read as exports.

    An id not in ``known`` (the papers past issues considered) is skipped: its text is not
    at hand offline. A file that cannot be read raises :class:`ConfigError`.
    """
    found: list[Example] = []
    for written in entries:
        entry = written.strip()
        if _ARXIV_ID.match(entry):
            if entry in known:
                found.append(known[entry])
            else:
                logger.warning("ranking.interests: %s is not among the papers past issues considered", entry)
            continue
        path = Path(entry) if base is None or Path(entry).is_absolute() else base / entry
        found.extend(read_export(path))
    return found


def read_export(path: Path) -> list[Example]:
    """Titles and abstracts from a BibTeX (``.bib``) or CSV export of a reference manager."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError("ranking.interests", f"cannot read {path}: {error}") from None
    if path.suffix.lower() == ".bib":
        return _bibtex(text)
    if path.suffix.lower() == ".csv":
        return _csv(text, path)
    raise ConfigError("ranking.interests", f"{path}: expected an arXiv id, a .bib or a .csv file")


def _bibtex(text: str) -> list[Example]:
    found = []
    for chunk in _BIB_ENTRY.split(text)[1:]:
        fields = {
            m.group("key").lower(): " ".join((m.group("braced") or m.group("quoted") or "").split())
            for m in _BIB_FIELD.finditer(chunk)
        }
        title = fields.get("title", "").replace("{", "").replace("}", "")
        if title:
            found.append(Example(label=title, text=f"{title} {title} {fields.get('abstract', '')}"))
    return found


def _csv(text: str, path: Path) -> list[Example]:
    rows = list(csv.DictReader(text.splitlines()))
    if rows and not any(name in rows[0] for name in _CSV_TITLE):
        raise ConfigError("ranking.interests", f"{path}: expected a Title column")
    found = []
    for row in rows:
        title = next((row[k].strip() for k in _CSV_TITLE if row.get(k)), "")
        abstract = next((row[k].strip() for k in _CSV_ABSTRACT if row.get(k)), "")
        if title:
            found.append(Example(label=title, text=f"{title} {title} {abstract}"))
    return found
