"""The fact guard: every fact in a written text must be found in the paper's record.

A model (or an editor) may phrase things freely, but numbers with their units, versions,
URLs, venues, institutions, benchmark and model names and author names are facts, and each
one a text states has to occur in the record: the title, abstract, comment, journal
reference, affiliations and the extracted facts. Before comparing, both sides are
normalised: full-width characters, thousands separators, decimal commas and "×"/"x"/"배".
Korean text is compared on its numbers and Latin tokens, since that is where its facts are.

A number may be rounded only when the text says so ("about 4×" for a record's 4.5×); a
number that is not hedged must be exact. A claim of acceptance at a venue passes only when
the extractor found a venue. A number and a benchmark named in the same clause must be found
together in one sentence of the record, which catches swapped baselines.

What the guard cannot check: meaning, emphasis, or a claim that rearranges true facts
(it finds "4.5×" and "FLUX" in the record, not whether the paper says the one about the other
beyond sharing a sentence). Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from newsletter.model import ABSENT, Facts, Paper


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """What a text may draw its facts from."""

    texts: tuple[str, ...]
    """Title, abstract, comment, journal reference, affiliations, authors, facts, URLs."""
    own_names: tuple[str, ...] = ()
    """The paper's own names (title words, short name): never a swapped baseline."""
    venues: tuple[str, ...] = ()
    """The venue the extractor found (``ECCV 2026``): the only acceptance a text may claim."""


def record_of(paper: Paper, facts: Facts, *, extra: Iterable[str] = ()) -> Record:
    """The record of ``paper`` with its extracted ``facts`` (and any ``extra`` trusted text)."""
    fact_texts = [
        value
        for value in (
            facts.institution,
            facts.venue,
            facts.code_url,
            facts.demo_url,
            facts.project_url,
            facts.key_number,
            facts.core_method,
            facts.summary,
        )
        if value and value != ABSENT
    ]
    authors = [a.name for a in paper.authors]
    affiliations = [aff for a in paper.authors for aff in a.affiliations]
    texts = (
        paper.title,
        paper.abstract,
        paper.comment or "",
        paper.journal_ref or "",
        f"arXiv:{paper.arxiv_id}v{paper.version}",
        paper.abs_url,
        paper.pdf_url,
        *authors,
        *affiliations,
        *fact_texts,
        *extra,
    )
    return Record(
        texts=tuple(t for t in texts if t),
        own_names=(paper.title,),
        venues=(facts.venue,) if facts.venue and facts.venue != ABSENT else (),
    )


def merged(records: Sequence[Record], *, extra: Iterable[str] = ()) -> Record:
    """One record for a text about several papers (the intro)."""
    return Record(
        texts=tuple(t for r in records for t in r.texts) + tuple(extra),
        own_names=tuple(n for r in records for n in r.own_names),
        venues=tuple(v for r in records for v in r.venues),
    )


def check(text: str, record: Record) -> list[str]:
    """The problems of ``text`` against ``record``, one sentence each; empty when it passes."""
    clean = normalise(text)
    known = _Known(record)
    problems: list[str] = []
    problems += [
        f"the record does not give the URL {m.group().rstrip('.,;:!?')}"
        for m in _URL.finditer(clean)
        if not known.has_url(_url_key(m.group()))
    ]
    without_urls = _without_urls(clean)
    problems += _number_problems(without_urls, known)
    problems += _name_problems(without_urls, known)
    problems += _acceptance_problems(without_urls, record.venues)
    return list(dict.fromkeys(problems))


def _acceptance_problems(text: str, venues: tuple[str, ...]) -> list[str]:
    """An acceptance claim may name only the venue the extractor found: a record may also
    mention venues the paper was merely submitted to, or a workshop."""
    problems = []
    allowed = _fold(" ".join(normalise(v) for v in venues))
    for clause in _clauses(text):
        if not _ACCEPTANCE.search(clause):
            continue
        if not venues:
            problems.append("the record does not say the paper was accepted anywhere")
            continue
        for match in _VENUE.finditer(clause):
            if _fold(match.group()) not in allowed:
                problems.append(f"the record does not say the paper was accepted at {match.group()}")
    return problems


def verdict(text: str, record: Record) -> str:
    """The draft's note on a field: ``passed`` or ``rejected: <first problem>``."""
    problems = check(text, record)
    return f"rejected: {problems[0]}" if problems else "passed"


# Normalising.

_TIMES = re.compile(r"\s*(?:×|\$?\\times\$?)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")


def normalise(text: str) -> str:
    """Full-width to ASCII, one "x" for times, no thousands separators, decimal points."""
    text = unicodedata.normalize("NFKC", text)
    text = _TIMES.sub("x", text)
    text = re.sub(r"(?<=\d)\s*배", "x", text)
    text = re.sub(r"(?<=\d)\s*퍼센트", "%", text)
    text = _THOUSANDS.sub("", text)
    return _DECIMAL_COMMA.sub(".", text)


# URLs.

# ASCII only: in Korean text a particle may follow a URL with no space ("…/OTCache에").
_URL_CHARS = r"[!#-&*-;=?-Z\\^-z|~]"
_URL = re.compile(
    rf"(?:https?://|www\.){_URL_CHARS}+"
    rf"|\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|io|ai|net|dev|co|edu|ac\.kr)/{_URL_CHARS}*"
)


def _urls(text: str) -> list[str]:
    return [_url_key(m.group()) for m in _URL.finditer(text)]


def _without_urls(text: str) -> str:
    """``text`` with each URL blanked out but its sentence's full stop kept."""
    return _URL.sub(lambda m: " " + m.group()[len(m.group().rstrip(".,;:!?")) :], text)


def _url_key(url: str) -> str:
    url = url.rstrip(".,;:!?")
    url = re.sub(r"^https?://", "", url)
    url = re.sub(r"^www\.", "", url)
    host, _, path = url.partition("/")
    return f"{host.lower()}/{path}".rstrip("/")


# Numbers.

_UNIT = r"(?:%|x|ms|s|B|M|K)(?![A-Za-z])"
_NUMBER = re.compile(rf"(?<![A-Za-z0-9_.])(?P<value>\d+(?:\.\d+)?)\s?(?P<unit>{_UNIT})?")
# How a hedged figure may differ from the record's: "about 4×" rounds 4.5× either way, "over
# 4×" and "up to 4×" must not exceed it, "nearly 5×" must not fall short of it.
_ROUND, _AT_MOST, _AT_LEAST = "round", "at most", "at least"
_HEDGES_BEFORE = (
    (_AT_MOST, re.compile(r"(?:over|more than|above|at least|up to|최대)\s*$", re.IGNORECASE)),
    (_AT_LEAST, re.compile(r"(?:nearly|almost|close to|거의)\s*$", re.IGNORECASE)),
    (_ROUND, re.compile(r"(?:about|around|roughly|approximately|~|약|대략)\s*$", re.IGNORECASE)),
)
_HEDGES_AFTER = (
    (_AT_MOST, re.compile(r"^\s*(?:이상|넘게|남짓|여|or more|\+)")),
    (_AT_LEAST, re.compile(r"^\s*(?:가까이|가까운)")),
    (_ROUND, re.compile(r"^\s*(?:가량|정도|or so)")),
)


@dataclass(frozen=True, slots=True)
class _Number:
    value: Decimal
    places: int
    unit: str
    text: str


def _numbers(text: str) -> list[tuple[_Number, str, int]]:
    """Each number in ``text`` with its hedge (empty when it has none) and where it starts."""
    found = []
    for match in _NUMBER.finditer(text):
        raw = match.group("value")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            continue
        places = len(raw.partition(".")[2])
        unit = match.group("unit") or ""
        before, after = text[: match.start()], text[match.end() :]
        hedged = next((kind for kind, hedge in _HEDGES_BEFORE if hedge.search(before)), "")
        hedged = hedged or next((kind for kind, hedge in _HEDGES_AFTER if hedge.match(after)), "")
        shown = raw + {"x": "×", "ms": " ms", "s": " s"}.get(unit, unit)
        found.append((_Number(value, places, unit, shown), hedged, match.start()))
    return found


def _same_unit(number: _Number, candidate: _Number) -> bool:
    """Whether the units agree; a record's bare "4.5" may be written "4.5×" (a speed-up ratio)."""
    if number.unit and candidate.unit:
        return number.unit == candidate.unit
    return not number.unit or number.unit == "x"


def _matches(number: _Number, hedged: str, candidate: _Number) -> bool:
    if not _same_unit(number, candidate):
        return False
    if number.value == candidate.value:
        return True
    if not hedged or number.places >= candidate.places:
        return False
    # "about 4×" for 4.5×: the text's figure is the record's, cut or rounded to fewer places.
    step = Decimal(1).scaleb(-number.places)
    if hedged == _AT_MOST:
        return number.value <= candidate.value < number.value + step
    if hedged == _AT_LEAST:
        return number.value - step < candidate.value <= number.value
    return abs(candidate.value - number.value) < step


def _number_problems(text: str, known: _Known) -> list[str]:
    problems = []
    for clause in _clauses(text):
        names = [n for n in _name_tokens(clause) if not known.is_own(n)]
        for number, hedged, _ in _numbers(clause):
            places = [i for i, s in enumerate(known.sentences) if known.sentence_has(i, number, hedged)]
            if not places:
                problems.append(f"'{number.text}' is not in the record")
                continue
            for name in names:
                if known.has_name(name) and not any(known.sentence_names(i, name) for i in places):
                    problems.append(f"the record does not give '{number.text}' for {name}")
    return problems


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[.;!?。]\s+|,\s+(?:while|whereas|but|and)\s+|\n+", text) if c.strip()]


# Names: benchmarks, models, venues, institutions, authors.

# Latin letters and digits only: in Korean text a particle follows a name without a space.
_NAME_TOKEN = re.compile(r"(?<![A-Za-z0-9_/.-])[A-Za-z][A-Za-z0-9_.+/-]*[A-Za-z0-9_+]")
# A run of capitalised words on one line (FLUX.1 keeps its inner dot; a full stop ends the run).
_CAPITALISED_WORD = r"[A-Z][A-Za-z0-9_&'’-]*(?:\.[A-Za-z0-9_]+)*"
_CAPITALISED_RUN = re.compile(
    rf"(?<![A-Za-z0-9_-]){_CAPITALISED_WORD}(?:[ \t]+(?:(?:of|for|and|&|de|the)[ \t]+)?{_CAPITALISED_WORD})*"
)
_RUN_JOINS = re.compile(r"\s+(?:and|&)\s+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n)$")
# Venue names as the guard's own list, apart from the extractor's (a second opinion on its work).
_VENUE = re.compile(
    r"\b(?:SIGGRAPH(?: Asia)?|NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|TPAMI|T-PAMI|IJCV|JMLR|ACL|EMNLP|AAAI|"
    r"IJCAI|NAACL|COLING|TMLR|TOG|TIP|KDD|WACV|BMVC|3DV|MICCAI|ACM MM|COLT|AISTATS|UAI|CoRL|RSS|ICRA|"
    r"IROS|ICASSP|Interspeech|SIGIR|CHI|WWW|ICDE|ACCV|MLSys|TVCG|TMM)\b(?:\s*['’]?\s*(?:19|20)?\d{2}\b)?"
    r"(?:\s+(?:Workshops?|Findings))?"
)
_ACCEPTANCE = re.compile(
    r"\b(?:accepted|to appear|published (?:at|in)|camera[- ]ready)\b|채택|게재 예정|발표 예정", re.IGNORECASE
)
_PLAIN_TEXT = """
I A An The This These That Those It Its Our We Their They Read Open Start Skip Use If In On At For
With By From To As And But Or Not No Yes Key Both Each Every Here Today Why What How Where When
Which Who Compared Unlike Like Instead Overall Still First Second Third Then Also However Note
English Korean Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
April May June July August September October November December arXiv
"""
#: Capitalised words that state no fact.
_PLAIN_WORDS = frozenset(_PLAIN_TEXT.split())


def _name_tokens(text: str) -> list[str]:
    """Latin tokens that name something: with a digit, two capitals, or an inner capital."""
    tokens = []
    for match in _NAME_TOKEN.finditer(text):
        token = match.group().rstrip(".")
        inner_capital = any(c.isupper() for c in token[1:])
        if (any(c.isdigit() for c in token) and any(c.isalpha() for c in token)) or inner_capital:
            tokens.append(token)
    return tokens


_VERSIONED = re.compile(r"\b\d{4}\.\d{4,5}v\d+\b|(?<![A-Za-z0-9_.-])v\d+(?:\.\d+)*\b")


def _name_problems(text: str, known: _Known) -> list[str]:
    versions = [v for v in _VERSIONED.findall(text) if not known.has_name(v)]
    problems = [f"the record does not give the version {v}" for v in versions]
    problems += [f"the record does not name {t}" for t in _name_tokens(text) if not known.has_name(t)]
    latin_only = not re.search(r"[\uac00-\ud7a3]", text)
    for match in _CAPITALISED_RUN.finditer(text):
        run = match.group().strip().rstrip(".")
        # A sentence's first word is capitalised whatever it is; Korean text has no such rule.
        at_start = latin_only and bool(_SENTENCE_START.search(text[: match.start()]))
        for place, part in enumerate(_RUN_JOINS.split(run)):
            candidates = [part, part.partition(" ")[2]] if at_start and place == 0 else [part]
            if not any(not c or _plain(c) or known.has_name(c) for c in candidates):
                problems.append(f"the record does not name {part}")
    if not latin_only:
        # Korean text has no capitals to tell names from: every Latin word in it is a name.
        for word in re.findall(r"(?<![A-Za-z0-9_.-])[a-z][a-z-]{2,}(?![A-Za-z0-9_-])", text):
            if not known.has_name(word):
                problems.append(f"the record does not name {word}")
    return problems


def _plain(run: str) -> bool:
    return all(word in _PLAIN_WORDS for word in re.split(r"\s+", run))


class _Known:
    """The record, normalised once, with the lookups the checks need."""

    def __init__(self, record: Record) -> None:
        texts = [normalise(t) for t in record.texts]
        self.flat = " \n ".join(texts)
        self.folded = _fold(self.flat)
        self.urls = {u for t in texts for u in _urls(t)}
        # Clauses, not sentences: "4.5× on FLUX.1, while SDXL keeps 97.3%" binds each number
        # to its own model.
        self.sentences = [c for t in texts for s in _clauses_of_record(t) for c in _clauses(s)]
        self.numbers = [[n for n, _, _ in _numbers(_without_urls(s))] for s in self.sentences]
        self.own = _fold(" ".join(normalise(n) for n in record.own_names))

    def has_url(self, url: str) -> bool:
        return url in self.urls

    def has_name(self, name: str) -> bool:
        folded = _fold(name)
        return bool(re.search(rf"(?<![\w]){re.escape(folded)}(?![\w])", self.folded))

    def is_own(self, name: str) -> bool:
        return bool(re.search(rf"(?<![\w]){re.escape(_fold(name))}(?![\w])", self.own))

    def sentence_has(self, index: int, number: _Number, hedged: str) -> bool:
        return any(_matches(number, hedged, candidate) for candidate in self.numbers[index])

    def sentence_names(self, index: int, name: str) -> bool:
        return bool(re.search(rf"(?<![\w]){re.escape(_fold(name))}(?![\w])", _fold(self.sentences[index])))


def _clauses_of_record(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;!?])\s+(?=[A-Z(])|\n+", text) if s.strip()]


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split())
