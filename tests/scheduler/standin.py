"""A scheduler process whose cycle is a stand-in: it "sends" numbered batches into a table.

Run as ``standin.py serve DB_URL CRON GRACE BATCHES`` (prints ``ready`` once the scheduler
runs, exits 0 after SIGTERM) or ``standin.py race DB_URL CLOSE BATCHES GO_FILE`` (runs one
close as soon as GO_FILE exists). Each batch is one committed row
(close, holder, batch number), so a test can count what ran, where and how often.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from newsletter.errors import StopRequestedError
from newsletter.scheduler import service, timing
from newsletter.scheduler.history import Outcome, RunResult
from newsletter.store import Database

TABLE = "standin_batches"


def create_table(db: Database) -> None:
    with db.transaction() as session:
        session.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (close VARCHAR(40), holder VARCHAR(200), batch INTEGER)"
            )
        )


def batches(db: Database) -> list[tuple[str, str, int]]:
    with db.transaction() as session:
        rows = session.execute(text(f"SELECT close, holder, batch FROM {TABLE} ORDER BY batch"))
        return [(str(c), str(h), int(b)) for c, h, b in rows]


def make_cycle(db: Database, holder: str, count: int, pause: float) -> service.Cycle:
    def cycle(close: datetime, should_stop: service.ShouldStop) -> RunResult:
        # Like a real send, a resumed run continues after the last committed batch.
        done = {b for c, _, b in batches(db) if c == close.astimezone(UTC).isoformat()}
        for number in range(count):
            if number in done:
                continue
            if should_stop():
                raise StopRequestedError
            with db.transaction() as session:
                session.execute(
                    text(f"INSERT INTO {TABLE} VALUES (:c, :h, :b)"),
                    {"c": close.astimezone(UTC).isoformat(), "h": holder, "b": number},
                )
            time.sleep(pause)
        return RunResult(outcome=Outcome.SENT, detail=f"{count} batches")

    return cycle


def serve(url: str, cron: str, grace: int, count: int) -> None:
    """Run the scheduler until SIGTERM."""
    db = Database(url)
    create_table(db)
    holder = f"standin-{os.getpid()}"
    cycle = make_cycle(db, holder, count, 0.1)
    runtime = service.Runtime(db=db, trigger=timing.daily_trigger(cron, UTC), cycle=cycle, holder=holder)
    svc = service.SchedulerService(runtime, misfire_grace_seconds=grace, tick_seconds=0.5)
    service.serve(svc, ready=lambda: print("ready", flush=True))


def race(url: str, close: str, count: int, go: Path) -> None:
    """Wait for the ``go`` file, then run one close directly; print its outcome or ``declined``."""
    db = Database(url)
    holder = f"standin-{os.getpid()}"
    runtime = service.Runtime(
        db=db,
        trigger=timing.daily_trigger("0 0 * * *", UTC),
        cycle=make_cycle(db, holder, count, 0.1),
        holder=holder,
    )
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    result = service.run_close(runtime, datetime.fromisoformat(close))
    print(result.outcome.value if result else "declined", flush=True)


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    # The tick job runs every half second; its "running job" lines would drown the rest.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    mode, url = sys.argv[1], sys.argv[2]
    if mode == "serve":
        serve(url, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        race(url, sys.argv[3], int(sys.argv[4]), Path(sys.argv[5]))


if __name__ == "__main__":
    main()
