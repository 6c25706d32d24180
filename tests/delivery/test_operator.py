"""What an operator sees and does through ``newsletter``: unknown batches listed by ``status`` and
``send``, settled with ``--settle-unknown`` without sending, the issue called sent only then,
and a second plain ``send`` refused while another process sends (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from newsletter.cli import cli
from newsletter.delivery import senders
from newsletter.store import Database, issues
from newsletter.store import sends as send_records
from newsletter.store.schema import Send
from tests.support import state_snapshot

from .drafted import SIGNING_KEY, database, drafted_issue, write_config

PEOPLE = 24


@pytest.fixture
def config_path(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSLETTER_SIGNING_KEY", SIGNING_KEY)
    monkeypatch.delenv("NEWSLETTER_CONFIG", raising=False)
    return write_config(tmp_path, db_url)


def newsletter(config_path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config_path), *args])


def crash_mid_send(db: Database, issue: int, size: int = 5) -> int:
    """Queue the issue and leave one batch claimed by a sender that died; returns the batch id."""
    from newsletter import pipeline
    from newsletter.config import load_config

    app = pipeline.App(load_config(env={}).replace(**{"database.url": db.url.render_as_string(False)}))
    pipeline.queue_recipients(app, issue, [])
    with db.transaction() as session:
        (batch,) = send_records.claim_batches(session, issue, count=1, size=size, worker="host:1:2:dead")
    return batch.batch_id


def outbox_files(tmp_path: Path, issue: int) -> int:
    return len(list((tmp_path / "var" / "outbox" / f"issue-{issue}").glob("*.eml")))


@pytest.mark.parametrize(("outcome", "error"), [("sent", "went out"), ("failed", "did not go out")])
def test_unknown_batches_are_listed_then_settled_without_sending(
    config_path: Path, tmp_path: Path, outcome: str, error: str
) -> None:
    issue = drafted_issue(config_path, PEOPLE)
    db = database(config_path)
    crashed = crash_mid_send(db, issue)

    # Looking is what finds the dead sender's batch; it is listed before anything may re-send it.
    status = newsletter(config_path, "status", "--json")
    assert status.exit_code == 0, status.output
    (shown,) = [i for i in json.loads(status.output)["issues"] if i["id"] == issue]
    assert (shown["counts"]["unknown"], shown["unknown_batches"]) == (5, [crashed])
    text = newsletter(config_path, "status").output
    assert f"5 sends in batch {crashed} with unknown outcome" in text
    assert f"newsletter send {issue} --settle-unknown sent" in text

    sent = newsletter(config_path, "send", str(issue))
    assert sent.exit_code == 0, sent.output
    assert f"This run: {PEOPLE - 5} sent" in sent.output
    assert f"Outcome unknown: 5 sends in batch {crashed} with unknown outcome" in sent.output
    with db.transaction() as session:
        assert issues.get_issue(session, issue).status == "sending", "called sent with unknown records"
    files = outbox_files(tmp_path, issue)

    settled = newsletter(config_path, "send", str(issue), "--settle-unknown", outcome)

    assert settled.exit_code == 0, settled.output
    assert settled.output.splitlines()[0] == (
        f"Recorded 5 records of batch {crashed} of issue #{issue} as {outcome}; nothing was sent. "
        "The issue is sent."
    )
    assert outbox_files(tmp_path, issue) == files == PEOPLE - 5
    with db.transaction() as session:
        counts = send_records.counts(session, issue)
        notes = set(session.scalars(select(Send.error).where(Send.batch_id == crashed)))
        assert issues.get_issue(session, issue).status == "sent"
    expected = {"sent": PEOPLE} if outcome == "sent" else {"sent": PEOPLE - 5, "failed": 5}
    assert counts == expected
    assert notes == {f"the operator found that it {error} (--settle-unknown)"}
    again = newsletter(config_path, "send", str(issue), "--settle-unknown", outcome)
    assert (
        again.output.strip()
        == f"Issue #{issue} had no batch listed with an unknown outcome; nothing changed."
    )
    db.dispose()


def test_a_second_plain_send_is_refused_while_another_process_sends(
    config_path: Path, tmp_path: Path
) -> None:
    issue = drafted_issue(config_path, PEOPLE)
    db = database(config_path)
    before = state_snapshot(tmp_path / "var", db=db)
    holder = senders.holder_id()
    host, pid = holder.split(":")[:2]

    with senders.sending(db, issue, holder, timedelta(minutes=1)):
        during = state_snapshot(tmp_path / "var", db=db)
        refused = newsletter(config_path, "send", str(issue))
        after = state_snapshot(tmp_path / "var", db=db)

    assert refused.exit_code == 1
    assert refused.output.startswith(
        f"error: issue #{issue} is being sent by {host}:{pid} (its lease runs until "
    )
    assert refused.output.rstrip().endswith("; wait for it to finish, or add --worker to share its batches")
    assert len(refused.output.strip().splitlines()) == 1
    assert after == during
    # Once that sender is done, the same command sends.
    assert state_snapshot(tmp_path / "var", db=db) == before
    done = newsletter(config_path, "send", str(issue))
    assert done.exit_code == 0, done.output
    assert f"This run: {PEOPLE} sent" in done.output
    db.dispose()


def test_settle_unknown_refuses_to_be_mixed_with_sending(config_path: Path) -> None:
    issue = drafted_issue(config_path, 2)
    result = newsletter(config_path, "send", str(issue), "--settle-unknown", "sent", "--resend-unknown")
    assert result.exit_code == 2
    assert "--settle-unknown sends nothing" in result.output
