"""A control character in a draft's one-line field (the title is the subject; pick facts reach the
preheader) is refused when the draft is read, as ``file:line: field: …``, and neither ``render``
nor ``send`` changes anything. Paragraphs may hold line feeds and tabs, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import cli
from newsletter.digest import read_draft, write_draft
from newsletter.model import Draft
from newsletter.store import Database
from tests.delivery.drafted import SIGNING_KEY, drafted_issue, write_config
from tests.support import state_snapshot

MARK = "MARK"
"""Written into the bad value, to find the line it lands on."""

Change = Callable[[Draft, str], Draft]


def top(**values: object) -> Change:
    return lambda draft, bad: replace(draft, **{k: v(bad) if callable(v) else v for k, v in values.items()})


def first_pick(name: str, wrap: Callable[[str], object] = str) -> Change:
    def change(draft: Draft, bad: str) -> Draft:
        return replace(draft, picks=(replace(draft.picks[0], **{name: wrap(bad)}), *draft.picks[1:]))

    return change


ONE_LINE = "expected one line of text"
PARAGRAPH = "expected text with line feeds and tabs only"

ROWS = [
    # (what, change, field, bad value, expected, how the character is named)
    (
        "title CR LF",
        top(title=lambda b: {"en": b}),
        "title",
        f"Five papers {MARK}\r\nBcc: x@example.org",
        ONE_LINE,
        "U+000D (carriage return)",
    ),
    (
        "title LF",
        top(title=lambda b: {"en": b}),
        "title",
        f"Five {MARK}\npapers",
        ONE_LINE,
        "U+000A (line feed)",
    ),
    (
        "Korean title",
        top(title=lambda b: {"en": "Five papers", "ko": b}),
        "title.ko",
        f"오늘의 논문 {MARK}\n다섯 편",
        ONE_LINE,
        "U+000A (line feed)",
    ),
    (
        "title line separator",
        top(title=lambda b: {"en": b}),
        "title",
        f"Five {MARK}\u2028papers",
        ONE_LINE,
        "U+2028 (line separator)",
    ),
    (
        "pick title",
        first_pick("title"),
        "picks[1].title",
        f"OTCache {MARK}\r",
        ONE_LINE,
        "U+000D (carriage return)",
    ),
    (
        "short_name C1 NEL",
        first_pick("short_name"),
        "picks[1].short_name",
        f"OT{MARK}\x85Cache",
        ONE_LINE,
        "U+0085",
    ),
    ("venue escape", first_pick("venue"), "picks[1].venue", f"ECCV {MARK}\x1b[31m", ONE_LINE, "U+001B"),
    (
        "key_number tab",
        first_pick("key_number"),
        "picks[1].key_number",
        f"4.5×\t{MARK}",
        ONE_LINE,
        "U+0009 (tab)",
    ),
    (
        "institution NUL",
        first_pick("institution"),
        "picks[1].institution",
        f"Lab {MARK}\x00",
        ONE_LINE,
        "U+0000",
    ),
    (
        "core_method DEL",
        first_pick("core_method"),
        "picks[1].core_method",
        f"caching {MARK}\x7f",
        ONE_LINE,
        "U+007F",
    ),
    (
        "area LF",
        first_pick("area"),
        "picks[1].area",
        f"acceleration {MARK}\n",
        ONE_LINE,
        "U+000A (line feed)",
    ),
    (
        "url LF",
        first_pick("url"),
        "picks[1].url",
        f"https://arxiv.org/abs/{MARK}\nx",
        ONE_LINE,
        "U+000A (line feed)",
    ),
    (
        "code_url CR",
        first_pick("code_url"),
        "picks[1].code_url",
        f"https://github.com/{MARK}\r",
        ONE_LINE,
        "U+000D (carriage return)",
    ),
    (
        "authors",
        first_pick("authors", lambda b: ("Ada Lovelace", b)),
        "picks[1].authors",
        f"Grace {MARK}\nHopper",
        ONE_LINE,
        "U+000A (line feed)",
    ),
    ("pinned", top(pinned=lambda b: (b,)), "pinned", f"2607.{MARK}\r", ONE_LINE, "U+000D (carriage return)"),
    (
        "intro bell",
        top(intro=lambda b: {"en": b}),
        "intro",
        f"First paragraph.\n\nSecond {MARK}\x07.",
        PARAGRAPH,
        "U+0007",
    ),
    (
        "decision CR",
        first_pick("decision", lambda b: {"en": b}),
        "picks[1].decision",
        f"Read it {MARK}\r\nfirst.",
        PARAGRAPH,
        "U+000D (carriage return)",
    ),
]


def where_written(path: Path) -> int:
    """The line of the bad value's field: the marked line, or the start of the list it is in."""
    lines = path.read_text(encoding="utf-8").split("\n")
    line = next(n for n, text in enumerate(lines, 1) if MARK in text)
    while "=" not in lines[line - 1]:
        line -= 1
    return line


@pytest.fixture
def issue(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int, Path]:
    """A drafted issue with a list, rendered once to ``out``; returns the config, issue id and draft."""
    monkeypatch.setenv("NEWSLETTER_SIGNING_KEY", SIGNING_KEY)
    config = write_config(tmp_path, db.url.render_as_string(hide_password=False))
    issue_id = drafted_issue(config, 6)
    draft = tmp_path / "var" / "drafts" / "2026-07-01.toml"
    rendered = CliRunner().invoke(
        cli, ["--config", str(config), "render", str(draft), "--out", str(tmp_path / "out")]
    )
    assert rendered.exit_code == 0, rendered.output
    return config, issue_id, draft


@pytest.mark.parametrize(
    ("what", "change", "field", "bad", "expected", "named"), ROWS, ids=[r[0] for r in ROWS]
)
def test_a_control_character_in_a_draft_is_one_line_and_changes_nothing(
    db: Database,
    tmp_path: Path,
    issue: tuple[Path, int, Path],
    what: str,
    change: Change,
    field: str,
    bad: str,
    expected: str,
    named: str,
) -> None:
    config, issue_id, path = issue
    write_draft(change(read_draft(path), bad), path)
    line = where_written(path)
    position = bad.index(chr(int(named[2:6], 16))) + 1
    message = (
        f"error: {path}:{line}: {field}: {expected}, "
        f"found the control character {named} at character {position}"
    )
    before = state_snapshot(tmp_path / "var", tmp_path / "out", db=db)

    for args in (["render", str(path), "--out", str(tmp_path / "out")], ["send", str(issue_id)]):
        result = CliRunner().invoke(cli, ["--config", str(config), *args])

        assert result.exit_code == 1, result.output
        assert result.output.splitlines() == [message], what
        assert state_snapshot(tmp_path / "var", tmp_path / "out", db=db) == before


def test_paragraphs_keep_their_line_feeds_and_tabs(issue: tuple[Path, int, Path]) -> None:
    _, _, path = issue
    draft = read_draft(path)
    text = "First paragraph.\n\nSecond,\twith a tab and a line\u2028separator."
    write_draft(replace(draft, intro={"en": text, "ko": "첫 문단입니다.\n\n둘째 문단입니다."}), path)
    assert read_draft(path).intro == {"en": text, "ko": "첫 문단입니다.\n\n둘째 문단입니다."}
