"""Research areas, for grouping the picks into the issue's reading order.

A pick's area is the first whose cue words occur in its title, else in its abstract: the
title says what the paper is about, the abstract also what it builds on. The order of
``AREAS`` settles papers that touch several (a caching paper for video is about speed).
Cues are specific: "tokens" alone does not make an image DiT's token merging a language model.
"""

from __future__ import annotations

import re

from newsletter.digest.phrases import N_
from newsletter.model import Paper

THEORY = N_("Theory")
AREAS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(cues, re.IGNORECASE))
    for name, cues in (
        (
            N_("Diffusion language models"),
            r"\b(?:(?:diffusion|masked|discrete) language models?|diffusion LMs?|DLMs?|diffusion LLMs?|LLaDA"
            r"|text diffusion|(?:diffusion|discrete diffusion) (?:for|over) text)\b",
        ),
        (
            N_("Inference acceleration"),
            r"\b(?:cach\w*|accelerat\w*|speed-?ups?|quantiz\w*|prun\w*|latency|token merging"
            r"|merg\w* tokens|efficient (?:inference|sampling)|faster sampling)\b",
        ),
        (
            N_("Distillation and few-step generation"),
            r"(?:distill\w*|\b(?:one|two|few|four|\d+)-step|\bconsistency models?\b)",
        ),
        (
            THEORY,
            r"\b(?:theor\w*|convergence|guarantees?|provabl\w*|Wasserstein|bounds?|equivalen\w*|we prove"
            r"|certificates?)\b",
        ),
        (N_("Video and audio"), r"\b(?:video|audio|speech|portrait|motion)\b"),
        (N_("3D generation"), r"\b(?:3D|NeRF|Gaussian splatting|mesh(?:es)?)\b"),
        (N_("Editing and control"), r"\b(?:edit\w*|inpaint\w*|controllab\w*|personaliz\w*)\b"),
    )
)
OTHER = N_("Other methods")


def area_of(paper: Paper) -> str:
    """The English name of ``paper``'s research area (translated where it is shown)."""
    for text in (paper.title, paper.abstract):
        found = next((name for name, cues in AREAS if cues.search(text)), None)
        if found:
            return found
    return OTHER
