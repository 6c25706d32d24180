"""The demo: one full offline cycle through every stage, no double send when run again, and
nothing outside its own folder, whatever the configuration says."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import cli
from newsletter.config import load_config
from newsletter.store import Database, audience
from tests.delivery.fake_sendgrid import API_KEY, FakeSendGrid
from tests.support import state_snapshot

DEMO = Path("var") / "demo"


@pytest.fixture
def run_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for name in ("NEWSLETTER_CONFIG", "NEWSLETTER_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["demo", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    return run


def _messages(folder: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in sorted(folder.glob("*.eml"))
    ]


def test_demo_runs_every_stage_and_says_where_to_look(run_demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = run_demo()
    var = tmp_path / DEMO
    draft = var / "drafts" / "2026-07-01.toml"
    assert f"Draft:    {DEMO / 'drafts' / '2026-07-01.toml'}" in output
    assert draft.is_file()
    for locale in ("en", "ko"):
        html = var / "rendered" / "2026-07-01" / locale / "issue.html"
        assert str(html.relative_to(tmp_path)) in output
        assert f'lang="{locale}"' in html.read_text(encoding="utf-8")
    messages = _messages(var / "outbox" / "issue-1")
    assert len(messages) == 6
    assert f"Outbox:   {DEMO / 'outbox' / 'issue-1'}/  (6 .eml files)" in output
    assert "Sent 6 messages" in output
    assert 'lists = [\n    "research-brief",\n]' in draft.read_text(encoding="utf-8")


def test_demo_emails_are_multipart_with_intact_korean(run_demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run_demo()
    messages = _messages(tmp_path / DEMO / "outbox" / "issue-1")
    locales = sorted(str(m["Content-Language"]) for m in messages)
    assert locales == ["en", "en", "en", "ko", "ko", "ko"]
    for message in messages:
        assert message.get_content_type() == "multipart/alternative"
        parts = [part.get_content_type() for part in message.iter_parts()]
        assert parts == ["text/plain", "text/html"]
        for header in (
            "Subject",
            "From",
            "To",
            "Date",
            "Message-ID",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
            "List-Id",
        ):
            assert message[header], header
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        recipient = message["To"].addresses[0].addr_spec
        assert recipient in text
        assert recipient in html
        assert "%%" not in text, "a placeholder was left unfilled"
        assert "%%" not in html, "a placeholder was left unfilled"
        if message["Content-Language"] == "ko":
            assert "리서치 브리프" in html
            assert "참고 출처" in html
            assert "리서치 브리프" in text


def test_running_the_demo_again_sends_nobody_the_issue_twice(run_demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run_demo()
    outbox = tmp_path / DEMO / "outbox" / "issue-1"
    first = {path.name: path.stat().st_mtime_ns for path in outbox.glob("*.eml")}
    output = run_demo()
    assert "Already sent to 6 recipients" in output
    assert "Sent " not in output
    assert {path.name: path.stat().st_mtime_ns for path in outbox.glob("*.eml")} == first
    demo_db = {"NEWSLETTER_NEWSLETTER__DATA_DIR": str(DEMO)}
    status = CliRunner().invoke(cli, ["status", "--json"], env=demo_db, catch_exceptions=False)
    (issue,) = json.loads(status.output)["issues"]
    assert (issue["counts"]["sent"], issue["lists"]) == (6, ["research-brief"])


@pytest.fixture
def deployment(
    tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeSendGrid, Path]]:
    """A configured deployment: its own database with a real list, SendGrid (a fake on
    127.0.0.1 that records every request) named by the config file and by the environment."""
    with db.transaction() as session:
        brief = audience.ensure_list(session, "research-brief", description="The real list")
        for name in ("reader.one", "reader.two"):
            audience.subscribe(session, email=f"{name}@example.net", lists=[brief], consent_source="test")
    folder = tmp_path / "deploy"
    url = db.url.render_as_string(hide_password=False)
    with FakeSendGrid() as fake:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[newsletter]\ndata_dir = "{folder}"\n[database]\nurl = "{url}"\n'
            f'[delivery]\nbackend = "sendgrid"\n[delivery.sendgrid]\napi_host = "{fake.url}"\n',
            encoding="utf-8",
        )
        monkeypatch.setenv("NEWSLETTER_CONFIG", str(config))
        monkeypatch.setenv("NEWSLETTER_DELIVERY__BACKEND", "sendgrid")
        monkeypatch.setenv("NEWSLETTER_DATABASE__URL", url)
        monkeypatch.setenv("NEWSLETTER_DELIVERY__SENDGRID__API_HOST", fake.url)
        monkeypatch.setenv("NEWSLETTER_SENDGRID_API_KEY", API_KEY)
        monkeypatch.setenv("NEWSLETTER_SIGNING_KEY", "k" * 32)
        yield fake, folder


def test_the_demo_never_touches_a_configured_deployment(
    run_demo: Callable[..., str], deployment: tuple[FakeSendGrid, Path], db: Database, tmp_path: Path
) -> None:
    fake, folder = deployment
    configured = load_config()
    assert (configured.delivery.backend, configured.database_url) == (
        "sendgrid",
        db.url.render_as_string(False),
    )
    before = state_snapshot(folder, db=db)

    output = run_demo()

    assert fake.requests == 0
    assert fake.deliveries() == []
    assert state_snapshot(folder, db=db) == before
    assert len(_messages(tmp_path / DEMO / "outbox" / "issue-1")) == 6
    assert "Sent 6 messages" in output
    assert f"The demo used only {DEMO}/" in output


# (configured through the environment, what the one line says)
SHARED_FOLDERS = [
    ({"NEWSLETTER_NEWSLETTER__DATA_DIR": "mine"}, "configured newsletter.data_dir"),
    ({"NEWSLETTER_DELIVERY__OUTBOX_DIR": "mine"}, "configured delivery.outbox_dir"),
    ({"NEWSLETTER_DATABASE__URL": "sqlite:///mine/live.db"}, "configured database.url"),
]


@pytest.mark.parametrize(("env", "what"), SHARED_FOLDERS, ids=[w.split()[-1] for _, w in SHARED_FOLDERS])
def test_the_demo_refuses_a_folder_of_the_configured_deployment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], what: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSLETTER_CONFIG", raising=False)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "kept.txt").write_text("the deployment's own file", encoding="utf-8")
    before = state_snapshot(tmp_path)

    result = CliRunner().invoke(cli, ["demo", "--data-dir", "mine"], env=env)

    assert result.exit_code == 1
    assert (
        result.output
        == f"error: --data-dir mine: it is the folder of the {what}; give the demo a folder of its own\n"
    )
    assert state_snapshot(tmp_path) == before
