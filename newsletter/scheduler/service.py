"""The long-running ``newsletter schedule`` process: APScheduler 3 with its jobs in the store.

The daily job lives in a job store on the newsletter's own database, with an
explicit ``misfire_grace_time`` and ``coalesce=True``: after downtime, a missed close within
the grace period runs once at start-up; an older one is recorded as missed and its window
folds into the next issue (no issue is created for it, and the next window starts at the
previous issue's close). A short in-memory "tick" job resumes runs a shutdown interrupted and
drives review mode. Every run takes a lease first, so two processes never run one close.

APScheduler 3 stores a job by reference, so the job functions are module-level and find
their :class:`Runtime` in a module variable set by :meth:`SchedulerService.start`.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any, Protocol

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from newsletter.errors import NewsletterError, StopRequestedError
from newsletter.scheduler import history, timing
from newsletter.scheduler.history import DAILY_JOB, Outcome, RunResult
from newsletter.store import Database, leases
from newsletter.store.schema import utcnow

logger = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
TICK_SECONDS = 60


ShouldStop = Callable[[], bool]


class Cycle(Protocol):
    """One scheduled run for the issue closing at ``close``; checks ``should_stop`` between batches."""

    def __call__(self, close: datetime, should_stop: ShouldStop) -> RunResult: ...


class Review(Protocol):
    """Review mode's periodic step: send approved issues, apply the deadline to the others."""

    def __call__(self, now: datetime, should_stop: ShouldStop) -> None: ...


@dataclass
class Runtime:
    """What the module-level job functions work with in this process."""

    db: Database
    trigger: CronTrigger
    cycle: Cycle
    review: Review | None = None
    holder: str = field(default_factory=leases.holder_name)
    lease_ttl: timedelta = timedelta(minutes=10)
    stopping: threading.Event = field(default_factory=threading.Event)

    def should_stop(self) -> bool:
        return self.stopping.is_set()


_runtime: Runtime | None = None


def _current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("no scheduler runtime in this process")
    return _runtime


def daily_job() -> None:
    """The persistent daily job: run the cycle for the close this firing belongs to."""
    runtime = _current()
    close = timing.latest_fire_time(runtime.trigger, datetime.now(UTC))
    if close is None:
        logger.warning("daily job fired with no fire time before now; nothing to do")
        return
    run_close(runtime, close)


def tick_job() -> None:
    """Resume runs a shutdown interrupted, then let review mode decide what it can."""
    runtime = _current()
    with runtime.db.transaction() as session:
        stopped = [r.scheduled_for for r in history.recent(session, 20) if r.outcome == Outcome.STOPPED.value]
    for close in stopped:
        if runtime.should_stop():
            return
        logger.info("resuming the run for %s that a shutdown interrupted", close.isoformat())
        run_close(runtime, close)
    if runtime.review is not None and not runtime.should_stop():
        runtime.review(datetime.now(UTC), runtime.should_stop)


def run_close(runtime: Runtime, close: datetime) -> RunResult | None:
    """Run the cycle for ``close`` under its lease; None when another process has it or had it."""
    name = history.lease_name(DAILY_JOB, close)
    try:
        with leases.held(runtime.db, name, runtime.lease_ttl, holder=runtime.holder) as lost:
            # Checked under the lease: a process that finished a moment ago has released it.
            if history.is_final(runtime.db, DAILY_JOB, close):
                logger.info("run for %s is already done; not repeating it", close.isoformat())
                return None
            history.start(runtime.db, DAILY_JOB, close, runtime.holder)
            result = _guarded(runtime, close, lambda: runtime.should_stop() or lost.is_set())
            history.finish(runtime.db, DAILY_JOB, close, result)
    except leases.LeaseHeldError:
        logger.info("another process is running the close of %s; this one stands by", close.isoformat())
        return None
    logger.info("run for %s finished: %s %s", close.isoformat(), result.outcome.value, result.detail)
    return result


def _guarded(runtime: Runtime, close: datetime, should_stop: ShouldStop) -> RunResult:
    """The cycle's result, with every failure turned into a recorded outcome."""
    try:
        return runtime.cycle(close, should_stop)
    except StopRequestedError as stop:
        return RunResult(outcome=Outcome.STOPPED, detail=str(stop))
    except NewsletterError as error:
        logger.error("run for %s failed: %s", close.isoformat(), error)
        return RunResult(outcome=Outcome.FAILED, detail=str(error))
    except Exception as error:
        logger.exception("run for %s failed unexpectedly", close.isoformat())
        return RunResult(outcome=Outcome.FAILED, detail=f"{type(error).__name__}: {error}")


class SchedulerService:
    """The APScheduler instance, its stores and its jobs, for one :class:`Runtime`."""

    def __init__(self, runtime: Runtime, *, misfire_grace_seconds: int, tick_seconds: float = TICK_SECONDS):
        self.runtime = runtime
        self.misfire_grace_seconds = misfire_grace_seconds
        self.tick_seconds = tick_seconds
        self.scheduler = BackgroundScheduler(
            jobstores={
                "default": runtime.db.job_store(JOBS_TABLE),
                "memory": MemoryJobStore(),
            },
            timezone=runtime.trigger.timezone,
        )
        self.scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self.scheduler.add_listener(self._on_error, EVENT_JOB_ERROR)

    def start(self) -> None:
        global _runtime  # noqa: PLW0603 - APScheduler 3 jobs are stored by reference; see the module doc.
        _runtime = self.runtime
        # Paused first, so the stored job is compared with the configuration before it can fire.
        self.scheduler.start(paused=True)
        self._install_daily_job()
        self.scheduler.add_job(
            tick_job,
            "interval",
            seconds=self.tick_seconds,
            id="tick",
            jobstore="memory",
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        self.scheduler.resume()
        job = self.scheduler.get_job(DAILY_JOB)
        logger.info("scheduler started; next daily run at %s", job.next_run_time if job else None)

    def stop(self) -> None:
        """Ask running jobs to stop at their next checkpoint and wait for them."""
        self.runtime.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        logger.info("scheduler stopped")

    def _install_daily_job(self) -> None:
        """Keep the stored job (and its missed run time) unless the configuration changed it."""
        options: dict[str, Any] = {"misfire_grace_time": self.misfire_grace_seconds, "coalesce": True}
        job = self.scheduler.get_job(DAILY_JOB)
        if job is None:
            self.scheduler.add_job(daily_job, self.runtime.trigger, id=DAILY_JOB, max_instances=1, **options)
            return
        if repr(job.trigger) != repr(self.runtime.trigger):
            logger.info("schedule changed to %r; rescheduling", self.runtime.trigger)
            job.reschedule(self.runtime.trigger)
        if job.misfire_grace_time != self.misfire_grace_seconds or not job.coalesce:
            job.modify(**options)

    def _on_missed(self, event: JobExecutionEvent) -> None:
        if event.job_id != DAILY_JOB:
            return
        late = utcnow() - event.scheduled_run_time
        detail = f"missed by {late}; beyond the {self.misfire_grace_seconds}s grace period"
        if history.record_missed(self.runtime.db, DAILY_JOB, event.scheduled_run_time, detail):
            logger.warning(
                "daily run for %s was missed (%s); its window folds into the next issue",
                event.scheduled_run_time.isoformat(),
                detail,
            )

    def _on_error(self, event: JobExecutionEvent) -> None:
        logger.error("scheduler job %s raised %s", event.job_id, type(event.exception).__name__)


def serve(service: SchedulerService, *, ready: Callable[[], None] | None = None) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly (a send stops between two batches).

    ``ready`` is called once the scheduler runs (a place for systemd's ``sd_notify``).
    """

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s; stopping after the current batch", signal.Signals(signum).name)
        service.runtime.stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        service.start()
        if ready is not None:
            ready()
        while not service.runtime.stopping.wait(1):
            pass
    finally:
        service.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
