"""Each fact's source phrase and the pick's reasons go through the draft file and back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from newsletter.digest import read_draft, write_draft
from newsletter.errors import DraftError
from newsletter.model import Draft
from tests.support import state_snapshot


def test_sources_and_reasons_are_written_and_read_back(draft: Draft, tmp_path: Path) -> None:
    first = replace(draft.picks[0], reasons=("close to OTCache",))
    edited = replace(draft, picks=(first, *draft.picks[1:]))
    path = tmp_path / "draft.toml"
    write_draft(edited, path)
    text = path.read_text(encoding="utf-8")
    assert "[picks.sources]" in text
    assert f'key_number = "{first.sources["key_number"]}"' in text
    back = read_draft(path)
    assert back.picks[0].sources == first.sources
    assert back.picks[0].reasons == ("close to OTCache",)


def test_a_draft_written_before_sources_reads_with_none(draft: Draft, tmp_path: Path) -> None:
    path = tmp_path / "draft.toml"
    write_draft(draft, path)
    old = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("reasons = ")
    )
    # Drop every [picks.sources] table with its lines, as an older version wrote the file.
    kept, skipping = [], False
    for line in old.splitlines():
        if line.strip().startswith("["):
            skipping = line.strip() == "[picks.sources]"
        if not skipping:
            kept.append(line)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    back = read_draft(path)
    assert all(p.sources == {} and p.reasons == () for p in back.picks)
    assert [p.key_number for p in back.picks] == [p.key_number for p in draft.picks]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        pytest.param("[picks.sources]", "[picks.sources]\nkey_number = 3", "picks[1].sources", id="a number"),
        pytest.param("reasons = []", 'reasons = "close to X"', "picks[1].reasons", id="reasons not a list"),
    ],
)
def test_bad_sources_or_reasons_name_the_field(
    draft: Draft, tmp_path: Path, old: str, new: str, field: str
) -> None:
    path = tmp_path / "draft.toml"
    write_draft(draft, path)
    text = path.read_text(encoding="utf-8")
    if old == "[picks.sources]":
        # Replace the first pick's first source line with a number.
        start = text.index(old)
        end = text.index("\n", text.index("\n", start) + 1)
        text = text[:start] + new + text[end:]
    else:
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    before = state_snapshot(tmp_path)
    with pytest.raises(DraftError) as raised:
        read_draft(path)
    assert field in str(raised.value)
    assert "\n" not in str(raised.value)
    assert state_snapshot(tmp_path) == before
