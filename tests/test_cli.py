"""The command line: every command the README documents exists and explains itself."""

from __future__ import annotations

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
