"""Crash safety: kill -9 a sender part-way through 20,000 recipients, resume, and count at the provider.

A killed sender's batches show as unknown in ``status`` and in the next run's report, and only a
``--resend-unknown`` after they were listed sends them again.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from newsletter.config import load_config
from newsletter.status import collect, to_json
from newsletter.store import Database
from newsletter.store.schema import Send

from .fake_sendgrid import FakeSendGrid
from .support import populate

WORKER = Path(__file__).with_name("send_worker.py")
RECIPIENTS = 20_000


def start(url: str, fake: FakeSendGrid, issue: int, *flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, fake.url, str(issue), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )


def run(url: str, fake: FakeSendGrid, issue: int, *flags: str) -> dict[str, object]:
    process = start(url, fake, issue, *flags)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    result: dict[str, object] = json.loads(out)
    return result


def kill_when(process: subprocess.Popen[str], ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        assert process.poll() is None, "the sender finished before it could be killed"
        assert time.monotonic() < deadline, "the sender never got far enough"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def shown_by_status(tmp_path: Path, url: str, issue: int) -> dict[str, Any]:
    """The issue as ``newsletter status --json`` shows it."""
    config = load_config(env={}).replace(**{"database.url": url, "newsletter.data_dir": str(tmp_path)})
    db = Database(url)
    shown = to_json(collect(config, db, datetime.now(UTC)))
    db.dispose()
    (found,) = [i for i in shown["issues"] if i["id"] == issue]  # type: ignore[attr-defined]
    return found  # type: ignore[no-any-return]


def records(db: Database, issue: int) -> dict[str, str]:
    with db.transaction() as session:
        return {
            str(sid): status
            for sid, status in session.execute(
                select(Send.subscriber_id, Send.status).where(Send.issue_id == issue)
            )
        }


@pytest.mark.slow
def test_killed_while_requests_are_in_flight_then_resumed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    db = Database(url)
    issue = populate(db, RECIPIENTS)
    # The provider accepts 30 requests, then holds the next ones without accepting them, so
    # the sender dies with requests in flight whose outcome it cannot know.
    with FakeSendGrid(hold_after=30, keep_bodies=False) as fake:
        process = start(url, fake, issue)
        kill_when(process, lambda: fake.held >= 4)
        fake.hold_after = None
        fake.release()
        accepted_before = set(fake.accepted)

        # Asked to re-send unknown batches before any was listed, it lists the dead sender's
        # batches and sends everything else, but not them.
        resumed = run(url, fake, issue, "--resend-unknown")

        unknown = {sid for sid, status in records(db, issue).items() if status == "unknown"}
        assert resumed["unknown"] == len(unknown) == 4 * 200
        assert resumed["resent_batches"] == []
        assert len(resumed["unknown_batches"]) == 4  # type: ignore[arg-type]
        assert not any(("1", sid) in fake.accepted for sid in unknown), "an unknown batch was re-sent unasked"
        assert set(fake.accepted.values()) == {1}
        assert accepted_before <= set(fake.accepted)
        shown = shown_by_status(tmp_path, url, issue)
        assert (shown["counts"]["unknown"], shown["unknown_batches"]) == (800, resumed["unknown_batches"])

        final = run(url, fake, issue, "--resend-unknown")

    assert final["sent"] == len(unknown)
    assert final["unknown"] == 0
    assert final["resent_batches"] == resumed["unknown_batches"]
    assert set(records(db, issue).values()) == {"sent"}
    assert len(fake.accepted) == RECIPIENTS
    assert set(fake.accepted.values()) == {1}, "somebody got the issue twice"
    assert fake.invalid == []


@pytest.mark.slow
def test_killed_at_a_random_moment_never_sends_twice(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    db = Database(url)
    issue = populate(db, RECIPIENTS)
    target = random.randint(5, 60)
    with FakeSendGrid(latency=0.02, keep_bodies=False) as fake:
        process = start(url, fake, issue)
        kill_when(process, lambda: fake.requests >= target)
        # What the sender left in flight is shown as unknown at once, not as pending.
        in_flight = sum(status == "claimed" for status in records(db, issue).values())
        assert shown_by_status(tmp_path, url, issue)["counts"]["unknown"] == in_flight
        run(url, fake, issue)

    final = records(db, issue)
    sent = {sid for sid, status in final.items() if status == "sent"}
    unknown = {sid for sid, status in final.items() if status == "unknown"}
    accepted = {sid for _, sid in fake.accepted}
    assert set(final.values()) <= {"sent", "unknown"}
    assert set(fake.accepted.values()) == {1}, "somebody got the issue twice"
    assert sent <= accepted, "a record says sent but the provider never accepted it"
    assert accepted - sent <= unknown, "an accepted message is neither sent nor listed as unknown"
