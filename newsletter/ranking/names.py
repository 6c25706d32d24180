"""Short names, as people say them: "OTCache", "ECFM", "Cross-Space Distillation".

In order: the part of the title before a colon, an acronym the abstract defines for the
paper's method, the name after "We present / propose / introduce", and else the title
itself, or its head before "via", "with" or "for" when that still names the idea. A title is
never cut in the middle and marked with "…".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsletter.model import Paper
from newsletter.ranking.text import sentences, squash

_HEAD_WORDS = 6
_TITLE_WORDS = 6
_DEFINED = re.compile(r"\(([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)\)")
_NAMED_AFTER = re.compile(
    r"\b(?:we|this paper|this work)\s+(?:(?:further|also|then|first)\s+)?"
    r"(?:propose|introduce|present|develop|design|derive|call)s?\s+(?:(?:a|an|the)\s+)?"
    r"(?P<name>[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*)(?=[\s,:;.(]|$)",
    re.IGNORECASE,
)
# Only a method joint cuts a title: "Interactive Image Editing with Sketch Guidance" is about
# editing, but "Diffusion Models for Tabular Data" is not about diffusion models in general.
_TITLE_JOINS = re.compile(r"\s+(?:via|with|using|through)\s+", re.IGNORECASE)
_NO_LEAD = re.compile(r"^(?:A|An|The|On|Towards?|Toward|Why|How|What|When)\b")
_SMALL_WORDS = frozenset({"of", "and", "for", "the", "a", "an", "in", "on", "to", "with"})
# Nouns that may follow the words an acronym spells: "reweighted flow matching loss (RFM)".
_TRAILING = frozenset(
    {"loss", "objective", "method", "model", "models", "framework", "algorithm", "approach"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ShortName:
    name: str
    source: str
    """The title or the abstract's sentence the name comes from."""


def find_short_name(paper: Paper) -> ShortName:
    """How an issue names ``paper``; see the module's docstring for the order."""
    title = squash(paper.title)
    head, colon, _ = title.partition(": ")
    # "Why Guidance Overshoots: …" is a question, not a name; a defined acronym names it better.
    if colon and len(head.split()) <= _HEAD_WORDS and not _NO_LEAD.match(head):
        return ShortName(name=head, source=title)
    found = _defined_acronym(paper, title) or _named_after_proposal(paper)
    if found:
        return found
    if len(title.split()) > _TITLE_WORDS:
        lead = _TITLE_JOINS.split(head, maxsplit=1)[0]
        if 2 <= len(lead.split()) < len(head.split()) and not _NO_LEAD.match(lead):
            return ShortName(name=lead, source=title)
    return ShortName(name=head if colon else title, source=title)


def _defined_acronym(paper: Paper, title: str) -> ShortName | None:
    """An acronym in parentheses whose words spell it, in the proposal or naming the title's words."""
    for sentence in sentences(paper.abstract):
        for match in _DEFINED.finditer(sentence):
            acronym = match.group(1)
            words = _spelled_by(sentence[: match.start()], acronym)
            if not words:
                continue
            proposes = _NAMED_AFTER.search(sentence) is not None or "we " in sentence.lower()[: match.start()]
            in_title = sum(w.lower() in title.lower() for w in words) >= max(1, len(words) // 2)
            if proposes or in_title:
                return ShortName(name=acronym, source=sentence)
    return None


def _spelled_by(before: str, acronym: str) -> list[str]:
    """The words just before ``(ACRONYM)`` whose initials spell its capitals, or ``[]``.

    A part of the acronym with a digit ("3D" in "CTD-3D") is spelled by that very word.
    """
    units = [u for part in acronym.split("-") for u in ([part] if any(c.isdigit() for c in part) else part)]
    letters = [u for u in units if len(u) > 1 or u.isupper()]
    words = [w for w in re.split(r"[\s-]+", before.strip()) if w]
    if len(letters) < 2:
        return []
    while words and words[-1].lower() in _TRAILING and words[-1][:1].upper() != letters[-1]:
        words.pop()
    # Small words ("of", "and") may be skipped, as in "Number of Function Evaluations (NFE)".
    taken: list[str] = []
    index = len(letters) - 1
    for word in reversed(words):
        if index < 0:
            break
        unit = letters[index]
        if word.upper() == unit.upper() if len(unit) > 1 else word[:1].upper() == unit:
            taken.append(word)
            index -= 1
        elif word.lower() not in _SMALL_WORDS:
            return []
    return list(reversed(taken)) if index < 0 else []


def _named_after_proposal(paper: Paper) -> ShortName | None:
    """A coined name right after "we propose": one with a capital inside or a digit ("SyncCache")."""
    for sentence in sentences(paper.abstract):
        match = _NAMED_AFTER.search(sentence)
        if match and _coined(match.group("name")):
            return ShortName(name=match.group("name").rstrip("."), source=sentence)
    return None


def _coined(word: str) -> bool:
    return any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)
