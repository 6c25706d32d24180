"""Three send-worker processes share one issue's batches on PostgreSQL: everyone is sent exactly once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from newsletter import pipeline
from newsletter.config import load_config
from newsletter.demo import data_file
from newsletter.store import Database, audience
from newsletter.store import sends as send_records
from newsletter.store.schema import Batch, Issue, Send, SendStatus
from newsletter.testing.replay import ArxivReplayServer

PROCESS = Path(__file__).parent / "workers" / "process.py"
ROOT = Path(__file__).parents[1]
RECIPIENTS = 3000


def populate(db: Database, count: int) -> int:
    """An issue with ``count`` subscribers queued in two locales; returns its id."""
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        for n in range(count):
            locale = "ko" if n % 3 == 0 else "en"
            audience.subscribe(
                session, email=f"reader{n}@example.org", locale=locale, lists=[brief], consent_source="test"
            )
        close = datetime(2026, 3, 9, tzinfo=UTC)
        issue = Issue(issue_date=date(2026, 3, 9), window_start=close.replace(day=8), window_end=close)
        session.add(issue)
        session.flush()
        send_records.queue(session, issue.id, audience.members_query([brief.id]), str)
        return issue.id


def test_three_worker_processes_send_everyone_exactly_once(postgres_url: str, tmp_path: Path) -> None:
    db = Database(postgres_url)
    issue_id = populate(db, RECIPIENTS)
    go, outbox = tmp_path / "go", tmp_path / "outbox"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, str(PROCESS), postgres_url, str(issue_id), str(outbox), f"worker-{n}", str(go)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(3)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        go.touch()
        reports = [json.loads(worker.communicate(timeout=300)[0]) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert [worker.returncode for worker in workers] == [0, 0, 0]

    files = Counter(path.name.split("-", 1)[0] for path in (outbox / f"issue-{issue_id}").glob("*.eml"))
    with db.transaction() as session:
        sends = session.scalars(select(Send).where(Send.issue_id == issue_id)).all()
        claimed_by = Counter(session.scalars(select(Batch.claimed_by).where(Batch.issue_id == issue_id)))
    # One message file and one sent record per recipient; nobody twice, nobody missed.
    assert len(files) == RECIPIENTS
    assert set(files.values()) == {1}
    assert {s.status for s in sends} == {SendStatus.SENT.value}
    assert sorted(f"{s.subscriber_id:06d}" for s in sends) == sorted(files)
    assert sum(report["sent"] for report in reports) == RECIPIENTS
    # The workers really shared the issue: at least two of them claimed batches.
    assert len(claimed_by) >= 2
    db.dispose()


def test_three_newsletter_send_worker_commands_share_a_real_issue(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real command on the real pipeline: a drafted issue, its lists, the outbox backend."""
    data = tmp_path / "var"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSLETTER_")},
        "NEWSLETTER_DATABASE__URL": postgres_url,
        "NEWSLETTER_NEWSLETTER__DATA_DIR": str(data),
        "NEWSLETTER_SIGNING_KEY": "w" * 32,
    }
    for name, value in env.items():
        if name.startswith("NEWSLETTER_"):
            monkeypatch.setenv(name, value)
    db = Database(postgres_url)
    with ArxivReplayServer(data_file("arxiv/2026-07-01.atom.xml")) as server:
        app = pipeline.App(
            load_config(env={}).replace(
                **{
                    "database.url": postgres_url,
                    "newsletter.data_dir": str(data),
                    "arxiv.base_url": server.url,
                }
            )
        )
        draft = pipeline.build_draft(app, datetime(2026, 7, 1, 9, tzinfo=UTC))
    populate_list(db, 1500)
    command = [str(Path(sys.executable).with_name("newsletter")), "send", str(draft.issue_id), "--worker"]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ]
    workers += [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0], outputs
    # What each command says it sent adds up to the list: no recipient went out twice.
    runs = [re.search(r"This run: (\d+) sent", output) for output in outputs]
    assert all(runs), outputs
    assert sum(int(run.group(1)) for run in runs if run) == 1500
    files = list((data / "outbox" / f"issue-{draft.issue_id}").glob("*.eml"))
    with db.transaction() as session:
        statuses = Counter(session.scalars(select(Send.status).where(Send.issue_id == draft.issue_id)))
    assert statuses == {SendStatus.SENT.value: 1500}
    assert len(files) == 1500
    assert len({path.name for path in files}) == 1500
    db.dispose()


def populate_list(db: Database, count: int) -> None:
    with db.transaction() as session:
        # The list a drafted issue goes to by default (newsletter.lists).
        brief = audience.ensure_list(session, "research-brief")
        for n in range(count):
            audience.subscribe(
                session,
                email=f"cli{n}@example.org",
                locale=("ko", "en")[n % 2],
                lists=[brief],
                consent_source="test",
            )
