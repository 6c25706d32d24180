"""Choose the abstract's sentences for a paper's section, as an editor would quote them.

An abstract is read as rhetorical zones: the problem (before the sentence that names the
method), the method sentence, the mechanism (how it works, after the method), results (a
quantitative claim, found by :mod:`newsletter.ranking.numbers`), theory claims ("we prove
that …") and boilerplate (code notices, links). Each section reads different sentences:
"What it does" the method sentence; the quote the strongest result, else a theory claim;
"Technical read" the mechanism, else a theory claim, else the problem, which the caller
then frames as the problem. A sentence that leans on the previous one ("This removes …")
is only used together with it, except that a pronoun right after the method sentence
("Without any training, it first finds …") is resolved to the method's name. Restating
the title is never used.

"What it does" and "Technical read" are in the third person (:func:`third_person`): only
the pronouns change, every other word is the abstract's. The quote stays verbatim. The
headline is a few of the paper's own words about what is new (:mod:`newsletter.digest.headline`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsletter.digest.headline import headline
from newsletter.digest.person import ADVERB, method_name, resolve_pronoun, third_person
from newsletter.ranking.numbers import find_claims
from newsletter.ranking.text import sentences, squash

__all__ = ["Sections", "attribution", "boilerplate", "dangling", "headline", "repeats_title", "sections"]

#: A sentence that opens by pointing back: it cannot stand alone.
_DANGLING_START = re.compile(
    r"^\W*(?:this|these|those|such|it|its|they|their|them|thus|hence|therefore|moreover|however|"
    r"furthermore|additionally|consequently|instead|then|here"
    r"|to (?:this end|that end|address (?:this|these|it|them))"
    r"|in (?:addition|contrast|particular|this (?:work|paper)))\b",
    re.IGNORECASE,
)
#: A pronoun subject after an opening phrase: "Without any training, it first finds …".
_LATE_PRONOUN = re.compile(r"^[^,;:]{0,60},\s+(?:it|they|this|these)\s", re.IGNORECASE)
#: A reference back inside the sentence: "removes this requirement", "these limitations".
_BACK_REFERENCE = re.compile(
    r"\b(?:this|these|such|the above|the aforementioned) (?:\w+ )?(?:requirements?|problems?|issues?|"
    r"limitations?|gaps?|challenges?|assumptions?|constraints?|bottlenecks?|questions?|shortcomings?|"
    r"drawbacks?|difficult(?:y|ies)|observations?|insights?|settings?|tasks?)\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"\b(?:code|models?|weights|data(?:sets?)?|implementation|checkpoints?|demos?|project page)\b[^.]{0,40}?"
    r"\b(?:will be|is|are|has been|have been)\b[^.]{0,20}?\b(?:released|available|public|open[- ]sourced)\b"
    r"|^\W*(?:we|the authors) (?:will )?(?:release|open-source|publish|"
    r"make (?:\w+ ){0,3}(?:public|available))\b"
    r"|https?://|github\.com|\bproject page\b|\bsupplementary material\b",
    re.IGNORECASE,
)
#: The sentence that names the method. Unlike the name finders it leaves out "we derive": in a
#: theory paper what is derived comes after the claim it proves ("We show that flow matching is
#: … Using the closed form we derive a reweighted loss (RFM)"), and the claim is what it does.
_METHOD_CUE = re.compile(
    rf"\b(?:we|this (?:paper|work)|our (?:method|approach|framework))\s+(?:{ADVERB}\s+)?(?:propose|present|"
    r"introduce|develop|design|build|formulate|devise)s?\b",
    re.IGNORECASE,
)
#: What the authors prove or show, as opposed to what they build or measure.
_THEORY = re.compile(
    r"\bwe (?:further |also |then |formally |rigorously )?"
    r"(?:(?:prove|establish)\b|(?:show|demonstrate|derive) that\b)",
    re.IGNORECASE,
)
_OWN = re.compile(r"\b(?:we|our)\b", re.IGNORECASE)
#: A figure, not the digit of a name ("L2", "epsilon^2", "SD3").
_FIGURE = r"(?<![\w^.])\d+(?:[.,]\d+)?(?![\w^])"
#: A measured result the claim detection has no form for: "Dice improves by 1.1 points",
#: "Experiments on synthetic instances confirm the predicted rates".
#: The gaps are bounded, so a sentence of thousands of figures is read in linear time.
_GAP = r"[^.]{0,300}"
_MEASURED = re.compile(
    rf"{_FIGURE}{_GAP}\b(?:improv\w*|outperform\w*|gains?|rises?|falls?|drops?|faster|speed-?ups?|reduc\w*|"
    r"points)\b"
    rf"|\b(?:improv\w*|outperform\w*|reach\w*|achiev\w*)\b{_GAP}{_FIGURE}"
    rf"|\b(?:experiments?|evaluations?|empirical(?:ly)?|simulations?)\b{_GAP}\b(?:show|confirm|demonstrate|"
    r"indicate|validate|support|match)\w*\b",
    re.IGNORECASE,
)
_MAX_QUOTE_WORDS = 45
_MAX_UNIT_WORDS = 80


@dataclass(frozen=True, slots=True, kw_only=True)
class Sections:
    """The abstract's sentences for one paper's section; any may be empty."""

    headline: str
    quote: str
    """The strongest claim, quoted verbatim and attributed."""
    what_it_does: str
    technical_read: str
    technical_is_problem: bool = False
    """Whether ``technical_read`` is the problem the paper answers, because the abstract says
    nothing more about how the method works: the caller says so in words."""
    origin: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Which of the abstract's sentences (0-based) each section was read from."""


def dangling(sentence: str) -> bool:
    """Whether ``sentence`` points back to a previous one and cannot stand alone."""
    return bool(
        _DANGLING_START.search(sentence) or _LATE_PRONOUN.search(sentence) or _BACK_REFERENCE.search(sentence)
    )


def boilerplate(sentence: str) -> bool:
    """Code and data notices, links: not prose about the paper."""
    return bool(_BOILERPLATE.search(sentence))


def repeats_title(sentence: str, title: str) -> bool:
    """Whether ``sentence`` says little beyond the title's words."""
    words = _words(sentence)
    title_words = _words(title)
    if not words or not title_words:
        return False
    return len(words & title_words) / len(words) >= 0.7


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


@dataclass(frozen=True, slots=True)
class _Abstract:
    """An abstract's sentences, the zone of each, and its method sentence."""

    found: tuple[str, ...]
    zones: tuple[str, ...]
    """``boilerplate``, ``title``, ``method``, ``result``, ``theory``, ``problem``, ``own`` (the
    authors' words before the method sentence) or ``mechanism``."""
    method: int
    """The method sentence's index, or -1."""
    name: str
    """The name the method sentence introduces, or ""."""


def zones(abstract: str, title: str) -> tuple[str, ...]:
    """The rhetorical zone of each sentence of ``abstract`` (see :class:`_Abstract`)."""
    return _read(squash(abstract), squash(title)).zones


def _read(abstract: str, title: str) -> _Abstract:
    found = sentences(abstract)
    results = {claim.source for claim in find_claims(abstract)}
    results |= {s for s in found if _MEASURED.search(s) and not _THEORY.search(s)}
    plain = [not boilerplate(s) and not repeats_title(s, title) for s in found]
    method = _method_index(found, plain, results)
    kinds = []
    for index, sentence in enumerate(found):
        if boilerplate(sentence):
            kinds.append("boilerplate")
        elif not plain[index]:
            kinds.append("title")
        elif index == method:
            kinds.append("method")
        elif sentence in results:
            kinds.append("result")
        elif _THEORY.search(sentence):
            kinds.append("theory")
        elif index < method:
            # Before the method, the authors' own words are no problem statement.
            kinds.append("own" if _OWN.search(sentence) else "problem")
        else:
            kinds.append("mechanism")
    name = method_name(found[method]) if method >= 0 else ""
    return _Abstract(found=found, zones=tuple(kinds), method=method, name=name)


def _method_index(found: Sequence[str], usable_sentences: Sequence[bool], results: set[str]) -> int:
    """The sentence that names the method: "we propose …", else the first thing the authors say
    they do or prove, else the first plain sentence that is no result."""
    usable = [i for i in range(len(found)) if usable_sentences[i]]
    for index in usable:
        if _METHOD_CUE.search(found[index]):
            return index
    own = [i for i in usable if _OWN.search(found[i])]
    plain = [i for i in usable if found[i] not in results]
    # A result in the authors' words ("We distill …, improving PSNR from …") still says what they do.
    return next((i for i in own if i in plain), own[0] if own else (plain[0] if plain else -1))


def sections(*, title: str, abstract: str, authors: Sequence[str]) -> Sections:
    """Distinct sentences of ``abstract`` for each section of the paper (see the module docstring)."""
    read = _read(squash(abstract), squash(title))
    used: set[int] = set()
    origin: dict[str, tuple[int, ...]] = {}
    single = len(authors) == 1

    def take(section: str, unit: tuple[tuple[int, ...], str] | None) -> str:
        if unit is None:
            return ""
        used.update(unit[0])
        origin[section] = unit[0]
        return unit[1]

    what = take("what_it_does", _method_unit(read))
    quote = take("quote", _result_unit(read, used) or _zone_unit(read, used, "result", quoted=True))
    technical = take("technical_read", _zone_unit(read, used, "mechanism"))
    technical = technical or take("technical_read", _zone_unit(read, used, "theory"))
    quote = quote or take("quote", _zone_unit(read, used, "theory", quoted=True))
    technical = technical or take("technical_read", _zone_unit(read, used, "own"))
    problem = not technical
    technical = technical or take("technical_read", _zone_unit(read, used, "problem", last=True))
    return Sections(
        headline=headline(read.found, read.zones, read.method, title, dangling=dangling),
        quote=f"“{quote}” — {attribution(authors)}" if quote and attribution(authors) else quote,
        what_it_does=third_person(what, single=single),
        technical_read=third_person(technical, single=single),
        technical_is_problem=problem and bool(technical),
        origin=origin,
    )


def _method_unit(read: _Abstract) -> tuple[tuple[int, ...], str] | None:
    index = read.method
    if index < 0:
        return None
    sentence = read.found[index]
    if dangling(sentence):
        before = index - 1
        if before < 0 or read.zones[before] in ("boilerplate", "title") or dangling(read.found[before]):
            return None
        return (before, index), f"{read.found[before]} {sentence}"
    return (index,), sentence


def _unit(read: _Abstract, used: set[int], index: int, *, quoted: bool) -> tuple[tuple[int, ...], str] | None:
    """Sentence ``index`` standing alone: with its pronoun resolved to the method's name when it
    follows the method sentence, else joined to the sentence before it; None when it cannot be."""
    sentence = read.found[index]
    unit: tuple[tuple[int, ...], str] | None = ((index,), sentence)
    if dangling(sentence):
        resolved = resolve_pronoun(sentence, read.name, bracket=quoted) if index - 1 == read.method else ""
        before = index - 1
        if resolved and not dangling(resolved):
            unit = ((index,), resolved)
        elif (
            before < 0
            or before in used
            or read.zones[before] in ("boilerplate", "title")
            or dangling(read.found[before])
        ):
            unit = None
        else:
            unit = ((before, index), f"{read.found[before]} {sentence}")
    if unit is None or set(unit[0]) & used:
        return None
    limit = _MAX_QUOTE_WORDS if quoted else _MAX_UNIT_WORDS
    return unit if len(unit[1].split()) <= limit else None


def _result_unit(read: _Abstract, used: set[int]) -> tuple[tuple[int, ...], str] | None:
    """The sentence of the strongest quantitative claim (the first of equals) still free."""
    claims = sorted(find_claims(" ".join(read.found)), key=lambda c: (-c.strength, -c.values, c.position))
    # A sentence with many claims is judged once, not once per claim.
    tried: set[int] = set()
    for claim in claims:
        if claim.source in read.found:
            index = read.found.index(claim.source)
            if index in tried or read.zones[index] in ("boilerplate", "title"):
                continue
            tried.add(index)
            unit = _unit(read, used, index, quoted=True)
            if unit:
                return unit
    return None


def _zone_unit(
    read: _Abstract, used: set[int], zone: str, *, quoted: bool = False, last: bool = False
) -> tuple[tuple[int, ...], str] | None:
    """The first (or last) free sentence of ``zone`` that can stand alone."""
    indexes = [i for i, kind in enumerate(read.zones) if kind == zone and i not in used]
    for index in reversed(indexes) if last else indexes:
        unit = _unit(read, used, index, quoted=quoted)
        if unit:
            return unit
    return None


def attribution(authors: Sequence[str]) -> str:
    """ "Zhang et al." for several authors, the whole name for one; "" for none (a record may
    carry blank names)."""
    names = [" ".join(name.split()) for name in authors if name.strip()]
    if len(names) <= 1:
        return names[0] if names else ""
    return f"{names[0].split()[-1]} et al."
