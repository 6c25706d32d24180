"""The command line: every command the README documents exists and explains itself."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"
DOCUMENTED = sorted(set(re.findall(r"^\| `newsletter ([a-z]+)", README.read_text(encoding="utf-8"), re.M)))


def test_the_readme_documents_the_commands() -> None:
    assert {"demo", "run", "gather", "draft", "render", "send", "status", "serve", "preview"} <= set(
        DOCUMENTED
    )


@pytest.mark.parametrize("command", DOCUMENTED)
def test_every_documented_command_exists_and_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"], prog_name="newsletter")
    assert result.exit_code == 0, result.output
    assert f"Usage: newsletter {command}" in result.output


def test_an_unknown_issue_is_one_clear_line_and_a_non_zero_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSLETTER_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["send", "99"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: issue '99': no such issue"


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("NEWSLETTER_")]:
        monkeypatch.delenv(name)


@pytest.mark.usefixtures("clean_env")
def test_schedule_next_prints_one_line_per_fire_time() -> None:
    result = CliRunner().invoke(
        cli, ["schedule", "--next", "3"], env={"NEWSLETTER_SCHEDULE__CRON": "30 8 * * *"}
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert all(
        re.match(r"\w{3} \d{4}-\d{2}-\d{2} 08:30 KST  latest arXiv announcement", line) for line in lines
    )


@pytest.mark.usefixtures("clean_env")
def test_schedule_next_says_so_when_nothing_would_fire(monkeypatch: pytest.MonkeyPatch) -> None:
    # The loader refuses a cron that never fires; this is the safeguard behind it.
    monkeypatch.setattr("newsletter.scheduler.timing.upcoming", lambda *args: [])
    result = CliRunner().invoke(cli, ["schedule", "--next", "3"])
    assert result.exit_code == 1
    assert re.fullmatch(
        r"error: <defaults>: schedule\.cron: never fires after \d{4}-\d{2}-\d{2} \d{2}:\d{2} KST, "
        r"got '0 9 \* \* \*'\n",
        result.stderr,
    )


@pytest.mark.usefixtures("clean_env")
def test_schedule_next_wants_a_positive_count() -> None:
    result = CliRunner().invoke(cli, ["schedule", "--next", "0"])
    assert result.exit_code == 2
    assert "0 is not in the range x>=1" in result.stderr


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("command", ["serve", "preview"])
def test_a_port_out_of_range_is_refused_before_anything_starts(tmp_path: Path, command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--port", "99999"])
    assert result.exit_code == 2
    assert "'--port': 99999 is not in the range 1<=x<=65535" in result.stderr
    assert list(tmp_path.iterdir()) == []
