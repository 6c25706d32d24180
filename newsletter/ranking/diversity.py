"""Maximal marginal relevance over TF-IDF similarity of title and abstract.

Each next pick maximises ``(1 - diversity) * score - diversity * max_similarity`` to the
picks already made, so with ``ranking.diversity = 0`` the order is by score alone and
higher values let a slightly weaker paper on another sub-topic beat a near-duplicate.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

_WORD = re.compile(r"[a-z][a-z0-9-]{2,}")
# Words that say nothing about a paper's sub-topic; everything else is weighted by IDF.
_STOP_WORDS = (
    "the and for with from that this these those are was were been has have our its their into "
    "than then via using use used can also which while where when both such more most over under "
    "between across show shows shown propose proposed proposes method methods approach paper results "
    "model models based new novel existing furthermore however moreover each per other only"
)
_STOP = frozenset(_STOP_WORDS.split())

Vector = Mapping[str, float]


def tfidf(documents: Sequence[str]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors of ``documents`` (smoothed IDF, log-scaled term counts)."""
    counts = [Counter(w for w in _WORD.findall(doc.lower()) if w not in _STOP) for doc in documents]
    frequency: Counter[str] = Counter()
    for count in counts:
        frequency.update(count.keys())
    total = len(documents)
    vectors = []
    for count in counts:
        weights = {w: (1 + math.log(n)) * _idf(total, frequency[w]) for w, n in count.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        vectors.append({w: v / norm for w, v in weights.items()})
    return vectors


def _idf(total: int, frequency: int) -> float:
    # The tiny floor keeps a word found in every document from vanishing entirely.
    return math.log((1 + total) / (1 + frequency)) + 1e-9


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def mmr(
    scores: Sequence[float],
    vectors: Sequence[Vector],
    count: int,
    *,
    diversity: float,
    chosen: Sequence[int] = (),
) -> list[int]:
    """Indices of ``count`` more items chosen by MMR after the already ``chosen`` ones.

    Ties go to the lower index, so callers that sort their input get a stable answer.
    """
    weight = min(1.0, max(0.0, diversity))
    picked = list(chosen)
    nearest = [max((cosine(vectors[i], vectors[j]) for j in picked), default=0.0) for i in range(len(scores))]
    result: list[int] = []
    remaining = [i for i in range(len(scores)) if i not in set(picked)]
    while remaining and len(result) < count:
        best = max(remaining, key=lambda i: ((1 - weight) * scores[i] - weight * nearest[i], -i))
        result.append(best)
        remaining.remove(best)
        for i in remaining:
            nearest[i] = max(nearest[i], cosine(vectors[i], vectors[best]))
    return result
