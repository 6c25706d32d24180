"""Choosing an issue's candidates from what a source returned."""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set

from newsletter.model import Paper


def select_candidates(
    papers: Iterable[Paper],
    *,
    already_considered: Set[str],
    categories: Sequence[str],
    include_cross_lists: bool,
) -> list[Paper]:
    """The papers this issue should consider, each once, in a stable order.

    The newest version of each paper stands for it; a paper an earlier issue considered never
    comes back, whatever its version, so a late-indexed paper is caught exactly once. A
    cross-list (primary category elsewhere) is kept only when ``include_cross_lists``.
    """
    newest: dict[str, Paper] = {}
    for paper in papers:
        known = newest.get(paper.arxiv_id)
        if known is None or paper.version > known.version:
            newest[paper.arxiv_id] = paper
    wanted = set(categories)
    chosen = [
        paper
        for paper in newest.values()
        if paper.arxiv_id not in already_considered
        and (include_cross_lists or paper.primary_category in wanted)
        and wanted.intersection(paper.categories)
    ]
    return sorted(chosen, key=lambda paper: (paper.published, paper.arxiv_id))
