"""Which issues the archive shows: sent and not withdrawn, one per date, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from newsletter.store import Database, issues
from newsletter.store.schema import Issue, IssueStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveEntry:
    """One public issue."""

    issue_id: int
    issue_date: date
    published: datetime
    """When it was sent (its window's close for a row sent before ``sent_at`` was kept)."""
    draft_path: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Visibility:
    """What ``archive hide`` or ``archive show`` did."""

    issue_id: int
    issue_date: date
    hidden: bool
    public: bool
    """Whether the issue is on the archive now (sent and not hidden)."""


def public_entries(session: Session) -> list[ArchiveEntry]:
    """Every issue the archive shows, newest first.

    Skipped, unsent and hidden issues never appear. Of two issues sent on one date (a rare
    manual re-run) the later window wins, as the address has only the date in it.
    """
    rows = session.execute(
        select(Issue.id, Issue.issue_date, Issue.sent_at, Issue.window_end, Issue.draft_path)
        .where(
            Issue.status == IssueStatus.SENT.value,
            or_(Issue.hidden.is_(None), Issue.hidden.is_(False)),
            Issue.draft_path != "",
        )
        .order_by(Issue.issue_date.desc(), Issue.window_end.desc())
    )
    found: dict[date, ArchiveEntry] = {}
    for issue_id, day, sent_at, window_end, draft_path in rows:
        if day not in found:
            found[day] = ArchiveEntry(
                issue_id=issue_id, issue_date=day, published=sent_at or window_end, draft_path=draft_path
            )
    return list(found.values())


def set_hidden(db: Database, ref: int | str, *, hidden: bool) -> Visibility:
    """Withdraw an issue from the archive, or put it back; ``ref`` is an id or a date."""
    with db.transaction() as session:
        issue = issues.get_issue(session, ref)
        issue.hidden = hidden
        return Visibility(
            issue_id=issue.id,
            issue_date=issue.issue_date,
            hidden=hidden,
            public=not hidden and issue.status == IssueStatus.SENT.value,
        )
