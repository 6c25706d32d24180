"""The store's issue lookups, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from newsletter.model import Paper
from newsletter.store import Database, issues
from newsletter.store.schema import Issue

CLOSE = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def _paper(arxiv_id: str) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        version=1,
        title=f"Paper {arxiv_id}",
        abstract="",
        authors=(),
        primary_category="cs.CV",
        categories=("cs.CV",),
        published=CLOSE,
        updated=CLOSE,
    )


def _issue(db: Database, day: int, *, draft: str = "", papers: tuple[str, ...] = ()) -> int:
    with db.transaction() as session:
        issue = Issue(
            issue_date=date(2026, 7, day),
            window_start=CLOSE + timedelta(days=day - 2),
            window_end=CLOSE + timedelta(days=day - 1),
            draft_path=draft,
            lists=[],
        )
        session.add(issue)
        session.flush()
        issues.record_considered(session, issue, [_paper(p) for p in papers])
        return issue.id


def test_what_earlier_issues_considered_and_drafted(db: Database) -> None:
    _issue(db, 1, draft="/d/1.toml", papers=("2607.00001", "2607.00002"))
    _issue(db, 2, papers=("2607.00003",))
    _issue(db, 3, draft="/d/3.toml", papers=("2607.00004",))
    before = CLOSE + timedelta(days=2)
    with db.transaction() as session:
        assert sorted(row.arxiv_id for row in issues.considered_before(session, before)) == [
            "2607.00001",
            "2607.00002",
            "2607.00003",
        ]
        assert issues.draft_paths_before(session, before) == ["/d/1.toml"]
        assert issues.latest_draft_path(session) == "/d/3.toml"


def test_a_skipped_issue_returns_its_papers_to_the_pool(db: Database) -> None:
    first = _issue(db, 1, papers=("2607.00001",))
    second = _issue(db, 2, papers=("2607.00002",))
    with db.transaction() as session:
        issues.forget_considered(session, first)
    with db.transaction() as session:
        assert issues.considered_ids(session, ["2607.00001", "2607.00002"]) == {"2607.00002"}
        assert issues.exists(session, first)
        assert issues.exists(session, second)
        assert not issues.exists(session, second + 100)


def test_an_issue_by_draft_file_or_by_day(db: Database) -> None:
    assert _issue(db, 1, draft="/d/a.toml") != _issue(db, 2, draft="/d/b.toml")
    with db.transaction() as session:
        found = issues.issue_with_draft(session, ["/x/b.toml", "/d/b.toml"])
        assert found is not None
        assert found.issue_date == date(2026, 7, 2)
        assert issues.issue_with_draft(session, ["/d/c.toml"]) is None
        day = issues.latest_of_day(session, date(2026, 7, 1))
        assert day is not None
        assert day.draft_path == "/d/a.toml"
        assert issues.latest_of_day(session, date(2026, 7, 5)) is None
        assert issues.latest_draft_path(session) == "/d/b.toml"


def test_no_draft_yet(db: Database) -> None:
    _issue(db, 1)
    with db.transaction() as session:
        assert issues.latest_draft_path(session) is None
