"""A database made before the archive gains issues.hidden and delivery_events.url, and keeps its rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from newsletter.archive import public_entries, set_hidden
from newsletter.store import Database
from newsletter.store.schema import DeliveryEvent, Issue, IssueStatus


def test_an_older_database_gains_the_archive_columns(db: Database) -> None:
    close = datetime(2026, 7, 1, tzinfo=UTC)
    with db.transaction() as session:
        session.add(
            Issue(
                issue_date=date(2026, 7, 1),
                window_start=close.replace(day=1),
                window_end=close,
                status=IssueStatus.SENT.value,
                draft_path="var/drafts/2026-07-01.toml",
            )
        )
    # The tables as the version before the archive made them.
    with db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE issues DROP COLUMN hidden"))
        connection.execute(text("ALTER TABLE delivery_events DROP COLUMN url"))

    again = Database(db.url.render_as_string(hide_password=False))
    try:
        with again.transaction() as session:
            # A row from before reads as not hidden, so a sent issue stays on the archive.
            assert [entry.issue_date for entry in public_entries(session)] == [date(2026, 7, 1)]
            session.add(
                DeliveryEvent(event_id="e1", event="click", occurred_at=close, url="https://arxiv.org/")
            )
        set_hidden(again, "2026-07-01", hidden=True)
        with again.transaction() as session:
            assert public_entries(session) == []
            assert session.get(DeliveryEvent, "e1").url == "https://arxiv.org/"  # type: ignore[union-attr]
    finally:
        again.dispose()
