"""A database made by an older version gains the columns a newer one defines, and keeps its rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from newsletter.store import Database, issues
from newsletter.store.schema import Issue


def test_an_older_issues_table_gains_the_lists_column(db: Database) -> None:
    close = datetime(2026, 7, 1, tzinfo=UTC)
    with db.transaction() as session:
        session.add(Issue(issue_date=date(2026, 7, 1), window_start=close.replace(day=1), window_end=close))
    # The table as the version before issues recorded their lists made it.
    with db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE issues DROP COLUMN lists"))

    again = Database(db.url.render_as_string(hide_password=False))
    try:
        with again.transaction() as session:
            issue = issues.get_issue(session, "2026-07-01")
            assert (issue.window_end, issue.lists) == (close, None)
            issue.lists = ["research-brief"]
        with again.transaction() as session:
            assert issues.get_issue(session, "2026-07-01").lists == ["research-brief"]
    finally:
        again.dispose()
