"""Two real ``newsletter send`` processes on one issue, as a cron job and an operator start them:
nobody is mailed twice and no batch of the live run becomes unknown (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from newsletter.store.schema import Batch, Issue, Send

from .drafted import SIGNING_KEY, database, drafted_issue, write_config
from .fake_sendgrid import API_KEY, FakeSendGrid

PEOPLE = 240
NEWSLETTER = str(Path(sys.executable).with_name("newsletter"))


def start(config: Path, fake: FakeSendGrid, *args: str) -> subprocess.Popen[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSLETTER_")},
        "NEWSLETTER_CONFIG": str(config),
        "NEWSLETTER_SIGNING_KEY": SIGNING_KEY,
        "NEWSLETTER_SENDGRID_API_KEY": API_KEY,
        "NEWSLETTER_DELIVERY__BACKEND": "sendgrid",
        "NEWSLETTER_DELIVERY__SENDGRID__API_HOST": fake.url,
        "NEWSLETTER_DELIVERY__SENDGRID__BATCH_SIZE": "10",
        "NEWSLETTER_DELIVERY__SENDGRID__CONCURRENCY": "2",
    }
    return subprocess.Popen(
        [NEWSLETTER, "send", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(ready: object, process: subprocess.Popen[str], what: str = "the first send got going") -> None:
    deadline = time.monotonic() + 60
    while not ready():  # type: ignore[operator]
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"waited a minute for: {what}"
        time.sleep(0.01)


def claimed_by(config: Path, issue: int, pid: int) -> bool:
    """Whether the sending process ``pid`` claimed a batch of the issue (holders read ``host:pid:…``)."""
    db = database(config)
    try:
        with db.transaction() as session:
            holders = session.scalars(select(Batch.claimed_by).where(Batch.issue_id == issue))
            return any(holder.split(":")[1:2] == [str(pid)] for holder in holders)
    finally:
        db.dispose()


def sent_this_run(output: str) -> int:
    found = re.search(r"This run: (\d+) sent", output)
    assert found, output
    return int(found.group(1))


@pytest.mark.parametrize("second", ["plain", "worker"])
def test_a_second_send_while_one_runs_mails_nobody_twice(db_url: str, tmp_path: Path, second: str) -> None:
    config = write_config(tmp_path, db_url)
    issue = drafted_issue(config, PEOPLE)
    # Each request takes a quarter of a second, so the first send is mid-way for several seconds.
    with FakeSendGrid(latency=0.25) as fake:
        first = start(config, fake, str(issue))
        wait_for(lambda: fake.requests >= 4, first)
        flags = ("--worker",) if second == "worker" else ()
        # The first send waits on the provider until the second has claimed a batch or refused,
        # so a slow start of the second on a busy machine cannot let the first finish alone.
        fake.pause()
        other = start(config, fake, str(issue), *flags)
        if second == "worker":
            wait_for(lambda: claimed_by(config, issue, other.pid), other, "the worker claimed a batch")
        else:
            other.wait(timeout=120)
        fake.resume()
        other_out, other_err = other.communicate(timeout=120)
        first_out, first_err = first.communicate(timeout=120)
        accepted = dict(fake.accepted)
        invalid = list(fake.invalid)

    assert first.returncode == 0, first_err
    if second == "plain":
        # The operator's send says who is sending, and changes nothing.
        assert other.returncode == 1, other_out + other_err
        assert re.fullmatch(
            rf"error: issue #{issue} is being sent by [^ ]+:{first.pid} since [-\d: ]+ UTC; "
            r"wait for it to finish, or add --worker to share its batches\n",
            other_err,
        ), other_err
        assert other_out == ""
        assert sent_this_run(first_out) == PEOPLE
    else:
        assert other.returncode == 0, other_err
        assert sent_this_run(first_out) + sent_this_run(other_out) == PEOPLE
        assert sent_this_run(other_out) > 0, "the worker never got a batch"
    assert len(accepted) == PEOPLE
    assert set(accepted.values()) == {1}, "somebody got the issue twice"
    assert invalid == []
    db = database(config)
    with db.transaction() as session:
        statuses = set(session.scalars(select(Send.status).where(Send.issue_id == issue)))
        batches = set(session.scalars(select(Batch.status).where(Batch.issue_id == issue)))
        status = session.scalars(select(Issue.status).where(Issue.id == issue)).one()
    assert statuses == {"sent"}
    assert batches == {"sent"}, "a batch of the live run was marked unknown"
    assert status == "sent"
    db.dispose()
