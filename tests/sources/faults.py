"""Scripted faults for the arXiv replay: an HTTP status with headers and body, a malformed or
short feed, a hang, a TCP reset, an answer dripped a byte at a time.

``with FaultyReplayServer(feed) as server: server.script(Fault(status=503), after=1)`` serves
one normal answer, then the faults in order, then normal answers again.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from newsletter.testing.replay import ArxivReplayServer, Entry


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    """One scripted answer: a status with body and headers, a hang, or a dropped connection."""

    status: int = 503
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang_seconds: float = 0.0
    """Sleep this long before answering (longer than the client's timeout: a hung server)."""
    reset: bool = False
    """Close the connection without answering."""
    drip_seconds: float = 0.0
    """Send the body one byte at a time, this long apart (a server that never quite stops)."""
    drip_head: bool = False
    """With ``drip_seconds``, drip the status line and headers too."""


class FaultyReplayServer(ArxivReplayServer):
    """The replay server, with faults that tests script before or while the client asks."""

    def __init__(self, *feeds: Path, entries: Sequence[Entry] = ()) -> None:
        super().__init__(*feeds, entries=entries)
        self._faults: list[Fault] = []
        self._normal_before_faults = 0
        self._script_lock = threading.Lock()

    def script(self, *faults: Fault, after: int = 0) -> None:
        """Serve these answers, in order, once ``after`` more normal answers have been served."""
        with self._script_lock:
            self._faults.extend(faults)
            self._normal_before_faults = after

    def intercept(self, request: BaseHTTPRequestHandler) -> bool:
        fault = self._next_fault()
        if fault is None:
            return False
        _serve(request, fault)
        return True

    def _next_fault(self) -> Fault | None:
        with self._script_lock:
            if not self._faults:
                return None
            if self._normal_before_faults > 0:
                self._normal_before_faults -= 1
                return None
            return self._faults.pop(0)


def _serve(request: BaseHTTPRequestHandler, fault: Fault) -> None:
    if fault.hang_seconds:
        time.sleep(fault.hang_seconds)
    if fault.reset:
        # Linger 0 makes close() send a TCP reset, as a crashed proxy does.
        request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        request.connection.close()
        request.close_connection = True
        return
    headers = {"Content-Type": "text/html", **fault.headers}
    if fault.drip_seconds:
        _drip(request, fault, headers)
        return
    request.send_response(fault.status)
    for name, value in headers.items():
        request.send_header(name, value)
    request.send_header("Content-Length", str(len(fault.body)))
    request.end_headers()
    try:
        request.wfile.write(fault.body)
    except (BrokenPipeError, ConnectionResetError):
        # The client gave up (a timeout under test): nothing is left to answer.
        return


def _drip(request: BaseHTTPRequestHandler, fault: Fault, headers: dict[str, Any]) -> None:
    fields = [*(f"{name}: {value}" for name, value in headers.items()), f"Content-Length: {len(fault.body)}"]
    head = "\r\n".join([f"{request.protocol_version} {fault.status} OK", *fields, "", ""]).encode()
    dripped = head + fault.body if fault.drip_head else fault.body
    request.close_connection = True
    try:
        if not fault.drip_head:
            request.wfile.write(head)
        for at in range(len(dripped)):
            request.wfile.write(dripped[at : at + 1])
            time.sleep(fault.drip_seconds)
    except OSError:
        # The client gave up, as it should: nothing is left to answer.
        return
