"""Re-drafting a window keeps every edit and refreshes only the text nobody touched."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from newsletter.config import RankingSection
from newsletter.digest import merge_drafts, read_draft, write_draft
from newsletter.digest.fingerprint import LOCALIZED_FIELDS, PLAIN_FIELDS
from newsletter.digest.pick_sentences import refresh_pick
from newsletter.model import Draft, Pick
from newsletter.ranking import rank
from tests.ranking import papers


def edit_pick(draft: Draft, index: int, **changes: object) -> Draft:
    picks = list(draft.picks)
    picks[index] = replace(picks[index], **changes)  # type: ignore[arg-type]
    return replace(draft, picks=tuple(picks))


def test_merging_an_untouched_draft_gives_the_fresh_one(draft: Draft, compose: Callable[..., Draft]) -> None:
    assert merge_drafts(draft, draft) == draft


def test_edits_are_kept_and_untouched_text_is_refreshed(
    draft: Draft, compose: Callable[..., Draft], picks: list[Pick]
) -> None:
    edited = edit_pick(draft, 0, decision={"en": "My own decision."}, venue="ECCV 2026 (oral)")
    edited = replace(edited, title={"en": "Edited title", "ko": "편집한 제목"})
    # The source changed since: a new key number for the first pick.
    changed = replace(picks[0].paper, abstract=picks[0].paper.abstract.replace("4.5×", "5.5×"))
    fresh = compose(rank([changed, *(p.paper for p in picks[1:])], RankingSection()))
    merged = merge_drafts(edited, fresh)
    first = next(p for p in merged.picks if p.arxiv_id == changed.arxiv_id)
    # The generated Korean decision is dropped with the English it translated.
    assert first.decision == {"en": "My own decision."}
    assert first.venue == "ECCV 2026 (oral)"
    assert merged.title == {"en": "Edited title", "ko": "편집한 제목"}
    assert first.key_number.startswith("5.5× FLUX.1 [dev]")
    assert "5.5×" in first.evidence_and_limits["en"]


def test_a_korean_text_added_by_the_editor_is_kept(draft: Draft) -> None:
    added = dict(draft.picks[1].what_it_does, ko="이 논문은 …")
    merged = merge_drafts(edit_pick(draft, 1, what_it_does=added), draft)
    assert merged.picks[1].what_it_does == added


def test_the_editors_order_pins_exclusions_and_approval_win(draft: Draft) -> None:
    reordered = replace(draft, picks=tuple(reversed(draft.picks)), approved=True, excluded=("2607.00201",))
    merged = merge_drafts(reordered, draft)
    assert [p.arxiv_id for p in merged.picks] == [p.arxiv_id for p in reversed(draft.picks)]
    assert merged.approved
    assert merged.excluded == ("2607.00201",)
    pinned = replace(reordered, pinned=(draft.picks[2].arxiv_id,))
    assert merge_drafts(pinned, draft).picks[0].arxiv_id == draft.picks[2].arxiv_id


def test_an_edited_pick_the_ranking_dropped_is_kept_an_untouched_one_is_not(
    draft: Draft, compose: Callable[..., Draft], picks: list[Pick]
) -> None:
    fresh = compose(picks[:3])
    untouched = merge_drafts(draft, fresh)
    assert [p.arxiv_id for p in untouched.picks] == [p.arxiv_id for p in fresh.picks]
    edited = edit_pick(draft, 4, decision={"en": "Keep this one."})
    kept = merge_drafts(edited, fresh)
    assert [p.arxiv_id for p in kept.picks][-1] == draft.picks[4].arxiv_id
    assert kept.picks[-1].decision == {"en": "Keep this one."}


def test_edits_survive_the_file_and_repeated_runs(draft: Draft, tmp_path: Path) -> None:
    path = tmp_path / "draft.toml"
    write_draft(draft, path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f'short_name = "{draft.picks[0].short_name}"', 'short_name = "OT"'), "utf-8")
    once = merge_drafts(read_draft(path), draft)
    write_draft(once, path)
    twice = merge_drafts(read_draft(path), draft)
    assert once.picks[0].short_name == twice.picks[0].short_name == "OT"
    assert twice == once


_field_names = st.sampled_from([*PLAIN_FIELDS, *LOCALIZED_FIELDS])


@hypothesis_settings(deadline=None, max_examples=50)
@given(
    edits=st.dictionaries(
        st.tuples(st.integers(min_value=0, max_value=4), _field_names),
        st.text(min_size=1, max_size=30),
        max_size=6,
    )
)
def test_merge_keeps_exactly_the_edited_fields(edits: dict[tuple[int, str], str]) -> None:
    edited = fresh = _FRESH
    for (index, name), text in edits.items():
        value: object = {"en": text} if name in LOCALIZED_FIELDS else text
        edited = edit_pick(edited, index, **{name: value})
    merged = merge_drafts(edited, fresh)
    for index, (mine, fresh_pick) in enumerate(zip(edited.picks, fresh.picks, strict=True)):
        names = {name for i, name in edits if i == index}
        # A corrected fact rewrites the generated sentences that state it; nothing else moves.
        expected = refresh_pick(mine, ("en",), lead=index == 0) if names & set(PLAIN_FIELDS) else fresh_pick
        for name in (*PLAIN_FIELDS, *LOCALIZED_FIELDS):
            want = getattr(mine if name in names or name in PLAIN_FIELDS else expected, name)
            assert getattr(merged.picks[index], name) == want, (index, name)


def _fresh() -> Draft:
    from datetime import UTC, date, datetime

    from newsletter.digest import compose_draft
    from newsletter.model import Window

    return compose_draft(
        rank(papers.DAY, RankingSection()),
        window=Window(start=datetime(2026, 6, 30, tzinfo=UTC), end=datetime(2026, 7, 1, tzinfo=UTC)),
        issue_date=date(2026, 7, 1),
        candidates=len(papers.DAY),
        locales=("en",),
        generated_at=datetime(2026, 7, 1, tzinfo=UTC),
    )


_FRESH = _fresh()


def test_a_translation_edit_keeps_the_fresh_english(draft: Draft) -> None:
    decision = draft.picks[0].decision
    edited = edit_pick(draft, 0, decision={**decision, "ko": "편집자의 판단."})
    merged = merge_drafts(edited, draft)
    assert merged.picks[0].decision == {"en": decision["en"], "ko": "편집자의 판단."}
