"""A title in the middle of a sentence: sentence case, names kept, statements recognised."""

from __future__ import annotations

import pytest

from newsletter.digest.titles import title_phrase, title_use


@pytest.mark.parametrize(
    ("title", "phrase", "statement"),
    [
        pytest.param(
            "OTCache: Optimal Transport Modeling of Cache Schedules for Training-Free Diffusion Acceleration",
            "optimal transport modeling of cache schedules for training-free diffusion acceleration",
            False,
            id="the subtitle, in sentence case",
        ),
        pytest.param(
            "Score-Based Generative Modeling on Riemannian Manifolds",
            "score-based generative modeling on Riemannian manifolds",
            False,
            id="a word formed from a name keeps its capital",
        ),
        pytest.param(
            "Open-Vocabulary 3D Scene Graphs from RGB-D Streams",
            "open-vocabulary 3D scene graphs from RGB-D streams",
            False,
            id="acronyms as written",
        ),
        pytest.param(
            "T2I-Reason: A Benchmark for Compositional Reasoning",
            "a benchmark for compositional reasoning",
            False,
            id="an article",
        ),
        pytest.param(
            "Flow Matching Is Denoising Score Matching in Disguise",
            "flow matching is denoising score matching in disguise",
            True,
            id="a statement",
        ),
        pytest.param(
            "Tool-Use Agents that Learn from Their Own Failures",
            "tool-use agents that learn from their own failures",
            False,
            id="a verb in a relative clause is no statement",
        ),
        pytest.param(
            "Web Agents That Learn from Their Own Failures",
            "web agents that learn from their own failures",
            False,
            id="a capitalised relative pronoun",
        ),
        pytest.param(
            "Self-Play Reinforcement Learning Doubles Reasoning Accuracy",
            "self-play reinforcement learning doubles reasoning accuracy",
            True,
            id="a statement with a verb of change",
        ),
        pytest.param(
            "Gradient Noise Scale as a Predictor of Batch Size",
            "gradient noise scale as a predictor of batch size",
            False,
            id="a noun that looks like a verb",
        ),
        pytest.param("X: " + "Very Long Words " * 10, "", False, id="too long for a table cell"),
    ],
)
def test_title_phrase_says_what_the_paper_does(title: str, phrase: str, statement: bool) -> None:
    assert title_phrase(title) == (phrase, statement)


@pytest.mark.parametrize(
    ("title", "use"),
    [
        pytest.param(
            "SyncCache: Modality-Decoupled Caching for Audio-Driven Portrait Animation",
            "audio-driven portrait animation",
            id="what the method is for",
        ),
        pytest.param(
            "SE(3) Flow Matching for Protein Backbone Generation at Scale",
            "protein backbone generation",
            id="cut before a qualifier",
        ),
        pytest.param("LightGen: Training Models in a GPU-Week", "", id="no 'for'"),
        pytest.param("Why Guidance Overshoots for Large Scales", "", id="a statement has no use"),
    ],
)
def test_title_use_is_what_the_title_says_the_method_is_for(title: str, use: str) -> None:
    assert title_use(title) == use
