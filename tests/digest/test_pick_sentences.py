"""The sentences that state a pick's facts: decision, first-read reason, evidence and limits.

Each is built from the pick's own record (title, key number, sources, area, signals) and must
say something specific to it, in English and in Korean. Rows are tables of facts and the text
they must (and must not) give.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsletter.digest import areas
from newsletter.digest.phrases import phrases_for
from newsletter.digest.pick_sentences import placed, refresh_pick
from newsletter.digest.titles import title_phrase
from newsletter.model import ABSENT, DraftPick

_LOCALES = ("en", "ko")


def _pick(**facts: object) -> DraftPick:
    base = DraftPick(
        arxiv_id="2607.00001",
        title="Plain Title",
        short_name="Plain",
        url="https://arxiv.org/abs/2607.00001",
        area=areas.OTHER,
        signals={"topic": 0.5, "novelty": 0.5, "venue": 0.0, "evidence": 0.5, "code": 0.0},
    )
    return refresh_pick(replace(base, **facts), _LOCALES, lead=False)  # type: ignore[arg-type]


def test_a_name_the_paper_writes_mid_sentence_keeps_its_capital() -> None:
    title = "Convergence of Adam under Relaxed Smoothness"
    assert title_phrase(title)[0] == "convergence of adam under relaxed smoothness"
    assert title_phrase(title, frozenset({"Adam"}))[0] == "convergence of Adam under relaxed smoothness"
    pick = _pick(
        title=title,
        sources={
            "core_method": "We prove that Adam with a decaying step size converges to a stationary point."
        },
    )
    assert pick.first_read_reason["en"].startswith("It presents convergence of Adam under relaxed smoothness")


@pytest.mark.parametrize(
    ("facts", "lead", "english", "korean"),
    [
        pytest.param(
            {
                "title": "SyncCache: Modality-Decoupled Caching for Audio-Driven Portrait Animation",
                "short_name": "SyncCache",
                "area": "Inference acceleration",
            },
            True,
            "Read SyncCache first if you work on audio-driven portrait animation, inference acceleration, "
            "or caching.",
            "다음 분야를 연구한다면 SyncCache 논문부터 읽으세요: "
            "audio-driven portrait animation · 추론 가속 · 캐싱",
            id="the lead: its use, its area and a topic term",
        ),
        pytest.param(
            {"title": "Entropy-Controlled Flow Matching", "short_name": "ECFM", "area": areas.THEORY},
            False,
            "Read ECFM if you work on theory or flow matching.",
            "다음 분야를 연구한다면 ECFM 논문을 읽어 보세요: 이론 · 플로 매칭",
            id="not the lead: no 'first'",
        ),
        pytest.param(
            {
                "title": "Consistency Distillation for Fast Distillation of Video",
                "short_name": "CD",
                "area": "Distillation and few-step generation",
            },
            False,
            "Read CD if you work on fast distillation of video.",
            "다음 분야를 연구한다면 CD 논문을 읽어 보세요: fast distillation of video",
            id="no word said twice",
        ),
        pytest.param(
            {"title": "Learning Where to Compute", "short_name": "SparseDiT", "area": areas.OTHER},
            True,
            "Start with SparseDiT: it leads today's ranking.",
            "SparseDiT 논문부터 읽으세요. 오늘 순위에서 가장 앞선 논문입니다.",
            id="the lead without a topic",
        ),
        pytest.param(
            {"title": "Learning Where to Compute", "short_name": "SparseDiT", "area": areas.OTHER},
            False,
            "Read SparseDiT if its method is close to your work.",
            "자신의 연구와 방법이 가깝다면 SparseDiT 논문을 읽어 보세요.",
            id="neither lead nor topic",
        ),
    ],
)
def test_the_decision_names_the_papers_topics(
    facts: dict[str, object], lead: bool, english: str, korean: str
) -> None:
    pick = refresh_pick(_pick(**facts), _LOCALES, lead=lead)
    assert pick.decision == {"en": english, "ko": korean}


@pytest.mark.parametrize(
    ("facts", "english", "korean"),
    [
        pytest.param(
            {
                "title": "OTCache: Optimal Transport Modeling of Cache Schedules",
                "key_number": "4.5× FLUX.1 [dev], 4.7× Qwen-Image, 3.66× HunyuanVideo",
            },
            "It presents optimal transport modeling of cache schedules "
            "and reports speed-ups in three settings.",
            "주제: optimal transport modeling of cache schedules · 설정 3개에서 속도 향상 보고",
            id="speed-ups in several settings",
        ),
        pytest.param(
            {"title": "A: Learned Metrics", "key_number": "FID 2.35 → 1.98 (ImageNet 512, CIFAR-10)"},
            "It presents learned metrics and reports results in two settings.",
            "주제: learned metrics · 설정 2개의 결과 보고",
            id="results in several settings",
        ),
        pytest.param(
            {"title": "A: Learned Metrics", "key_number": "TPF 3.47 → 6.19 (LLaDA2-Mini, +78.4%)"},
            "It presents learned metrics.",
            "주제: learned metrics",
            id="one setting: the key number beside it says it",
        ),
        pytest.param(
            {
                "title": "Entropy-Controlled Flow Matching",
                "area": areas.THEORY,
                "venue": "ECCV 2026",
                "signals": {"topic": 0.9, "novelty": 0.85, "venue": 1.0, "evidence": 0.8, "code": 0.0},
            },
            "It presents entropy-controlled flow matching, proves its result rather than benchmarking it, "
            "and is accepted at ECCV 2026.",
            "주제: entropy-controlled flow matching · 벤치마크 대신 증명으로 뒷받침 · ECCV 2026 채택",
            id="theory, led by its venue",
        ),
        pytest.param(
            {
                "title": "A Survey on the Theory of Diffusion Models",
                "area": areas.THEORY,
                "signals": {"topic": 1.0, "novelty": 0.1, "venue": 0.0, "evidence": 0.2, "code": 0.0},
            },
            "It presents a survey on the theory of diffusion models and gives no number in the abstract.",
            "주제: a survey on the theory of diffusion models · 초록에 수치 없음",
            id="a survey of theory proves nothing itself",
        ),
        pytest.param(
            {
                "title": "What Matters in Data Curation?",
                "code_url": "https://github.com/a/b",
                "signals": {"topic": 0.2, "novelty": 0.4, "venue": 0.0, "evidence": 0.0, "code": 1.0},
            },
            "It asks what matters in data curation, gives no number in the abstract, and links public code.",
            "질문: what matters in data curation · 초록에 수치 없음 · 코드 공개",
            id="a question, led by its code",
        ),
        pytest.param(
            {
                "title": "Flow Matching Is Score Matching in Disguise",
                "key_number": "FID 2.41 → 2.18 (ImageNet 64)",
            },
            "It argues that flow matching is score matching in disguise.",
            "주장: flow matching is score matching in disguise",
            id="a statement",
        ),
        pytest.param(
            {
                "title": "Cross-Space Distillation: Distilling Large Teachers into Compact Students",
                "key_number": "HPSv3 5.4 → 9.4 (SD 1.5)",
            },
            "It is about distilling large teachers into compact students.",
            "주제: distilling large teachers into compact students",
            id="an activity",
        ),
    ],
)
def test_the_first_read_reason_says_what_the_paper_does_and_what_backs_it(
    facts: dict[str, object], english: str, korean: str
) -> None:
    pick = _pick(**facts)
    assert pick.first_read_reason == {"en": english, "ko": korean}


@pytest.mark.parametrize(
    ("facts", "english", "korean"),
    [
        pytest.param(
            {"key_number": "4.5× FLUX.1 [dev], 4.7× Qwen-Image, 3.66× HunyuanVideo"},
            "The evidence spans three settings. The key number gives no quality figure beside the speed-up; "
            "check what it costs in fidelity.",
            "근거는 설정 3개에 걸쳐 있습니다. 핵심 수치는 속도 향상만 보여 주고 품질 수치는 함께 제시하지 "
            "않습니다.",
            id="several settings, a bare speed-up",
        ),
        pytest.param(
            {
                "key_number": "4.12× HunyuanVideo-Avatar, 3.75× Wan-S2V",
                "sources": {
                    "key_number": "SyncFoo reaches 4.12× acceleration on HunyuanVideo-Avatar and 3.75× on "
                    "Wan-S2V with near-lossless visual fidelity."
                },
            },
            "The evidence spans two settings. The abstract states the quality beside the speed-up in words, "
            "not figures; check the fidelity numbers in the evaluation.",
            "근거는 설정 2개에 걸쳐 있습니다. 초록은 속도 향상과 함께 품질을 수치가 아닌 말로만 설명합니다.",
            id="several settings, the quality only in words",
        ),
        pytest.param(
            {"key_number": "2.1× FLUX.1 [dev]; FID 6.4 (full model: 6.2)"},
            "It is measured in one setting, FLUX.1 [dev]. "
            "Check whether it transfers to other models and data.",
            "이 수치를 측정한 설정은 하나입니다: FLUX.1 [dev]. "
            "다른 모델과 데이터에서도 성립하는지 확인하세요.",
            id="one setting, the speed-up with its quality",
        ),
        pytest.param(
            {"key_number": "FID 4.8 → 3.9 (CIFAR-10)"},
            "It is measured only on a small-scale benchmark, CIFAR-10. Check whether it holds at scale.",
            "이 수치는 소규모 벤치마크에서만 측정했습니다: CIFAR-10. 더 큰 규모에서도 성립하는지 확인하세요.",
            id="a small-scale benchmark",
        ),
        pytest.param(
            {"key_number": "identity drift 5.2 → 0.9 (120 s)"},
            "The key number names no model or benchmark; find its setting in the evaluation.",
            "핵심 수치에는 모델이나 벤치마크 이름이 없습니다.",
            id="no setting named",
        ),
        pytest.param(
            {
                "key_number": "Gamma-converges to classical optimal transport as lambda approaches 0",
                "sources": {
                    "key_result": "As lambda approaches 0 it Gamma-converges to classical optimal transport."
                },
            },
            "The evidence is mathematical: the abstract states what it proves, not benchmark numbers. "
            "Its key result: Gamma-converges to classical optimal transport as lambda approaches 0.",
            "근거는 수학적입니다. 초록은 벤치마크 수치 대신 증명한 내용을 제시합니다. "
            "핵심 결과: Gamma-converges to classical optimal transport as lambda approaches 0.",
            id="a proof's key result",
        ),
        pytest.param(
            {"key_number": ABSENT},
            "The abstract reports no quantitative result; read the evaluation before relying on it.",
            "초록에는 정량적 결과가 없으므로",
            id="no number",
        ),
    ],
)
def test_evidence_and_limits_say_how_far_the_evidence_reaches(
    facts: dict[str, object], english: str, korean: str
) -> None:
    pick = _pick(**facts)
    assert english in pick.evidence_and_limits["en"]
    assert korean in pick.evidence_and_limits["ko"]
    # The sentence every pick used to get, whatever its evidence.
    assert "beyond the settings the abstract names" not in pick.evidence_and_limits["en"]


def test_a_pick_moved_into_the_first_place_is_read_first_and_an_edited_decision_stays() -> None:
    one, two, three = (
        _pick(arxiv_id=str(i), short_name=name, title=f"{name}: Caching for Video Generation")
        for i, name in enumerate(("One", "Two", "Three"))
    )
    one = refresh_pick(one, _LOCALES, lead=True)
    edited = replace(three, decision={"en": "The editor's words."})
    moved = placed([two, one, edited], _LOCALES)
    assert [p.decision["en"].split(" if ")[0] for p in moved[:2]] == ["Read Two first", "Read One"]
    assert moved[1].decision["ko"].endswith("One 논문을 읽어 보세요: video generation · 캐싱")
    assert moved[2].decision == {"en": "The editor's words."}
    assert placed(moved, _LOCALES) == moved


@pytest.mark.parametrize(
    ("locale", "items", "expected"),
    [
        ("en", ["a"], "a"),
        ("en", ["a", "b"], "a or b"),
        ("en", ["a", "b", "c"], "a, b, or c"),
        ("ko", ["가", "나", "다"], "가 · 나 · 다"),
        ("en", [], ""),
    ],
)
def test_alternatives_join_with_or_in_english_and_a_middle_dot_in_korean(
    locale: str, items: list[str], expected: str
) -> None:
    assert phrases_for(locale).alternatives(items) == expected


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("FooEdit is 31× faster than the teacher.", "gives no quality figure"),
        ("FooCache reaches 4.1× on Wan-S2V with near-lossless visual fidelity.", "in words, not figures"),
        (
            "FooEdit is 31× faster than the teacher, and raters prefer its edits in 48% of comparisons.",
            "",
        ),
    ],
)
def test_a_speed_up_is_called_bare_only_when_its_sentence_states_no_quality(source: str, says: str) -> None:
    pick = _pick(key_number="31×", sources={"key_number": source})
    limits = pick.evidence_and_limits["en"]
    assert ("quality" in limits) == bool(says)
    assert says in limits
