"""Delivery throughput and memory: the batched, concurrent SendGrid path against a naive loop.

Both talk to the fake SendGrid (tests/delivery/fake_sendgrid.py) in its own process on
127.0.0.1, with 20 ms of latency per request. The batched path runs end to end from the
store: queue the send records, claim, personalize, send, record. It runs at several list
sizes, each in a fresh process, so each peak RSS belongs to that size alone. The naive loop
renders the email and makes one request per recipient, as single-user digest tools do.

Each size runs three times on a fresh store. The machines are shared, and other work only
ever slows a run down, so the fastest run is the figure (as ``timeit`` reports its best) and
every run is printed beside it; the peak memory is the largest of the three.

Targets: ≥ 20,000 recipients/s at 100,000 subscribers, ≥ 100× the naive loop, and peak memory
that stays flat as the list grows (the largest run within 1.5× of the smallest).
Exits non-zero when a target is missed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "delivery"))
sys.path.insert(0, str(ROOT))

import jinja2  # noqa: E402
from sendgrid import SendGridAPIClient  # noqa: E402
from sqlalchemy import select  # noqa: E402
from support import campaign, person, personalizer, populate  # noqa: E402

from newsletter.delivery.dispatch import dispatch  # noqa: E402
from newsletter.delivery.sendgrid import SendGridBackend, request_body  # noqa: E402
from newsletter.store import Database  # noqa: E402
from newsletter.store import sends as send_records  # noqa: E402
from newsletter.store.schema import Subscriber  # noqa: E402

LATENCY = 0.02
SIZES = (25_000, 50_000, 100_000)
REPEATS = 3
NAIVE = 2_000
KEY = "SG.test-key"
CATEGORIES = ("newsletter", "daily")
"""What every request is filed under, as a configured `delivery.sendgrid.categories` would."""


def start_fake() -> tuple[subprocess.Popen[str], str]:
    fake = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests/delivery/fake_sendgrid.py"),
            "--latency",
            str(LATENCY),
            "--validate-every",
            "25",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert fake.stdout is not None
    port = fake.stdout.readline().strip().removeprefix("port=")
    return fake, f"http://127.0.0.1:{port}"


def fake_stats(fake: subprocess.Popen[str]) -> dict[str, int]:
    assert fake.stdin is not None
    assert fake.stdout is not None
    fake.stdin.write("stats\n")
    fake.stdin.flush()
    stats: dict[str, int] = json.loads(fake.stdout.readline())
    return stats


def batched(size: int, host: str) -> dict[str, float]:
    """In a child process: queue and send one issue to ``size`` subscribers; rate and peak RSS."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        issue = populate(Database(url), size, queue=False)
        child = subprocess.run(
            [sys.executable, __file__, "--child", url, host, str(issue)],
            capture_output=True,
            text=True,
            check=True,
        )
    figures: dict[str, float] = json.loads(child.stdout)
    return figures


def fastest(runs: list[dict[str, float]]) -> dict[str, float]:
    """The fastest run's figures, with the largest peak memory of all the runs."""
    best = max(runs, key=lambda run: run["rate"])
    return {**best, "peak_mb": max(run["peak_mb"] for run in runs)}


def child(url: str, host: str, issue: int) -> None:
    db = Database(url)
    started = time.perf_counter()
    with db.transaction() as session:
        send_records.queue(session, issue, select(Subscriber.id), str)
    backend = SendGridBackend(
        KEY, api_host=host, batch_size=1000, concurrency=8, timeout_seconds=30, categories=CATEGORIES
    )
    report = dispatch(
        db, backend, issue, lambda locale: campaign(locale, issue), personalizer(issue), worker="bench"
    )
    elapsed = time.perf_counter() - started
    peak_mb = own_peak_rss_mb()
    print(
        json.dumps(
            {"sent": report.sent, "seconds": elapsed, "rate": report.sent / elapsed, "peak_mb": peak_mb}
        )
    )


def own_peak_rss_mb() -> float:
    """This process's peak resident memory, without its parent's.

    Not ``ru_maxrss``: Linux carries a process's peak across fork and exec, so in a child it
    reports the parent's peak when that is larger, here the benchmark's own memory after
    populating the store, which grows with the list. VmHWM is the peak of this program alone
    (Linux, as every figure here assumes).
    """
    with open("/proc/self/status", encoding="ascii") as status:
        (line,) = (line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def naive(host: str) -> float:
    """Render the email and make one request per recipient, one after another."""
    client = SendGridAPIClient(KEY, host=host).client
    template = jinja2.Template("<html><body>{{ body }}<a href='{{ url }}'>unsubscribe</a></body></html>")
    email = campaign("en").email
    started = time.perf_counter()
    for n in range(NAIVE):
        one = person(n, f"naive{n}@example.net")
        html = template.render(body=email.html, url=one.values["%%unsubscribe_url%%"])
        body = request_body(campaign("en"), [one], categories=CATEGORIES)
        body["content"][1]["value"] = html
        client.mail.send.post(request_body=body, timeout=30)
    return NAIVE / (time.perf_counter() - started)


def main() -> int:
    fake, host = start_fake()
    try:
        runs = {size: [batched(size, host) for _ in range(REPEATS)] for size in SIZES}
        naive_rate = naive(host)
        stats = fake_stats(fake)
    finally:
        fake.terminate()
    results = {size: fastest(figures) for size, figures in runs.items()}
    for size, figures in results.items():
        every = ", ".join(f"{run['rate']:,.0f}" for run in runs[size])
        print(
            f"batched  {size:>7,} recipients: {figures['rate']:>9,.0f} recipients/s "
            f"({figures['seconds']:.2f} s; runs {every}), peak RSS {figures['peak_mb']:.0f} MB"
        )
    largest, smallest = results[SIZES[-1]], results[SIZES[0]]
    speedup = largest["rate"] / naive_rate
    print(f"naive    {NAIVE:>7,} recipients: {naive_rate:>9,.0f} recipients/s (one rendered request each)")
    growth = largest["peak_mb"] / smallest["peak_mb"]
    print(f"speed-up {speedup:,.0f}×; peak memory {growth:.2f}× from {SIZES[0]:,} to {SIZES[-1]:,}")
    requests, accepted, invalid = stats["requests"], stats["accepted"], stats["invalid"]
    print(f"fake SendGrid: {requests} requests, {accepted} accepted, {invalid} invalid")
    missed = []
    if largest["rate"] < 20_000:
        missed.append("≥ 20,000 recipients/s")
    if speedup < 100:
        missed.append("≥ 100× the naive loop")
    if largest["peak_mb"] > 1.5 * smallest["peak_mb"]:
        missed.append("flat memory")
    if stats["invalid"] or any(run["sent"] != size for size in SIZES for run in runs[size]):
        missed.append("every recipient accepted with a valid body")
    for target in missed:
        print(f"MISSED: {target}")
    return 1 if missed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(main())
