"""Review mode: editors approve an issue before it goes out, or a deadline decides.

At the scheduled time the cycle gathers and drafts, then the pipeline emails the editors a
preview link (:func:`newsletter.editors.notify_editors`). The scheduler's tick calls
:func:`review_step` every minute: an approved issue (approved in the preview, or
``approved = true`` in its draft file) is sent at once; at ``schedule.review_deadline`` an
unapproved one is skipped or sent as ``schedule.on_deadline`` says. A skipped issue's papers
go back to the pool, so the next issue can pick them, and its window folds into the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from newsletter.delivery.dispatch import checkpoint
from newsletter.digest import read_draft
from newsletter.pipeline import App, deliver_issue
from newsletter.scheduler import history
from newsletter.scheduler.history import DAILY_JOB, Outcome, RunResult
from newsletter.store import issues, leases, lifecycle
from newsletter.store.schema import IssueStatus
from newsletter.window import review_deadline

logger = logging.getLogger(__name__)

_LEASE_TTL = timedelta(minutes=10)
_ALREADY = {IssueStatus.SKIPPED.value: Outcome.SKIPPED, IssueStatus.PAUSED.value: Outcome.PAUSED}


def review_step(app: App, now: datetime, should_stop: Callable[[], bool]) -> list[RunResult]:
    """Send what was approved and apply the deadline to the rest; returns what was decided."""
    with app.db.transaction() as session:
        waiting = [(run.scheduled_for, run.issue_id) for run in history.awaiting_approval(session)]
    decided = []
    for close, issue_id in waiting:
        if should_stop() or issue_id is None:
            continue
        name = history.lease_name(DAILY_JOB, close)
        try:
            with leases.held(app.db, name, _LEASE_TTL):
                result = _decide(app, issue_id, close, now, should_stop)
                if result is not None:
                    history.finish(app.db, DAILY_JOB, close, result)
                    decided.append(result)
        except leases.LeaseHeldError:
            logger.info("another process is deciding issue %s", issue_id)
    return decided


def _decide(
    app: App, issue_id: int, close: datetime, now: datetime, should_stop: Callable[[], bool]
) -> RunResult | None:
    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        status, path = issue.status, issue.draft_path
    if status not in (IssueStatus.DRAFT.value, IssueStatus.APPROVED.value):
        # Sent, skipped or paused by someone else meanwhile: record that, decide nothing.
        outcome = _ALREADY.get(status, Outcome.SENT)
        return RunResult(outcome=outcome, detail=f"issue is {status}", issue_id=issue_id)
    approved = status == IssueStatus.APPROVED.value or (bool(path) and read_draft(Path(path)).approved)
    deadline = review_deadline(close, app.config.schedule.review_deadline, app.config.tz)
    if not approved and now < deadline:
        return None
    if not approved and app.config.schedule.on_deadline == "skip":
        return _skip(app, issue_id, f"not approved by {deadline.astimezone(app.config.tz):%H:%M}; skipped")
    why = "approved" if approved else "sent unapproved at the deadline"
    report = deliver_issue(app, issue_id, on_batch=checkpoint(should_stop))
    return RunResult(outcome=Outcome.SENT, detail=f"{why}: {report.sent} sent", issue_id=issue_id)


def _skip(app: App, issue_id: int, reason: str) -> RunResult:
    with app.db.transaction() as session:
        lifecycle.skip(
            session, issues.get_issue(session, issue_id), reason, actor=app.actor, return_papers=True
        )
    logger.info("issue %s skipped: %s", issue_id, reason)
    return RunResult(outcome=Outcome.SKIPPED, detail=reason, issue_id=issue_id)
