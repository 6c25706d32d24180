"""A fake SendGrid v3 Mail Send API on 127.0.0.1, built from SendGrid's own OpenAPI description.

Each request body is validated against the description's request-body schema (with jsonschema)
plus the rules its prose states (text/plain content first, at most 1,000 recipients, string
header and custom-arg values); a body that breaks them gets SendGrid's 400 error shape and is
remembered in ``invalid``. Faults can be queued with :meth:`FakeSendGrid.inject`: ``429`` (with
``X-RateLimit-Reset``), any 4xx/5xx status, ``timeout`` (no reply within the client's timeout)
and ``reset`` (the connection is dropped with a TCP reset). None of those accept the mail.

Use it in-process (``with FakeSendGrid() as fake: …``) or as a script for another process::

    python tests/delivery/fake_sendgrid.py --latency 0.02 --validate-every 10 --log accepted.txt

which prints ``port=<n>`` once it listens, and appends ``issue subscriber email`` per accepted
personalization to the log.
"""

from __future__ import annotations

import argparse
import json
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema

SPEC = Path(__file__).with_name("tsg_mail_v3.json")
API_KEY = "SG.test-key"


def request_validator() -> jsonschema.Draft202012Validator:
    """A validator for the Mail Send request body, with the spec's components for ``$ref``."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    body = spec["components"]["requestBodies"]["PostMailSend"]["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator(
        {"components": spec["components"], **body}, format_checker=jsonschema.FormatChecker()
    )


RESERVED_HEADERS = frozenset({"to", "from", "subject", "reply-to", "cc", "bcc", "content-type"})
SUBSTITUTIONS_LIMIT = 10_000
"""Bytes of JSON one personalization's substitutions may take."""


def prose_rules(body: dict[str, Any]) -> list[str]:
    """The rules the spec states in words rather than in its schema."""
    problems = []
    content = body.get("content") or []
    types = [part.get("type") for part in content]
    if "text/plain" in types and types[0] != "text/plain":
        problems.append("content: text/plain must be the first content type")
    people = body.get("personalizations") or []
    if sum(len(p.get("to", [])) + len(p.get("cc", [])) + len(p.get("bcc", [])) for p in people) > 1000:
        problems.append("personalizations: at most 1000 recipients per request")
    for index, person in enumerate(people):
        for key in ("headers", "custom_args", "substitutions"):
            values = person.get(key) or {}
            if not all(isinstance(v, str) for v in values.values()):
                problems.append(f"personalizations.{index}.{key}: values must be strings")
        if _too_large(person.get("substitutions") or {}):
            problems.append(f"personalizations.{index}.substitutions: over 10,000 bytes")
        if not RESERVED_HEADERS.isdisjoint(name.lower() for name in person.get("headers") or {}):
            problems.append(f"personalizations.{index}.headers: a reserved header is set")
    return problems


def _too_large(substitutions: dict[str, Any]) -> bool:
    """Whether ``substitutions`` take more than the limit in JSON.

    Encoding every personalization of every request was most of this server's work. No
    character takes more than 12 bytes of JSON (a surrogate pair as two \\u escapes), so a
    bound under the limit settles it without encoding.
    """
    chars = sum(len(str(k)) + len(str(v)) for k, v in substitutions.items())
    if 12 * chars + 6 * len(substitutions) + 2 <= SUBSTITUTIONS_LIMIT:
        return False
    return len(json.dumps(substitutions).encode()) > SUBSTITUTIONS_LIMIT


@dataclass(frozen=True, slots=True)
class Delivery:
    """One personalization SendGrid accepted, with its substitutions applied as SendGrid would."""

    email: str
    subscriber_id: str
    issue_id: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    categories: tuple[str, ...]
    name: str = ""
    sender: str = ""
    """The From address as a mail client shows it: ``Name <address>``."""


@dataclass
class FakeSendGrid:
    latency: float = 0.0
    """Seconds every reply is delayed, after the mail is accepted."""
    validate_every: int = 1
    """Validate every n-th body against the full schema (1: all of them); the prose rules always."""
    keep_bodies: bool = True
    """Keep accepted bodies for :meth:`deliveries`; the benchmark turns it off to stay small."""
    log_path: Path | None = None
    api_key: str = API_KEY
    hold_after: int | None = None
    """Accept this many requests, then hold every later one (unaccepted) until :meth:`release`."""
    accepted: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(issue id, subscriber id) → how many times a personalization for it was accepted."""
    requests: int = 0
    invalid: list[str] = field(default_factory=list)
    held: int = 0
    _bodies: list[dict[str, Any]] = field(default_factory=list)
    _faults: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    _open: threading.Event = field(default_factory=lambda: _set(threading.Event()))
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def inject(self, fault: str, times: int = 1, **options: Any) -> None:
        """Answer the next ``times`` requests with ``fault`` ("429", "500", "timeout", "reset" …)."""
        with self._lock:
            self._faults.extend([(fault, options)] * times)

    def release(self) -> None:
        self._release.set()

    def pause(self) -> None:
        """Keep every valid request from now on waiting, not yet accepted, until :meth:`resume`."""
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    def deliveries(self) -> list[Delivery]:
        with self._lock:
            bodies = list(self._bodies)
        return [delivery for body in bodies for delivery in _expand(body)]

    def start(self) -> FakeSendGrid:
        self._validator = request_validator()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.request_queue_size = 64
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._open.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeSendGrid:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests += 1
            number = self.requests
            fault = self._faults.pop(0) if self._faults else None
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        if handler.path != "/v3/mail/send":
            return _reply(handler, 404, [{"message": "not found", "field": None}])
        if handler.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _reply(
                handler, 401, [{"message": "The provided authorization grant is invalid", "field": None}]
            )
        if fault is not None:
            return self._fault(handler, *fault)
        try:
            body = json.loads(raw)
        except ValueError:
            return _reply(handler, 400, [{"message": "Bad Request", "field": None}])
        problems = prose_rules(body)
        if (number - 1) % self.validate_every == 0:
            problems += [
                f"{'.'.join(map(str, e.absolute_path)) or 'body'}: {e.message}"
                for e in self._validator.iter_errors(body)
            ]
        if problems:
            with self._lock:
                self.invalid.extend(problems)
            return _reply(handler, 400, [{"message": p, "field": None} for p in problems[:5]])
        if self.hold_after is not None and number > self.hold_after:
            with self._lock:
                self.held += 1
            self._release.wait()
            return _reply(handler, 503, [{"message": "held", "field": None}])
        self._open.wait()
        self._accept(body)
        time.sleep(self.latency)
        return _reply(handler, 202, None)

    def _accept(self, body: dict[str, Any]) -> None:
        people = body["personalizations"]
        args = [p.get("custom_args", {}) for p in people]
        keys = [(a.get("issue_id", ""), a.get("subscriber_id", "")) for a in args]
        with self._lock:
            self.accepted.update(keys)
            if self.keep_bodies:
                self._bodies.append(body)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(
                        "".join(
                            f"{i} {s} {p['to'][0]['email']}\n" for (i, s), p in zip(keys, people, strict=True)
                        )
                    )

    def _fault(self, handler: BaseHTTPRequestHandler, fault: str, options: dict[str, Any]) -> None:
        if fault == "timeout":
            time.sleep(options.get("seconds", 2.0))
            return _reply(handler, 503, [{"message": "too late", "field": None}])
        if fault == "reset":
            # SO_LINGER with a zero timeout makes close() send a TCP reset instead of a FIN.
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
            handler.close_connection = True
            return None
        status = int(fault)
        headers = {}
        if status == 429:
            headers["X-RateLimit-Reset"] = str(int(time.time()) + options.get("reset_in", 1))
            headers["X-RateLimit-Limit"] = "600"
            headers["X-RateLimit-Remaining"] = "0"
        message = options.get(
            "message", {400: "Bad Request", 413: "content too large"}.get(status, f"error {status}")
        )
        return _reply(handler, status, [{"message": message, "field": options.get("field")}], headers)


def _set(event: threading.Event) -> threading.Event:
    event.set()
    return event


def _expand(body: dict[str, Any]) -> Iterator[Delivery]:
    content = {part["type"]: part["value"] for part in body["content"]}
    for person in body["personalizations"]:
        text, html, subject = (
            content.get("text/plain", ""),
            content.get("text/html", ""),
            body.get("subject", ""),
        )
        for tag, value in (person.get("substitutions") or {}).items():
            text, html, subject = (
                text.replace(tag, value),
                html.replace(tag, value),
                subject.replace(tag, value),
            )
        args = person.get("custom_args") or {}
        to, sender = person["to"][0], body["from"]
        yield Delivery(
            email=to["email"],
            name=to.get("name", ""),
            subscriber_id=args.get("subscriber_id", ""),
            issue_id=args.get("issue_id", ""),
            subject=subject,
            text=text,
            html=html,
            headers=dict(person.get("headers") or {}),
            categories=tuple(body.get("categories") or ()),
            sender=f"{sender['name']} <{sender['email']}>" if sender.get("name") else sender["email"],
        )


def _reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    errors: list[dict[str, Any]] | None,
    headers: dict[str, str] | None = None,
) -> None:
    payload = json.dumps({"errors": errors}).encode() if errors is not None else b""
    try:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
    except OSError:
        # The client gave up (a timeout test, or a killed sender): nothing to tell it.
        pass


def _handler(fake: FakeSendGrid) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            fake.handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--validate-every", type=int, default=1)
    parser.add_argument("--log", type=Path, default=None)
    parser.add_argument("--hold-after", type=int, default=None)
    args = parser.parse_args()
    fake = FakeSendGrid(
        latency=args.latency,
        validate_every=args.validate_every,
        keep_bodies=False,
        log_path=args.log,
        hold_after=args.hold_after,
    ).start()
    print(f"port={fake.url.rsplit(':', 1)[1]}", flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "stats":
                print(
                    json.dumps(
                        {
                            "requests": fake.requests,
                            "accepted": sum(fake.accepted.values()),
                            "distinct": len(fake.accepted),
                            "invalid": len(fake.invalid),
                            "held": fake.held,
                        }
                    ),
                    flush=True,
                )
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
