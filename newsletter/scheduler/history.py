"""The record of scheduled runs: one row per job and fire time, with what came of it.

It answers three questions: has this close already been dealt with (so a second process or
a restart never repeats it), which runs were missed while the machine was down, and what
``newsletter status`` should show as recent activity. The outcomes and what they mean are
named here; the rows are read and written by :mod:`newsletter.store.runs`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from newsletter.store import Database, Session, runs
from newsletter.store.schema import ScheduledRun

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
    return runs.find(session, job, scheduled_for)


def is_final(db: Database, job: str, scheduled_for: datetime) -> bool:
    return runs.outcome_of(db, job, scheduled_for) in FINAL


def start(db: Database, job: str, scheduled_for: datetime, holder: str) -> None:
    """Mark the run as started by ``holder`` (a retry of a failed or stopped run reuses its row)."""
    runs.started(db, job, scheduled_for, outcome=Outcome.RUNNING.value, holder=holder)


def finish(db: Database, job: str, scheduled_for: datetime, result: RunResult) -> None:
    runs.finished(
        db,
        job,
        scheduled_for,
        outcome=result.outcome.value,
        detail=result.detail,
        issue_id=result.issue_id,
    )


def record_missed(db: Database, job: str, scheduled_for: datetime, detail: str) -> bool:
    """Record a run that was missed for good; False when it is already recorded."""
    return runs.add_missed(db, job, scheduled_for, outcome=Outcome.MISSED.value, detail=detail)


def awaiting_approval(session: Session) -> Sequence[ScheduledRun]:
    return runs.with_outcome(session, Outcome.AWAITING_APPROVAL.value)


def recent(session: Session, limit: int = 10) -> Sequence[ScheduledRun]:
    return runs.recent(session, limit)
