"""The record of scheduled runs: one row per job and fire time, with what came of it.

It answers three questions: has this close already been dealt with (so a second process or
a restart never repeats it), which runs were missed while the machine was down, and what
``newsletter status`` should show as recent activity.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newsletter.store import Database
from newsletter.store.schema import ScheduledRun, utcnow

DAILY_JOB = "daily"


class Outcome(enum.StrEnum):
    RUNNING = "running"
    SENT = "sent"
    SKIPPED = "skipped"
    AWAITING_APPROVAL = "awaiting approval"
    STOPPED = "stopped"
    PAUSED = "paused"
    FAILED = "failed"
    MISSED = "missed"


#: A run in one of these states is never started again for the same close.
FINAL = frozenset({Outcome.SENT, Outcome.SKIPPED, Outcome.AWAITING_APPROVAL, Outcome.MISSED})


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResult:
    """What a job's work reports back, to be recorded."""

    outcome: Outcome
    detail: str = ""
    issue_id: int | None = None


def lease_name(job: str, scheduled_for: datetime) -> str:
    """The lease that guards one run: whoever holds it may run or decide that close."""
    return f"{job}:{scheduled_for.astimezone(UTC).isoformat()}"


def find(session: Session, job: str, scheduled_for: datetime) -> ScheduledRun | None:
    return session.scalar(
        select(ScheduledRun).where(ScheduledRun.job == job, ScheduledRun.scheduled_for == scheduled_for)
    )


def is_final(db: Database, job: str, scheduled_for: datetime) -> bool:
    with db.transaction() as session:
        run = find(session, job, scheduled_for)
        return run is not None and run.outcome in FINAL


def start(db: Database, job: str, scheduled_for: datetime, holder: str) -> None:
    """Mark the run as started by ``holder`` (a retry of a failed or stopped run reuses its row)."""
    with db.transaction() as session:
        run = find(session, job, scheduled_for)
        if run is None:
            run = ScheduledRun(job=job, scheduled_for=scheduled_for)
            session.add(run)
        run.outcome, run.detail, run.holder = Outcome.RUNNING.value, "", holder
        run.started_at, run.finished_at = utcnow(), None


def finish(db: Database, job: str, scheduled_for: datetime, result: RunResult) -> None:
    with db.transaction() as session:
        run = find(session, job, scheduled_for)
        if run is None:
            run = ScheduledRun(job=job, scheduled_for=scheduled_for)
            session.add(run)
        run.outcome, run.detail, run.finished_at = result.outcome.value, result.detail, utcnow()
        if result.issue_id is not None:
            run.issue_id = result.issue_id


def record_missed(db: Database, job: str, scheduled_for: datetime, detail: str) -> bool:
    """Record a run that was missed for good; False when it is already recorded."""
    try:
        with db.transaction() as session:
            if find(session, job, scheduled_for) is not None:
                return False
            session.add(
                ScheduledRun(
                    job=job,
                    scheduled_for=scheduled_for,
                    outcome=Outcome.MISSED.value,
                    detail=detail,
                    finished_at=utcnow(),
                )
            )
    except IntegrityError:
        # A second scheduler process recorded the same miss a moment earlier.
        return False
    return True


def awaiting_approval(session: Session) -> Sequence[ScheduledRun]:
    return session.scalars(
        select(ScheduledRun)
        .where(ScheduledRun.outcome == Outcome.AWAITING_APPROVAL.value)
        .order_by(ScheduledRun.scheduled_for)
    ).all()


def recent(session: Session, limit: int = 10) -> Sequence[ScheduledRun]:
    return session.scalars(
        select(ScheduledRun).order_by(ScheduledRun.scheduled_for.desc()).limit(limit)
    ).all()
