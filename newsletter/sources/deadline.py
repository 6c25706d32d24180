"""A total deadline for one HTTP request, however slowly the server answers.

A requests ``timeout`` bounds each socket operation: a server that sends one byte every two
seconds never trips it and holds the request, and the run waiting on it, for as long as it
likes. A :class:`Deadline` bounds the whole request instead (connection, headers, retries,
waits between them, and body): when it passes, a timer thread shuts down every socket the
request uses, so a blocked read fails at once, and no retry starts afterwards.

Sockets are found through urllib3's connection classes: :class:`DeadlineAdapter` makes its
pools use connections that register their socket with the deadline of the request running
in the current thread, whether the connection is new or kept alive from an earlier request.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_local = threading.local()


class DeadlinePassedError(Exception):
    """Raised inside urllib3 when a retry would start after the deadline.

    Deliberately not an ``OSError`` or a urllib3 error, so neither urllib3 nor requests takes
    it for a network failure and retries: it reaches the session, which reports the deadline.
    """


class Deadline:
    """``with Deadline(120) as deadline:`` around one request, in the thread that makes it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()
        self.received = 0
        """Body bytes received so far, counted by the reader, for the error message."""
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        _local.deadline = self
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._timer.cancel()
        _local.deadline = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return self.seconds - self.elapsed

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the deadline passes (at once if it already has)."""
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                return
        _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def current_deadline() -> Deadline | None:
    """The deadline of the request running in this thread, if any."""
    deadline: Deadline | None = getattr(_local, "deadline", None)
    return deadline


def _shut(sock: socket.socket) -> None:
    # Already closed or never connected (OSError): nothing is left to unblock.
    with contextlib.suppress(OSError):
        # The plain socket's shutdown, also for a TLS socket: it unblocks a read in another
        # thread without tearing down the TLS state that read is still using.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watch(sock: socket.socket | None) -> None:
    deadline = current_deadline()
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class _WatchedConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        # A kept-alive connection's socket was registered with an earlier request's deadline.
        _watch(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter, with connections whose sockets the current :class:`Deadline` can shut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
