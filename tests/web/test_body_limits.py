"""Huge and slow request bodies against real servers: refused early, with the memory kept flat.

The memory test runs the real ``newsletter serve`` in a child process and reads its peak
resident memory (``VmHWM`` in ``/proc/<pid>/status``) before and after the attack: a size
assertion, not a timing one.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.store import Database
from newsletter.unsubscribe import Signer, TokenSubject
from newsletter.web.app import public_app
from newsletter.web.body import BodyLimit
from newsletter.web.webhook import WEBHOOK_PATH
from tests.support import state_snapshot

from .keys import WebhookKey, body_of, event
from .server import serving

SIGNING_KEY = "body-limit-tests-signing-key-0123"
MB = 1024 * 1024
ATTACK_MB = 300
#: What one refused request may add to the server's peak: the webhook's 8 MB limit, its
#: buffers, and some slack; the 300 MB body must not be in it.
ALLOWED_GROWTH_KB = 30 * 1024


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    def __init__(self, process: subprocess.Popen[bytes], port: int, key: WebhookKey) -> None:
        self.process, self.port, self.key = process, port, key

    def exchange(self, head: bytes, chunks: Iterable[bytes], *, wait: float = 30.0) -> bytes:
        """Send ``head`` then ``chunks`` until the server answers or hangs up; its first line."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=wait) as connection:
            connection.sendall(head)
            try:
                for chunk in chunks:
                    # Stop sending as soon as the answer is there, as a real client would.
                    if select.select([connection], [], [], 0)[0]:
                        break
                    connection.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            answer = b""
            while b"\r\n" not in answer:
                piece = connection.recv(4096)
                if not piece:
                    break
                answer += piece
            return answer.split(b"\r\n", 1)[0]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("serve")
    key, port = WebhookKey(), free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("NEWSLETTER_")}
    env.update(
        NEWSLETTER_NEWSLETTER__DATA_DIR=str(folder / "var"),
        NEWSLETTER_SIGNING_KEY=SIGNING_KEY,
        NEWSLETTER_DELIVERY__SENDGRID__WEBHOOK_PUBLIC_KEY=key.public_b64,
    )
    command = [sys.executable, "-m", "newsletter", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=folder)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("newsletter serve did not start") from None
                time.sleep(0.1)
        yield Served(process, port, key)
    finally:
        process.terminate()
        process.wait(timeout=10)


def megabytes(count: int) -> Iterator[bytes]:
    block = b"x" * MB
    for _ in range(count):
        yield block


def chunked(count: int) -> Iterator[bytes]:
    for block in megabytes(count):
        yield b"%x\r\n%s\r\n" % (len(block), block)
    yield b"0\r\n\r\n"


def head(path: str, *fields: str) -> bytes:
    return "\r\n".join([f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *fields, "", ""]).encode()


ATTACKS = {
    "webhook, chunked, no Content-Length": (
        head(WEBHOOK_PATH, "Transfer-Encoding: chunked"),
        lambda: chunked(ATTACK_MB),
        b"413",
    ),
    "webhook, Content-Length 300 MB": (
        head(WEBHOOK_PATH, f"Content-Length: {ATTACK_MB * MB}"),
        lambda: megabytes(ATTACK_MB),
        b"413",
    ),
    # The server reads the 1 KB it was promised (unsigned: 403) and then refuses the rest,
    # which cannot be a request.
    "webhook, Content-Length 1 KB, then 300 MB": (
        head(WEBHOOK_PATH, "Content-Length: 1024"),
        lambda: megabytes(ATTACK_MB),
        b"403",
    ),
    "unsubscribe form, chunked": (
        # A genuine token: the form is read only after the token verifies.
        head(f"/u/{Signer([SIGNING_KEY.encode()]).token(1, 1)}", "Transfer-Encoding: chunked"),
        lambda: chunked(ATTACK_MB),
        b"413",
    ),
}


@pytest.mark.parametrize(("start", "body", "status"), ATTACKS.values(), ids=ATTACKS.keys())
def test_a_300_mb_body_is_refused_without_the_server_holding_it(
    served: Served, start: bytes, body: Callable[[], Iterable[bytes]], status: bytes
) -> None:
    # A genuine batch first, so the code paths of a normal request are already in the peak.
    genuine = body_of([event("open", "warm-up")])
    headers = "".join(f"{name}: {value}\r\n" for name, value in served.key.headers(genuine).items())
    warm = head(WEBHOOK_PATH, f"Content-Length: {len(genuine)}", headers.rstrip("\r\n")) + genuine
    assert served.exchange(warm, []).startswith(b"HTTP/1.1 200 ")
    before = peak_kb(served.process.pid)

    answer = served.exchange(start, body())

    assert answer.split(b" ")[1:2] == [status], answer
    growth = peak_kb(served.process.pid) - before
    assert growth < ALLOWED_GROWTH_KB, f"peak memory grew by {growth} kB"
    assert served.process.poll() is None


@pytest.mark.parametrize(
    ("start", "first"),
    [
        pytest.param("Content-Length: 26", b"List-Unsub", id="Content-Length, part of the body"),
        pytest.param("Transfer-Encoding: chunked", b"5\r\nList-\r\n", id="chunked, one chunk"),
    ],
)
def test_a_body_dripping_past_the_deadline_gets_408_and_changes_nothing(
    config: Config, db: Database, signer: Signer, subscriber_ids: dict[str, int], start: str, first: bytes
) -> None:
    # The app's own deadline is half a minute; a tighter BodyLimit outside it makes the test quick.
    app = BodyLimit(public_app(config, db=db, signer=signer), deadline_seconds=0.5)
    token = signer.sign(TokenSubject(subscriber_id=subscriber_ids["en"], issue_id=1))
    before = state_snapshot(config.data_dir, db=db)
    with serving(app) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            kind = "Content-Type: application/x-www-form-urlencoded"
            connection.sendall(head(f"/u/{token}", start, kind) + first)
            # The rest never comes; the server must answer without it.
            answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]
    assert state_snapshot(config.data_dir, db=db) == before


def test_the_deadline_ends_with_the_body(config: Config) -> None:
    """A handler may go on listening for the client after its body arrived (a streamed
    response does): the body's deadline no longer applies then."""

    async def slow(request: Request) -> Response:
        body = await request.body()
        await anyio.sleep(0.5)
        return PlainTextResponse(f"{len(body)} {await request.is_disconnected()}")

    app = BodyLimit(Starlette(routes=[Route("/", slow, methods=["POST"])]), deadline_seconds=0.2)
    response = TestClient(app).post("/", content=b"12345")
    assert (response.status_code, response.text) == (200, "5 False")


def test_an_answer_before_the_body_closes_the_connection(
    config: Config, db: Database, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    """A bad token is refused before the form is read; the server must then hang up rather
    than wait for the promised rest of the body, which this client never sends."""
    before = state_snapshot(config.data_dir, db=db)
    with serving(public_app(config, db=db, signer=signer)) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(head("/u/not-a-token", "Content-Length: 1000") + b"List-Unsub")
            answer = b""
            while piece := connection.recv(65536):
                answer += piece
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:80]
    assert b"\r\nconnection: close\r\n" in answer.lower()
    assert state_snapshot(config.data_dir, db=db) == before
