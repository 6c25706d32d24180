"""Labelled days: a recorded arXiv day, the five papers an editor picked, and the facts they expected.

Each day is a folder with ``labels.toml`` naming its feed (an arXiv Atom file, relative to the
folder) and, for each pick, the editor's one-line reason, the key facts (numbers and names an
editor's key number must contain), the short name, the institutions in short form and the
venue (empty when the paper has none); for the prose, the abstract's sentences an editor
accepts as the technical read (``mechanism``, 0-based indexes of
``ranking.text.sentences(squash(abstract))``; empty when the abstract says nothing about how
the method works beyond its method sentence, so that the technical read should state the
problem instead) and an editor's ``headline`` (for reference; never string-compared).
:func:`evaluate` reads the feed through the real arXiv client from a replay server on
127.0.0.1, ranks it with the given settings and scores the result: precision at 5, key-fact
completeness, short-name, institution and venue accuracy, and the prose of each labelled
paper's section (:func:`score_prose`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsletter.config import Config, RankingSection
from newsletter.errors import ConfigError
from newsletter.model import Paper
from newsletter.ranking.facts import extract_facts
from newsletter.ranking.ranker import rank

#: The least share of a day's labelled papers whose section must pass each prose check: a
#: headline, the technical read and the quote may miss one paper in five; the third person
#: and distinct sentences are rules, not judgements.
PROSE_FLOORS = {"headlines": 0.8, "technical": 0.8, "quotes": 0.8, "third_person": 1.0, "distinct": 1.0}
FLOOR_NOTE = "a change that helps one labelled day and hurts another is not an improvement"
_ALL_TIME = (datetime(1991, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
_LABEL_KEYS = ("arxiv_id", "why", "short_name", "key_facts", "institutions", "venue", "mechanism", "headline")
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|ours)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelledPick:
    arxiv_id: str
    why: str
    short_name: str
    key_facts: tuple[str, ...]
    """What the key number must mention; empty when the paper has no number worth one."""
    institutions: tuple[str, ...]
    venue: str
    """The accepting venue as an editor writes it, or "" when there is none."""
    mechanism: tuple[int, ...]
    """The abstract's sentences an editor accepts as the technical read; empty: the problem."""
    headline: str
    """An editor's headline, for reference."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelledDay:
    name: str
    feed: Path
    picks: tuple[LabelledPick, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DayScore:
    name: str
    precision: float
    """Share of the editor's picks among the ranking's first five."""
    key_facts: float
    """Share of the expected key facts found in the key number of each labelled paper."""
    short_names: float
    institutions: float
    venues: float
    missed: tuple[str, ...]
    """The editor's picks the ranking left out."""
    prose: ProseScore


@dataclass(frozen=True, slots=True, kw_only=True)
class ProseScore:
    """Shares of a day's labelled papers whose generated section passes each check."""

    headlines: float
    """A headline of 3–10 words that is not the title and does not dangle."""
    technical: float
    """A technical read from a labelled mechanism sentence, or the problem, framed as such,
    when none is labelled."""
    quotes: float
    """A quote, among the papers whose abstract has a quantitative claim."""
    third_person: float
    """No "we", "our" or "us" in the headline, "What it does" or the technical read."""
    distinct: float
    """Every section on sentences no other section uses."""


def load_day(folder: Path) -> LabelledDay:
    """The labelled day in ``folder``; a malformed labels file raises :class:`ConfigError`."""
    path = folder / "labels.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError("labels", f"cannot read it: {error}", source=str(path)) from None
    picks = raw.get("picks")
    if not isinstance(picks, list) or not picks:
        raise ConfigError("picks", "expected a list of [[picks]] tables", source=str(path))
    return LabelledDay(
        name=str(raw.get("name", folder.name)),
        feed=folder / str(raw.get("feed", "feed.atom.xml")),
        picks=tuple(_pick(entry, index, path) for index, entry in enumerate(picks, start=1)),
    )


def _pick(entry: Any, index: int, path: Path) -> LabelledPick:
    missing = [key for key in _LABEL_KEYS if not isinstance(entry, dict) or key not in entry]
    if missing:
        raise ConfigError(f"picks[{index}].{missing[0]}", "missing", source=str(path))
    return LabelledPick(
        arxiv_id=str(entry["arxiv_id"]),
        why=str(entry["why"]),
        short_name=str(entry["short_name"]),
        key_facts=tuple(str(v) for v in entry["key_facts"]),
        institutions=tuple(str(v) for v in entry["institutions"]),
        venue=str(entry["venue"]),
        mechanism=tuple(int(v) for v in entry["mechanism"]),
        headline=str(entry["headline"]),
    )


def labelled_days(root: Path) -> list[LabelledDay]:
    """Every labelled day under ``root`` (one folder each), by name."""
    return sorted((load_day(p.parent) for p in root.glob("*/labels.toml")), key=lambda d: d.name)


def read_papers(day: LabelledDay, categories: list[str] | None = None) -> list[Paper]:
    """The day's papers, read by the real arXiv client from a replay server on 127.0.0.1."""
    from newsletter.sources.arxiv import ArxivSource
    from newsletter.testing.replay import ArxivReplayServer

    with ArxivReplayServer(day.feed) as server:
        overrides: dict[str, object] = {"arxiv.base_url": server.url, "arxiv.delay_seconds": 0.0}
        if categories:
            overrides["arxiv.categories"] = categories
        source = ArxivSource(Config().replace(**overrides).arxiv)
        return source.fetch(submitted_after=_ALL_TIME[0], submitted_before=_ALL_TIME[1])


def evaluate(day: LabelledDay, papers: list[Paper], settings: RankingSection) -> DayScore:
    """Rank ``papers`` and score the picks and the labelled papers' facts against ``day``."""
    picks = rank(papers, settings)[:5]
    chosen = {pick.paper.arxiv_id for pick in picks}
    by_id = {paper.arxiv_id: paper for paper in papers}
    facts = {
        label.arxiv_id: extract_facts(by_id[label.arxiv_id], settings.labs, settings.institution_names)
        for label in day.picks
        if label.arxiv_id in by_id
    }
    expected = [(label, fact) for label in day.picks for fact in label.key_facts]
    found = sum(1 for label, fact in expected if fact in (_key(facts, label.arxiv_id) or ""))
    count = len(day.picks)
    return DayScore(
        name=day.name,
        precision=sum(1 for label in day.picks if label.arxiv_id in chosen) / count,
        key_facts=found / len(expected) if expected else 1.0,
        short_names=sum(_same(facts, label, "short_name") for label in day.picks) / count,
        institutions=sum(_same(facts, label, "institution") for label in day.picks) / count,
        venues=sum(_same(facts, label, "venue") for label in day.picks) / count,
        missed=tuple(label.arxiv_id for label in day.picks if label.arxiv_id not in chosen),
        prose=score_prose(day, papers),
    )


def below_floors(score: ProseScore) -> list[str]:
    """The prose checks on which ``score`` falls below :data:`PROSE_FLOORS`."""
    return [name for name, floor in PROSE_FLOORS.items() if getattr(score, name) < floor]


def score_prose(day: LabelledDay, papers: list[Paper]) -> ProseScore:
    """Score the sections :mod:`newsletter.digest.prose` writes for each of ``day``'s labelled papers."""
    from newsletter.digest import prose
    from newsletter.digest.headline import acceptable
    from newsletter.ranking.numbers import find_claims

    by_id = {paper.arxiv_id: paper for paper in papers}
    checks: dict[str, list[bool]] = {
        name: [] for name in ("headlines", "technical", "quotes", "person", "distinct")
    }
    for label in day.picks:
        paper = by_id.get(label.arxiv_id)
        if paper is None:
            continue
        authors = [a.name for a in paper.authors]
        chosen = prose.sections(title=paper.title, abstract=paper.abstract, authors=authors)
        checks["headlines"].append(acceptable(chosen.headline, paper.title))
        technical = chosen.origin.get("technical_read", ())
        checks["technical"].append(
            max(technical) in label.mechanism
            if label.mechanism and technical
            else not label.mechanism and chosen.technical_is_problem
        )
        if find_claims(paper.abstract):
            checks["quotes"].append(bool(chosen.quote))
        written = (chosen.headline, chosen.what_it_does, chosen.technical_read)
        checks["person"].append(not any(_FIRST_PERSON.search(text) for text in written))
        used = [index for covered in chosen.origin.values() for index in covered]
        checks["distinct"].append(len(used) == len(set(used)))

    def share(name: str) -> float:
        return sum(checks[name]) / len(checks[name]) if checks[name] else 1.0

    return ProseScore(
        headlines=share("headlines"),
        technical=share("technical"),
        quotes=share("quotes"),
        third_person=share("person"),
        distinct=share("distinct"),
    )


def _key(facts: dict[str, Any], arxiv_id: str) -> str | None:
    found = facts.get(arxiv_id)
    return found.key_number if found else None


def _same(facts: dict[str, Any], label: LabelledPick, name: str) -> bool:
    found = facts.get(label.arxiv_id)
    if found is None:
        return False
    value = getattr(found, name) or ""
    if name == "institution":
        return tuple(v for v in value.split("; ") if v) == label.institutions
    return bool(value == (label.venue if name == "venue" else label.short_name))
