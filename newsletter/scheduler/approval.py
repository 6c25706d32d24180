"""Review mode: editors approve an issue before it goes out, or a deadline decides.

At the scheduled time the cycle gathers and drafts, then :func:`notify_editors` emails the
editors a preview link. The scheduler's tick calls :func:`review_step` every minute: an
approved issue (approved in the preview, or ``approved = true`` in its draft file) is sent at
once; at ``schedule.review_deadline`` an unapproved one is skipped or sent as
``schedule.on_deadline`` says. A skipped issue's papers go back to the pool, so the next
issue can pick them, and its window folds into the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete

from newsletter import workers
from newsletter.delivery.base import Campaign, Personalization
from newsletter.model import Recipient, RenderedEmail
from newsletter.scheduler import history, lease, timing
from newsletter.scheduler.history import DAILY_JOB, Outcome, RunResult
from newsletter.store import issues
from newsletter.store.schema import ConsideredPaper, IssueStatus

if TYPE_CHECKING:
    from newsletter.config import Config
    from newsletter.pipeline import App

logger = logging.getLogger(__name__)

_LEASE_TTL = timedelta(minutes=10)
_ALREADY = {IssueStatus.SKIPPED.value: Outcome.SKIPPED, IssueStatus.PAUSED.value: Outcome.PAUSED}


def preview_url(config: Config) -> str:
    """Where ``newsletter preview`` serves the latest draft."""
    return f"http://{config.web.host}:{config.web.preview_port}/"


def editor_addresses(config: Config) -> list[str]:
    """``newsletter.editor_email``, which may list several addresses separated by commas."""
    return [part.strip() for part in config.newsletter.editor_email.split(",") if part.strip()]


def notification(config: Config, issue_id: int, subject: str, close: datetime) -> RenderedEmail:
    """The email that asks the editors to review an issue."""
    deadline = timing.review_deadline(close, config.schedule.review_deadline, config.tz)
    after = "it is skipped" if config.schedule.on_deadline == "skip" else "it is sent as it is"
    text = (
        f"Issue #{issue_id} is drafted and waits for your approval: {subject}\n\n"
        f"Preview and approve it: run `newsletter preview` and open {preview_url(config)}\n"
        f"(or set approved = true in its draft file).\n\n"
        f"If nobody approves it by {deadline:%Y-%m-%d %H:%M %Z}, {after}.\n"
    )
    html = "".join(f"<p>{line}</p>" for line in text.strip().split("\n\n"))
    return RenderedEmail(locale="en", subject=f"Review: {subject}", preheader="", html=html, text=text)


def notify_editors(app: App, issue_id: int, subject: str, close: datetime) -> None:
    """Send the review request to every editor through the configured backend."""
    config = app.config
    email = notification(config, issue_id, subject, close)
    # Issue 0: the notification is no issue's mail, and the outbox keeps it apart from them.
    campaign = Campaign(issue_id=0, email=email, sender=config.newsletter.sender)
    people = [
        Personalization(recipient=Recipient(subscriber_id=0, email=address), values={})
        for address in editor_addresses(config)
    ]
    backend = app.backend()
    try:
        backend.send_batch(campaign, people)
    finally:
        backend.close()
    logger.info("asked %d editors to review issue %s", len(people), issue_id)


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
            with lease.held(app.db, name, _LEASE_TTL):
                result = _decide(app, issue_id, close, now, should_stop)
                if result is not None:
                    history.finish(app.db, DAILY_JOB, close, result)
                    decided.append(result)
        except lease.LeaseHeldError:
            logger.info("another process is deciding issue %s", issue_id)
    return decided


def _decide(
    app: App, issue_id: int, close: datetime, now: datetime, should_stop: Callable[[], bool]
) -> RunResult | None:
    from newsletter import pipeline
    from newsletter.digest import read_draft

    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        status, path = issue.status, issue.draft_path
    if status not in (IssueStatus.DRAFT.value, IssueStatus.APPROVED.value):
        # Sent, skipped or paused by someone else meanwhile: record that, decide nothing.
        outcome = _ALREADY.get(status, Outcome.SENT)
        return RunResult(outcome=outcome, detail=f"issue is {status}", issue_id=issue_id)
    approved = status == IssueStatus.APPROVED.value or (bool(path) and read_draft(Path(path)).approved)
    deadline = timing.review_deadline(close, app.config.schedule.review_deadline, app.config.tz)
    if not approved and now < deadline:
        return None
    if not approved and app.config.schedule.on_deadline == "skip":
        return _skip(app, issue_id, f"not approved by {deadline.astimezone(app.config.tz):%H:%M}; skipped")
    why = "approved" if approved else "sent unapproved at the deadline"
    report = pipeline.deliver_issue(app, issue_id, on_batch=workers.checkpoint(should_stop))
    return RunResult(outcome=Outcome.SENT, detail=f"{why}: {report.sent} sent", issue_id=issue_id)


def _skip(app: App, issue_id: int, reason: str) -> RunResult:
    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        issue.status, issue.note = IssueStatus.SKIPPED.value, reason
        # The papers return to the pool: the next issue, whose window now starts where this
        # one started, may pick them.
        session.execute(delete(ConsideredPaper).where(ConsideredPaper.issue_id == issue_id))
    logger.info("issue %s skipped: %s", issue_id, reason)
    return RunResult(outcome=Outcome.SKIPPED, detail=reason, issue_id=issue_id)
