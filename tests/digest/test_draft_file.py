"""The draft file round-trips, takes an editor's changes, and names the line of a mistake."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from newsletter.digest import draft_to_json, read_draft, write_draft
from newsletter.errors import DraftError
from newsletter.model import Draft, Pick


def written(draft: Draft, tmp_path: Path) -> Path:
    path = tmp_path / "drafts" / "2026-07-01.toml"
    write_draft(draft, path)
    return path


def test_a_written_draft_reads_back_equal(draft: Draft, tmp_path: Path) -> None:
    assert read_draft(written(draft, tmp_path)) == draft


def test_a_plain_string_is_english_and_a_table_adds_korean(
    compose: Callable[..., Draft], picks: list[Pick], tmp_path: Path
) -> None:
    draft = compose(picks, locales=("en",))
    path = written(draft, tmp_path)
    text = path.read_text(encoding="utf-8")
    first = draft.picks[0].decision["en"]
    path.write_text(
        text.replace('title = "Five diffusion papers: July 1, 2026"', 'title = "Edited title"').replace(
            f"decision = {json.dumps(first, ensure_ascii=False)}",
            'decision = { en = "Read it.", ko = "먼저 읽으세요." }',
        ),
        encoding="utf-8",
    )
    edited = read_draft(path)
    assert edited.title == {"en": "Edited title"}
    assert edited.picks[0].decision == {"en": "Read it.", "ko": "먼저 읽으세요."}


def test_korean_text_survives_the_file(draft: Draft, tmp_path: Path) -> None:
    from dataclasses import replace

    korean = replace(draft, intro={"en": "Hello.", "ko": "안녕하세요. — ×"})
    assert read_draft(written(korean, tmp_path)).intro == {"en": "Hello.", "ko": "안녕하세요. — ×"}


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line
    )


def test_a_wrong_type_names_the_file_line_and_field(draft: Draft, tmp_path: Path) -> None:
    path = written(draft, tmp_path)
    second_score = [
        i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith("score =")
    ][1]
    lines = path.read_text().splitlines()
    lines[second_score - 1] = 'score = "high"'
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DraftError) as caught:
        read_draft(path)
    assert caught.value.field == "picks[2].score"
    assert caught.value.line == second_score
    assert str(caught.value).startswith(f"{path}:{second_score}: picks[2].score: expected a number")


def test_a_misspelt_field_is_reported_not_ignored(draft: Draft, tmp_path: Path) -> None:
    path = written(draft, tmp_path)
    _break(path, "core_method =", "core_methd =")
    with pytest.raises(DraftError) as caught:
        read_draft(path)
    assert caught.value.field == "picks[1].core_methd"
    assert caught.value.line == _line_of(path, "core_methd =")


def test_a_toml_syntax_error_names_its_line(draft: Draft, tmp_path: Path) -> None:
    path = written(draft, tmp_path)
    _break(path, "approved = false", "approved = fals")
    with pytest.raises(DraftError) as caught:
        read_draft(path)
    assert caught.value.field == "syntax"
    assert caught.value.line == _line_of(path, "approved = fals")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "[window]\nstart = 2026-06-30 00:20:00+00:00",
            "[window]\nstart = 2026-06-30 00:20:00",
            "window.start",
        ),
        (
            "[window]\nstart = 2026-06-30 00:20:00+00:00",
            "[window]\nstart = 2026-07-02 00:20:00+00:00",
            "window.start",
        ),
        ("pinned = []", "pinned = [2607]", "pinned"),
        ("approved = false", 'approved = "yes"', "approved"),
        ('arxiv_id = "2607.00103"', 'arxiv_id = ""', "picks[1].arxiv_id"),
    ],
)
def test_invalid_values_are_reported_by_field(
    draft: Draft, tmp_path: Path, old: str, new: str, field: str
) -> None:
    path = written(draft, tmp_path)
    _break(path, old, new)
    with pytest.raises(DraftError) as caught:
        read_draft(path)
    assert caught.value.field == field
    assert caught.value.path == str(path)


def test_a_missing_file_is_a_draft_error(tmp_path: Path) -> None:
    with pytest.raises(DraftError, match="not found"):
        read_draft(tmp_path / "nope.toml")


def test_json_carries_the_picks_with_their_score_breakdown(draft: Draft) -> None:
    data = json.loads(json.dumps(draft_to_json(draft)))
    assert data["title"]["en"] == "Five diffusion papers: July 1, 2026"
    assert data["window"] == {"start": "2026-06-30T00:20:00+00:00", "end": "2026-07-01T00:00:00+00:00"}
    first = data["picks"][0]
    assert first["arxiv_id"] == draft.picks[0].arxiv_id
    assert first["score"] == draft.picks[0].score
    assert first["signals"] == dict(draft.picks[0].signals)
    assert first["decision"] == dict(draft.picks[0].decision)
    assert "generated" not in data
