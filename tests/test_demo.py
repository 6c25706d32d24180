"""The demo: one full offline cycle through every stage, and no double send when run again."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import cli


@pytest.fixture
def run_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for name in ("NEWSLETTER_CONFIG", "NEWSLETTER_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)

    def run() -> str:
        result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
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
    var = tmp_path / "var"
    draft = var / "drafts" / "2026-07-01.toml"
    assert f"Draft:    {Path('var/drafts/2026-07-01.toml')}" in output
    assert draft.is_file()
    for locale in ("en", "ko"):
        html = var / "rendered" / "2026-07-01" / locale / "issue.html"
        assert str(html.relative_to(tmp_path)) in output
        assert f'lang="{locale}"' in html.read_text(encoding="utf-8")
    messages = _messages(var / "outbox" / "issue-1")
    assert len(messages) == 6
    assert "Sent 6 messages" in output


def test_demo_emails_are_multipart_with_intact_korean(run_demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run_demo()
    messages = _messages(tmp_path / "var" / "outbox" / "issue-1")
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
    outbox = tmp_path / "var" / "outbox" / "issue-1"
    first = {path.name: path.stat().st_mtime_ns for path in outbox.glob("*.eml")}
    output = run_demo()
    assert "Already sent to 6 recipients" in output
    assert "Sent " not in output
    assert {path.name: path.stat().st_mtime_ns for path in outbox.glob("*.eml")} == first
    status = CliRunner().invoke(cli, ["status", "--json"], catch_exceptions=False)
    assert '"sent": 6' in status.output
