"""The scheduler wired to the real pipeline: the daily cycle, review mode and the service."""

from __future__ import annotations

from datetime import datetime

from newsletter import pipeline
from newsletter.pipeline import App, CycleResult
from newsletter.scheduler import approval, service, timing
from newsletter.scheduler.history import Outcome, RunResult


def pipeline_cycle(app: App) -> service.Cycle:
    """:func:`newsletter.pipeline.run_cycle` for one close, reported as a :class:`RunResult`."""

    def cycle(close: datetime, should_stop: service.ShouldStop) -> RunResult:
        return result_of(app, pipeline.run_cycle(app, close, should_stop=should_stop))

    return cycle


def result_of(app: App, result: CycleResult) -> RunResult:
    issue_id = result.gathering.issue_id
    report = result.report
    if report is not None:
        if report.paused:
            return RunResult(outcome=Outcome.PAUSED, detail=report.paused, issue_id=issue_id)
        detail = (
            f"{report.sent} sent, {report.skipped} skipped, {report.failed} failed, {report.unknown} unknown"
        )
        return RunResult(outcome=Outcome.SENT, detail=detail, issue_id=issue_id)
    if result.draft is not None and app.config.schedule.approval == "review":
        return RunResult(outcome=Outcome.AWAITING_APPROVAL, detail=result.skipped, issue_id=issue_id)
    return RunResult(outcome=Outcome.SKIPPED, detail=result.skipped, issue_id=issue_id)


def pipeline_review(app: App) -> service.Review:
    def review(now: datetime, should_stop: service.ShouldStop) -> None:
        approval.review_step(app, now, should_stop)

    return review


def build_service(app: App) -> service.SchedulerService:
    """The scheduler for ``app``'s configuration, on ``app``'s database."""
    # Issues this process moves are recorded as moved by the scheduler, whatever started it.
    app.actor = "scheduler"
    schedule = app.config.schedule
    runtime = service.Runtime(
        db=app.db,
        trigger=timing.schedule_trigger(schedule, app.config.tz),
        cycle=pipeline_cycle(app),
        review=pipeline_review(app) if schedule.approval == "review" else None,
    )
    return service.SchedulerService(runtime, misfire_grace_seconds=schedule.misfire_grace_seconds)
