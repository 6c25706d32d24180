"""A pick's research area: the title decides first, and cues are specific enough not to mis-file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsletter.digest.areas import area_of
from tests.ranking import papers


@pytest.mark.parametrize(
    ("title", "abstract", "area"),
    [
        pytest.param(
            "Entropy-Guided Token Merging for Image Diffusion Transformers",
            "We merge tokens whose attention entropy is high. It is 2.1× faster on FLUX.1 [dev].",
            "Inference acceleration",
            id="token merging for image DiTs is acceleration, not language models",
        ),
        pytest.param(
            "Multi-Block Diffusion Language Models",
            "Block diffusion language models decode one block at a time; we decode several, faster.",
            "Diffusion language models",
            id="a diffusion language model",
        ),
        pytest.param(
            "Cross-Space Distillation: Large Teachers for Compact One-Step Students",
            "The student keeps one-step inference and low latency.",
            "Distillation and few-step generation",
            id="the title outweighs a latency remark in the abstract",
        ),
        pytest.param(
            "TempoDistill: Four-Step Video Diffusion",
            "A four-step student of Wan2.1 is 3.8× faster than its teacher.",
            "Distillation and few-step generation",
            id="a coined distillation name",
        ),
        pytest.param(
            "Flow Matching Is Denoising Score Matching in Disguise",
            "We show that the two objectives are equivalent in expectation.",
            "Theory",
            id="an equivalence is theory",
        ),
        pytest.param("Prompt Rewriting", "We rewrite prompts with tokens from a tokenizer.", "Other methods",
                     id="tokens alone say nothing"),
    ],
)  # fmt: skip
def test_area_of_a_paper(title: str, abstract: str, area: str) -> None:
    assert area_of(replace(papers.OTCACHE, title=title, abstract=abstract)) == area
