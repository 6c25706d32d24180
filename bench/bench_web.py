"""Latency of the public endpoints under a loopback load: prints p50 and p99, fails on any error.

    .venv/bin/python bench/bench_web.py [--requests 2000] [--workers 8]

A real uvicorn server on 127.0.0.1 with a SQLite store in a temporary folder; half the requests
are one-click unsubscribes, half are signed SendGrid webhook batches (each id sent twice).
"""

from __future__ import annotations

import argparse
import base64
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from newsletter.config import load_config
from newsletter.store import Database
from newsletter.store.audience import ensure_list, subscribe
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

    timings: dict[str, list[float]] = {"unsubscribe": [], "webhook": []}
    errors: list[str] = []
    with _Serving(public_app(config, db=db, signer=signer)) as base, httpx.Client(base_url=base) as client:

        def one(n: int) -> None:
            kind = "unsubscribe" if n % 2 == 0 else "webhook"
            start = time.perf_counter()
            if kind == "unsubscribe":
                response = client.post(f"/u/{tokens[n % 200]}", data={"List-Unsubscribe": "One-Click"})
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
    for kind, values in timings.items():
        cuts = statistics.quantiles(values, n=100)
        print(f"{kind:12} n={len(values):5}  p50 {cuts[49] * 1000:7.2f} ms  p99 {cuts[98] * 1000:7.2f} ms")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    return 1 if errors else 0


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
