"""Which issues the archive shows: sent and not withdrawn, one per date, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from newsletter.store import Database, Session, issues
from newsletter.store.schema import IssueStatus


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
    found: dict[date, ArchiveEntry] = {}
    for issue in issues.public_issues(session):
        if issue.issue_date not in found:
            found[issue.issue_date] = ArchiveEntry(
                issue_id=issue.issue_id,
                issue_date=issue.issue_date,
                published=issue.sent_at or issue.window_end,
                draft_path=issue.draft_path,
            )
    return list(found.values())


def set_hidden(db: Database, ref: int | str, *, hidden: bool) -> Visibility:
    """Withdraw an issue from the archive, or put it back; ``ref`` is an id or a date."""
    with db.transaction() as session:
        issue = issues.set_hidden(session, ref, hidden=hidden)
        return Visibility(
            issue_id=issue.id,
            issue_date=issue.issue_date,
            hidden=hidden,
            public=not hidden and issue.status == IssueStatus.SENT.value,
        )
