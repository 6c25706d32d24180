"""The fact guard against adversarial text: each row is one text and what the guard must say.

A row passes when the guard's first problem contains ``expected`` (``None``: no problem).
The record is one paper's title, abstract, comment, journal reference, affiliations and
extracted facts, with numbers written as papers write them (1,024; 4.5×; 97.3%).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsletter import pipeline
from newsletter.model import Author, Facts, Paper
from newsletter.pipeline import App
from newsletter.ranking.facts import extract_facts
from newsletter.writing.guard import Record, check, normalise, record_of, verdict
from tests.writing.conftest import AT

_PAPER = Paper(
    arxiv_id="2607.00103",
    version=2,
    title="OTCache: Optimal Transport Modeling of Cache Schedules for Training-Free Diffusion Acceleration",
    abstract=(
        "Caching accelerates diffusion transformers, but schedules are tuned per budget. "
        "We propose OTCache, which models cache schedules as optimal transport between step budgets. "
        "OTCache reaches a 4.5× speedup on FLUX.1 with an FID of 12.3, while SDXL keeps 97.3% of its "
        "quality at 1,024 pixels. "
        "On Wan2.1 it cuts latency from 820 ms to 310 ms. "
        "Compared with TeaCache, OTCache needs 25 steps instead of 50. "
        "Code is at https://github.com/UnicomAI/OTCache."
    ),
    authors=(
        Author(name="Minji Park", affiliations=("China Unicom AI Innovation Center",)),
        Author(name="Wei Zhang"),
    ),
    primary_category="cs.CV",
    categories=("cs.CV",),
    published=datetime(2026, 6, 30, 12, tzinfo=UTC),
    updated=datetime(2026, 6, 30, 12, tzinfo=UTC),
    comment="Accepted at ECCV 2026. An earlier version was submitted to NeurIPS 2025. 14 pages.",
)
_FACTS = Facts(
    institution="China Unicom AI Innovation Center",
    venue="ECCV 2026",
    code_url="https://github.com/UnicomAI/OTCache",
    key_number="4.5× acceleration on FLUX.1",
    core_method="cache schedules as optimal transport between step budgets",
)
RECORD = record_of(_PAPER, _FACTS)
NO_VENUE = record_of(_PAPER, Facts(code_url=_FACTS.code_url))

ROWS = [
    # Faithful text passes.
    ("faithful", "OTCache reaches a 4.5× speedup on FLUX.1.", None),
    ("x for times", "OTCache reaches a 4.5x speedup on FLUX.1.", None),
    ("latex times", "OTCache reaches a 4.5$\\times$ speedup on FLUX.1.", None),
    ("percent", "SDXL keeps 97.3% of its quality.", None),
    ("thousands separator dropped", "SDXL keeps its quality at 1024 pixels.", None),
    ("full-width digits", "OTCache reaches a ４.５× speedup on FLUX.1.", None),
    ("decimal comma", "OTCache reaches a 4,5× speedup on FLUX.1.", None),
    ("milliseconds", "On Wan2.1 latency falls from 820 ms to 310 ms.", None),
    ("hedged rounding down", "OTCache is about 4× faster on FLUX.1.", None),
    ("hedged rounding, Korean", "OTCache 방법은 FLUX.1 모델에서 약 4배 빠릅니다.", None),
    ("a lower bound below the figure", "OTCache is over 4× faster on FLUX.1.", None),
    ("nearly, from below", "OTCache is nearly 5× faster on FLUX.1.", None),
    ("Korean lower bound", "OTCache 방법은 FLUX.1 모델에서 4배 이상 빠릅니다.", None),
    ("venue the extractor found", "The paper is accepted at ECCV 2026.", None),
    ("the real URL", "Code: https://github.com/UnicomAI/OTCache", None),
    ("URL without scheme", "Code: github.com/UnicomAI/OTCache.", None),
    ("institution as written", "The authors are at China Unicom AI Innovation Center.", None),
    ("author as written", "Minji Park and Wei Zhang wrote it.", None),
    ("Korean faithful", "OTCache 논문은 FLUX.1 모델에서 4.5배 가속을 보고합니다.", None),
    ("Korean percent", "SDXL 모델은 품질의 97.3%를 유지합니다.", None),
    ("Korean with a colon", "핵심 수치: 4.5× acceleration on FLUX.1", None),
    ("no facts at all", "Read this first if your work touches caching.", None),
    # Invented or changed numbers.
    ("invented percent", "OTCache keeps 98.1% of the quality.", "'98.1%' is not in the record"),
    ("unhedged rounding up", "OTCache reaches a 5× speedup on FLUX.1.", "'5×' is not in the record"),
    ("unhedged rounding down", "OTCache reaches a 4× speedup on FLUX.1.", "'4×' is not in the record"),
    ("hedged but wrong", "OTCache is about 6× faster on FLUX.1.", "'6×' is not in the record"),
    ("more than overstates", "OTCache is more than 5× faster.", "'5×' is not in the record"),
    ("up to overstates", "OTCache is up to 5× faster.", "'5×' is not in the record"),
    ("Korean 이상 overstates", "OTCache 방법은 5배 이상 빠릅니다.", "'5×' is not in the record"),
    ("nearly understates", "OTCache is nearly 4× faster.", "'4×' is not in the record"),
    ("hedged with more places", "OTCache is about 4.52× faster.", "'4.52×' is not in the record"),
    ("wrong unit", "OTCache reaches a 4.5% gain on FLUX.1.", "'4.5%' is not in the record"),
    ("ms become s", "On Wan2.1 latency falls to 310 s.", "'310 s' is not in the record"),
    ("invented FID", "OTCache reaches an FID of 11.8.", "'11.8' is not in the record"),
    ("thousands changed", "SDXL keeps its quality at 2,048 pixels.", "'2048' is not in the record"),
    ("full-width invented", "OTCache reaches a ７.５× speedup.", "'7.5×' is not in the record"),
    ("invented parameter count", "OTCache runs a 7B model.", "'7B' is not in the record"),
    ("invented step count", "OTCache needs 20 steps.", "'20' is not in the record"),
    (
        "Korean invented number",
        "OTCache 논문은 FLUX.1 모델에서 6.2배 가속을 보고합니다.",
        "'6.2×' is not in the record",
    ),
    ("Korean invented percent", "SDXL 모델은 품질의 99.9%를 유지합니다.", "'99.9%' is not in the record"),
    ("Korean full-width invented", "OTCache 방법은 ３０ 스텝이 필요합니다.", "'30' is not in the record"),
    # Swapped baselines: true numbers given to the wrong model.
    ("speedup given to SDXL", "SDXL reaches a 4.5× speedup.", "does not give '4.5×' for SDXL"),
    ("percent given to FLUX.1", "FLUX.1 keeps 97.3% of its quality.", "does not give '97.3%' for FLUX.1"),
    ("latency given to TeaCache", "TeaCache cuts latency to 310 ms.", "does not give '310 ms' for TeaCache"),
    (
        "Korean swapped baseline",
        "Wan2.1 모델에서 4.5배 가속을 보고합니다.",
        "does not give '4.5×' for Wan2.1",
    ),
    # Invented names, venues and institutions.
    ("invented benchmark", "OTCache reaches a 4.5× speedup on ImageNet.", "does not name ImageNet"),
    ("invented model", "OTCache also speeds up SD3.5.", "does not name SD3.5"),
    ("wrong version of a model", "On Wan2.2 it cuts latency.", "does not name Wan2.2"),
    ("invented venue", "The paper is accepted at ICML 2026.", "does not name ICML"),
    ("a venue it was only submitted to", "It is accepted at NeurIPS 2025.", "accepted at NeurIPS 2025"),
    ("Korean: only submitted there", "NeurIPS 2025 학회에 채택되었습니다.", "accepted at NeurIPS 2025"),
    ("the submission, told as such", "An earlier version was submitted to NeurIPS 2025.", None),
    ("venue year changed", "The paper appears at ECCV 2025.", "does not give '2025' for ECCV"),
    ("acceptance without a venue found", "The paper is accepted at a top venue.", "was accepted anywhere"),
    ("Korean acceptance without a venue", "이 논문은 학회에 채택되었습니다.", "was accepted anywhere"),
    ("invented institution", "The authors are at Stanford University.", "does not name Stanford University"),
    ("invented lab", "It comes from Google DeepMind.", "does not name DeepMind"),
    ("invented author", "Jane Smith et al. propose it.", "does not name Jane Smith"),
    ("Korean invented institution", "OTCache 논문은 Tsinghua 연구진이 썼습니다.", "does not name Tsinghua"),
    (
        "Korean invented English word",
        "OTCache 논문은 groundbreaking 결과를 냅니다.",
        "does not name groundbreaking",
    ),
    # URLs changed by one character.
    (
        "URL one letter off",
        "Code: https://github.com/UnicomAI/OTCachf",
        "URL https://github.com/UnicomAI/OTCachf",
    ),
    ("URL other owner", "Code: github.com/UnicornAI/OTCache.", "URL github.com/UnicornAI/OTCache"),
    (
        "URL extra path",
        "Code: https://github.com/UnicomAI/OTCache2",
        "URL https://github.com/UnicomAI/OTCache2",
    ),
    ("invented project page", "See https://otcache.github.io for videos.", "URL https://otcache.github.io"),
    ("arXiv version changed", "Read arXiv:2607.00103v3.", "the version 2607.00103v3"),
]


@pytest.mark.parametrize(("text", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_the_guard(text: str, expected: str | None) -> None:
    record = NO_VENUE if "accepted anywhere" in (expected or "") else RECORD
    problems = check(text, record)
    if expected is None:
        assert problems == []
    else:
        assert problems, f"the guard let {text!r} through"
        assert expected in problems[0]


def test_the_table_is_big_enough() -> None:
    assert len([r for r in ROWS if r[2] is not None]) >= 40 - 5
    assert len(ROWS) >= 50


def test_the_draft_note_names_the_first_problem() -> None:
    assert verdict("OTCache keeps 97.3% and 98.1%.", RECORD) == "rejected: '98.1%' is not in the record"
    assert verdict("OTCache keeps 97.3%.", RECORD) == "passed"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("４.５×", "4.5x"), ("1,024", "1024"), ("4,5x", "4.5x"), ("3$\\times$", "3x"), ("6.2배", "6.2x")],
)
def test_normalising(raw: str, normal: str) -> None:
    assert normalise(raw) == normal


def test_an_empty_record_rejects_every_fact() -> None:
    assert check("It reaches 4.5×.", Record(texts=())) == ["'4.5×' is not in the record"]


def test_every_sentence_of_every_recorded_abstract_passes_its_own_record(demo_app: App) -> None:
    """No false alarms on faithful text: the recorded window's abstracts, sentence by sentence."""
    found = pipeline.gather(demo_app, AT)
    checked = 0
    for paper in found.candidates:
        record = record_of(paper, extract_facts(paper))
        for sentence in re.split(r"(?<=[.!?])\s+", paper.abstract):
            assert check(sentence, record) == [], f"{paper.arxiv_id}: {sentence}"
            checked += 1
    assert checked > 100


@given(st.text(max_size=200))
def test_the_guard_never_fails_on_any_text(text: str) -> None:
    problems = check(text, RECORD)
    assert all(isinstance(p, str) and p for p in problems)


@given(st.lists(st.sampled_from(re.split(r"(?<=[.])\s+", _PAPER.abstract)), min_size=1, max_size=4))
def test_any_mix_of_the_abstracts_sentences_passes(sentences: list[str]) -> None:
    assert check(" ".join(sentences), RECORD) == []
