"""Scheduled runs in the store, on SQLite and PostgreSQL alike: one row per job and fire time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsletter.store import Database, runs

CLOSE = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def test_a_run_keeps_one_row_through_start_retry_and_finish(db: Database) -> None:
    assert runs.outcome_of(db, "daily", CLOSE) is None
    runs.started(db, "daily", CLOSE, outcome="running", holder="a")
    runs.finished(db, "daily", CLOSE, outcome="failed", detail="arXiv down", issue_id=None)
    runs.started(db, "daily", CLOSE, outcome="running", holder="b")
    runs.finished(db, "daily", CLOSE, outcome="sent", detail="", issue_id=None)
    with db.transaction() as session:
        (only,) = runs.recent(session)
        assert (only.outcome, only.holder, only.detail, only.issue_id) == ("sent", "b", "", None)
        assert only.finished_at is not None
        assert only.finished_at >= only.started_at
    assert runs.outcome_of(db, "daily", CLOSE) == "sent"


def test_a_miss_is_recorded_once_and_never_over_a_run(db: Database) -> None:
    assert runs.add_missed(db, "daily", CLOSE, outcome="missed", detail="down")
    assert not runs.add_missed(db, "daily", CLOSE, outcome="missed", detail="down again")
    runs.started(db, "daily", CLOSE + timedelta(days=1), outcome="running", holder="a")
    assert not runs.add_missed(db, "daily", CLOSE + timedelta(days=1), outcome="missed", detail="")
    with db.transaction() as session:
        assert [(r.scheduled_for, r.outcome, r.detail) for r in runs.recent(session)] == [
            (CLOSE + timedelta(days=1), "running", ""),
            (CLOSE, "missed", "down"),
        ]


def test_runs_by_outcome_oldest_first_and_recent_newest_first(db: Database) -> None:
    for day, outcome in [(2, "awaiting approval"), (0, "awaiting approval"), (1, "sent")]:
        runs.started(db, "daily", CLOSE + timedelta(days=day), outcome="running", holder="a")
        runs.finished(db, "daily", CLOSE + timedelta(days=day), outcome=outcome, detail="", issue_id=None)
    with db.transaction() as session:
        waiting = [r.scheduled_for for r in runs.with_outcome(session, "awaiting approval")]
        latest = [r.scheduled_for for r in runs.recent(session, 2)]
    assert waiting == [CLOSE, CLOSE + timedelta(days=2)]
    assert latest == [CLOSE + timedelta(days=2), CLOSE + timedelta(days=1)]
