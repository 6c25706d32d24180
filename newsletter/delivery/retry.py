"""Retrying a request that failed for a reason that may pass: rate limits, 5xx, lost connections.

A backend raises :class:`Transient` for such a failure; :func:`call` waits and tries again a
bounded number of times, then turns the last one into a
:class:`~newsletter.errors.DeliveryError`. A rate limit waits as long as the server asked; any
other failure waits an exponentially growing, fully jittered time, so many senders that failed
together do not come back together.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from newsletter.errors import DeliveryError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Transient(Exception):  # noqa: N818 (a signal between a backend and call(), never shown to users)
    """A failure worth retrying; ``wait`` is the server's own wait in seconds, when it gave one."""

    def __init__(
        self,
        message: str,
        *,
        wait: float | None = None,
        outcome_unknown: bool = False,
        status: int | None = None,
    ) -> None:
        self.wait = wait
        self.outcome_unknown = outcome_unknown
        self.status = status
        super().__init__(message)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How often and how long to retry."""

    retries: int = 5
    """Retries after the first attempt for 5xx, timeouts and dropped connections."""
    rate_limit_waits: int = 30
    """Waits for 429 before giving up; they do not use up :attr:`retries`."""
    base_seconds: float = 0.5
    """The first backoff's upper bound; each later one doubles it."""
    cap_seconds: float = 60.0
    """No single wait is longer than this, whatever a server asks."""

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base × 2^attempt)]."""
        return random.uniform(0, min(self.cap_seconds, self.base_seconds * 2**attempt))


def call(
    request: Callable[[], T],
    policy: RetryPolicy,
    *,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``request()``, retried on :class:`Transient` as ``policy`` allows."""
    failures = throttles = 0
    while True:
        try:
            return request()
        except Transient as error:
            if error.wait is not None:
                throttles += 1
                exhausted = throttles > policy.rate_limit_waits
                wait = min(error.wait, policy.cap_seconds)
            else:
                failures += 1
                exhausted = failures > policy.retries
                wait = policy.backoff(failures - 1)
            if exhausted:
                raise DeliveryError(
                    f"{what}: gave up after {failures + throttles} attempts: {error}",
                    status=error.status,
                    outcome_unknown=error.outcome_unknown,
                ) from None
            logger.warning("%s: %s; retrying in %.1f s", what, error, wait)
            sleep(wait)
