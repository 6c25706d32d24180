"""Issues and the papers each one considered."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from newsletter.errors import StoreError
from newsletter.model import Paper, Pick, Window
from newsletter.store.schema import ConsideredPaper, Issue, IssueStatus


def issue_for_window(
    session: Session, window: Window, issue_date: date, *, lists: Sequence[str] = ()
) -> Issue:
    """The issue that closes at ``window.end``, created when it does not exist yet.

    A new issue records ``lists`` as the lists it is drafted for; an existing one keeps its own.
    """
    issue = at_close(session, window.end)
    if issue is None:
        issue = Issue(
            issue_date=issue_date, window_start=window.start, window_end=window.end, lists=list(lists)
        )
        session.add(issue)
        session.flush()
    elif not issue.lists and lists:
        issue.lists = list(lists)
    return issue


def previous_window_end(session: Session, before: datetime) -> datetime | None:
    """Where the last issue's window closed: the next window starts there.

    A skipped issue does not count, so its window folds into the next one.
    """
    return session.scalar(
        select(Issue.window_end)
        .where(Issue.window_end < before, Issue.status != IssueStatus.SKIPPED.value)
        .order_by(Issue.window_end.desc())
        .limit(1)
    )


def get_issue(session: Session, ref: int | str) -> Issue:
    """An issue by id or by date (``2026-07-01``, the latest of that day)."""
    if isinstance(ref, int) or str(ref).isdigit():
        issue = session.get(Issue, int(ref))
    else:
        try:
            day = date.fromisoformat(str(ref))
        except ValueError:
            raise StoreError(f"issue {ref!r}: expected an issue id or a date like 2026-07-01") from None
        issue = session.scalar(
            select(Issue).where(Issue.issue_date == day).order_by(Issue.window_end.desc()).limit(1)
        )
    if issue is None:
        raise StoreError(f"issue {ref!r}: no such issue")
    return issue


def latest_issues(session: Session, limit: int = 10) -> Sequence[Issue]:
    return session.scalars(select(Issue).order_by(Issue.window_end.desc()).limit(limit)).all()


def considered_ids(
    session: Session, arxiv_ids: Iterable[str], *, except_issue: int | None = None
) -> set[str]:
    """Which of ``arxiv_ids`` an earlier issue already considered."""
    ids = list(set(arxiv_ids))
    found: set[str] = set()
    # Chunked so a 2,000-paper window stays under every database's parameter limit.
    for start in range(0, len(ids), 500):
        query = select(ConsideredPaper.arxiv_id).where(ConsideredPaper.arxiv_id.in_(ids[start : start + 500]))
        if except_issue is not None:
            query = query.where(ConsideredPaper.issue_id != except_issue)
        found.update(session.scalars(query))
    return found


def record_considered(session: Session, issue: Issue, candidates: Sequence[Paper]) -> None:
    """Remember that ``issue`` considered these papers, so no later issue repeats them."""
    known = {row.arxiv_id: row for row in _considered_by(session, issue.id)}
    for paper in candidates:
        if paper.arxiv_id not in known:
            session.add(
                ConsideredPaper(
                    arxiv_id=paper.arxiv_id, issue_id=issue.id, version=paper.version, title=paper.title
                )
            )
    issue.candidates = len(candidates)
    session.flush()


def record_picks(session: Session, issue: Issue, picks: Sequence[Pick]) -> None:
    """Mark which considered papers the issue features, in order."""
    rows = {row.arxiv_id: row for row in _considered_by(session, issue.id)}
    for row in rows.values():
        row.rank = None
    for place, pick in enumerate(picks, start=1):
        featured_row = rows.get(pick.paper.arxiv_id)
        if featured_row is not None:
            featured_row.rank = place
            featured_row.score = pick.score


def featured(session: Session, issue_id: int) -> Sequence[ConsideredPaper]:
    return session.scalars(
        select(ConsideredPaper)
        .where(ConsideredPaper.issue_id == issue_id, ConsideredPaper.rank.is_not(None))
        .order_by(ConsideredPaper.rank)
    ).all()


def considered_before(session: Session, before: datetime) -> Sequence[ConsideredPaper]:
    """The papers every issue that closed before ``before`` considered."""
    earlier = select(Issue.id).where(Issue.window_end < before)
    return session.scalars(select(ConsideredPaper).where(ConsideredPaper.issue_id.in_(earlier))).all()


def draft_paths_before(session: Session, before: datetime) -> list[str]:
    """The draft files of the issues that closed before ``before``, where one was written."""
    drafts = select(Issue.draft_path).where(Issue.window_end < before)
    return [path for path in session.scalars(drafts) if path]


def exists(session: Session, issue_id: int) -> bool:
    return session.get(Issue, issue_id) is not None


def forget_considered(session: Session, issue_id: int) -> None:
    """Return the issue's papers to the pool: a later issue may consider them again."""
    session.execute(delete(ConsideredPaper).where(ConsideredPaper.issue_id == issue_id))


def latest_draft_path(session: Session) -> str | None:
    """The draft file of the latest issue that has one."""
    query = select(Issue.draft_path).where(Issue.draft_path != "").order_by(Issue.window_end.desc())
    return session.scalar(query.limit(1))


def issue_with_draft(session: Session, paths: Sequence[str]) -> Issue | None:
    """The latest issue whose recorded draft file is one of ``paths`` (spellings of one file)."""
    query = select(Issue).where(Issue.draft_path.in_(list(paths))).order_by(Issue.id.desc())
    return session.scalar(query.limit(1))


def latest_of_day(session: Session, day: date) -> Issue | None:
    """The issue of ``day`` that closes last."""
    query = select(Issue).where(Issue.issue_date == day).order_by(Issue.window_end.desc())
    return session.scalar(query.limit(1))


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicIssue:
    """An issue the archive may show."""

    issue_id: int
    issue_date: date
    sent_at: datetime | None
    """None for a row sent before ``sent_at`` was kept."""
    window_end: datetime
    draft_path: str


def public_issues(session: Session) -> list[PublicIssue]:
    """The sent issues with a draft that were not withdrawn from the archive, newest date
    first and, within a date, the later window first."""
    rows = session.execute(
        select(Issue.id, Issue.issue_date, Issue.sent_at, Issue.window_end, Issue.draft_path)
        .where(
            Issue.status == IssueStatus.SENT.value,
            or_(Issue.hidden.is_(None), Issue.hidden.is_(False)),
            Issue.draft_path != "",
        )
        .order_by(Issue.issue_date.desc(), Issue.window_end.desc())
    )
    return [
        PublicIssue(issue_id=id_, issue_date=day, sent_at=sent_at, window_end=end, draft_path=path)
        for id_, day, sent_at, end, path in rows
    ]


def set_hidden(session: Session, ref: int | str, *, hidden: bool) -> Issue:
    """Withdraw issue ``ref`` (an id or a date) from the archive, or put it back."""
    issue = get_issue(session, ref)
    issue.hidden = hidden
    return issue


def _considered_by(session: Session, issue_id: int) -> Sequence[ConsideredPaper]:
    return session.scalars(select(ConsideredPaper).where(ConsideredPaper.issue_id == issue_id)).all()


def at_close(session: Session, close: datetime) -> Issue | None:
    """The issue whose window closes at ``close``, if there is one."""
    return session.scalar(select(Issue).where(Issue.window_end == close))
