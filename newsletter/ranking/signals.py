"""The signals a candidate is scored on, each a number in [0, 1].

``topic``     configured terms in the abstract (how often and in how many sentences), the title,
              and the categories;
``novelty``   a new method or paradigm above a survey, a benchmark-only paper or a note;
``venue``     acceptance at a named venue, or a configured lab among the affiliations;
``evidence``  quantitative results in the abstract (speed-ups, metric changes, benchmarks) or,
              for theory, what it proves: guarantees, bounds, rates, equivalences;
``code``      public code, a demo or a project page;
``interest``  closeness to the editor's interests and past picks (:mod:`.interest`), only
              when there are any.

The weights come from ``ranking.weight_<signal>``; a paper's score is their weighted sum.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from newsletter.config import RankingSection
from newsletter.model import Paper
from newsletter.ranking import facts
from newsletter.ranking.text import count_terms, first_match, sentences, squash

SIGNALS = ("topic", "novelty", "venue", "evidence", "code")

# The abstract says what a paper is about; a title says it in a few words that may name a
# mechanism ("KV-cache") rather than the field, so the abstract weighs most.
_TITLE_SHARE, _ABSTRACT_SHARE, _CATEGORY_SHARE = 0.25, 0.6, 0.15
# Three mentions (distinct terms count fully, repeats half) make an abstract fully on topic …
_ABSTRACT_SATURATION = 3.0
# … and so do terms in two of five sentences: a passing mention in one sentence is not a topic.
_COVERAGE_SATURATION = 0.4
_COMPARED = re.compile(
    r"\b(?:unlike|outperform\w*|than|instead of|compared (?:to|with)|in contrast to|beat(?:s|ing)?|"
    r"versus|vs\.?|"
    r"rather than|surpass\w*)\b[^,.;:]*",
    re.IGNORECASE,
)

_SURVEY = re.compile(r"\b(?:a survey|survey of|we survey|this survey|review of|we review|overview of)\b")
_BENCHMARK_ONLY = re.compile(
    r"\b(?:we (?:introduce|present|release|propose) (?:a |an )?(?:new )?(?:large-scale )?"
    r"(?:benchmark|dataset)"
    r"|benchmark(?:ing)? study|empirical study|we benchmark|we evaluate existing)\b",
)
_INCREMENTAL = re.compile(
    r"\b(?:a note on|technical report|revisit(?:ing)?|position paper|erratum|extended abstract|"
    r"reproducibility|replication study|we report our (?:solution|submission)|challenge)\b",
)
_INCREMENTAL_NEEDLES = (
    "note on", "report", "revisit", "position paper", "erratum", "extended abstract", "reproducib",
    "replication", "challenge",
)  # fmt: skip
_NEW_IDEA = re.compile(r"\b(?:novel|new (?:paradigm|framework|method|approach|formulation)|first|paradigm)\b")
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9-]*\b")
_LAB_SHARE = 0.6
# What a theory paper establishes; each kind found counts once.
# What a theory paper establishes, each kind with the words that must be there before its
# pattern is tried (most abstracts have none of them); each kind found counts once.
_THEORY_KINDS = tuple(
    (needles, re.compile(pattern))
    for needles, pattern in (
        (("guarantee",), r"\bguarantee"),
        (
            ("bound",),
            r"\b(?:upper|lower|tight|error|generalization|regret|density-floor|sample[- ]complexity)"
            r"[- ]bounds?\b|\bbounds? (?:on|for)\b",
        ),
        (
            ("converge",),
            r"\bconvergence (?:rate|guarantee|analysis)|\bconverges? (?:at|to|in)\b|[-‐ ]converges?\b",
        ),
        (("equivalen",), r"\bequivalen(?:t|ce)\b"),
        (("certif",), r"\bcertif(?:y|ies|icate|ied)"),
        (
            ("minimax", "optimal rate", "information-theor", "identifiab"),
            r"\b(?:minimax|optimal rate|information-theoretic|identifiab)",
        ),
        (
            ("theorem", "lemma", "closed", "optimality", "convex", "unbiased", "consisten"),
            r"\b(?:theorem|lemma|closed[- ]form|optimality conditions?|convex|unbiased"
            r"|consisten(?:t|cy) estimator)",
        ),
        (
            ("lipschitz", "stability", "well-posed", "existence and"),
            r"\b(?:lipschitz|stability|well-posed|existence and uniqueness)",
        ),
    )
)
_PROVES = re.compile(
    r"\bwe (?:also |further |then )?(?:prove|show that|derive|establish|characteri[sz]e)"
    r"|\bwe give (?:a )?proofs?"
    r"|\bprovabl|\btheorem"
)
_CODE_PROMISE = re.compile(
    r"\b(?:code|models?|weights) (?:is|are|will be) (?:publicly )?(?:available|released)\b"
)


def score_signals(paper: Paper, settings: RankingSection) -> dict[str, float]:
    """Every signal of ``paper`` under ``settings``, by name, each in [0, 1]."""
    return {
        "topic": topic(paper, settings),
        "novelty": novelty(paper),
        "venue": venue(paper, settings),
        "evidence": evidence(paper),
        "code": code(paper),
    }


def weighted(signals: Mapping[str, float], settings: RankingSection) -> float:
    """The score: each signal present times its ``ranking.weight_<name>``, summed."""
    return sum(value * float(getattr(settings, f"weight_{name}")) for name, value in signals.items())


def topic(paper: Paper, settings: RankingSection) -> float:
    terms = settings.topic_terms
    in_title, _ = count_terms(paper.title, terms)
    # A paper that only compares itself with a topic's method ("unlike diffusion models",
    # "outperforms Diffusion Policy") is not about that topic.
    own = _COMPARED.sub(" ", squash(paper.abstract))
    distinct, total = count_terms(own, terms)
    mentions = min(1.0, (distinct + 0.5 * (total - distinct)) / _ABSTRACT_SATURATION)
    parts = sentences(own)
    covered = sum(1 for sentence in parts if count_terms(sentence, terms)[0]) / (len(parts) or 1)
    abstract = 0.5 * mentions + 0.5 * min(1.0, covered / _COVERAGE_SATURATION)
    wanted = set(settings.topic_categories)
    category = 1.0 if paper.primary_category in wanted else 0.5 if wanted & set(paper.categories) else 0.0
    title = min(1.0, float(in_title))
    return _TITLE_SHARE * title + _ABSTRACT_SHARE * abstract + _CATEGORY_SHARE * category


def novelty(paper: Paper) -> float:
    """High for a named new method; low for surveys, benchmark-only papers and notes."""
    # The cue patterns are lower-case literals: matching lowered text beats IGNORECASE.
    text = f"{paper.title}. {paper.abstract}".lower()
    if _cue(text, _SURVEY, ("survey", "review")):
        return 0.1
    if _cue(text, _BENCHMARK_ONLY, ("benchmark", "dataset", "empirical study", "evaluate existing")):
        return 0.3
    if _cue(text, _INCREMENTAL, _INCREMENTAL_NEEDLES):
        return 0.35
    index = facts.proposal_index(paper.abstract)
    score = 0.4
    if index is not None:
        score += 0.35
        method = facts.find_core_method(paper) or ""
        score += 0.1 if _ACRONYM.search(method) or _ACRONYM.search(paper.title.split(":")[0]) else 0.0
    score += 0.15 if _cue(text, _NEW_IDEA, ("novel", "new ", "first", "paradigm")) else 0.0
    return min(1.0, score)


def _cue(text: str, pattern: re.Pattern[str], needles: tuple[str, ...]) -> bool:
    """``pattern`` in ``text``, tried only when one of its words is there: most papers have none."""
    return any(needle in text for needle in needles) and pattern.search(text) is not None


def venue(paper: Paper, settings: RankingSection) -> float:
    """A named venue, a configured lab, or both (combined as independent chances)."""
    mention = facts.find_venue(paper)
    named = mention.strength if mention else 0.0
    affiliations = " ".join(a for author in paper.authors for a in author.affiliations)
    places = f"{affiliations} {paper.comment or ''}"
    lab = _LAB_SHARE if settings.labs and first_match(squash(places), settings.labs) else 0.0
    return 1.0 - (1.0 - named) * (1.0 - lab)


def evidence(paper: Paper) -> float:
    """Concrete numbers or proofs, whichever is stronger.

    Numbers: claims count with diminishing returns, named benchmarks add a little. Proofs:
    kinds of theoretical result (guarantees, bounds, rates, equivalences …) count the same
    way, fully when the authors say they prove or show them, half when only named.
    """
    speedups, changes, percentages, named = facts.count_claims(paper.abstract)
    claims = speedups + changes + 0.5 * percentages
    measured = 0.75 * (1.0 - math.pow(0.55, claims)) + 0.25 * min(1.0, named / 2.0)
    return max(measured, theory(paper))


def theory(paper: Paper) -> float:
    """How much the abstract proves: kinds of theoretical result, more when claimed as proven."""
    text = paper.abstract.lower()
    kinds = sum(1 for needles, pattern in _THEORY_KINDS if _cue(text, pattern, needles))
    if not kinds:
        return 0.0
    proven = _PROVES.search(text) is not None
    return (0.9 if proven else 0.45) * (1.0 - math.pow(0.5, kinds))


def code(paper: Paper) -> float:
    links = facts.find_links(paper)
    if links.code:
        return 1.0
    if links.project or links.demo:
        return 0.8
    return 0.3 if _CODE_PROMISE.search(f"{paper.abstract} {paper.comment or ''}".lower()) else 0.0
