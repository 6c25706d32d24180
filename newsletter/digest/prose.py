"""Choose the abstract's sentences for a paper's section, as an editor would quote them.

Each section reads different sentences: the quote takes the strongest claim (a number, or
what the authors show or prove), "What it does" the sentence that names the method, and
"Technical read" the most technical of the rest. A sentence that leans on the previous one
("This removes …", "a paradigm that removes this requirement: …") is only used together with
it; boilerplate ("Code will be released.") and a restatement of the title are never used.
The headline is a few of the paper's own words about what is new, never its title.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newsletter.ranking.text import sentences, squash

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
    r"|https?://|github\.com|\bproject page\b|\bsupplementary material\b",
    re.IGNORECASE,
)
_METHOD_CUE = re.compile(
    r"\b(?:we|this (?:paper|work)|our (?:method|approach|framework))\s+(?:propose|present|introduce|develop|"
    r"design|build|formulate|devise)s?\b",
    re.IGNORECASE,
)
_TECHNICAL_CUE = re.compile(
    r"\b(?:theor\w*|enabl\w*|allow\w*|key|because|so that|by|via|connect\w*|guarantee\w*|bound\w*|"
    r"optimi[sz]\w*|keeps?|preserv\w*|reus\w*|lift\w*|formulat\w*|convex|converge\w*|represent\w*|"
    r"equivalen\w*|objective|loss|architecture|mechanism)\b",
    re.IGNORECASE,
)
_RESULT_CUE = re.compile(
    r"\b(?:we (?:show|prove|demonstrate|establish|find|derive)|outperform\w*|state-of-the-art|improv\w*|"
    r"achiev\w*|reach\w*|surpass\w*|speed-?ups?|accelerat\w*|reduc\w*)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d+(?:\.\d+)?\s*(?:×|x\b|%|→)|\bfrom \d[\d.]* to \d|\d+(?:\.\d+)?\s*(?:times|points)\b"
)
#: Headline candidates: "X, not Y" / "X rather than Y"; the part after a colon; a "which/that"
#: clause; an appositive "Name, a … method".
_CONTRAST = re.compile(
    r"(?:^|(?<=[,;:] ))([^,;:]{8,100}?,? (?:not|rather than|instead of) [^,;:.]{3,60})", re.IGNORECASE
)
_AFTER_COLON = re.compile(r":\s+([^:;]+?)\.?$")
#: "which …" or "that …", but not "the observation that …", whose clause is a premise, not the news.
_WHICH = re.compile(
    r"(?<!\bobservation)(?<!\bfact)(?<!\bidea)(?<!\binsight)(?<!\bfinding)(?<!\bassumption)"
    r",? (?:which|that) ([^,;:]+)"
)
_APPOSITIVE = re.compile(r", (an? [^,;:]+?)(?: built| that| which|,|$)")
_HEADLINE_WORDS = (3, 16)
_MAX_QUOTE_WORDS = 45
_MAX_UNIT_WORDS = 80


@dataclass(frozen=True, slots=True, kw_only=True)
class Sections:
    """The abstract's sentences for one paper's section; any may be empty."""

    headline: str
    quote: str
    """The strongest claim, quoted and attributed."""
    what_it_does: str
    technical_read: str


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


def _units(abstract: str, title: str) -> list[tuple[frozenset[int], str]]:
    """The usable pieces of the abstract: a sentence, or a dangling one joined to its predecessor."""
    found = list(sentences(abstract))
    units = []
    for index, sentence in enumerate(found):
        if boilerplate(sentence) or repeats_title(sentence, title):
            continue
        unit, covered = sentence, frozenset({index})
        if dangling(sentence):
            if index == 0 or dangling(found[index - 1]) or boilerplate(found[index - 1]):
                continue
            unit, covered = f"{found[index - 1]} {sentence}", frozenset({index - 1, index})
        if len(unit.split()) <= _MAX_UNIT_WORDS:
            units.append((covered, unit))
    return units


def sections(*, title: str, abstract: str, authors: Sequence[str]) -> Sections:
    """Distinct sentences of ``abstract`` for each section of the paper (see the module docstring)."""
    units = _units(squash(abstract), squash(title))
    used: set[int] = set()
    what = _take(units, used, _method_score) or _take(units, used, _own_score)
    quote = _take(units, used, _quote_score, max_words=_MAX_QUOTE_WORDS)
    # What comes after the method is how it works; what comes before, the problem it solves.
    after = max(used, default=-1) if what else -1
    technical = _take(units, used, _technical_score, after=after)
    claim = what or quote
    return Sections(
        headline=headline(claim, title) if claim else "",
        quote=f"“{quote}” — {attribution(authors)}" if quote and authors else quote,
        what_it_does=what,
        technical_read=technical,
    )


def _take(
    units: list[tuple[frozenset[int], str]],
    used: set[int],
    score: Callable[[str], float],
    max_words: int = _MAX_UNIT_WORDS,
    after: int = -1,
) -> str:
    """The best-scoring unit that uses no sentence taken before; it is then taken too.

    A unit past sentence ``after`` scores one point more.
    """
    best: tuple[float, frozenset[int], str] | None = None
    for covered, text in units:
        if covered & used or len(text.split()) > max_words:
            continue
        value = score(text) + (1.0 if after >= 0 and min(covered) > after else 0.0)
        # Ties go to the earlier sentence, which the abstract put first for a reason.
        if value > 0 and (best is None or value > best[0]):
            best = (value, covered, text)
    if best is None:
        return ""
    used.update(best[1])
    return best[2]


def _quote_score(text: str) -> float:
    number = 2.0 * bool(_NUMBER.search(text))
    result = 1.5 * bool(re.search(r"\bwe (?:show|prove|demonstrate|establish)\b", text, re.IGNORECASE))
    claim = 0.5 * bool(_RESULT_CUE.search(text))
    return number + result + claim if number or result else 0.0


def _method_score(text: str) -> float:
    return 2.0 if _METHOD_CUE.search(text) else 0.0


def _own_score(text: str) -> float:
    """Without a "we propose": what the authors say they do, else the first plain sentence."""
    return 1.0 if re.search(r"\b(?:we|our)\b", text, re.IGNORECASE) else 0.1


def _technical_score(text: str) -> float:
    return 1.0 + len(_TECHNICAL_CUE.findall(text)) * 0.5 - 0.5 * bool(_NUMBER.search(text))


def attribution(authors: Sequence[str]) -> str:
    """ "Zhang et al." for several authors, the whole name for one."""
    if len(authors) == 1:
        return authors[0]
    return f"{authors[0].split()[-1]} et al."


def headline(claim: str, title: str) -> str:
    """A few words of ``claim`` that say what is new, or "" when none reads as a headline."""
    last = sentences(claim)[-1] if sentences(claim) else claim
    candidates = [m.group(1) for m in _CONTRAST.finditer(last)]
    candidates += [
        m.group(1)
        for m in (_AFTER_COLON.search(last), _method_clause(last), _APPOSITIVE.search(last))
        if m and not _cut_list(last, m.end(1))
    ]
    for candidate in candidates:
        phrase = candidate.strip().rstrip(".").strip()
        low, high = _HEADLINE_WORDS
        if low <= len(phrase.split()) <= high and not repeats_title(phrase, title) and not dangling(phrase):
            return _lower_first(phrase)
    return ""


def _method_clause(sentence: str) -> re.Match[str] | None:
    """ "which/that …" right after the method's name ("We present OTCache, which treats …"),
    whose subject is the method; after any other noun the clause lacks its subject."""
    cue = _METHOD_CUE.search(sentence)
    found = _WHICH.search(sentence, cue.end()) if cue else None
    near = found is not None and cue is not None and len(sentence[cue.end() : found.start()].split()) <= 8
    return found if near else None


def _cut_list(sentence: str, end: int) -> bool:
    """Whether a clause ending at ``end`` stops at a comma inside a list ("combines A, B and C")."""
    rest = sentence[end:]
    return rest.startswith(",") and " and " in rest.split(".")[0] and not _WHICH.search(rest)


def _lower_first(phrase: str) -> str:
    """ "Teacher and student …" → "teacher and student …"; "DiT caching …" keeps its capitals."""
    first = phrase.split(maxsplit=1)[0]
    return phrase[:1].lower() + phrase[1:] if first[1:].islower() or len(first) == 1 else phrase
