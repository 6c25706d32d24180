"""Where people meet the writing step: `newsletter draft`'s counts, the preview's badges and
warnings, and the one-line errors for a bad [writing] key or a bad mark in the draft file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from newsletter import pipeline
from newsletter.cli import cli
from newsletter.digest import read_draft
from newsletter.errors import DraftError
from newsletter.pipeline import App
from newsletter.web.app import preview_app
from newsletter.web.preview import Preview, pipeline_hooks
from tests.support import state_snapshot
from tests.writing.conftest import AT
from tests.writing.fake_llm import FakeLLM
from tests.writing.texts import good_reply


def test_draft_prints_the_writing_counts(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = writing_app(fake_llm(good_reply).url)
    # The CLI builds its own App from the environment: hand it this one.
    monkeypatch.setattr("newsletter.cli.common.Context.app", app, raising=False)
    monkeypatch.setattr("newsletter.cli.common.Context.config", app.config, raising=False)
    result = CliRunner().invoke(cli, ["draft", "--at", AT.isoformat()], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Writing: 52 fields machine-written, 0 rejected by the fact guard, 1200 tokens used "
        "(12 requests, 0 replies from the cache)."
    )


def test_the_preview_badges_machine_fields_and_warns_on_edits(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    app = writing_app(fake_llm(good_reply).url)
    result = pipeline.build_draft(app, AT)
    text = result.path.read_text(encoding="utf-8")
    old = json.dumps(result.draft.picks[1].evidence_and_limits["en"], ensure_ascii=False)
    edited = json.dumps("SyncCache reaches 5.3× on HunyuanVideo-Avatar.", ensure_ascii=False)
    # Cross-Space Distillation has the same text: edit only the first, SyncCache's.
    result.path.write_text(text.replace(old, edited, 1), encoding="utf-8")
    preview = Preview(config=app.config, db=app.db, draft_path=result.path, hooks=pipeline_hooks(app.config))
    page = TestClient(preview_app(preview), base_url="http://127.0.0.1").get("/").text
    machine = page.split('<ul id="machine-fields">', 1)[1].split("</ul>", 1)[0]
    assert machine.count('class="badge"') == 51
    assert "OTCache, decision (ko)" in machine
    assert "SyncCache, evidence and limits (en)" not in machine
    warnings = page.split('<ul id="edit-warnings">', 1)[1].split("</ul>", 1)[0]
    assert "SyncCache, evidence and limits (en): &#x27;5.3×&#x27; is not in the record" in warnings


def test_a_default_draft_shows_no_writing_section(demo_app: App) -> None:
    result = pipeline.build_draft(demo_app, AT)
    preview = Preview(
        config=demo_app.config, db=demo_app.db, draft_path=result.path, hooks=pipeline_hooks(demo_app.config)
    )
    page = TestClient(preview_app(preview), base_url="http://127.0.0.1").get("/").text
    assert '<section id="preview-check">' not in page
    assert 'id="writing"' not in page


BAD_KEYS = [
    ("backend", "NEWSLETTER_WRITING__BACKEND", "gpt", "writing.backend: expected one of"),
    (
        "base_url",
        "NEWSLETTER_WRITING__BASE_URL",
        "localhost:11434",
        "writing.base_url: expected an http(s) URL",
    ),
    ("timeout", "NEWSLETTER_WRITING__TIMEOUT_SECONDS", "0", "writing.timeout_seconds: expected"),
    ("retries", "NEWSLETTER_WRITING__MAX_RETRIES", "11", "writing.max_retries: expected 0 to 10"),
    ("requests", "NEWSLETTER_WRITING__MAX_REQUESTS", "-1", "writing.max_requests: expected"),
    ("tokens", "NEWSLETTER_WRITING__MAX_TOKENS", "many", "writing.max_tokens: expected an integer"),
    ("temperature", "NEWSLETTER_WRITING__TEMPERATURE", "3", "writing.temperature: expected 0 to 2"),
    ("deadline", "NEWSLETTER_WRITING__DEADLINE_SECONDS", "-5", "writing.deadline_seconds: expected"),
    ("model", "NEWSLETTER_WRITING__MODEL", "", "writing.model: expected"),
    ("unknown key", "NEWSLETTER_WRITING__API_KEY", "sk-secret", "writing.api_key"),
]


@pytest.mark.parametrize(
    ("variable", "value", "message"), [r[1:] for r in BAD_KEYS], ids=[r[0] for r in BAD_KEYS]
)
def test_a_bad_writing_key_is_one_line_and_changes_nothing(
    variable: str, value: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSLETTER_CONFIG", raising=False)
    monkeypatch.setenv("NEWSLETTER_NEWSLETTER__DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv(variable, value)
    before = state_snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["draft"])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"error: {variable}: ")
    assert message in lines[0]
    # A key in the wrong place is refused without echoing what may be a secret.
    assert "sk-secret" not in result.output
    assert state_snapshot(tmp_path) == before


BAD_MARKS = [
    ("machine not a list", 'machine = "intro.ko"\n', "machine: expected a list of strings"),
    ("guard of numbers", "guard = [1, 2]\n", "guard: expected a list of strings"),
]


@pytest.mark.parametrize(("line", "message"), [r[1:] for r in BAD_MARKS], ids=[r[0] for r in BAD_MARKS])
def test_a_bad_mark_in_the_draft_file_names_its_line(
    line: str, message: str, demo_app: App, tmp_path: Path
) -> None:
    result = pipeline.build_draft(demo_app, AT)
    text = result.path.read_text(encoding="utf-8").replace("excluded = []\n", "excluded = []\n" + line)
    broken = tmp_path / "broken.toml"
    broken.write_text(text, encoding="utf-8")
    before = state_snapshot(tmp_path)
    with pytest.raises(DraftError) as raised:
        read_draft(broken)
    assert message in str(raised.value)
    assert f"{broken}:" in str(raised.value)
    assert state_snapshot(tmp_path) == before
