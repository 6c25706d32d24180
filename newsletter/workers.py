"""Send workers: several ``newsletter send ISSUE --worker`` processes sharing one issue's batches.

Each worker claims a batch at a time (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), so
workers on one or more machines never claim the same record. Each holds its own lease on the
issue (:mod:`newsletter.delivery.senders`), so a worker leaves the batches of live workers
alone and marks unknown only those of a worker that died. Unlike a plain send, a worker does
not refuse to start while others send the issue (``exclusive=False``). SIGTERM or SIGINT
stops a worker between two batches; starting it again resumes.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from newsletter import pipeline
from newsletter.delivery.dispatch import DeliveryReport, checkpoint
from newsletter.store import ConflictError

logger = logging.getLogger(__name__)

_QUEUE_ATTEMPTS = 5


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT for the block (main thread only); handlers restored after."""
    stopping = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s; stopping after the current batch", signal.Signals(signum).name)
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stopping
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_worker(
    app: pipeline.App, issue_ref: int | str, *, lists: Sequence[str] = (), should_stop: Callable[[], bool]
) -> DeliveryReport:
    """Queue the issue's recipients (once, whoever is first) and send batches until none are left."""
    issue_id, _ = pipeline.load_draft(app, issue_ref)
    # Queueing moves the issue to sending: first make sure the send can work at all.
    pipeline.check_ready(app, issue_id, lists)
    _queue(app, issue_id, lists)
    return pipeline.deliver_issue(
        app, issue_id, lists=lists, on_batch=checkpoint(should_stop), exclusive=False
    )


def _queue(app: pipeline.App, issue_id: int, lists: Sequence[str]) -> None:
    for _ in range(_QUEUE_ATTEMPTS):
        try:
            pipeline.queue_recipients(app, issue_id, lists)
        except ConflictError:
            # Another worker queued the same people a moment earlier: look again.
            logger.info("another worker is queueing issue %s; retrying", issue_id)
            continue
        return
    pipeline.queue_recipients(app, issue_id, lists)
