"""Scheduled runs: one row per job and fire time, with what came of it.

:mod:`newsletter.scheduler.history` names the outcomes and decides what each means; this
module only reads and writes the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newsletter.store.database import Database
from newsletter.store.schema import ScheduledRun, utcnow


def find(session: Session, job: str, scheduled_for: datetime) -> ScheduledRun | None:
    return session.scalar(
        select(ScheduledRun).where(ScheduledRun.job == job, ScheduledRun.scheduled_for == scheduled_for)
    )


def outcome_of(db: Database, job: str, scheduled_for: datetime) -> str | None:
    """The recorded outcome of a run, or None when it has no row yet."""
    with db.transaction() as session:
        run = find(session, job, scheduled_for)
        return None if run is None else run.outcome


def started(db: Database, job: str, scheduled_for: datetime, *, outcome: str, holder: str) -> None:
    """Record that ``holder`` started the run (a retry reuses the run's row)."""
    with db.transaction() as session:
        run = _row(session, job, scheduled_for)
        run.outcome, run.detail, run.holder = outcome, "", holder
        run.started_at, run.finished_at = utcnow(), None


def finished(
    db: Database, job: str, scheduled_for: datetime, *, outcome: str, detail: str, issue_id: int | None
) -> None:
    """Record how the run ended; an ``issue_id`` of None keeps the one already recorded."""
    with db.transaction() as session:
        run = _row(session, job, scheduled_for)
        run.outcome, run.detail, run.finished_at = outcome, detail, utcnow()
        if issue_id is not None:
            run.issue_id = issue_id


def add_missed(db: Database, job: str, scheduled_for: datetime, *, outcome: str, detail: str) -> bool:
    """Record a run that never started; False when the run already has a row."""
    try:
        with db.transaction() as session:
            if find(session, job, scheduled_for) is not None:
                return False
            session.add(
                ScheduledRun(
                    job=job, scheduled_for=scheduled_for, outcome=outcome, detail=detail, finished_at=utcnow()
                )
            )
    except IntegrityError:
        # A second scheduler process recorded the same miss a moment earlier.
        return False
    return True


def with_outcome(session: Session, outcome: str) -> Sequence[ScheduledRun]:
    """The runs whose outcome is ``outcome``, oldest fire time first."""
    return session.scalars(
        select(ScheduledRun).where(ScheduledRun.outcome == outcome).order_by(ScheduledRun.scheduled_for)
    ).all()


def recent(session: Session, limit: int = 10) -> Sequence[ScheduledRun]:
    """The latest runs by fire time, newest first."""
    return session.scalars(
        select(ScheduledRun).order_by(ScheduledRun.scheduled_for.desc()).limit(limit)
    ).all()


def _row(session: Session, job: str, scheduled_for: datetime) -> ScheduledRun:
    run = find(session, job, scheduled_for)
    if run is None:
        run = ScheduledRun(job=job, scheduled_for=scheduled_for)
        session.add(run)
    return run
