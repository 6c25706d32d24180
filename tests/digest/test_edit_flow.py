"""Edits flow through: a corrected fact rewrites the generated sentences that state it.

Each row edits the first pick of a generated draft (a fact, a fact and a sentence, the order)
and names, per field, a text the merged draft must contain and one it must no longer
contain. The draft goes through its file between the edit and the merge, as an editor's does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from newsletter.digest import merge_drafts, read_draft, write_draft
from newsletter.model import Draft, DraftPick


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit:
    facts: dict[str, str] = field(default_factory=dict)
    """Plain fields of the first pick the editor corrects."""
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    """Sentences of the first pick the editor rewrites too."""
    reverse: bool = False
    """The editor reverses the order of the picks."""
    present: tuple[tuple[str, str, str], ...] = ()
    """(field, locale, text) the merged first pick's field must contain."""
    absent: tuple[tuple[str, str, str], ...] = ()
    """(field, locale, text) it must no longer contain."""


def _old(draft: Draft, name: str) -> str:
    return str(getattr(_first(draft), name))


def _first(draft: Draft) -> DraftPick:
    return draft.picks[0]


EDITS = {
    "venue changed": Edit(
        facts={"venue": "NeurIPS 2026"},
        present=(
            ("evidence_and_limits", "en", "accepted to NeurIPS 2026"),
            ("evidence_and_limits", "ko", "NeurIPS 2026"),
            ("evidence_strength", "en", "accepted at NeurIPS 2026"),
        ),
        absent=(("evidence_and_limits", "en", "ECCV 2026"), ("evidence_strength", "ko", "ECCV 2026")),
    ),
    "key number changed": Edit(
        facts={"key_number": "5.0× on FLUX.1 [dev]"},
        present=(
            ("evidence_and_limits", "en", "5.0× on FLUX.1 [dev]."),
            ("evidence_and_limits", "ko", "5.0×"),
            # One setting now, where the generated key number named three.
            ("evidence_and_limits", "en", "It is measured in one setting, FLUX.1 [dev]."),
            ("evidence_and_limits", "ko", "이 수치를 측정한 설정은 하나입니다: FLUX.1 [dev]."),
        ),
        absent=(
            ("evidence_and_limits", "en", "4.5×"),
            ("evidence_and_limits", "en", "spans three settings"),
            ("first_read_reason", "en", "in three settings"),
            ("first_read_reason", "ko", "설정 3개"),
        ),
    ),
    "key number removed": Edit(
        facts={"key_number": "—"},
        present=(("evidence_and_limits", "en", "The abstract reports no quantitative result"),),
        absent=(("evidence_and_limits", "en", "4.5×"), ("first_read_reason", "en", "settings")),
    ),
    "short name changed": Edit(
        facts={"short_name": "OT-Cache"},
        present=(("decision", "en", "Read OT-Cache first"), ("decision", "ko", "OT-Cache")),
        absent=(("decision", "en", "Read OTCache first"),),
    ),
    "venue changed and its sentence edited too": Edit(
        facts={"venue": "NeurIPS 2026"},
        texts={"evidence_and_limits": {"en": "An oral at NeurIPS 2026, says the editor."}},
        present=(
            ("evidence_and_limits", "en", "An oral at NeurIPS 2026, says the editor."),
            ("evidence_strength", "en", "accepted at NeurIPS 2026"),
        ),
        # The editor's English replaces the generated Korean that translated the old text.
        absent=(("evidence_and_limits", "ko", "ECCV"), ("evidence_and_limits", "en", "The paper is listed")),
    ),
    "reordered": Edit(
        reverse=True,
        # The first pick is last now: its decision no longer says to read it first.
        present=(
            ("decision", "en", "Read OTCache if you work on"),
            ("decision", "ko", "OTCache 논문을 읽어 보세요"),
        ),
        absent=(
            ("decision", "en", "first"),
            ("decision", "ko", "논문부터"),
            ("decision", "en", "ranks #"),
            ("decision", "ko", "위로"),
            ("first_read_reason", "en", "ranks #"),
            ("first_read_reason", "ko", "위로"),
        ),
    ),
}


def _edited(draft: Draft, edit: Edit, path: Path) -> Draft:
    picks = list(draft.picks)
    picks[0] = replace(picks[0], **edit.facts, **edit.texts)  # type: ignore[arg-type]
    if edit.reverse:
        picks.reverse()
    write_draft(replace(draft, picks=tuple(picks)), path)
    return read_draft(path)


@pytest.mark.parametrize("name", list(EDITS))
def test_a_corrected_fact_rewrites_its_sentences(name: str, draft: Draft, tmp_path: Path) -> None:
    edit = EDITS[name]
    assert _first(draft).short_name == "OTCache"
    assert _first(draft).venue == "ECCV 2026"
    merged = merge_drafts(_edited(draft, edit, tmp_path / "draft.toml"), draft)
    pick = next(p for p in merged.picks if p.arxiv_id == _first(draft).arxiv_id)
    for fact, value in edit.facts.items():
        assert getattr(pick, fact) == value
    for field_name, locale, text in edit.present:
        assert text in getattr(pick, field_name).get(locale, ""), (field_name, locale)
    for field_name, locale, text in edit.absent:
        assert text not in getattr(pick, field_name).get(locale, ""), (field_name, locale)
    for field_name, value in edit.texts.items():
        assert dict(getattr(pick, field_name)) == value
    if edit.reverse:
        assert [p.arxiv_id for p in merged.picks] == [p.arxiv_id for p in reversed(draft.picks)]
    # A second run over the merged file changes nothing: refreshed sentences count as generated.
    write_draft(merged, tmp_path / "again.toml")
    assert merge_drafts(read_draft(tmp_path / "again.toml"), draft) == merged


def test_a_new_short_name_reaches_the_intro_and_the_reading_order(draft: Draft, tmp_path: Path) -> None:
    edited = _edited(draft, Edit(facts={"short_name": "OT-Cache"}), tmp_path / "draft.toml")
    merged = merge_drafts(edited, draft)
    for locale in ("en", "ko"):
        assert "OT-Cache" in merged.intro[locale]
        assert "OTCache" not in merged.intro[locale].replace("OT-Cache", "")
        assert any("OT-Cache" in paragraph[locale] for paragraph in merged.reading_order)
        assert not any("OTCache" in paragraph[locale] for paragraph in merged.reading_order)


def test_an_edited_intro_keeps_the_old_name(draft: Draft, tmp_path: Path) -> None:
    edited = replace(
        _edited(draft, Edit(facts={"short_name": "OT-Cache"}), tmp_path / "draft.toml"),
        intro={"en": "OTCache leads today."},
    )
    assert merge_drafts(edited, draft).intro == {"en": "OTCache leads today."}


def test_merging_twice_with_a_fresh_draft_keeps_the_correction(
    draft: Draft, compose: Callable[..., Draft], tmp_path: Path
) -> None:
    edited = _edited(draft, Edit(facts={"venue": "NeurIPS 2026"}), tmp_path / "draft.toml")
    once = merge_drafts(edited, draft)
    write_draft(once, tmp_path / "once.toml")
    twice = merge_drafts(read_draft(tmp_path / "once.toml"), draft)
    assert twice.picks[0].venue == "NeurIPS 2026"
    assert "NeurIPS 2026" in twice.picks[0].evidence_and_limits["en"]
    assert _old(draft, "venue") not in twice.picks[0].evidence_and_limits["en"]


def test_only_the_pick_that_opens_the_issue_is_read_first(draft: Draft, tmp_path: Path) -> None:
    reversed_picks = replace(draft, picks=tuple(reversed(draft.picks)))
    edited = replace(reversed_picks.picks[1], decision={"en": "Read this first, says the editor."})
    picks = (reversed_picks.picks[0], edited, *reversed_picks.picks[2:])
    write_draft(replace(draft, picks=picks), tmp_path / "draft.toml")
    merged = merge_drafts(read_draft(tmp_path / "draft.toml"), draft)
    first, second, *rest = merged.picks
    assert " first if you work on " in first.decision["en"]
    assert "논문부터 읽으세요" in first.decision["ko"]
    # The editor's own decision stays, "first" or not; generated ones elsewhere never say it.
    assert second.decision == {"en": "Read this first, says the editor."}
    assert [p.short_name for p in rest if "first" in p.decision["en"]] == []
    assert [p.short_name for p in rest if "논문부터" in p.decision["ko"]] == []
