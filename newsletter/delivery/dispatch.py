"""Sending one issue: claim a batch of send records, hand it to the backend, record the outcome.

The records are the source of truth. A batch is claimed (committed) before its request goes
out and marked sent once the backend returns, so a resumed send never repeats an accepted
message; a batch left claimed by a crash is *unknown* and waits for the operator. A
subscriber's status is checked when their batch is claimed, not when the issue was queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from newsletter.delivery.base import Campaign, DeliveryBackend, Personalization
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
    totals: Mapping[str, int] = field(default_factory=dict)
    """Every record of the issue by status, after this run."""

    @property
    def finished(self) -> bool:
        return not any(self.totals.get(s.value) for s in (SendStatus.PENDING, SendStatus.CLAIMED))


def dispatch(
    db: Database,
    backend: DeliveryBackend,
    issue_id: int,
    campaigns: Callable[[str], Campaign],
    personalize: PersonalizationFactory,
    *,
    worker: str,
    resend_unknown: bool = False,
    on_batch: Callable[[int], None] | None = None,
) -> DeliveryReport:
    """Send every pending record of ``issue_id``; ``campaigns(locale)`` gives each locale's rendering."""
    run = _Run(db, backend, issue_id, campaigns, personalize, worker)
    with db.transaction() as session:
        for batch in send_records.abandoned_batches(session, issue_id):
            logger.warning("batch %s of issue %s was never confirmed: outcome unknown", batch.id, issue_id)
            send_records.finish_batch(session, batch.id, SendStatus.UNKNOWN, error="outcome unknown")
        if resend_unknown:
            requeued = send_records.requeue_unknown(session, issue_id)
            logger.info("re-queued %d unknown records of issue %s", requeued, issue_id)
    while run.send_one_batch():
        if on_batch is not None:
            on_batch(run.report.sent + run.report.skipped + run.report.failed)
    with db.transaction() as session:
        run.report.totals = send_records.counts(session, issue_id)
    run.report.unknown = run.report.totals.get(SendStatus.UNKNOWN.value, 0)
    return run.report


@dataclass(slots=True)
class _Run:
    db: Database
    backend: DeliveryBackend
    issue_id: int
    campaigns: Callable[[str], Campaign]
    personalize: PersonalizationFactory
    worker: str
    report: DeliveryReport = field(default_factory=DeliveryReport)

    def send_one_batch(self) -> bool:
        """Claim, send and record one batch; False when nothing is left to claim."""
        claimed = self._claim()
        if claimed is None:
            return False
        batch_id, locale, people = claimed
        try:
            if people:
                self.backend.send_batch(self.campaigns(locale), people)
        except DeliveryError as error:
            self._record_failure(batch_id, error)
            if error.fatal:
                raise
            self.report.failed += len(people)
            return True
        with self.db.transaction() as session:
            send_records.finish_batch(session, batch_id, SendStatus.SENT)
        self.report.sent += len(people)
        return True

    def _claim(self) -> tuple[int, str, list[Personalization]] | None:
        with self.db.transaction() as session:
            batch = send_records.claim_batch(
                session, self.issue_id, size=self.backend.batch_size, worker=self.worker
            )
            if batch is None:
                return None
            people: list[Personalization] = []
            inactive: list[int] = []
            for send, subscriber in send_records.batch_recipients(session, batch.id):
                if subscriber.status != SubscriberStatus.ACTIVE.value:
                    inactive.append(send.id)
                else:
                    people.append(
                        self.personalize(subscriber.id, subscriber.email, subscriber.name, batch.locale)
                    )
            send_records.mark(session, inactive, SendStatus.SKIPPED, error="not active at send time")
        self.report.skipped += len(inactive)
        return batch.id, batch.locale, people

    def _record_failure(self, batch_id: int, error: DeliveryError) -> None:
        logger.error("batch %s of issue %s failed: %s", batch_id, self.issue_id, error)
        with self.db.transaction() as session:
            if error.fatal:
                # Nothing went out: give the records back to the queue for the next run.
                send_records.requeue_batch(session, batch_id)
            else:
                send_records.finish_batch(session, batch_id, SendStatus.FAILED, error=str(error))
