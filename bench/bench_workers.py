"""Throughput of send workers sharing one issue on PostgreSQL, through the outbox backend.

Queues N recipients with a bulk insert, then runs 1 and 3 worker processes (tests/workers/process.py)
and prints messages per second overall and per worker. The outbox writes one .eml per
recipient, so this measures the store's claim/record cost plus MIME building, not a provider.

    python bench/bench_workers.py [N]     (NEWSLETTER_TEST_POSTGRES_URL or 127.0.0.1:5432)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from sqlalchemy import insert

from newsletter.store import Database
from newsletter.store.schema import Issue, Send, Subscriber

ROOT = Path(__file__).parents[1]
PROCESS = ROOT / "tests" / "workers" / "process.py"
ADMIN = os.environ.get("NEWSLETTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def populate(db: Database, count: int) -> int:
    now = datetime.now(UTC)
    with db.transaction() as session:
        session.execute(
            insert(Subscriber),
            [
                {"email": f"r{n}@example.org", "email_key": f"r{n}@example.org", "locale": "en"}
                for n in range(count)
            ],
        )
        issue = Issue(issue_date=date(2026, 3, 9), window_start=now.replace(year=2025), window_end=now)
        session.add(issue)
        session.flush()
        ids = range(1, count + 1)
        session.execute(
            insert(Send), [{"issue_id": issue.id, "subscriber_id": i, "locale": "en"} for i in ids]
        )
        return issue.id


def run(url: str, workers: int, count: int) -> float:
    db = Database(url)
    issue_id = populate(db, count) if workers == 1 else populate_again(db, count)
    folder = Path(tempfile.mkdtemp())
    go = folder / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(PROCESS), url, str(issue_id), str(folder / "outbox"), f"w{n}", str(go)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(workers)
    ]
    for proc in procs:
        assert proc.stdout is not None
        proc.stdout.readline()
    start = time.perf_counter()
    go.touch()
    for proc in procs:
        proc.communicate()
    elapsed = time.perf_counter() - start
    db.dispose()
    return elapsed


def populate_again(db: Database, count: int) -> int:
    """A second issue for the same subscribers."""
    now = datetime.now(UTC)
    with db.transaction() as session:
        issue = Issue(issue_date=date(2026, 3, 10), window_start=now.replace(year=2024), window_end=now)
        session.add(issue)
        session.flush()
        rows = [{"issue_id": issue.id, "subscriber_id": i, "locale": "en"} for i in range(1, count + 1)]
        session.execute(insert(Send), rows)
        return issue.id


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rpartition("/")[0] + "/" + name
    try:
        for workers in (1, 3):
            elapsed = run(url, workers, count)
            rate = count / elapsed
            print(
                f"{workers} worker(s), {count} recipients: {elapsed:.1f} s, "
                f"{rate:,.0f} messages/s overall, {rate / workers:,.0f} per worker"
            )
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
