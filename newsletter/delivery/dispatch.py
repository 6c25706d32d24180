"""Sending one issue: claim a batch of send records, hand it to the backend, record the outcome.

The records are the source of truth. A batch is claimed (committed) before its request goes
out and marked sent once the backend returns, so a resumed send never repeats an accepted
message; a batch left claimed by a crash is *unknown* and waits for the operator. A
subscriber's status is checked when their batch is claimed, not when the issue was queued.

Up to ``backend.concurrency`` batches are in flight at once, each claimed by its own thread;
the database hands each record to exactly one claim (SKIP LOCKED on PostgreSQL, one writer at
a time on SQLite), which is also what lets several processes share an issue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from newsletter.delivery.base import BatchResult, Campaign, DeliveryBackend, Personalization
from newsletter.errors import DeliveryError
from newsletter.store import Database
from newsletter.store import sends as send_records
from newsletter.store.schema import SendStatus, SubscriberStatus

logger = logging.getLogger(__name__)

PersonalizationFactory = Callable[[int, str, str, str], Personalization]
"""(subscriber id, email, name, locale) → the recipient's personalization."""


@dataclass(slots=True)
class DeliveryReport:
    """What one run of ``dispatch`` did, plus where the issue's records stand."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: int = 0
    """Records of the issue whose outcome is unknown after this run (listed for the operator)."""
    totals: Mapping[str, int] = field(default_factory=dict)
    """Every record of the issue by status, after this run."""
    paused: str = ""
    """Why the run stopped early because too many records failed; empty when it did not."""
    unknown_batches: tuple[int, ...] = ()
    """Ids of the batches whose outcome is unknown; ``--resend-unknown`` sends them again."""

    @property
    def finished(self) -> bool:
        return not self.paused and not any(
            self.totals.get(s.value) for s in (SendStatus.PENDING, SendStatus.CLAIMED)
        )

    @property
    def done(self) -> int:
        """Records this run brought to a final status."""
        return self.sent + self.skipped + self.failed


def dispatch(
    db: Database,
    backend: DeliveryBackend,
    issue_id: int,
    campaigns: Callable[[str], Campaign],
    personalize: PersonalizationFactory,
    *,
    worker: str,
    resend_unknown: bool = False,
    failure_threshold: float = 1.0,
    on_batch: Callable[[int], None] | None = None,
    settle_abandoned: bool = True,
) -> DeliveryReport:
    """Send every pending record of ``issue_id``; ``campaigns(locale)`` gives each locale's rendering.

    Stops early when more than ``failure_threshold`` of the issue's records have failed
    (``report.paused`` says so), and raises the backend's fatal error (bad credentials) once
    the requests already in flight are recorded. ``on_batch`` gets how many records this run
    has settled after each batch. With ``settle_abandoned`` (one sender per issue), batches
    still claimed by an earlier run become unknown; workers that share an issue at the same
    time pass False and leave that to whoever knows which workers are gone.
    """
    locales, total, failed_before = _prepare(
        db, issue_id, resend_unknown=resend_unknown, settle_abandoned=settle_abandoned
    )
    run = _Run(
        db=db,
        backend=backend,
        issue_id=issue_id,
        campaigns=_Campaigns(campaigns),
        personalize=personalize,
        worker=worker,
        locales=locales,
        failure_limit=failure_threshold * total - failed_before,
        on_batch=on_batch,
    )
    with ThreadPoolExecutor(max(1, backend.concurrency), thread_name_prefix="send") as pool:
        threads = [pool.submit(run.work) for _ in range(max(1, backend.concurrency))]
    for thread in threads:
        thread.result()
    if run.fatal is not None:
        raise run.fatal
    return _summarize(db, issue_id, run.report)


def _prepare(
    db: Database, issue_id: int, *, resend_unknown: bool, settle_abandoned: bool
) -> tuple[list[str], int, int]:
    """Settle what earlier runs left; returns the pending locales, the records and the failures."""
    with db.transaction() as session:
        abandoned = send_records.abandoned_batches(session, issue_id) if settle_abandoned else ()
        for batch in abandoned:
            logger.warning("batch %s of issue %s was never confirmed: outcome unknown", batch.id, issue_id)
            send_records.finish_batch(session, batch.id, SendStatus.UNKNOWN, error="outcome unknown")
        requeued = send_records.requeue_retryable(session, issue_id)
        if requeued:
            logger.info(
                "re-queued %d records of issue %s that failed for a passing reason", requeued, issue_id
            )
        if resend_unknown:
            requeued = send_records.requeue_unknown(session, issue_id)
            logger.info("re-queued %d unknown records of issue %s", requeued, issue_id)
        totals = send_records.counts(session, issue_id)
        locales = send_records.pending_locales(session, issue_id)
    return locales, sum(totals.values()), totals.get(SendStatus.FAILED.value, 0)


def _summarize(db: Database, issue_id: int, report: DeliveryReport) -> DeliveryReport:
    with db.transaction() as session:
        report.totals = dict(send_records.counts(session, issue_id))
        unknown = send_records.unknown_batches(session, issue_id)
    report.unknown = report.totals.get(SendStatus.UNKNOWN.value, 0)
    report.unknown_batches = tuple(batch.id for batch, _ in unknown)
    return report


class _Campaigns:
    """Each locale's campaign built once, even when several threads ask at the same time."""

    def __init__(self, build: Callable[[str], Campaign]) -> None:
        self._build = build
        self._built: dict[str, Campaign] = {}
        self._lock = threading.Lock()

    def __call__(self, locale: str) -> Campaign:
        with self._lock:
            if locale not in self._built:
                self._built[locale] = self._build(locale)
            return self._built[locale]


@dataclass(slots=True, kw_only=True)
class _Run:
    db: Database
    backend: DeliveryBackend
    issue_id: int
    campaigns: Callable[[str], Campaign]
    personalize: PersonalizationFactory
    worker: str
    locales: list[str]
    failure_limit: float
    on_batch: Callable[[int], None] | None
    report: DeliveryReport = field(default_factory=DeliveryReport)
    fatal: DeliveryError | None = None
    unknown: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def work(self) -> None:
        """One thread's loop: claim, send and record batches until none are left or told to stop."""
        try:
            while not self.stop.is_set() and self.send_one_batch():
                pass
        except BaseException:
            self.stop.set()
            raise

    def send_one_batch(self) -> bool:
        """Claim, send and record one batch; False when nothing is left to claim."""
        claimed = self._claim()
        if claimed is None:
            return False
        active = [r for r in claimed.records if r.status == SubscriberStatus.ACTIVE.value]
        people = [self.personalize(r.subscriber_id, r.email, r.name, claimed.locale) for r in active]
        try:
            result = (
                self.backend.send_batch(self.campaigns(claimed.locale), people) if people else BatchResult()
            )
        except DeliveryError as error:
            self._record_failure(claimed, error)
            return True
        self._record_success(claimed, result)
        return True

    def _claim(self) -> send_records.ClaimedBatch | None:
        while self.locales:
            locale = self.locales[0]
            with self.db.transaction() as session:
                claimed = send_records.claim_batch(
                    session, self.issue_id, size=self.backend.batch_size, worker=self.worker, locale=locale
                )
                if claimed is not None:
                    inactive = [
                        r.send_id for r in claimed.records if r.status != SubscriberStatus.ACTIVE.value
                    ]
                    send_records.mark(session, inactive, SendStatus.SKIPPED, error="not active at send time")
                    self._count(skipped=len(inactive))
                    return claimed
            with self.lock:
                if self.locales and self.locales[0] == locale:
                    self.locales.pop(0)
        return None

    def _record_success(self, claimed: send_records.ClaimedBatch, result: BatchResult) -> None:
        by_subscriber = {r.subscriber_id: r.send_id for r in claimed.records}
        with self.db.transaction() as session:
            for subscriber_id, reason in result.rejected.items():
                send_records.mark(session, [by_subscriber[subscriber_id]], SendStatus.FAILED, error=reason)
            send_records.finish_batch(session, claimed.batch_id, SendStatus.SENT)
        skipped = sum(1 for r in claimed.records if r.status != SubscriberStatus.ACTIVE.value)
        self._count(sent=len(claimed.records) - skipped - len(result.rejected), failed=len(result.rejected))

    def _record_failure(self, claimed: send_records.ClaimedBatch, error: DeliveryError) -> None:
        logger.error("batch %s of issue %s: %s", claimed.batch_id, self.issue_id, error)
        by_subscriber = {r.subscriber_id: r.send_id for r in claimed.records}
        accepted = [by_subscriber[s] for s in error.accepted if s in by_subscriber]
        claimed_left = sum(1 for r in claimed.records if r.status == SubscriberStatus.ACTIVE.value) - len(
            accepted
        )
        with self.db.transaction() as session:
            send_records.mark(session, accepted, SendStatus.SENT)
            if error.fatal:
                # Nothing more went out: give the rest back to the queue for the next run.
                send_records.requeue_batch(session, claimed.batch_id)
            elif error.outcome_unknown:
                send_records.finish_batch(session, claimed.batch_id, SendStatus.UNKNOWN, error=str(error))
            else:
                send_records.finish_batch(
                    session,
                    claimed.batch_id,
                    SendStatus.FAILED,
                    error=str(error),
                    retryable=not error.permanent,
                )
        if error.fatal:
            self.fatal = self.fatal or error
            self.stop.set()
            self._count(sent=len(accepted))
        elif error.outcome_unknown:
            self._count(sent=len(accepted), unknown=claimed_left)
        else:
            self._count(sent=len(accepted), failed=claimed_left)

    def _count(self, *, sent: int = 0, skipped: int = 0, failed: int = 0, unknown: int = 0) -> None:
        with self.lock:
            report = self.report
            report.sent += sent
            report.skipped += skipped
            report.failed += failed
            # Unknown outcomes count against the threshold too: both mean mail may not have arrived.
            self.unknown += unknown
            if report.failed + self.unknown > self.failure_limit and not report.paused:
                report.paused = (
                    f"paused: {report.failed} records failed and {self.unknown} ended unknown in this run, "
                    "more than delivery.failure_threshold allows; fix the cause, then "
                    "`newsletter send ISSUE --resume`"
                )
                logger.error("issue %s %s", self.issue_id, report.paused)
                self.stop.set()
            if self.on_batch is not None and (sent or failed or unknown):
                self.on_batch(report.done + self.unknown)
