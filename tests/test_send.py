"""``newsletter send``: an issue goes to its own lists, test copies are apart and marked, and a
send that cannot work says so in one line before anything changes."""

from __future__ import annotations

import email
import email.policy
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from newsletter import pipeline
from newsletter.cli import cli
from newsletter.config import Config
from newsletter.demo import data_file, load_sample_list
from newsletter.digest import read_draft
from newsletter.store import Database, audience, issues, lifecycle
from newsletter.store import sends as send_records
from newsletter.store.schema import Send
from newsletter.testing.replay import ArxivReplayServer
from tests.support import state_snapshot

CLOSE = datetime(2026, 7, 1, 9, tzinfo=ZoneInfo("Asia/Seoul"))
WEEKLY = ("weekly.one@example.net", "weekly.two@example.net")


@dataclass
class Drafted:
    app: pipeline.App
    issue_id: int
    env: dict[str, str] = field(default_factory=dict)

    def send(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["send", str(self.issue_id), *args], env={**self.env, **(env or {})})
        return result.exit_code, result.output

    def messages(self, folder: str) -> list[EmailMessage]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for path in sorted((self.app.config.outbox_dir / folder).glob("*.eml"))
        ]


def _drafted(config: Config, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Drafted:
    """The recorded window drafted into an issue for ``newsletter.lists`` of ``config``; the
    sample list ``research-brief`` and a list ``weekly`` that the issue is not for."""
    monkeypatch.chdir(tmp_path)
    # Nothing from the machine's environment: the command reads exactly the variables below.
    for name in list(os.environ):
        if name.startswith("NEWSLETTER_") and not name.startswith("NEWSLETTER_TEST_"):
            monkeypatch.delenv(name)
    url = db.url.render_as_string(hide_password=False)
    env = {
        "NEWSLETTER_NEWSLETTER__DATA_DIR": str(config.data_dir),
        "NEWSLETTER_NEWSLETTER__LISTS": repr(config.newsletter.lists).replace("'", '"'),
        "NEWSLETTER_DATABASE__URL": url,
        "NEWSLETTER_SIGNING_KEY": "k" * 32,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with ArxivReplayServer(data_file("arxiv/2026-07-01.atom.xml")) as server:
        app = pipeline.App(
            config.replace(**{"arxiv.base_url": server.url, "arxiv.delay_seconds": 0.0, "database.url": url})
        )
        load_sample_list(app)
        with app.db.transaction() as session:
            weekly = audience.ensure_list(session, "weekly")
            for address in WEEKLY:
                audience.subscribe(session, email=address, lists=[weekly], consent_source="test")
        draft = pipeline.build_draft(app, CLOSE)
    return Drafted(app=app, issue_id=draft.issue_id)


@pytest.fixture
def drafted(
    config: Config, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Drafted]:
    found = _drafted(config, db, tmp_path, monkeypatch)
    yield found
    found.app.db.dispose()


def _recipients(messages: list[EmailMessage]) -> list[str]:
    return sorted(m["To"].addresses[0].addr_spec for m in messages)


def test_an_issue_goes_to_its_own_lists_not_to_every_list(drafted: Drafted) -> None:
    with drafted.app.db.transaction() as session:
        assert issues.get_issue(session, drafted.issue_id).lists == ["research-brief"]
    code, output = drafted.send()
    assert code == 0, output
    sent = _recipients(drafted.messages(f"issue-{drafted.issue_id}"))
    assert len(sent) == 6
    assert not set(WEEKLY) & set(sent)
    status = CliRunner().invoke(cli, ["status"])
    assert "to research-brief" in status.output


def test_the_issues_history_says_the_send_moved_it_and_a_second_send_does_not(drafted: Drafted) -> None:
    for _ in range(2):
        code, output = drafted.send()
        assert code == 0, output
    with drafted.app.db.transaction() as session:
        moves = [(e.from_status, e.to_status, e.actor) for e in lifecycle.history(session, drafted.issue_id)]
    assert moves == [("draft", "sending", "cli:send"), ("sending", "sent", "cli:send")]


def test_list_narrows_the_issues_lists(
    config: Config, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drafted = _drafted(
        config.replace(**{"newsletter.lists": ["research-brief", "weekly"]}), db, tmp_path, monkeypatch
    )
    draft_text = drafted.app.draft_path(CLOSE.date()).read_text(encoding="utf-8")
    assert 'lists = [\n    "research-brief",\n    "weekly",\n]' in draft_text
    code, output = drafted.send("--list", "weekly")
    assert code == 0, output
    assert _recipients(drafted.messages(f"issue-{drafted.issue_id}")) == list(WEEKLY)
    code, output = drafted.send()
    assert code == 0, output
    assert len(drafted.messages(f"issue-{drafted.issue_id}")) == 8
    drafted.app.db.dispose()


def test_test_copies_are_marked_apart_and_in_the_locale_asked_for(drafted: Drafted) -> None:
    before = state_snapshot(db=drafted.app.db)
    code, output = drafted.send(
        "--test-to", "a@example.org", "--test-to", " b@example.org ", "--locale", "ko"
    )
    assert code == 0, output
    assert output.strip() == f"Sent a test copy of issue #{drafted.issue_id} to a@example.org, b@example.org."
    copies = drafted.messages(f"issue-{drafted.issue_id}-test")
    assert _recipients(copies) == ["a@example.org", "b@example.org"]
    assert not (drafted.app.config.outbox_dir / f"issue-{drafted.issue_id}").exists()
    assert len({m["Message-ID"] for m in copies}) == 2
    korean = read_draft(drafted.app.draft_path(CLOSE.date())).title["ko"]
    for message in copies:
        assert str(message["Subject"]) == f"[TEST] {korean}"
        assert message["Content-Language"] == "ko"
    # A test keeps no record and leaves the issue as it was.
    assert state_snapshot(db=drafted.app.db) == before
    # Sent again, the copy is a new message beside the first one.
    code, output = drafted.send("--test-to", "a@example.org")
    assert code == 0, output
    again = drafted.messages(f"issue-{drafted.issue_id}-test")
    assert _recipients(again) == ["a@example.org", "a@example.org", "b@example.org"]
    assert len({m["Message-ID"] for m in again}) == 3
    assert {m["Content-Language"] for m in again} == {"en", "ko"}


def _set_issue_lists(names: list[str]) -> Callable[[Drafted], None]:
    def setup(drafted: Drafted) -> None:
        with drafted.app.db.transaction() as session:
            issues.get_issue(session, drafted.issue_id).lists = names

    return setup


def _outbox_is_a_file(drafted: Drafted) -> dict[str, str]:
    blocker = drafted.app.config.data_dir / "not-a-folder"
    blocker.write_text("in the way", encoding="utf-8")
    return {"NEWSLETTER_DELIVERY__OUTBOX_DIR": str(blocker)}


def _skipped(drafted: Drafted) -> None:
    with drafted.app.db.transaction() as session:
        issue = issues.get_issue(session, drafted.issue_id)
        lifecycle.skip(
            session, issue, "not approved by 11:00; skipped", actor="scheduler", return_papers=True
        )


SENDGRID = {"NEWSLETTER_DELIVERY__BACKEND": "sendgrid"}
SMTP = {"NEWSLETTER_DELIVERY__BACKEND": "smtp"}

# (name, arguments after ISSUE, extra environment or a function of the drafted issue returning
#  it, what the one line says)
BAD = [
    (
        "test-to not an address",
        ["--test-to", "not-an-email"],
        {},
        "error: --test-to: expected an address like",
    ),
    (
        "test-to empty",
        ["--test-to", ""],
        {},
        "error: --test-to: expected an email address, got an empty value",
    ),
    (
        "test-to with CR/LF",
        ["--test-to", "editor@example.org\r\nBcc: all@example.org"],
        {},
        "error: --test-to: expected an address like",
    ),
    ("test-to second bad", ["--test-to", "ok@example.org", "--test-to", "a@b@c"], {}, "error: --test-to:"),
    (
        "test locale unknown",
        ["--test-to", "ok@example.org", "--locale", "fr"],
        {},
        "error: --locale: expected one of en, ko",
    ),
    ("locale without test-to", ["--locale", "ko"], {}, "error: --locale: applies only to a test copy"),
    (
        "list widens",
        ["--list", "weekly"],
        {},
        "error: --list weekly: issue #1 goes to research-brief; --list can only",
    ),
    ("list unknown", ["--list", "nobody"], {}, "error: --list nobody: issue #1 goes to research-brief"),
    ("issue list gone", [], _set_issue_lists(["research-brief", "gone"]), "error: list 'gone': no such list"),
    ("signing key missing", [], {"NEWSLETTER_SIGNING_KEY": ""}, "error: NEWSLETTER_SIGNING_KEY: not set"),
    ("sendgrid key missing", [], SENDGRID, "error: NEWSLETTER_SENDGRID_API_KEY: not set"),
    (
        "sendgrid key missing, test",
        ["--test-to", "ok@example.org"],
        SENDGRID,
        "error: NEWSLETTER_SENDGRID_API_KEY",
    ),
    (
        "smtp host empty",
        [],
        {**SMTP, "NEWSLETTER_DELIVERY__SMTP__HOST": " "},
        "error: NEWSLETTER_DELIVERY__SMTP__HOST: delivery.smtp.host: expected a host name",
    ),
    (
        "smtp password missing",
        [],
        {**SMTP, "NEWSLETTER_SMTP_USERNAME": "brief"},
        "error: NEWSLETTER_SMTP_PASSWORD: not set, although NEWSLETTER_SMTP_USERNAME is",
    ),
    ("outbox not writable", [], _outbox_is_a_file, "error: delivery.outbox_dir: cannot write to"),
    ("worker, sendgrid key missing", ["--worker"], SENDGRID, "error: NEWSLETTER_SENDGRID_API_KEY: not set"),
    ("worker, list widens", ["--worker", "--list", "weekly"], {}, "error: --list weekly: issue #1 goes to"),
    ("issue skipped", [], _skipped, "error: issue #1: cannot send a skipped issue (skipped → sending)"),
    (
        "worker, issue skipped",
        ["--worker"],
        _skipped,
        "error: issue #1: cannot send a skipped issue (skipped → sending)",
    ),
]


@pytest.mark.parametrize(("args", "env", "expected"), [row[1:] for row in BAD], ids=[row[0] for row in BAD])
def test_a_send_that_cannot_work_changes_nothing(
    drafted: Drafted,
    args: list[str],
    env: dict[str, str] | Callable[[Drafted], dict[str, str] | None],
    expected: str,
) -> None:
    extra = env(drafted) if callable(env) else env
    before = state_snapshot(drafted.app.config.data_dir, db=drafted.app.db)
    with drafted.app.db.transaction() as session:
        status = issues.get_issue(session, drafted.issue_id).status

    code, output = drafted.send(*args, env=extra or {})

    assert code == 1
    assert output.count("\n") == 1, output
    assert output.startswith(expected.replace("#1", f"#{drafted.issue_id}")), output
    assert state_snapshot(drafted.app.config.data_dir, db=drafted.app.db) == before
    with drafted.app.db.transaction() as session:
        assert issues.get_issue(session, drafted.issue_id).status == status
        assert session.scalars(select(Send).where(Send.issue_id == drafted.issue_id)).all() == []
        assert send_records.counts(session, drafted.issue_id) == {}
