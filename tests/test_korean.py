"""The particle after an inserted name agrees with the name's last sound, as a named table."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from newsletter import korean
from newsletter.assets import locales_dir
from newsletter.config import Config, RankingSection
from newsletter.digest import compose_draft
from newsletter.model import Draft, Window
from newsletter.ranking import rank
from newsletter.render import render_email
from tests.ranking import papers
from tests.render.sample import sample_draft

# (name, word, 을/를, 이/가, 은/는, 와/과, 으로/로)
PARTICLE_CASES = [
    # Hangul: the final consonant decides; ㄹ takes 로 as a vowel does.
    ("Hangul vowel", "리서치 브리프", "를", "가", "는", "와", "로"),
    ("Hangul consonant", "한국어 설정", "을", "이", "은", "과", "으로"),
    ("Hangul ㄹ", "모델", "을", "이", "은", "과", "로"),
    ("Hangul vowel 한국어", "한국어", "를", "가", "는", "와", "로"),
    # English words, read aloud.
    ("English vowel", "Qwen-Image", "를", "가", "는", "와", "로"),
    ("English silent e", "OTCache", "를", "가", "는", "와", "로"),
    ("English consonant n", "Diffusion", "을", "이", "은", "과", "으로"),
    ("English consonant t", "DreamNet", "을", "이", "은", "과", "으로"),
    ("English -er is a vowel", "Transformer", "를", "가", "는", "와", "로"),
    ("English -or is a vowel", "Vector", "를", "가", "는", "와", "로"),
    ("English final l is ㄹ", "Model", "을", "이", "은", "과", "로"),
    ("English -s reads 스", "SyncCache Plus", "를", "가", "는", "와", "로"),
    ("English -ng", "Flow Matching", "을", "이", "은", "과", "으로"),
    ("English -sh reads 시", "Flash", "를", "가", "는", "와", "로"),
    # Acronyms: the last capital is read by its name.
    ("acronym ending in M (엠)", "LLM", "을", "이", "은", "과", "으로"),
    ("acronym ending in N (엔)", "CNN", "을", "이", "은", "과", "으로"),
    ("acronym ending in L (엘)", "ECFM-L", "을", "이", "은", "과", "로"),
    ("acronym ending in R (알)", "OCR", "을", "이", "은", "과", "로"),
    ("acronym ending in a vowel name", "ECFM-T", "를", "가", "는", "와", "로"),
    ("acronym DiT (티)", "DiT", "를", "가", "는", "와", "로"),
    ("plural acronym (즈)", "MBD-LMs", "를", "가", "는", "와", "로"),
    # Digits, read Sino-Korean.
    ("digit 1 (일)", "HPSv1", "을", "이", "은", "과", "로"),
    ("digit 2 (이)", "Stable Diffusion 2", "를", "가", "는", "와", "로"),
    ("digit 3 (삼)", "HPSv3", "을", "이", "은", "과", "으로"),
    ("digit 5 (오)", "4.5", "를", "가", "는", "와", "로"),
    ("digit 6 (육)", "SD 1.6", "을", "이", "은", "과", "으로"),
    ("digit 8 (팔)", "8", "을", "이", "은", "과", "로"),
    ("digit 0 (영)", "0", "을", "이", "은", "과", "으로"),
    ("10 (십)", "10", "을", "이", "은", "과", "으로"),
    ("2000 (이천)", "ECCV 2000", "을", "이", "은", "과", "으로"),
    ("2026 (육)", "ECCV 2026", "을", "이", "은", "과", "으로"),
    ("times sign (배)", "4.5×", "를", "가", "는", "와", "로"),
    # Trailing punctuation is skipped.
    ("closing bracket", "(OTCache)", "를", "가", "는", "와", "로"),
]


@pytest.mark.parametrize(
    ("word", "eul", "i", "eun", "wa", "euro"),
    [pytest.param(*case[1:], id=case[0]) for case in PARTICLE_CASES],
)
def test_particles_follow_the_last_sound(word: str, eul: str, i: str, eun: str, wa: str, euro: str) -> None:
    assert [korean.particle(word, kind) for kind in ("을", "이", "은", "와", "으로")] == [
        eul,
        i,
        eun,
        wa,
        euro,
    ]


@pytest.mark.parametrize("kind", ["을", "를"])
def test_either_form_names_the_particle(kind: str) -> None:
    assert korean.attach("OTCache", kind) == "OTCache를"
    assert korean.attach("HPSv3", kind) == "HPSv3을"


def test_a_word_without_letters_reads_as_a_vowel() -> None:
    assert korean.particle("—", "이") == "가"


# Never both forms of a particle, in any Korean output (KOREAN.md).
BOTH_FORMS = re.compile(r"을\(를\)|를\(을\)|이\(가\)|가\(이\)|은\(는\)|는\(은\)|와\(과\)|과\(와\)|\(으\)로")


def assert_no_particle_placeholder(text: str, where: str) -> None:
    found = BOTH_FORMS.search(text)
    assert found is None, (
        f"{where}: {found.group(0)!r} in …{text[max(0, found.start() - 40) : found.end() + 10]}…"
    )


def test_the_korean_catalog_never_writes_both_forms() -> None:
    with (locales_dir() / "ko" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="ko")
    texts = [m.string if isinstance(m.string, tuple) else (m.string,) for m in catalog if m.id]
    assert len(texts) > 50
    for strings in texts:
        for text in strings:
            assert_no_particle_placeholder(text, "locales/ko/LC_MESSAGES/messages.po")


LONG_TITLE = "Few-Step Flow Matching via Trajectory Straightening with Reflow Ensembles"


def generated_drafts() -> list[Draft]:
    """Drafts composed from the recorded day, with every kind of pick the phrases distinguish."""
    picks = rank(papers.DAY, RankingSection())
    varied = [
        replace(
            pick,
            paper=replace(pick.paper, title=title or pick.paper.title),
            facts=replace(pick.facts, venue=venue, code_url=code, project_url=project, key_number=number),
            signals={**pick.signals, "evidence": evidence},
        )
        for pick, (title, venue, code, project, number, evidence) in zip(
            picks,
            [
                # A title too long to name whole: the issue calls it "Few-Step Flow … Trajectory…".
                (LONG_TITLE, "ECCV 2026", "https://github.com/a/b", "", "4.5×", 0.9),
                ("", "", "", "https://example.org/p", "", 0.4),
                ("", "NeurIPS 2025", "", "", "HPSv3 5.4 → 9.4", 0.1),
                ("", "", "", "", "", 0.0),
                ("", "ICLR 2026", "https://github.com/c/d", "", "", 0.5),
            ],
            strict=False,
        )
    ]
    window = Window(
        start=datetime(2026, 6, 30, 0, 20, tzinfo=UTC), end=datetime(2026, 7, 1, 0, 30, tzinfo=UTC)
    )
    compose = partial(
        compose_draft,
        window=window,
        issue_date=date(2026, 7, 1),
        candidates=45,
        locales=("en", "ko"),
        tz=ZoneInfo("Asia/Seoul"),
        topic_terms=RankingSection().topic_terms,
    )
    return [compose(picks), compose(varied), compose([])]


def test_generated_korean_sentences_and_emails_never_write_both_forms(config: Config) -> None:
    for draft in (*generated_drafts(), sample_draft()):
        texts = [draft.title, draft.intro, *draft.reading_order]
        for pick in draft.picks:
            texts += [pick.first_read_reason, pick.evidence_strength, pick.decision, pick.evidence_and_limits]
        korean = [text["ko"] for text in texts if "ko" in text]
        assert korean, "the catalog no longer translates the generated text"
        for text in korean:
            assert_no_particle_placeholder(text, "generated draft")
        email = render_email(draft, "ko", config.render_settings())
        for part, text in (("subject", email.subject), ("HTML", email.html), ("text", email.text)):
            assert_no_particle_placeholder(text, f"Korean email {part}")
