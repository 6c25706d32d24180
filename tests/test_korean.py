"""The particle after an inserted name agrees with the name's last sound, as a named table."""

from __future__ import annotations

import pytest

from newsletter import korean

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
    assert [korean.particle(word, kind) for kind in ("을", "이", "은", "와", "으로")] == [eul, i, eun, wa, euro]


@pytest.mark.parametrize("kind", ["을", "를"])
def test_either_form_names_the_particle(kind: str) -> None:
    assert korean.attach("OTCache", kind) == "OTCache를"
    assert korean.attach("HPSv3", kind) == "HPSv3을"


def test_a_word_without_letters_reads_as_a_vowel() -> None:
    assert korean.particle("—", "이") == "가"
