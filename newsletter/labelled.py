"""Labelled days: a recorded arXiv day, the five papers an editor picked, and the facts they expected.

Each day is a folder with ``labels.toml`` naming its feed (an arXiv Atom file, relative to the
folder) and, for each pick, the editor's one-line reason, the key facts (numbers and names an
editor's key number must contain), the short name, the institutions in short form and the
venue (empty when the paper has none). :func:`evaluate` reads the feed through the real arXiv
client from a replay server on 127.0.0.1, ranks it with the given settings and scores the
result: precision at 5, key-fact completeness, short-name, institution and venue accuracy.
"""

from __future__ import annotations

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

FLOOR_NOTE = "a change that helps one labelled day and hurts another is not an improvement"
_ALL_TIME = (datetime(1991, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
_LABEL_KEYS = ("arxiv_id", "why", "short_name", "key_facts", "institutions", "venue")


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
