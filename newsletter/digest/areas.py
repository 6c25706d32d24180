"""Research areas, for grouping the picks into the issue's reading order.

A pick's area is the first whose cue words occur in its title or abstract; the order of
``AREAS`` settles papers that touch several (a caching paper for video is about speed).
"""

from __future__ import annotations

import re

from newsletter.digest.phrases import N_
from newsletter.model import Paper

THEORY = N_("Theory")
AREAS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(cues, re.IGNORECASE))
    for name, cues in (
        (N_("Diffusion language models"), r"\b(?:language models?|LLMs?|text generation|LLaDA|tokens?)\b"),
        (
            N_("Inference acceleration"),
            r"\b(?:cach\w*|accelerat\w*|speed-?ups?|quantiz\w*|prun\w*|latency"
            r"|efficient (?:inference|sampling))\b",
        ),
        (
            N_("Distillation and few-step generation"),
            r"\b(?:distill\w*|one-step|few-step|consistency models?)\b",
        ),
        (THEORY, r"\b(?:theor\w*|convergence|guarantees?|provabl\w*|Wasserstein|bounds?)\b"),
        (N_("Video and audio"), r"\b(?:video|audio|speech|portrait|motion)\b"),
        (N_("3D generation"), r"\b(?:3D|NeRF|Gaussian splatting|mesh(?:es)?)\b"),
        (N_("Editing and control"), r"\b(?:edit\w*|inpaint\w*|controllab\w*|personaliz\w*)\b"),
    )
)
OTHER = N_("Other methods")


def area_of(paper: Paper) -> str:
    """The English name of ``paper``'s research area (translated where it is shown)."""
    text = f"{paper.title} {paper.abstract}"
    return next((name for name, cues in AREAS if cues.search(text)), OTHER)
