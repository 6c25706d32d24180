"""Facts are found exactly as the paper's record writes them, or reported absent."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsletter.model import Author, Paper
from newsletter.ranking import extract_facts, numbers
from newsletter.ranking.facts import find_key_number, find_key_result, find_links, find_venue
from newsletter.ranking.text import squash


def test_the_sample_papers_facts_are_extracted_with_their_sources(papers: ModuleType) -> None:
    otcache = extract_facts(papers.OTCACHE)
    assert otcache.venue == "ECCV 2026"
    assert otcache.code_url == "github.com/UnicomAI/OTCache"
    assert otcache.key_number == "4.5× FLUX.1 [dev], 4.7× Qwen-Image, 3.66× HunyuanVideo"
    assert otcache.sources["key_number"].startswith("OTCache reaches 4.5× on FLUX.1 [dev]")
    assert otcache.sources["venue"] == "ECCV 2026 accepted"
    assert otcache.short_name == "OTCache"
    assert otcache.core_method is not None
    assert otcache.core_method.startswith("OTCache, a training-free")
    assert extract_facts(papers.CROSS_SPACE).key_number == "HPSv3 5.4 → 9.4 (SD 1.5)"
    assert extract_facts(papers.SYNCCACHE).key_number == "4.12× HunyuanVideo-Avatar, 3.75× Wan-S2V"
    mbd = extract_facts(papers.MBD)
    assert mbd.key_number == "TPF 3.47 → 6.19 (LLaDA2-Mini, +78.4%)"
    assert mbd.project_url == "https://sjtu-deng-lab.github.io/mbd-lms"
    assert mbd.institution == "Shanghai Jiao Tong University; Xi'an Jiaotong University; Huawei"
    assert mbd.sources["institution"] == "Shanghai Jiao Tong University; Xi'an Jiaotong University; Huawei"


def test_absent_facts_stay_absent(papers: ModuleType) -> None:
    ecfm = extract_facts(papers.ECFM)
    assert ecfm.key_number is None
    assert "key_number" not in ecfm.sources
    assert ecfm.code_url is ecfm.demo_url is ecfm.project_url is None
    assert extract_facts(papers.CROSS_SPACE).institution is None


# One row per form an editor's key number is read from; written with made-up values.
@pytest.mark.parametrize(
    ("abstract", "expected"),
    [
        pytest.param(
            "The student reaches 52.5 on GenEval, against 52.8 for its teacher.",
            "GenEval 52.5 (teacher: 52.8)",
            id="reaches X on B, against Y for Z",
        ),
        pytest.param("It reaches an FID of 0.9 on ImageNet 256.", "FID 0.9 (ImageNet 256)", id="an FID of X"),
        pytest.param(
            "A 2-step sampler reaches FID 1.9 on ImageNet 256, improving from 2.3.",
            "FID 2.3 → 1.9 (ImageNet 256)",
            id="reaches X, improving from Y",
        ),
        pytest.param(
            "Accuracy is 81.2 vs 79.5 for the baseline.", "Accuracy 81.2 (baseline: 79.5)", id="X vs Y"
        ),
        pytest.param(
            "It serves 951.41 TPS against 781.50 TPS for the baseline.",
            "951.41 TPS (baseline: 781.50 TPS)",
            id="X against Y for Z",
        ),
        pytest.param(
            "The score rises from 5.4 to 9.4 HPSv3 in one step.", "HPSv3 5.4 → 9.4", id="from X to Y"
        ),
        pytest.param(
            "Identity drift falls from 5.2 to 0.9 at 120 s.",
            "Identity drift 5.2 → 0.9 (120 s)",
            id="from X to Y at T",
        ),
        pytest.param(
            "On VBench, the motion smoothness score rises from 97.1 to 98.6.",
            "motion smoothness score 97.1 → 98.6 (VBench)",
            id="the quantity named before the change",
        ),
        pytest.param(
            "We reduce the number of function evaluations from 50 to 4.",
            "function evaluations 50 → 4",
            id="the quantity reduced from X to Y",
        ),
        pytest.param(
            "Our 1.3B model surpasses a larger one on DPG-Bench (84.2 vs. 83.4).",
            "DPG-Bench 84.2 vs 83.4",
            id="X vs. Y after a benchmark",
        ),
        pytest.param("Our approach accelerates SDXL by 2.3x.", "2.3× SDXL", id="accelerates B by N×"),
        pytest.param("It reduces memory by 45% and latency by 38%.", "memory −45%", id="reduces Q by X%"),
        pytest.param("It lowers FID 20.13 → 12.91 on ImageNet.", "FID 20.13 → 12.91", id="X→Y"),
        pytest.param(r"It cuts FID 9.1 $\rightarrow$ 7.4 on COCO.", "FID 9.1 → 7.4", id="LaTeX arrow"),
        pytest.param("Our sampler is 3.1× faster on SD3.", "3.1× SD3", id="N× faster on B"),
        pytest.param(
            "It brings 4.5× acceleration on FLUX.1 [dev], 4.7× on Qwen-Image and 3.66× on HunyuanVideo.",
            "4.5× FLUX.1 [dev], 4.7× Qwen-Image, 3.66× HunyuanVideo",
            id="N× acceleration list",
        ),
        pytest.param(r"It is 3.2$\times$ faster on SDXL.", "3.2× SDXL", id="LaTeX times"),
        pytest.param(
            "On ImageNet 64 the one-step student reaches an FID of 2.9, against 2.7 for its 35-step teacher.",
            "FID 2.9 (ImageNet 64, 35-step teacher: 2.7)",
            id="the benchmark opens the sentence",
        ),
        pytest.param(
            "On MS-COCO, our model scores a CLIP score of 31.2 versus 30.1 for SDXL.",
            "CLIP score 31.2 (MS-COCO, SDXL: 30.1)",
            id="the benchmark opens the sentence, versus",
        ),
        pytest.param(
            "It is 2.1× faster on FLUX.1 [dev] with an FID of 6.4 against 6.2 for the full model.",
            "2.1× FLUX.1 [dev]; FID 6.4 (full model: 6.2)",
            id="speed-up with the quality kept",
        ),
        pytest.param(
            "It is 1.9× faster on PixArt-Sigma with an FID of 5.9 versus 5.8 for the dense model, "
            "and 1.6× faster on SDXL.",
            "1.9× PixArt-Sigma; FID 5.9 (dense model: 5.8)",
            id="the quality goes with the speed-up before it",
        ),
        pytest.param(
            "It needs 40% fewer parameters than the baseline.", "40% fewer parameters", id="X% fewer"
        ),
        pytest.param("We reach a 35% reduction in latency.", "35% reduction in latency", id="X% reduction"),
        pytest.param(
            "It is 4× less memory on FLUX.1 and keeps quality.",
            "4× less memory (FLUX.1)",
            id="N× less Q on B",
        ),
        pytest.param(
            "A forecast takes 45 seconds, 1,000× faster than simulation.",
            "1,000×",
            id="N× with a thousands comma",
        ),
        pytest.param(
            "On LLaDA2-Mini, TPF rises from 3.47 to 6.19, a 78.4% gain.",
            "TPF 3.47 → 6.19 (LLaDA2-Mini, +78.4%)",
            id="from X to Y on B with its gain",
        ),
        pytest.param(
            "SD 1.5 improves from 5.4 to 9.4 HPSv3 in one step.",
            "HPSv3 5.4 → 9.4 (SD 1.5)",
            id="the model before, the metric after",
        ),
        pytest.param(
            "The student reaches FID 2.05 on ImageNet 256 against 2.61 for the best hand-tuned schedule.",
            "FID 2.05 (ImageNet 256, best hand-tuned: 2.61)",
            id="reaches X on B against Y for Z",
        ),
        pytest.param("Results from 2019 to 2024 are surveyed.", None, id="years are no claim"),
        pytest.param("Images of 512x512 pixels are generated.", None, id="a size is no speed-up"),
        pytest.param("No numbers here.", None, id="nothing"),
    ],
)
def test_key_number_is_the_most_telling_claim_with_its_comparison(
    abstract: str, expected: str | None
) -> None:
    assert find_key_number(abstract) == expected


@pytest.mark.parametrize(
    ("comment", "journal_ref", "expected"),
    [
        pytest.param("Accepted to ECCV 2026. 14 pages", None, "ECCV 2026", id="accepted to"),
        pytest.param("ECCV 2026 accepted. Code: x", None, "ECCV 2026", id="accepted after the name"),
        pytest.param("To appear in TPAMI", None, "TPAMI", id="to appear in"),
        pytest.param("NeurIPS 2025 (Spotlight)", None, "NeurIPS 2025", id="spotlight"),
        pytest.param(
            "12 pages",
            "IEEE Trans. Image Processing 35 (2026) 1-12",
            "IEEE Trans. Image Processing 35 (2026) 1-12",
            id="journal reference",
        ),
        pytest.param(
            "Accepted to the Journal of Imaging Science",
            None,
            "Journal of Imaging Science",
            id="unnamed journal",
        ),
        pytest.param(
            "Accepted at CVPR 2026 Workshop on Efficient AI", None, "CVPR 2026 workshop", id="workshop"
        ),
        pytest.param(
            "Accepted at the Workshop on Generative Models, NeurIPS 2026",
            None,
            "NeurIPS 2026 workshop",
            id="workshop named first",
        ),
        pytest.param("NeurIPS 2026 submission", None, None, id="submission"),
        pytest.param("Under review at ICLR 2026", None, None, id="under review"),
        pytest.param("Submitted to CVPR 2026; code soon", None, None, id="submitted to"),
        pytest.param("ICML 2026", None, None, id="a bare name is no acceptance"),
        pytest.param("Datasets and benchmarks track submission", None, None, id="track submission"),
    ],
)
def test_venue_is_an_explicit_acceptance(
    papers: ModuleType, comment: str, journal_ref: str | None, expected: str | None
) -> None:
    found = find_venue(replace(papers.OTCACHE, comment=comment, journal_ref=journal_ref))
    assert (found.text if found else None) == expected


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        pytest.param(
            "OTCache: Optimal Transport Cache Schedules", "We present it.", "OTCache", id="before a colon"
        ),
        pytest.param(
            "Entropy-Controlled Flow Matching",
            "We propose Entropy-Controlled Flow Matching (ECFM), which bounds entropy.",
            "ECFM",
            id="acronym defined",
        ),
        pytest.param(
            "Multi-Block Diffusion Language Models",
            "We propose Multi-Block Diffusion Language Models (MBD-LMs), which decode blocks.",
            "MBD-LMs",
            id="acronym with a plural",
        ),
        pytest.param(
            "Flow Matching Is Denoising Score Matching in Disguise",
            "We show an equivalence. We derive a reweighted flow matching loss (RFM) from it.",
            "RFM",
            id="acronym before a generic noun",
        ),
        pytest.param(
            "Certified Mode Coverage for One-Step Diffusion Distillation",
            "We introduce CoverDistill, a distillation objective with a certificate.",
            "CoverDistill",
            id="name after we introduce",
        ),
        pytest.param(
            "Why Classifier-Free Guidance Overshoots: A Provable Account and a Fix",
            "We prove it overshoots, and we derive Guidance Interval Rescaling (GIR), a fix.",
            "GIR",
            id="a question before the colon is no name",
        ),
        pytest.param(
            "Consistency Trajectory Distillation for Fast 3D Gaussian Generation",
            "We propose Consistency Trajectory Distillation for 3D (CTD-3D), which distils a teacher.",
            "CTD-3D",
            id="an acronym with a digit part",
        ),
        pytest.param(
            "Caching Schedules for Transformers",
            "Each number of function evaluations (NFE) needs its own schedule. We study caching.",
            "Caching Schedules for Transformers",
            id="an acronym that is not the method",
        ),
        pytest.param(
            "Interactive Image Editing with Diffusion Models and Sketch Guidance",
            "We edit images.",
            "Interactive Image Editing",
            id="title head before a method joint",
        ),
        pytest.param(
            "Towards More General Control of Diffusion Models with Many Kinds of Conditions",
            "We study control.",
            "Towards More General Control of Diffusion Models with Many Kinds of Conditions",
            id="never a cut title",
        ),
        pytest.param(
            "Diffusion Models for Missing-Value Imputation in Tabular Data",
            "We impute.",
            "Diffusion Models for Missing-Value Imputation in Tabular Data",
            id="no cut at for",
        ),
    ],
)
def test_short_name_is_how_people_say_it(
    papers: ModuleType, title: str, abstract: str, expected: str
) -> None:
    name = extract_facts(replace(papers.OTCACHE, title=title, abstract=abstract)).short_name
    assert name == expected
    assert "…" not in name


@pytest.mark.parametrize(
    ("affiliations", "extra", "expected"),
    [
        pytest.param(["The Chinese University of Hong Kong"], [], "CUHK", id="CUHK"),
        pytest.param(["Technical University of Denmark"], [], "DTU", id="DTU"),
        pytest.param(
            ["Department of Computer Science, ETH Zurich, Switzerland"],
            [],
            "ETH Zürich",
            id="ETH Zürich inside a department",
        ),
        pytest.param(
            ["School of Informatics, University of Edinburgh, UK"],
            [],
            "University of Edinburgh",
            id="unknown name cut to the institution",
        ),
        pytest.param(
            ["KAIST", "NAVER Cloud", "KAIST"], [], "KAIST; NAVER Cloud", id="authors' order, once each"
        ),
        pytest.param(
            ["Seoul National University"],
            ["Seoul National University = Seoul National University"],
            "Seoul National University",
            id="configured name overrides the default",
        ),
        pytest.param(["Upstage AI Lab"], ["Upstage AI Lab = Upstage"], "Upstage", id="configured short form"),
    ],
)
def test_institutions_in_editors_short_forms(
    papers: ModuleType, affiliations: list[str], extra: list[str], expected: str
) -> None:
    authors = tuple(Author(name=f"A{i}", affiliations=(a,)) for i, a in enumerate(affiliations))
    facts = extract_facts(replace(papers.OTCACHE, authors=authors), institution_names=extra)
    assert facts.institution == expected
    # The source keeps the affiliations as the feed wrote them.
    assert facts.sources["institution"] == "; ".join(dict.fromkeys(affiliations))


def test_links_are_sorted_by_kind_and_kept_as_written(papers: ModuleType) -> None:
    paper = replace(
        papers.OTCACHE,
        abstract="Code: https://github.com/x/y. Try the demo at https://huggingface.co/spaces/x/y.",
        comment="Project page: https://x.github.io/y/",
    )
    links = find_links(paper)
    assert links.code == ("https://github.com/x/y",)
    assert links.demo == ("https://huggingface.co/spaces/x/y",)
    assert links.project == ("https://x.github.io/y/",)


def test_institution_comes_from_the_comment_when_there_are_no_affiliations(papers: ModuleType) -> None:
    paper = replace(papers.OTCACHE, comment="Work done at Seoul National University and NAVER.")
    assert extract_facts(paper).institution == "SNU; NAVER"
    assert extract_facts(paper, labs=["NAVER"]).institution == "NAVER"


def test_affiliations_win_over_the_comment(papers: ModuleType) -> None:
    paper = replace(papers.OTCACHE, authors=(Author(name="X", affiliations=("KAIST",)),), comment="NAVER")
    assert extract_facts(paper).institution == "KAIST"


WHEN = datetime(2026, 6, 30, tzinfo=UTC)
_words = st.text(alphabet=st.sampled_from("abc XYZ 0123456789.,;:×→%-/[]()"), max_size=300)


@given(abstract=_words, comment=st.none() | _words)
def test_every_fact_but_the_prose_is_found_in_its_source(abstract: str, comment: str | None) -> None:
    paper = Paper(
        arxiv_id="2607.09999",
        version=1,
        title="T",
        abstract=abstract,
        authors=(),
        primary_category="cs.CV",
        categories=("cs.CV",),
        published=WHEN,
        updated=WHEN,
        comment=comment,
    )
    facts = extract_facts(paper)
    source = squash(f"{abstract} {comment or ''}")
    for value in (facts.code_url, facts.demo_url, facts.project_url):
        assert value is None or value in source
    # Facts written the editor's way are traceable: their phrase is the source's own, and
    # every number they state is in that phrase.
    for name in ("key_number", "venue"):
        value = getattr(facts, name)
        assert (value is None) == (name not in facts.sources)
        if value is not None:
            assert facts.sources[name] in source
            assert all(n in facts.sources[name] for n in re.findall(r"\d+", value))


@pytest.mark.parametrize(
    ("key_number", "settings"),
    [
        pytest.param(
            "4.5× FLUX.1 [dev], 4.7× Qwen-Image, 3.66× HunyuanVideo",
            ("FLUX.1 [dev]", "Qwen-Image", "HunyuanVideo"),
            id="speed-ups",
        ),
        pytest.param("TPF 3.47 → 6.19 (LLaDA2-Mini, +78.4%)", ("LLaDA2-Mini",), id="a change and its gain"),
        pytest.param("FID 2.41 → 2.12 (ImageNet, 8 steps)", ("ImageNet",), id="a count is no setting"),
        pytest.param("FID 2.9 (35-step teacher: 2.7)", (), id="a comparison is no setting"),
        pytest.param(
            "4× less memory (FLUX.1); PSNR 24.8 → 26.1", ("FLUX.1",), id="a noun after the multiple"
        ),
        pytest.param(
            "1.9× PixArt-Sigma; FID 5.9 (dense model: 5.8)", ("PixArt-Sigma",), id="speed and quality"
        ),
        pytest.param("5.0× on FLUX.1 [dev]", ("FLUX.1 [dev]",), id="an editor's words"),
        pytest.param("3.8×; VBench 84.1", ("VBench",), id="a known benchmark in free text"),
        pytest.param("61.3%", (), id="nothing named"),
    ],
)
def test_settings_of_a_key_number_are_the_models_and_benchmarks_it_names(
    key_number: str, settings: tuple[str, ...]
) -> None:
    assert numbers.settings_of(key_number) == settings


@pytest.mark.parametrize(
    ("abstract", "expected"),
    [
        pytest.param(
            "We prove that the problem is convex. In the pure transport regime it recovers geodesics, and as "
            "lambda approaches 0 it Gamma-converges to classical optimal transport.",
            "Gamma-converges to classical optimal transport as lambda approaches 0",
            id="a limit and its condition",
        ),
        pytest.param(
            "We prove that Adam with a decaying step size converges to a stationary point at rate "
            "O(log T / sqrt(T)) under (L0, L1)-smoothness.",
            "converges to a stationary point at rate O(log T / sqrt(T))",
            id="a rate",
        ),
        pytest.param(
            "We prove that kernel two-sample tests with learned features are minimax optimal against smooth "
            "alternatives and characterise the price of the split.",
            "minimax optimal against smooth alternatives",
            id="optimality",
        ),
        pytest.param(
            "We prove a bound. The analysis gives the first dimension-sharp convergence guarantee for "
            "deterministic diffusion samplers.",
            "first dimension-sharp convergence guarantee for deterministic diffusion samplers",
            id="a first guarantee",
        ),
        pytest.param(
            "The sampler converges to the data distribution in our experiments.",
            None,
            id="no proof, no result",
        ),
        pytest.param("We survey theoretical results on diffusion models.", None, id="a survey"),
    ],
)
def test_a_theory_papers_key_result_is_what_it_proves_in_its_words(
    abstract: str, expected: str | None
) -> None:
    found = find_key_result(abstract)
    assert (found.text if found else None) == expected
    if found:
        assert found.source in abstract


def test_a_proof_stands_in_the_key_number_and_says_it_is_a_result(papers: ModuleType) -> None:
    proof = "We prove guarantees. As lambda approaches 0 it Gamma-converges to classical optimal transport."
    paper = replace(papers.ECFM, abstract=proof)
    facts = extract_facts(paper)
    assert facts.key_number == "Gamma-converges to classical optimal transport as lambda approaches 0"
    assert facts.sources["key_result"] == facts.sources["key_number"]
    assert "key_result" not in extract_facts(papers.OTCACHE).sources
