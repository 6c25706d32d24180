"""Bounded request bodies for every route: a size limit per path and a total read deadline.

Starlette's ``request.body()`` and ``request.form()`` read whatever the client sends, and a
size check after the fact comes too late: a 300 MB post has already been held in memory. So
the limit sits below the routes, as ASGI middleware that every app here installs:

- a ``Content-Length`` above the path's limit is refused with 413 before a byte is read;
- a chunked body, whose size nobody knows in advance, is counted as it streams in, and the
  read stops with 413 as soon as the count passes the limit;
- a body still arriving ``deadline_seconds`` after the request began (a client dripping
  bytes to hold a worker) is refused with 408.

Either refusal closes the connection, so the rest of the body is never read; so does any
answer given before the body was read, such as a 400 for a bad token. A handler reads its body
with ``await request.body()`` as usual and never sees more than its limit; a new POST route
gets the default limit without doing anything, and a larger one by naming its path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import anyio
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

#: Enough for every form here (one or two short fields); a route that needs more names its path.
DEFAULT_BODY_BYTES = 16 * 1024
#: How long a whole request body may take to arrive; a genuine client needs well under a second.
BODY_DEADLINE_SECONDS = 30.0
_CLOSE = (b"connection", b"close")


class BodyRefusedError(Exception):
    """Raised inside a handler's body read; the middleware answers with ``status``."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(reason)


class BodyLimit:
    """ASGI middleware bounding every request body by size (per path) and by time."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_bytes: int = DEFAULT_BODY_BYTES,
        path_bytes: Mapping[str, int] | None = None,
        deadline_seconds: float = BODY_DEADLINE_SECONDS,
    ) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.path_bytes = dict(path_bytes or {})
        """Exact request paths with a limit of their own."""
        self.deadline_seconds = deadline_seconds

    def limit_for(self, path: str) -> int:
        return self.path_bytes.get(path, self.default_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        # The server has already checked the header's syntax; only its size matters here.
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(
                scope, receive, send, BodyRefusedError(413, f"Content-Length {declared} > {limit}")
            )
            return
        has_body = "transfer-encoding" in headers or declared not in ("", "0")
        deadline = time.monotonic() + self.deadline_seconds
        bounded = _BoundedReceive(receive, limit=limit, deadline=deadline, complete=not has_body)
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not bounded.complete:
                    # Answered before the body was read (a bad token, a missing key): the server
                    # would go on reading the unread rest, at whatever pace the client likes.
                    message = {**message, "headers": [*message.get("headers", []), _CLOSE]}
            await send(message)

        try:
            await self.app(scope, bounded, tracked_send)
        except BodyRefusedError as refusal:
            if started:
                raise
            await self._refuse(scope, receive, send, refusal)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, refusal: BodyRefusedError) -> None:
        path = str(scope.get("path", ""))
        # Only a path named here is logged whole: others may carry a secret, such as a token.
        shown = path if path in self.path_bytes else "/".join(path.split("/")[:2]) + "/…"
        logger.warning("refused %s %s: %s", scope.get("method"), shown, refusal.reason)
        text = "request body too large" if refusal.status == 413 else "request body too slow"
        # Closing the connection is what stops the read: the server would otherwise go on reading
        # the rest of the body to reach the next request on the connection.
        response = PlainTextResponse(text, status_code=refusal.status, headers={"Connection": "close"})
        await response(scope, receive, send)


class _BoundedReceive:
    """The server's ``receive``, counting body bytes against a limit and a deadline."""

    def __init__(self, receive: Receive, *, limit: int, deadline: float, complete: bool) -> None:
        self.receive = receive
        self.limit = limit
        self.deadline = deadline
        self.received = 0
        self.complete = complete
        """Whether the whole body has arrived (at once for a request without one)."""

    async def __call__(self) -> Message:
        if self.complete:
            # After the body, receive only waits for the client to disconnect (a streamed
            # response listens for that), which no body deadline should cut short.
            return await self.receive()
        remaining = self.deadline - time.monotonic()
        message: Message | None = None
        if remaining > 0:
            with anyio.move_on_after(remaining):
                message = await self.receive()
        if message is None:
            raise BodyRefusedError(408, f"the body was still arriving after {self.received} bytes")
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                raise BodyRefusedError(413, f"the body passed {self.limit} bytes")
        self.complete = message["type"] != "http.request" or not message.get("more_body", False)
        return message
