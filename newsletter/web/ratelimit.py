"""Rate limits for the public forms: token buckets in this process's memory, and the client's address.

Each key (a client address, an email address's hash) has a bucket of ``per_hour`` tokens that
refills continuously; a request takes one, and a request that finds none is refused. The
buckets live in memory, so each server process counts on its own and a restart forgets them:
enough to stop one client hammering the form, without a shared store on every request.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from starlette.requests import Request

#: Buckets kept at most; the least recently used go first, so a flood of new keys costs bounded memory.
MAX_KEYS = 50_000


class RateLimit:
    """Token buckets by key: ``allow(key)`` is False once the key has used up its share."""

    def __init__(self, per_hour: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_hour)
        self.rate = per_hour / 3600.0
        """Tokens regained per second."""
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        now = self.clock()
        tokens, then = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        allowed = tokens >= 1
        self._buckets[key] = (tokens - 1 if allowed else tokens, now)
        if len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
        return allowed


def client_address(request: Request, trusted_proxies: Sequence[str]) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the last address
    in ``X-Forwarded-For`` that is not one of the trusted proxies.

    The header is read only from a trusted peer, and from its right end: anything to the left
    of what our own proxies appended was written by the client and proves nothing.
    """
    peer = request.client.host if request.client else ""
    if not trusted_proxies or peer not in trusted_proxies:
        return peer
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
    for candidate in reversed(forwarded):
        if candidate and candidate not in trusted_proxies:
            return candidate if _is_ip(candidate) else peer
    return peer


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
