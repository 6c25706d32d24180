"""Sending one issue: claim a batch of send records, hand it to the backend, record the outcome.

The records are the source of truth. A batch is claimed (committed) before its request goes
out and marked sent once the backend returns, so a resumed send never repeats an accepted
message. Each run holds a lease on the issue (:mod:`newsletter.delivery.senders`) and its
batches name it as their holder; a batch left claimed by a sender that died is *unknown*
once that sender's lease has lapsed, and waits for the operator, while a live sender's
batches are left alone. A subscriber's status is checked when their batch is claimed, not
when the issue was queued.

One thread talks to the store and up to ``backend.concurrency`` threads talk to the mail
system. The store thread claims a batch for each idle sender and, in the same transaction,
records the outcomes of the batches that came back: one short write per round however many
senders there are, and no sender ever waits for the database's write lock. The database
hands each record to exactly one claim (SKIP LOCKED on PostgreSQL, one writer at a time on
SQLite), which is also what lets several processes share an issue.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta

from newsletter.delivery import senders
from newsletter.delivery.base import BatchResult, Campaign, DeliveryBackend, Personalization
from newsletter.delivery.message import check_headers
from newsletter.errors import DeliveryError, StopRequestedError
from newsletter.store import Database, Session
from newsletter.store import sends as send_records
from newsletter.store.schema import SendStatus, SubscriberStatus

logger = logging.getLogger(__name__)

PersonalizationFactory = Callable[[int, str, str, str], Personalization]
"""(subscriber id, email, name, locale) → the recipient's personalization."""


@dataclass(slots=True)
class DeliveryReport:
    """What one run of ``dispatch`` did, plus where the issue's records stand."""

    issue_id: int = 0
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
    """Ids of the batches whose outcome is unknown after this run, listed for the operator:
    ``--settle-unknown`` records what the provider's log says, ``--resend-unknown`` sends them
    again."""
    resent_batches: tuple[int, ...] = ()
    """Ids of the batches, listed as unknown before this run, whose records it sent again."""
    resent: int = 0
    """How many records of ``resent_batches`` were put back in the queue."""

    @property
    def finished(self) -> bool:
        """Whether every record of the issue has a final outcome: none pending, in flight or unknown."""
        return not self.paused and not any(self.totals.get(s) for s in send_records.UNSETTLED)

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
    lease_seconds: float = 60.0,
) -> DeliveryReport:
    """Send every pending record of ``issue_id``; ``campaigns(locale)`` gives each locale's rendering.

    Stops early when more than ``failure_threshold`` of the issue's records have failed
    (``report.paused`` says so), and raises the backend's fatal error (bad credentials) once
    the requests already in flight are recorded. ``on_batch`` gets how many records this run
    has settled after each batch.

    ``worker`` is this run's holder (:func:`senders.holder_id`); it holds its lease for
    ``lease_seconds`` at a time while it runs. Batches still claimed by a holder whose lease
    has lapsed become unknown and are listed in the report, and are sent again only by a later
    run with ``resend_unknown``: an operator sees them before anything re-sends them.
    """
    with senders.sending(db, issue_id, worker, timedelta(seconds=lease_seconds)) as lease_lost:
        return _dispatch(
            db,
            backend,
            issue_id,
            campaigns,
            personalize,
            worker=worker,
            resend_unknown=resend_unknown,
            failure_threshold=failure_threshold,
            on_batch=on_batch,
            lease_lost=lease_lost,
        )


def checkpoint(should_stop: Callable[[], bool]) -> Callable[[int], None]:
    """An ``on_batch`` callback that raises StopRequestedError between batches when asked to stop."""

    def on_batch(_settled: int) -> None:
        if should_stop():
            raise StopRequestedError

    return on_batch


def _dispatch(
    db: Database,
    backend: DeliveryBackend,
    issue_id: int,
    campaigns: Callable[[str], Campaign],
    personalize: PersonalizationFactory,
    *,
    worker: str,
    resend_unknown: bool,
    failure_threshold: float,
    on_batch: Callable[[int], None] | None,
    lease_lost: threading.Event,
) -> DeliveryReport:
    locales, total, failed_before, resent = _prepare(db, issue_id, resend_unknown=resend_unknown)
    run = _Run(
        db=db,
        backend=backend,
        issue_id=issue_id,
        # Rendered and checked before anything is claimed, so a broken template or a subject
        # with a line break strands no batch.
        campaigns={locale: check_headers(campaigns(locale)) for locale in locales},
        personalize=personalize,
        worker=worker,
        locales=locales,
        failure_limit=failure_threshold * total - failed_before,
        on_batch=on_batch,
        lease_lost=lease_lost,
    )
    run.report.resent_batches, run.report.resent = resent
    with (
        _heap_frozen(),
        ThreadPoolExecutor(max(1, backend.concurrency), thread_name_prefix="send") as threads,
    ):
        run.drive(threads)
    if run.fatal is not None:
        raise run.fatal
    return _summarize(db, issue_id, run.report)


def _prepare(
    db: Database, issue_id: int, *, resend_unknown: bool
) -> tuple[list[str], int, int, tuple[tuple[int, ...], int]]:
    """Settle what earlier runs left; returns the pending locales, the records, the failures,
    and the unknown batches put back in the queue with how many records they held.

    Only batches that were already unknown (and so listed by an earlier ``send`` or
    ``status``) are re-sent; those whose dead holder is found only now are listed, not sent.
    """
    resent: tuple[tuple[int, ...], int] = ((), 0)
    with db.transaction() as session:
        requeued = send_records.requeue_retryable(session, issue_id)
        if requeued:
            logger.info(
                "re-queued %d records of issue %s that failed for a passing reason", requeued, issue_id
            )
        if resend_unknown:
            listed = tuple(batch.id for batch, _ in send_records.unknown_batches(session, issue_id))
            resent = listed, send_records.requeue_unknown(session, issue_id)
            logger.info("re-queued %d unknown records of issue %s (batches %s)", resent[1], issue_id, listed)
        for batch_id in senders.settle_abandoned(session, issue_id):
            logger.warning("batch %s of issue %s: its sender died; outcome unknown", batch_id, issue_id)
        totals = send_records.counts(session, issue_id)
        locales = send_records.pending_locales(session, issue_id)
    return locales, sum(totals.values()), totals.get(SendStatus.FAILED.value, 0), resent


@contextmanager
def _heap_frozen() -> Iterator[None]:
    """Keep the collector's full passes to the objects the send itself makes.

    A send keeps a few batches of per-recipient objects alive at once, so they reach the
    oldest generation and start a full collection every few batches; without this, each of
    those walks every object the process holds (SQLAlchemy's, the templates') as well.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _summarize(db: Database, issue_id: int, report: DeliveryReport) -> DeliveryReport:
    with db.transaction() as session:
        report.totals = dict(send_records.counts(session, issue_id))
        unknown = send_records.unknown_batches(session, issue_id)
    report.issue_id = issue_id
    report.unknown = report.totals.get(SendStatus.UNKNOWN.value, 0)
    report.unknown_batches = tuple(batch.id for batch, _ in unknown)
    return report


Outcome = Future[BatchResult]
"""A sender's answer for one batch: the mail system's result, or the DeliveryError it raised."""


@dataclass(slots=True, kw_only=True)
class _Run:
    """One ``dispatch``: the store side runs in the calling thread, the sending in ``senders``."""

    db: Database
    backend: DeliveryBackend
    issue_id: int
    campaigns: Mapping[str, Campaign]
    personalize: PersonalizationFactory
    worker: str
    locales: list[str]
    failure_limit: float
    on_batch: Callable[[int], None] | None
    lease_lost: threading.Event
    report: DeliveryReport = field(default_factory=DeliveryReport)
    fatal: DeliveryError | None = None
    crashed: BaseException | None = None
    unknown: int = 0
    stopping: bool = False

    def drive(self, senders: ThreadPoolExecutor) -> None:
        """Keep every sender busy until nothing is left to claim, then record the last outcomes.

        Whatever stops the run early (a fatal error, the failure threshold, an exception from
        ``on_batch`` or Ctrl-C) stops the claiming; the batches already in flight are still
        waited for and recorded, so none of them is left looking unknown.
        """
        in_flight: dict[Outcome, send_records.ClaimedBatch] = {}
        returned: list[tuple[send_records.ClaimedBatch, Outcome]] = []
        interrupted: BaseException | None = None
        while True:
            with self.db.transaction() as session:
                self._record(session, returned)
                self._check_lease()
                idle = 0 if self.stopping else self.backend.concurrency - len(in_flight)
                batches = self._claim(session, idle)
            for claimed in batches:
                in_flight[senders.submit(self._send, claimed)] = claimed
            try:
                if returned and self.on_batch is not None and interrupted is None:
                    self.on_batch(self.report.done + self.unknown)
                if not in_flight:
                    break
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            except BaseException as error:  # raised again below, once the senders in flight are recorded
                interrupted, self.stopping = interrupted or error, True
                done, _ = wait(in_flight)
            returned = [(in_flight.pop(outcome), outcome) for outcome in done]
        if interrupted is not None:
            raise interrupted
        if self.crashed is not None:
            raise self.crashed

    def _check_lease(self) -> None:
        """Stop claiming once the lease could not be renewed: others may take this run for dead."""
        if self.lease_lost.is_set() and not self.stopping:
            logger.error("issue %s: this sender's lease lapsed; stopping claiming", self.issue_id)
            self.stopping = True

    def _send(self, claimed: send_records.ClaimedBatch) -> BatchResult:
        """In a sender thread: personalize the batch's records and hand them over."""
        people = [self.personalize(r.subscriber_id, r.email, r.name, claimed.locale) for r in claimed.records]
        return self.backend.send_batch(self.campaigns[claimed.locale], people) if people else BatchResult()

    def _claim(self, session: Session, wanted: int) -> list[send_records.ClaimedBatch]:
        """Up to ``wanted`` new batches of records whose subscribers are still active; the
        others are marked skipped here and left out of the batches they were claimed in."""
        batches: list[send_records.ClaimedBatch] = []
        size = self.backend.batch_size
        while len(batches) < wanted and self.locales:
            claimed = send_records.claim_batches(
                session,
                self.issue_id,
                count=wanted - len(batches),
                size=size,
                worker=self.worker,
                locale=self.locales[0],
            )
            batches += claimed
            if not claimed or len(claimed[-1].records) < size:
                self.locales.pop(0)
        active = SubscriberStatus.ACTIVE.value
        inactive = [r.send_id for b in batches for r in b.records if r.status != active]
        if not inactive:
            return batches
        send_records.mark(session, inactive, SendStatus.SKIPPED, error="not active at send time")
        self.report.skipped += len(inactive)
        return [replace(b, records=tuple(r for r in b.records if r.status == active)) for b in batches]

    def _record(self, session: Session, returned: list[tuple[send_records.ClaimedBatch, Outcome]]) -> None:
        """Write and count what became of the batches that came back; stop claiming when that
        calls for it. The batches the mail system took whole are written together."""
        accepted = [
            claimed.batch_id for claimed, outcome in returned if self._settle(session, claimed, outcome)
        ]
        send_records.finish_batches(session, accepted, SendStatus.SENT)
        report = self.report
        # Unknown outcomes count against the threshold too: both mean mail may not have arrived.
        if report.failed + self.unknown > self.failure_limit and not report.paused:
            report.paused = (
                f"paused: {report.failed} records failed and {self.unknown} ended unknown in this run, "
                "more than delivery.failure_threshold allows; fix the cause, then "
                "`newsletter send ISSUE --resume`"
            )
            logger.error("issue %s %s", self.issue_id, report.paused)
            self.stopping = True

    def _settle(self, session: Session, claimed: send_records.ClaimedBatch, outcome: Outcome) -> bool:
        """Count one batch's outcome and write what is particular to it; True when the mail
        system took it, and its still-claimed records are to be marked sent."""
        report = self.report
        active = len(claimed.records)
        error = outcome.exception()
        if error is None:
            rejected = outcome.result().rejected
            send_ids = _send_ids(claimed)
            for subscriber_id, reason in rejected.items():
                send_records.mark(session, [send_ids[subscriber_id]], SendStatus.FAILED, error=reason)
            report.sent += active - len(rejected)
            report.failed += len(rejected)
            return True
        if not isinstance(error, DeliveryError):
            # A bug, not the mail system: who got the batch is unknown, so it stays claimed.
            self.crashed, self.stopping = self.crashed or error, True
            return False
        logger.error("batch %s of issue %s: %s", claimed.batch_id, self.issue_id, error)
        send_ids = _send_ids(claimed)
        # The records the mail system took before the error.
        accepted = [send_ids[s] for s in error.accepted if s in send_ids]
        send_records.mark(session, accepted, SendStatus.SENT)
        report.sent += len(accepted)
        if error.fatal:
            # Nothing more went out: give the rest back to the queue for the next run.
            send_records.requeue_batch(session, claimed.batch_id)
            self.fatal, self.stopping = self.fatal or error, True
            return False
        status = SendStatus.UNKNOWN if error.outcome_unknown else SendStatus.FAILED
        send_records.finish_batches(
            session,
            [claimed.batch_id],
            status,
            error=str(error),
            retryable=not error.permanent and not error.outcome_unknown,
        )
        if error.outcome_unknown:
            self.unknown += active - len(accepted)
        else:
            report.failed += active - len(accepted)
        return False


def _send_ids(claimed: send_records.ClaimedBatch) -> dict[int, int]:
    """Subscriber id → send id for the batch's records, to read the mail system's answers by."""
    return {r.subscriber_id: r.send_id for r in claimed.records}
