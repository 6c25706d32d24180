"""The editor's history as ranking interests: what past issues picked, pinned and excluded.

Positives are ``ranking.interests`` and every earlier issue's picks and pins; negatives are
its exclusions. The store knows each considered paper's title and which were featured; an
earlier draft file, where it still exists, adds the editor's pins and exclusions and the
picks' summaries, which say more about a paper than its title.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from newsletter.config import Config
from newsletter.digest import read_draft
from newsletter.errors import DraftError
from newsletter.model import Draft
from newsletter.ranking.interest import Example, Interests, read_interests
from newsletter.store import Database, issues

logger = logging.getLogger(__name__)


def editor_interests(db: Database, config: Config, *, before: datetime) -> Interests:
    """The interests for ranking the issue that closes at ``before``: earlier issues and the config.

    An unreadable export named in ``ranking.interests`` raises :class:`ConfigError`; callers
    ask before they record anything, so a mistake leaves no half-made issue behind.
    """
    with db.transaction() as session:
        rows = issues.considered_before(session, before)
        known = {row.arxiv_id: Example(label=row.title, text=f"{row.title} {row.title}") for row in rows}
        featured = [row.arxiv_id for row in rows if row.rank is not None]
        paths = [Path(p) for p in issues.draft_paths_before(session, before)]
    pinned: list[str] = []
    excluded: list[str] = []
    for draft in _drafts(paths):
        pinned.extend(draft.pinned)
        excluded.extend(draft.excluded)
        for pick in draft.picks:
            summary = pick.what_it_does.get("en", "")
            known[pick.arxiv_id] = Example(label=pick.title, text=f"{pick.title} {pick.title} {summary}")
    configured = read_interests(config.ranking.interests, known, base=_base(config))
    past = [known[i] for i in dict.fromkeys([*pinned, *featured]) if i in known and i not in excluded]
    negatives = tuple(known[i] for i in dict.fromkeys(excluded) if i in known)
    return Interests(positives=(*configured, *past), negatives=negatives)


def check_interests(config: Config) -> None:
    """Read the exports ``ranking.interests`` names; :class:`ConfigError` when one cannot be read."""
    read_interests(config.ranking.interests, {}, base=_base(config))


def _base(config: Config) -> Path | None:
    """Relative export paths are relative to the configuration file."""
    return Path(config.source).parent if config.source.endswith(".toml") else None


def _drafts(paths: list[Path]) -> list[Draft]:
    drafts = []
    for path in paths:
        if not path.exists():
            continue
        try:
            drafts.append(read_draft(path))
        except DraftError as error:
            # A broken old draft must not stop today's issue; its pins are simply not counted.
            logger.warning("skipping an unreadable past draft: %s", error)
    return drafts
