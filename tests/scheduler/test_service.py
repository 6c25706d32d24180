"""The scheduler process: start-up after downtime, two processes by mistake, and a clean stop.

The cycle is a stand-in (tests/scheduler/standin.py) that commits numbered batches, so these
tests see exactly which process ran which close, how often, and where a stop left off.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from newsletter.scheduler import history, service, timing
from newsletter.scheduler.history import DAILY_JOB, Outcome, RunResult
from newsletter.store import Database
from newsletter.store.schema import ScheduledRun
from tests.scheduler import standin

STANDIN = Path(standin.__file__)
ROOT = STANDIN.parents[2]


def overdue_close(minutes: int) -> tuple[datetime, str]:
    """A close ``minutes`` ago (whole minutes, UTC) and the daily cron that fires at it."""
    close = (datetime.now(UTC) - timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    return close, f"{close.minute} {close.hour} * * *"


def seed_overdue_job(db: Database, cron: str, close: datetime, grace: int) -> None:
    """Leave the daily job in the store as a machine that was down at ``close`` would."""
    # Written to the job store directly: a running scheduler would act on it at once.
    scheduler = BackgroundScheduler(timezone=UTC)
    store = SQLAlchemyJobStore(engine=db.engine, tablename=service.JOBS_TABLE)
    store.start(scheduler, "default")
    job = Job(
        scheduler,
        id=DAILY_JOB,
        func=service.daily_job,
        args=(),
        kwargs={},
        trigger=timing.daily_trigger(cron, UTC),
        executor="default",
        name=DAILY_JOB,
        misfire_grace_time=grace,
        coalesce=True,
        max_instances=1,
        next_run_time=close,
    )
    store.add_job(job)


def run_of(db: Database, close: datetime) -> ScheduledRun | None:
    with db.transaction() as session:
        return history.find(session, DAILY_JOB, close)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


class Processes:
    """Stand-in scheduler processes, each logging to its own file; all stopped at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.running: list[tuple[subprocess.Popen[str], Path]] = []

    def start(self, *args: object) -> tuple[subprocess.Popen[str], Path]:
        log = self.tmp_path / f"scheduler-{len(self.running)}.log"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with log.open("w") as err:
            process = subprocess.Popen(
                [sys.executable, str(STANDIN), *map(str, args)],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                env=env,
            )
        self.running.append((process, log))
        return process, log

    def wait_ready(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"

    def stop(self, process: subprocess.Popen[str]) -> int:
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=60)

    def close(self) -> None:
        for process, _ in self.running:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    group = Processes(tmp_path)
    yield group
    group.close()


def test_two_processes_run_a_close_once(db: Database, db_url: str, processes: Processes) -> None:
    close, cron = overdue_close(10)
    standin.create_table(db)
    seed_overdue_job(db, cron, close, grace=3600)
    started = [processes.start("serve", db_url, cron, 3600, 10) for _ in range(2)]
    for process, _ in started:
        processes.wait_ready(process)
    wait_for(lambda: (r := run_of(db, close)) is not None and r.outcome == Outcome.SENT, "the run to finish")
    # Whether the second process saw the job due (and declined it) or found it already
    # rescheduled depends on timing; test_two_processes_racing_for_a_close forces the race.
    for process, _ in started:
        assert processes.stop(process) == 0
    rows = [row for row in standin.batches(db) if row[0] == close.isoformat()]
    assert sorted(batch for _, _, batch in rows) == list(range(10))
    assert len({holder for _, holder, _ in rows}) == 1


def test_two_processes_racing_for_a_close_run_it_once(
    db: Database, db_url: str, processes: Processes, tmp_path: Path
) -> None:
    close = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    standin.create_table(db)
    go = tmp_path / "go"
    racers = [processes.start("race", db_url, close.isoformat(), 10, go)[0] for _ in range(2)]
    for process in racers:
        processes.wait_ready(process)
    go.touch()
    outcomes = sorted(process.communicate(timeout=60)[0].strip() for process in racers)
    assert outcomes == ["declined", "sent"]
    rows = standin.batches(db)
    assert sorted(batch for _, _, batch in rows) == list(range(10))
    assert len({holder for _, holder, _ in rows}) == 1


def test_a_close_missed_beyond_the_grace_period_is_recorded_not_run(
    db: Database, db_url: str, processes: Processes
) -> None:
    close, cron = overdue_close(10)
    standin.create_table(db)
    seed_overdue_job(db, cron, close, grace=60)
    process, _ = processes.start("serve", db_url, cron, 60, 3)
    processes.wait_ready(process)
    wait_for(lambda: run_of(db, close) is not None, "the miss to be recorded")
    assert processes.stop(process) == 0
    run = run_of(db, close)
    assert run is not None
    assert run.outcome == Outcome.MISSED
    assert "grace" in run.detail
    assert standin.batches(db) == []


def test_sigterm_stops_between_batches_and_the_next_start_resumes(
    db: Database, db_url: str, processes: Processes
) -> None:
    close, cron = overdue_close(5)
    standin.create_table(db)
    seed_overdue_job(db, cron, close, grace=3600)
    first, _ = processes.start("serve", db_url, cron, 3600, 40)
    processes.wait_ready(first)
    wait_for(lambda: len(standin.batches(db)) >= 3, "a few batches")
    assert processes.stop(first) == 0
    stopped = run_of(db, close)
    assert stopped is not None
    assert stopped.outcome == Outcome.STOPPED
    done_before_restart = len(standin.batches(db))
    assert done_before_restart < 40

    second, _ = processes.start("serve", db_url, cron, 3600, 40)
    processes.wait_ready(second)
    wait_for(lambda: (r := run_of(db, close)) is not None and r.outcome == Outcome.SENT, "the resumed run")
    assert processes.stop(second) == 0
    assert sorted(batch for _, _, batch in standin.batches(db)) == list(range(40))


def test_a_finished_close_is_not_run_again(db: Database) -> None:
    calls: list[datetime] = []

    def cycle(close: datetime, should_stop: service.ShouldStop) -> RunResult:
        calls.append(close)
        return RunResult(outcome=Outcome.SKIPPED, detail="empty window")

    runtime = service.Runtime(db=db, trigger=timing.daily_trigger("0 0 * * *", UTC), cycle=cycle)
    close = datetime(2026, 3, 7, tzinfo=UTC)
    first = service.run_close(runtime, close)
    second = service.run_close(runtime, close)
    assert first is not None
    assert first.outcome == Outcome.SKIPPED
    assert second is None
    assert calls == [close]


def test_a_failing_cycle_is_recorded_as_failed_and_may_run_again(db: Database) -> None:
    attempts: list[int] = []

    def cycle(close: datetime, should_stop: service.ShouldStop) -> RunResult:
        attempts.append(1)
        if len(attempts) == 1:
            from newsletter.errors import SourceError

            raise SourceError("arXiv answered 503 five times")
        return RunResult(outcome=Outcome.SENT)

    runtime = service.Runtime(db=db, trigger=timing.daily_trigger("0 0 * * *", UTC), cycle=cycle)
    close = datetime(2026, 3, 9, tzinfo=UTC)
    failed = service.run_close(runtime, close)
    assert failed is not None
    assert failed.outcome == Outcome.FAILED
    assert "503" in failed.detail
    retried = service.run_close(runtime, close)
    assert retried is not None
    assert retried.outcome == Outcome.SENT
