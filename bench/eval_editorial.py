"""Score ranking and extraction against every labelled day; print one row per day and a total.

Each day under tests/fixtures/days/ is a recorded arXiv feed with the five papers an editor
picked, the facts they expected and the sentences they accept as each paper's technical read
(see newsletter/labelled.py); the prose columns score the section each labelled paper
gets (headline, technical read, quote, third person, distinct sentences). The feed is read by
the real arXiv client from a replay server on 127.0.0.1: nothing leaves the machine, and
nothing is timed. The script exits non-zero when a day's precision at 5 falls below FLOOR,
or its prose below PROSE_FLOORS, so that a change which helps one day by hurting another
shows up as a failure.

    .venv/bin/python bench/eval_editorial.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from newsletter.config import RankingSection
from newsletter.labelled import (
    PROSE_FLOORS,
    DayScore,
    below_floors,
    evaluate,
    labelled_days,
    read_papers,
)

DAYS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "days"
#: Four of the editor's five picks on every day; below that the ranking has regressed.
FLOOR = 0.8
_COLUMNS = (
    "day",
    "P@5",
    "key facts",
    "short names",
    "institutions",
    "venues",
    "headlines",
    "tech read",
    "quotes",
    "3rd person",
    "distinct",
)


def main() -> int:
    settings = RankingSection()
    scores = [evaluate(day, read_papers(day), settings) for day in labelled_days(DAYS)]
    print(_row(_COLUMNS))
    print(_row(tuple("---" for _ in _COLUMNS)))
    for score in scores:
        print(_row(_figures(score.name, score)))
    print(_row(_figures("total", *scores)))
    for score in scores:
        if score.missed:
            print(f"{score.name}: missed {', '.join(score.missed)}")
    low = [s.name for s in scores if s.precision < FLOOR]
    if low:
        print(f"precision at 5 below {FLOOR:.1f} on: {', '.join(low)}", file=sys.stderr)
    weak = [f"{s.name} ({', '.join(below_floors(s.prose))})" for s in scores if below_floors(s.prose)]
    if weak:
        print(f"prose below its floors {PROSE_FLOORS} on: {'; '.join(weak)}", file=sys.stderr)
    return 1 if low or weak else 0


def _figures(name: str, *scores: DayScore) -> tuple[str, ...]:
    def mean(field: str) -> str:
        return f"{sum(getattr(s, field) for s in scores) / len(scores):.2f}"

    def prose(field: str) -> str:
        return f"{sum(getattr(s.prose, field) for s in scores) / len(scores):.2f}"

    return (
        name,
        mean("precision"),
        mean("key_facts"),
        mean("short_names"),
        mean("institutions"),
        mean("venues"),
        *(prose(field) for field in ("headlines", "technical", "quotes", "third_person", "distinct")),
    )


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    sys.exit(main())
