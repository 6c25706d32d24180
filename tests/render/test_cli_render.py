"""`newsletter render`: each locale's files, with the header's planned send time and the locale's From."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import cli
from newsletter.digest import write_draft

from .sample import sample_draft


def test_render_writes_each_locale_with_its_brand_and_planned_send_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSLETTER_CONFIG", raising=False)
    write_draft(sample_draft(), tmp_path / "draft.toml")
    result = CliRunner().invoke(cli, ["render", "draft.toml", "--out", "out"])
    assert result.exit_code == 0, result.output
    expected = {
        "en": ("Research Brief <brief@example.org>", "Research Brief · July 1, 2026 · 09:00"),
        "ko": ("리서치 브리프 <brief@example.org>", "리서치 브리프 · 2026. 7. 1. · 09:00"),
    }
    for locale, (sender, header) in expected.items():
        folder = tmp_path / "out" / locale
        message = message_from_bytes((folder / "issue.eml").read_bytes(), policy=policy.default)
        assert str(message["From"]) == sender
        # Before a send, the header shows the planned send: the close, 09:00.
        # The text part's third line, after "View in browser" and a blank line.
        assert (folder / "issue.txt").read_text(encoding="utf-8").splitlines()[2] == header
