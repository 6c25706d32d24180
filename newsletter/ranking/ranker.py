"""Choose an issue's picks: score every candidate, then diversify the strongest."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from newsletter.config import RankingSection
from newsletter.model import Paper, Pick
from newsletter.ranking.diversity import mmr, tfidf
from newsletter.ranking.facts import extract_facts
from newsletter.ranking.interest import REASON_FLOOR, Closeness, Interests, closeness
from newsletter.ranking.signals import SIGNALS, score_signals, weighted

logger = logging.getLogger(__name__)

# Diversity only chooses among the strongest candidates: a paper far down the list must
# not win a slot for being unlike the others, and the similarity work stays small.
_POOL_PER_PICK = 8
_MIN_POOL = 40


def rank(
    papers: Sequence[Paper],
    settings: RankingSection,
    *,
    pinned: Sequence[str] = (),
    excluded: Sequence[str] = (),
    interests: Interests | None = None,
) -> list[Pick]:
    """The issue's picks in order: ``pinned`` first as given, then ``settings.picks`` in all.

    With ``interests`` (the editor's examples and past picks), closeness to them is a sixth
    signal, and a pick close to one says so in its reasons ("close to <title>").

    Deterministic: the same papers and settings give the same picks, whatever their input
    order (equal scores fall back to the arXiv id). ``excluded`` papers never appear; a
    pinned paper always does, even beyond ``settings.picks``. Pinned ids that are not
    among ``papers`` are skipped with a warning.
    """
    blocked = set(excluded)
    unique = {p.arxiv_id: p for p in sorted(papers, key=lambda p: (p.arxiv_id, p.version))}
    near = closeness(list(unique.values()), interests) if interests else {}
    scored = sorted(
        (_pick(p, settings, near.get(p.arxiv_id)) for p in unique.values() if p.arxiv_id not in blocked),
        key=lambda pick: (-pick.score, pick.paper.arxiv_id),
    )
    by_id = {pick.paper.arxiv_id: pick for pick in scored}
    missing = [i for i in pinned if i not in by_id and i not in blocked]
    if missing:
        logger.warning("pinned papers not among the candidates: %s", ", ".join(missing))
    head = [by_id[i] for i in dict.fromkeys(pinned) if i in by_id]
    taken = {pick.paper.arxiv_id for pick in head}
    free = [p for p in scored if p.paper.arxiv_id not in taken]
    relevant = [p for p in free if p.signals["topic"] >= settings.min_topic]
    # Off-topic papers fill slots only when the relevant ones run out, however strong they are.
    off_topic = [p for p in free if p.signals["topic"] < settings.min_topic]
    pool = relevant[: max(_MIN_POOL, _POOL_PER_PICK * settings.picks)]
    chosen = _diversify(head, pool, settings.picks - len(head), settings)
    return head + chosen + off_topic[: max(0, settings.picks - len(head) - len(chosen))]


def _pick(paper: Paper, settings: RankingSection, near: Closeness | None) -> Pick:
    signals = score_signals(paper, settings)
    reasons: tuple[str, ...] = ()
    if near is not None:
        signals["interest"] = near.value
        if near.value >= REASON_FLOOR:
            reasons = (f"close to {near.nearest}",)
    return Pick(
        paper=paper,
        score=round(weighted(signals, settings), 4),
        signals={name: round(value, 4) for name, value in signals.items()},
        facts=extract_facts(paper, settings.labs, settings.institution_names),
        reasons=reasons,
    )


def _diversify(head: list[Pick], pool: list[Pick], count: int, settings: RankingSection) -> list[Pick]:
    if count <= 0 or not pool:
        return []
    everyone = head + pool
    vectors = tfidf([f"{p.paper.title} {p.paper.title} {p.paper.abstract}" for p in everyone])
    names = everyone[0].signals if everyone else SIGNALS
    total_weight = sum(float(getattr(settings, f"weight_{name}")) for name in names) or 1.0
    scores = [p.score / total_weight for p in everyone]
    chosen = mmr(scores, vectors, count, diversity=settings.diversity, chosen=range(len(head)))
    return [everyone[i] for i in chosen]
