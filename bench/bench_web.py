"""Latency of the public endpoints under a loopback load: prints p50 and p99, fails on any error.

    .venv/bin/python bench/bench_web.py [--requests 2000] [--workers 8]

A real uvicorn server on 127.0.0.1 with a SQLite store in a temporary folder; a quarter of the
requests each are one-click unsubscribes, signed SendGrid webhook batches (each id sent twice),
sign-up posts (each a new address, so each stores a sign-up and writes its confirmation email
to the outbox) and confirmations (each of its own pending sign-up, so each makes a subscriber
and writes a welcome email). The issue's target: p99 under 50 ms for the three form posts.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from newsletter.config import load_config
from newsletter.store import Database
from newsletter.store.audience import ensure_list, subscribe
from newsletter.subscribers import signup
from newsletter.unsubscribe import Signer, TokenSubject
from newsletter.web.app import public_app
from newsletter.web.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        return run(Path(folder), args.requests, args.workers)


def run(folder: Path, total: int, workers: int) -> int:
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    config = load_config(env={}).replace(
        **{
            "newsletter.data_dir": str(folder),
            "delivery.sendgrid.webhook_public_key": base64.b64encode(public).decode(),
            "newsletter.public_lists": ["brief"],
            "subscribe.ip_per_hour": 10 * total,
        }
    )
    db = Database(config.database_url)
    signer = Signer([b"bench-signing-key-0123456789abcdef"])
    with db.transaction() as session:
        brief = ensure_list(session, "brief")
        ids = [
            subscribe(session, email=f"r{n}@example.org", lists=[brief], consent_source="bench")[0].id
            for n in range(200)
        ]
    tokens = [signer.sign(TokenSubject(subscriber_id=sid, issue_id=1)) for sid in ids]
    confirms = _pending_signups(db, signer, total // 4 + 1)

    def signed(n: int) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(
            [
                {
                    "event": "open",
                    "sg_event_id": f"e{n // 2}",
                    "timestamp": 1_782_900_000,
                    "subscriber_id": str(ids[n % 200]),
                }
            ]
        ).encode()
        stamp = str(int(time.time()))
        signature = private.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return body, {SIGNATURE_HEADER: base64.b64encode(signature).decode(), TIMESTAMP_HEADER: stamp}

    timings: dict[str, list[float]] = {"unsubscribe": [], "webhook": [], "subscribe": [], "confirm": []}
    kinds = list(timings)
    errors: list[str] = []
    with _Serving(public_app(config, db=db, signer=signer)) as base, httpx.Client(base_url=base) as client:
        # One form page: its CSRF cookie stays on the client, and its token is good for every post.
        form = client.get("/subscribe")
        found = re.search(r'name="csrf" value="([^"]+)"', form.text)
        csrf = found.group(1) if found else ""

        def one(n: int) -> None:
            kind = kinds[n % 4]
            start = time.perf_counter()
            if kind == "unsubscribe":
                response = client.post(f"/u/{tokens[n % 200]}", data={"List-Unsubscribe": "One-Click"})
            elif kind == "subscribe":
                fields = {"csrf": csrf, "email": f"new{n}@example.org", "locale": "en", "list-brief": "yes"}
                response = client.post("/subscribe", data=fields)
            elif kind == "confirm":
                response = client.post(f"/subscribe/confirm/{confirms[n // 4]}", data={"confirm": "yes"})
            else:
                body, headers = signed(n)
                response = client.post("/webhooks/sendgrid", content=body, headers=headers)
            timings[kind].append(time.perf_counter() - start)
            if response.status_code != 200:
                errors.append(f"{kind}: {response.status_code}")

        began = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(one, range(total)))
        elapsed = time.perf_counter() - began
    db.dispose()
    print(f"{total} requests with {workers} workers in {elapsed:.2f} s ({total / elapsed:.0f} req/s)")
    missed = []
    for kind, values in timings.items():
        cuts = statistics.quantiles(values, n=100)
        target = f"  (target p99 < {P99_TARGET_MS} ms)" if kind in TARGETED else ""
        figures = f"p50 {cuts[49] * 1000:7.2f} ms  p99 {cuts[98] * 1000:7.2f} ms"
        print(f"{kind:12} n={len(values):5}  {figures}{target}")
        if kind in TARGETED and cuts[98] * 1000 >= P99_TARGET_MS:
            missed.append(kind)
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    if missed:
        print(f"MISSED the p99 target: {', '.join(missed)}")
    return 1 if errors or missed else 0


#: The form posts the issue gives a target: p99 under 50 ms.
TARGETED = ("subscribe", "confirm", "unsubscribe")
P99_TARGET_MS = 50


def _pending_signups(db: Database, signer: Signer, count: int) -> list[str]:
    """Confirmation tokens of ``count`` pending sign-ups, made the way a form post makes them."""
    now = datetime.now(UTC)
    with db.transaction() as session:
        tokens = []
        for n in range(count):
            email = f"pending{n}@example.org"
            wanted = signup.SignupRequest(email=email, key=email, locale="ko", lists=("brief",))
            stored = signup.request(session, wanted, now=now, confirm_hours=48, resend_minutes=10)
            assert stored is not None
            tokens.append(signup.confirmation_token(signer, stored))
        return tokens


class _Serving:
    """uvicorn on a free port of 127.0.0.1 in a background thread."""

    def __init__(self, app: object) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))  # type: ignore[arg-type]
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


if __name__ == "__main__":
    sys.exit(main())
