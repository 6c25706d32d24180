"""The sample issue of 2026-07-01 as a Draft, built directly so these tests need no draft reader.

English texts follow ``shared/reference/sample-issue-2026-07-01.txt``; Korean is given for the
title, the introduction, the reading order and the short table texts, and left out of the long
per-paper paragraphs so the fallback to English is exercised too. arXiv identifiers are
placeholders: the sample does not list them.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from newsletter.model import Draft, DraftPick, Window

SEOUL = ZoneInfo("Asia/Seoul")
#: When the sample issue's send started: its header shows this, not when it was rendered.
SEND_TIME = datetime(2026, 7, 1, 9, 24, tzinfo=SEOUL)

_PICKS = (
    DraftPick(
        arxiv_id="2606.30101",
        title="Cross-Space Distillation: large teachers, compact one-step students",
        short_name="Cross-Space Distillation",
        url="https://arxiv.org/abs/2606.30101",
        venue="ECCV 2026",
        key_number="HPSv3 5.4 → 9.4 (SD 1.5, one step)",
        core_method="Latent projector between teacher and student spaces",
        area="Distillation and few-step generation",
        first_read_reason={
            "en": "It breaks the shared-latent-space assumption in one-step distillation and reports "
            "SD 1.5 HPSv3 improving from 5.4 to 9.4 while preserving one-step inference.",
            "ko": "원스텝 증류의 공유 잠재 공간 가정을 깨고, 원스텝 추론을 유지하면서 SD 1.5의 HPSv3 점수를 "
            "5.4에서 9.4로 끌어올렸다고 보고합니다.",
        },
        evidence_strength={
            "en": "Strong practical claim, ECCV 2026 signal, and directly relevant teacher-student setup.",
            "ko": "실용적 주장 강함 · ECCV 2026 채택 · 교사-학생 설정과 직접 관련",
        },
        decision={
            "en": "Open this first if your work touches one-step diffusion distillation, deployable "
            "text-to-image models, or the practical gap between modern high-capacity teachers and "
            "older compact students.",
            "ko": "원스텝 확산 증류, 배포 가능한 텍스트-이미지 모델, 또는 대형 교사 모델과 소형 학생 모델 "
            "사이의 실질적 격차를 다룬다면 이 논문부터 읽으세요.",
        },
        what_it_does={
            "en": "The paper proposes a Cross-Space Distillation paradigm in which teacher and student "
            "models can use different latent spaces, including different resolutions and VAE "
            "parameterizations."
        },
        technical_read={
            "en": "The important claim is that one-step distillation does not need a shared latent space."
        },
        quote={
            "en": "“Distilled from a larger teacher, SD 1.5 improves from 5.4 to 9.4 HPSv3 while keeping "
            "one-step inference, low latency and compatibility with the SD 1.5 ecosystem.” — Kang et al."
        },
        evidence_and_limits={
            "en": "The venue signal is strong because the paper is listed as accepted to ECCV 2026. The "
            "available summary does not list public code or a complete metric table."
        },
    ),
    DraftPick(
        arxiv_id="2606.30102",
        title="Entropy-Controlled Flow Matching: mode coverage as a constraint, not a hope",
        short_name="ECFM",
        url="https://arxiv.org/abs/2606.30102",
        authors=("Chika Maduabuchi",),
        institution="William & Mary",
        venue="ECCV 2026",
        key_number="Γ-converges to OT as λ → 0",
        core_method="Entropy-rate budget on the continuity-equation path",
        area="Theory",
        first_read_reason={
            "en": "It turns mode coverage into an explicit entropy-rate constraint and connects flow "
            "matching to a Schrödinger bridge formulation.",
            "ko": "모드 커버리지를 명시적인 엔트로피율 제약으로 바꾸고 플로 매칭을 슈뢰딩거 브리지 "
            "정식화와 연결합니다.",
        },
        evidence_strength={
            "en": "Strong theory contribution; evidence is mathematical rather than benchmark-led.",
            "ko": "이론 중심 기여(근거는 벤치마크보다 수학적 증명)",
        },
        decision={
            "en": "Read Entropy-Controlled Flow Matching if your work depends on flow matching "
            "guarantees, mode coverage, or theoretical links between deterministic transport and "
            "stochastic control."
        },
        what_it_does={
            "en": "ECFM imposes an entropy-rate budget on the continuity-equation path, written as "
            "d/dt H(μ_t) ≥ -λ, while minimizing the L2 distance to a reference drift."
        },
        technical_read={
            "en": "The paper connects that constrained variational principle to a Schrödinger bridge "
            "representation under a Brownian reference law."
        },
        evidence_and_limits={
            "en": "The paper reports certificate-style mode-coverage guarantees, density-floor bounds "
            "and Lipschitz stability; the limit is practical translation to large-scale training."
        },
    ),
    DraftPick(
        arxiv_id="2606.30103",
        title="OTCache: cache schedules as geometry, not per-budget hacks",
        short_name="OTCache",
        url="https://arxiv.org/abs/2606.30103",
        venue="ECCV 2026",
        code_url="https://github.com/UnicomAI/OTCache",
        key_number="4.5× FLUX.1, 4.7× Qwen-Image, 3.66× HunyuanVideo",
        core_method="Optimal-transport interpolation of cache schedules",
        area="Inference acceleration",
        first_read_reason={
            "en": "It uses optimal-transport-inspired cache schedule modeling and reports 4.5× FLUX.1, "
            "4.7× Qwen-Image, and 3.66× HunyuanVideo acceleration.",
            "ko": "최적 수송에서 착안한 캐시 스케줄 모델링으로 FLUX.1 4.5배, Qwen-Image 4.7배, "
            "HunyuanVideo 3.66배 가속을 보고합니다.",
        },
        evidence_strength={
            "en": "Strong systems evidence across three model families, plus ECCV 2026 and public code.",
            "ko": "세 모델 계열에 걸친 시스템 근거 강함 · ECCV 2026 채택 · 코드 공개",
        },
        decision={
            "en": "Read OTCache first if you work on diffusion inference systems, DiT caching, or "
            "production serving budgets for image and video generation."
        },
        what_it_does={
            "en": "OTCache is a training-free three-stage framework that uses optimal transport to "
            "predict cache schedules for diffusion models."
        },
        technical_read={
            "en": "The useful idea is that optimal cache schedules across NFE budgets may share a smooth "
            "structural relationship."
        },
        quote={
            "en": "“OTCache reaches 4.5× acceleration on FLUX.1 [dev], 4.7× on Qwen-Image and 3.66× on "
            "HunyuanVideo.” — Zhang et al."
        },
        evidence_and_limits={
            "en": "The reported acceleration is concrete, and the authors report code at "
            "github.com/UnicomAI/OTCache. The adoption question is the cost of the offline search."
        },
    ),
    DraftPick(
        arxiv_id="2606.30104",
        title="Multi-Block Diffusion Language Models: more parallelism for diffusion LMs",
        short_name="MBD-LMs",
        url="https://arxiv.org/abs/2606.30104",
        institution="Shanghai Jiao Tong University; Xi'an Jiaotong University; Huawei",
        project_url="https://sjtu-deng-lab.github.io/mbd-lms",
        key_number="TPF 3.47 → 6.19 (+78.4%)",
        core_method="Multi-block teacher forcing with a block buffer",
        area="Diffusion language models",
        first_read_reason={
            "en": "It extends block diffusion language models to multi-block inference and reports TPF "
            "rising from 3.47 to 6.19, a 78.4% gain.",
            "ko": "블록 확산 언어 모델을 다중 블록 추론으로 확장해 TPF가 3.47에서 6.19로 78.4% "
            "향상되었다고 보고합니다.",
        },
        evidence_strength={
            "en": "Strong for diffusion-LM readers; less central for image/video researchers.",
            "ko": "확산 언어 모델 연구자에게 근거 강함 · 이미지·영상 연구자에게는 관련성 낮음",
        },
        decision={
            "en": "Read MBD-LMs if you work on diffusion language models, masked decoding, or serving "
            "engines for semi-autoregressive text generation."
        },
        what_it_does={
            "en": "Multi-Block Diffusion Language Models extend Block Diffusion Language Models from "
            "single-block inference to multi-block inference."
        },
        technical_read={
            "en": "The paper's systems hook is the Block Buffer: a fixed number of block slots, static "
            "input shapes, and CUDA Graph capture and replay."
        },
        evidence_and_limits={
            "en": "On LLaDA2-Mini, TPF improves from 3.47 to 6.19 while accuracy rises from 79.95% to "
            "81.03%. The main limit is transfer to larger models and longer contexts."
        },
    ),
    DraftPick(
        arxiv_id="2606.30105",
        title="SyncCache: specialized caching for talking portraits",
        short_name="SyncCache",
        url="https://arxiv.org/abs/2606.30105",
        venue="ECCV 2026",
        key_number="4.12× HunyuanVideo-Avatar, 3.75× Wan-S2V",
        core_method="Modality-decoupled DiT caching",
        area="Inference acceleration",
        first_read_reason={
            "en": "It targets audio-driven portrait animation and reports 4.12× HunyuanVideo-Avatar and "
            "3.75× Wan-S2V acceleration with near-lossless visual fidelity.",
            "ko": "오디오 기반 인물 애니메이션을 겨냥해 거의 손실 없는 화질로 HunyuanVideo-Avatar 4.12배, "
            "Wan-S2V 3.75배 가속을 보고합니다.",
        },
        evidence_strength={
            "en": "Strong application-specific acceleration paper; scope is narrower than OTCache.",
            "ko": "응용 특화 가속 근거 강함 · 적용 범위는 OTCache 논문보다 좁음",
        },
        decision={
            "en": "Read SyncCache if your pipeline uses audio-driven portrait animation or video DiTs "
            "with modality-specific bottlenecks."
        },
        what_it_does={
            "en": "SyncCache is a training-free DiT caching method for audio-driven portrait animation."
        },
        technical_read={
            "en": "The practical distinction is that SyncCache separates visual stability from audio "
            "alignment."
        },
        evidence_and_limits={
            "en": "The paper reports 4.12× acceleration on HunyuanVideo-Avatar and 3.75× on Wan-S2V; "
            "the narrower scope is the reason it lands fifth."
        },
    ),
)


def sample_draft() -> Draft:
    """The five-pick issue of 2026-07-01 with a frozen generation time."""
    return Draft(
        issue_date=date(2026, 7, 1),
        window=Window(
            start=datetime(2026, 6, 30, 9, 20, tzinfo=SEOUL),
            end=datetime(2026, 7, 1, 9, 0, tzinfo=SEOUL),
        ),
        title={"en": "Five diffusion papers: July 1, 2026", "ko": "확산 모델 논문 다섯 편: 2026년 7월 1일"},
        intro={
            "en": "Today’s digest prioritizes five diffusion and flow-matching papers from the July 1 "
            "arXiv window: Cross-Space Distillation, ECFM, OTCache, MBD-LMs, and SyncCache.\n\n"
            "Today's strongest cluster is practical: three of the five selected papers try to make "
            "diffusion or diffusion-like models smaller, faster, or easier to deploy.",
            "ko": "오늘의 다이제스트는 7월 1일 arXiv 공개분에서 확산 모델과 플로 매칭 논문 다섯 편을 "
            "골랐습니다: Cross-Space Distillation, ECFM, OTCache, MBD-LMs, SyncCache.\n\n"
            "오늘 가장 강한 흐름은 실용성입니다. 다섯 편 중 세 편이 확산 모델을 더 작고 빠르며 "
            "배포하기 쉽게 만드는 데 집중합니다.",
        },
        picks=_PICKS,
        reading_order=(
            {
                "en": "For one-step text-to-image distillation, start with Cross-Space Distillation. For "
                "flow-matching theory, read ECFM before chasing another sampler speedup.",
                "ko": "원스텝 텍스트-이미지 증류 분야라면 Cross-Space Distillation부터 읽으세요. 플로 "
                "매칭 이론 분야라면 샘플러 가속 논문을 더 찾기 전에 ECFM 논문을 먼저 읽으세요.",
            },
            {
                "en": "For inference infrastructure, compare OTCache and SyncCache. For diffusion "
                "language models, MBD-LMs is the cleanest read.",
                "ko": "추론 인프라 분야라면 OTCache와 SyncCache를 비교하며 읽으세요. 확산 언어 모델 "
                "분야라면 MBD-LMs 논문이 가장 명쾌합니다.",
            },
        ),
        generated_at=datetime(2026, 7, 1, 9, 24, tzinfo=SEOUL),
    )


def bundled_day_draft() -> Draft:
    """The draft the pipeline generates for the bundled day (2026-07-01), ranked and composed.

    The recorded feed is read by the real arXiv client from a replay server on 127.0.0.1.
    """
    from pathlib import Path

    from newsletter.config import RankingSection
    from newsletter.digest import compose_draft
    from newsletter.labelled import load_day, read_papers
    from newsletter.ranking import rank

    day = load_day(Path(__file__).resolve().parents[1] / "fixtures" / "days" / "2026-07-01")
    papers = read_papers(day)
    window = Window(
        start=datetime(2026, 6, 30, 9, 20, tzinfo=SEOUL), end=datetime(2026, 7, 1, 9, 30, tzinfo=SEOUL)
    )
    return compose_draft(
        rank(papers, RankingSection())[:5],
        window=window,
        issue_date=date(2026, 7, 1),
        candidates=len(papers),
        locales=("en", "ko"),
        topic_terms=("diffusion",),
        generated_at=window.end,
    )
