"""Papers for the ranking and draft tests: one day's candidates, written for these tests.

Five entries are modelled on the sample issue's picks (same facts, abstracts in our own
words); the rest are strong papers off the topic and weak papers on it, so a test can tell
whether the ranking picks the right five.
"""

from __future__ import annotations

from datetime import UTC, datetime

from newsletter.model import Author, Paper

WHEN = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def paper(
    arxiv_id: str,
    title: str,
    abstract: str,
    *,
    comment: str | None = None,
    journal_ref: str | None = None,
    authors: tuple[Author, ...] = (Author(name="A. Author"),),
    primary: str = "cs.CV",
    categories: tuple[str, ...] = (),
) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        version=1,
        title=title,
        abstract=abstract,
        authors=authors,
        primary_category=primary,
        categories=categories or (primary,),
        published=WHEN,
        updated=WHEN,
        comment=comment,
        journal_ref=journal_ref,
    )


CROSS_SPACE = paper(
    "2607.00101",
    "Cross-Space Distillation: Large Teachers for Compact One-Step Diffusion Students",
    """One-step diffusion distillation usually assumes that the teacher and the student share
    one latent space, which keeps modern high-capacity teachers such as SD 3.5 from teaching
    compact students. We propose Cross-Space Distillation, a paradigm in which teacher and
    student may use different latent spaces, resolutions and VAE parameterizations. A lightweight
    latent interface freezes the student VAE decoder as a spatial prior and learns a compact
    projector between the two spaces. Distilled from a large teacher, SD 1.5 improves HPSv3
    from 5.4 to 9.4 while keeping one-step inference and compatibility with the SD 1.5 ecosystem.""",
    comment="Accepted to ECCV 2026. 14 pages, 6 figures",
    categories=("cs.CV", "cs.LG"),
)
ECFM = paper(
    "2607.00102",
    "Entropy-Controlled Flow Matching",
    """Flow matching fits a velocity field along a probability path but says nothing about
    whether the path keeps every mode of the data. We introduce Entropy-Controlled Flow Matching
    (ECFM), which imposes an entropy-rate budget on the continuity-equation path while minimizing
    the distance to a reference drift. The resulting problem is convex in Wasserstein space and
    has a KKT optimality system. We connect the constrained principle to a Schrödinger bridge
    representation and show that ECFM Gamma-converges to classical optimal transport. We give
    certificate-style mode-coverage guarantees and counterexamples in which unconstrained flow
    matching collapses semantic modes despite near-optimal loss.""",
    comment="ECCV 2026",
    authors=(Author(name="Chika Maduabuchi", affiliations=("William & Mary",)),),
    primary="cs.LG",
    categories=("cs.LG", "stat.ML"),
)
OTCACHE = paper(
    "2607.00103",
    "OTCache: Optimal-Transport Cache Schedules for Diffusion Transformers",
    """Feature caching accelerates diffusion transformers, but graph-based cache schedules rely
    on additive independence assumptions that break down at low NFE. We propose OTCache, a
    training-free three-stage framework that uses optimal transport to predict cache schedules
    for diffusion models. A conservative budget yields a high-fidelity reference schedule, an
    extreme low budget searched with Optuna and CMA-ES yields an anchor schedule, and both are
    lifted into continuous warping curves interpolated in Wasserstein space. OTCache reaches
    4.5× on FLUX.1 [dev], 4.7× on Qwen-Image, and 3.66× on HunyuanVideo while keeping LPIPS low.
    Code is available at github.com/UnicomAI/OTCache.""",
    comment="ECCV 2026 accepted",
    categories=("cs.CV",),
)
MBD = paper(
    "2607.00104",
    "Multi-Block Diffusion Language Models",
    """Block diffusion language models decode one block at a time, which limits parallelism.
    We extend them to multi-block inference with Multi-block Teacher Forcing, which trains
    bounded noise groups under clean-prefix conditioning, and a chain-uniform noise scheduler.
    A Block Buffer keeps a fixed number of block slots so that decoding supports CUDA Graph
    capture. On LLaDA2-Mini, TPF improves from 3.47 to 6.19, a 78.4% gain, while accuracy
    rises from 79.95% to 81.03%; the inference engine reaches 951.41 TPS versus 781.50 TPS.""",
    comment="Project page: https://sjtu-deng-lab.github.io/mbd-lms",
    authors=(
        Author(name="B. Author", affiliations=("Shanghai Jiao Tong University",)),
        Author(name="C. Author", affiliations=("Xi'an Jiaotong University", "Huawei")),
    ),
    primary="cs.LG",
    categories=("cs.LG", "cs.CL"),
)
SYNCCACHE = paper(
    "2607.00105",
    "SyncCache: Training-Free DiT Caching for Audio-Driven Portrait Animation",
    """Audio-driven portrait animation with diffusion transformers is slow. We present SyncCache,
    a training-free caching method that exploits asymmetric dynamics between the face and the
    background. Spatially-Asymmetric Probing prioritizes error in dynamic facial regions, and
    Modality-Decoupled Caching reuses stable visual residuals while recomputing light audio
    blocks to preserve lip synchronization. The cache ratio is optimized offline by dynamic
    programming. SyncCache achieves 4.12× acceleration on HunyuanVideo-Avatar and 3.75× on
    Wan-S2V with near-lossless visual fidelity.""",
    comment="Accepted to ECCV 2026",
    categories=("cs.CV",),
)
ON_TOPIC = (CROSS_SPACE, ECFM, OTCACHE, MBD, SYNCCACHE)

LLM_REASONING = paper(
    "2607.00201",
    "ReasonLoop: Self-Verifying Chains of Thought for Large Language Models",
    """Large language models still make arithmetic slips in long reasoning chains. We propose
    ReasonLoop, a novel self-verification procedure that re-checks each step with a learned
    verifier. ReasonLoop improves GSM8K accuracy from 81.2% to 92.4% and MATH from 44.0 to 58.3,
    and runs 2.1× faster than best-of-16 sampling. Code is at https://github.com/example/reasonloop.""",
    comment="Accepted to ICLR 2026",
    authors=(Author(name="D. Author", affiliations=("Google DeepMind",)),),
    primary="cs.CL",
    categories=("cs.CL", "cs.AI"),
)
ROBOT_GRASP = paper(
    "2607.00202",
    "GraspNet-X: Dexterous Grasping from a Single Demonstration",
    """We introduce GraspNet-X, a new method for dexterous grasping learned from one
    demonstration. On 40 household objects the success rate rises from 52% to 87%, and training
    is 3.5× faster than prior work. Videos at https://graspnetx.github.io.""",
    comment="CoRL 2026 (oral)",
    primary="cs.RO",
    categories=("cs.RO",),
)
DIFFUSION_SURVEY = paper(
    "2607.00301",
    "A Survey of Diffusion Models for Image and Video Generation",
    """This survey reviews diffusion models, score-based models and flow matching for image
    and video generation, covering samplers, distillation, caching and text-to-image systems.""",
    categories=("cs.CV",),
)
DIFFUSION_NOTE = paper(
    "2607.00302",
    "A Note on the Denoising Objective of Diffusion Models",
    """We revisit the denoising objective of diffusion models and discuss its relation to
    score matching. We hope the note clarifies a common confusion.""",
    primary="cs.LG",
    categories=("cs.LG",),
)
DIFFUSION_BENCHMARK = paper(
    "2607.00303",
    "T2I-Arena: A Benchmark for Text-to-Image Diffusion Models",
    """We introduce a new benchmark of 3,000 prompts for text-to-image diffusion models and
    evaluate existing samplers on it.""",
    categories=("cs.CV",),
)
WEAK_CACHE = paper(
    "2607.00304",
    "Revisiting Feature Caching for Diffusion Transformers",
    """We revisit feature caching for diffusion transformers and study when cached features can
    be reused across denoising steps. Caching works well at moderate step counts.""",
    categories=("cs.CV",),
)
OFF_TOPIC = (LLM_REASONING, ROBOT_GRASP)
WEAK_ON_TOPIC = (DIFFUSION_SURVEY, DIFFUSION_NOTE, DIFFUSION_BENCHMARK, WEAK_CACHE)
DAY = (*OFF_TOPIC, *WEAK_ON_TOPIC, *ON_TOPIC)
