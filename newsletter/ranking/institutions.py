"""Institutions in the short forms editors use: "CUHK", "DTU", "ETH Zürich".

An affiliation as a feed writes it ("Department of Computer Science, ETH Zurich,
Switzerland") becomes the name an editor would print. Known names map to their short
form through :data:`SHORT_FORMS`, which ``ranking.institution_names`` extends; an unknown
affiliation is cut to the part that names an institution ("University of Edinburgh").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

#: Long names (as affiliations spell them, matched ignoring case) and the short form editors use.
SHORT_FORMS: Mapping[str, str] = {
    "The Chinese University of Hong Kong": "CUHK",
    "Chinese University of Hong Kong": "CUHK",
    "Hong Kong University of Science and Technology": "HKUST",
    "The University of Hong Kong": "HKU",
    "Technical University of Denmark": "DTU",
    "Danmarks Tekniske Universitet": "DTU",
    "ETH Zurich": "ETH Zürich",
    "ETH Zürich": "ETH Zürich",
    "Swiss Federal Institute of Technology Zurich": "ETH Zürich",
    "École Polytechnique Fédérale de Lausanne": "EPFL",
    "Ecole Polytechnique Federale de Lausanne": "EPFL",
    "EPFL": "EPFL",
    "Massachusetts Institute of Technology": "MIT",
    "Carnegie Mellon University": "CMU",
    "University of California, Berkeley": "UC Berkeley",
    "UC Berkeley": "UC Berkeley",
    "University of California, Los Angeles": "UCLA",
    "University of California, San Diego": "UC San Diego",
    "Korea Advanced Institute of Science and Technology": "KAIST",
    "KAIST": "KAIST",
    "Pohang University of Science and Technology": "POSTECH",
    "Seoul National University": "SNU",
    "Nanyang Technological University": "NTU Singapore",
    "National University of Singapore": "NUS",
    "University of Science and Technology of China": "USTC",
    "Technical University of Munich": "TUM",
    "Technische Universität München": "TUM",
    "TU Munich": "TUM",
    "KTH Royal Institute of Technology": "KTH",
    "University College London": "UCL",
    "École normale supérieure": "ENS",
    "Ecole Normale Superieure": "ENS",
    "Max Planck Institute for Intelligent Systems": "MPI-IS",
    "Max Planck Institute for Informatics": "MPI-INF",
    "RIKEN Center for Advanced Intelligence Project": "RIKEN AIP",
    "Shanghai AI Laboratory": "Shanghai AI Lab",
    "Shanghai Artificial Intelligence Laboratory": "Shanghai AI Lab",
    "Alibaba Group": "Alibaba",
    "Google DeepMind": "Google DeepMind",
    "Microsoft Research Asia": "MSRA",
}
# The part of an affiliation that names the institution, when no known name is in it.
_INSTITUTION_WORD = re.compile(
    r"\b(?:Universit\w*|Institut\w*|College|Laborator\w*|Labs?|Academy|School|Center|Centre|Research|"
    r"Inria|CNRS|Polytechni\w*|Hospital|Foundation|Inc\.?|Ltd\.?|Corporation|AI)\b"
)
_DEPARTMENT = re.compile(r"^(?:Dept\.?|Department|Faculty|Division|Graduate School|School of)\b", re.I)


def parse_names(entries: Iterable[str]) -> dict[str, str]:
    """``ranking.institution_names`` entries ("Long name = Short") as a map; a bare name maps to itself."""
    names: dict[str, str] = {}
    for entry in entries:
        long, _, short = entry.partition("=")
        if long.strip():
            names[long.strip()] = short.strip() or long.strip()
    return names


def short_forms(affiliations: Sequence[str], extra: Sequence[str] = ()) -> list[str]:
    """Each affiliation's short form, in the order given, each institution once."""
    table = _table(tuple(extra))
    found: list[str] = []
    for affiliation in affiliations:
        name = short_form(affiliation, table)
        if name and name not in found:
            found.append(name)
    return found


def short_form(affiliation: str, table: tuple[tuple[str, str], ...] | None = None) -> str:
    """The short form of one affiliation: a known name's, else the part naming an institution."""
    text = " ".join(affiliation.split())
    lowered = text.lower()
    for long, short in table or _table(()):
        at = lowered.find(long.lower())
        if at >= 0 and _whole_word(lowered, at, len(long)):
            return short
    parts = [p.strip() for p in text.split(",") if p.strip()]
    named = [p for p in parts if _INSTITUTION_WORD.search(p) and not _DEPARTMENT.match(p)]
    return named[0] if named else (parts[0] if parts else "")


def _whole_word(text: str, at: int, length: int) -> bool:
    before = text[at - 1] if at > 0 else " "
    after = text[at + length] if at + length < len(text) else " "
    return not before.isalnum() and not after.isalnum()


@lru_cache(maxsize=16)
def _table(extra: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Configured names first, then the defaults; the longest name first, so it wins over its parts."""
    merged = {**SHORT_FORMS, **parse_names(extra)}
    return tuple(sorted(merged.items(), key=lambda item: -len(item[0])))
