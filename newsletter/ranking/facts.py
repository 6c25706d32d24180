"""Facts about a paper, found in its own record and returned exactly as it writes them.

Every finder returns a span of the abstract, comment, journal reference or affiliations
(whitespace folded) or ``None``: nothing is paraphrased or computed, so a fact can always
be traced to its source. The signals reuse the same finders so that what the ranking
rewards is what the draft shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from newsletter.model import Facts, Paper
from newsletter.ranking import institutions, numbers
from newsletter.ranking.names import find_short_name
from newsletter.ranking.text import clip, first_match, sentences, squash

_TOP_VENUES = "SIGGRAPH Asia|SIGGRAPH|NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|TPAMI|T-PAMI|IJCV|JMLR|ACL|EMNLP"
_OTHER_VENUES = (
    "AAAI|IJCAI|NAACL|COLING|TMLR|TOG|TIP|KDD|WACV|BMVC|3DV|MICCAI|ACM MM|ACM Multimedia|COLT|"
    "AISTATS|UAI|CoRL|RSS|ICRA|IROS|ICASSP|Interspeech|SIGIR|CHI|WWW|ICDE|ACCV|MLSys|TVCG|TMM"
)
_VENUE = re.compile(
    rf"\b(?P<name>{_TOP_VENUES}|{_OTHER_VENUES})\b"
    r"(?P<year>\s*['’]?\s*(?:19|20)?\d{2}\b)?"
    r"(?P<track>\s+(?:Workshops?|Findings|Demo Track|Datasets and Benchmarks Track))?"
)
_TOP = frozenset(_TOP_VENUES.split("|"))
# Only an explicit acceptance counts: "ECCV 2026" alone may be a plan, "NeurIPS 2026
# submission" certainly is one.
_ACCEPTED = re.compile(
    r"\b(?:accepted|to appear|appears? in|published|camera[- ]ready|oral|spotlight|poster|"
    r"in (?:the )?proceedings)\b",
    re.I,
)
_NOT_YET = re.compile(
    r"\b(?:submitted|submission|under review|in review|for review|under submission|rejected|preprint|"
    r"withdrawn)\b",
    re.I,
)
_GENERIC_ACCEPTED = re.compile(
    r"\b(?i:accepted|to appear)\s+(?:to|at|by|in|for)\s+(?:the\s+)?"
    r"(?P<venue>[A-Z][^.;,()]{2,80}?)(?=\s*(?:[.;,()]|$))"
)

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+"
    r"|\b(?:github\.com|gitlab\.com|huggingface\.co|bitbucket\.org|codeberg\.org)/[^\s<>\"'()\[\]{}]+"
    r"|\b[\w-]+\.github\.io(?:/[^\s<>\"'()\[\]{}]*)?"
)
_URL_HINTS = ("http", "www.", ".com/", ".co/", ".org/", ".io")
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")

_PROPOSAL = re.compile(
    r"\b(?:we|this paper|this work|the paper|our work)\s+(?:(?:further|also|then|first)\s+)?"
    r"(?:propose|introduce|present|develop|formulate|design|derive|impose|put forward|extend|establish)s?\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"(?:it|its|them|they|this|these|those|that|our|such)\b", re.I)
_CLAUSE_CUTS = ("; ", ", which ", ", where ", ", while ", ". ", ", and ")
_INSTITUTION = re.compile(
    r"(?:[A-Z][\w&.'’-]*\s+){0,5}(?:University|Institute|College|Laboratory|Labs?|Academy|Universit[äé]t?e?)"
    r"(?:\s+(?:of|for)(?:\s+[A-Z][\w&'’-]*){1,4})?"
)
_COMPANIES = (
    "Google DeepMind", "Google Research", "DeepMind", "Google", "Meta AI", "Meta", "Microsoft Research",
    "Microsoft", "NVIDIA", "Apple", "Adobe Research", "Adobe", "OpenAI", "Huawei", "Alibaba", "ByteDance",
    "Tencent", "Baidu", "Samsung", "Sony", "Amazon", "IBM Research", "Intel", "Qualcomm", "Kuaishou",
    "SenseTime", "NAVER", "Kakao", "LG AI Research", "Snap", "Stability AI", "Runway",
)  # fmt: skip
_SUMMARY_SENTENCES = 2
_CORE_LIMIT = 160
_MIN_CLAUSE = 40


@dataclass(frozen=True, slots=True, kw_only=True)
class VenueMention:
    """A venue named in a paper's record, with how much it says about the paper."""

    text: str
    """The venue as the record writes it, e.g. ``ECCV 2026``."""
    strength: float
    """1 for a top venue, less for others, workshops and unnamed journals; in [0, 1]."""
    source: str = ""
    """The clause of the comment, or the journal reference, that says so."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Links:
    """Public URLs in a paper's abstract and comment, as written, sorted by kind."""

    code: tuple[str, ...] = ()
    demo: tuple[str, ...] = ()
    project: tuple[str, ...] = ()


def extract_facts(paper: Paper, labs: Sequence[str] = (), institution_names: Sequence[str] = ()) -> Facts:
    """What ``paper``'s own record says, each fact with the phrase it came from, or ``None``.

    ``institution_names`` extends the map of institutions' short forms
    (``ranking.institution_names``: "Long name = Short" entries).
    """
    venue = find_venue(paper)
    links = find_links(paper)
    claim = numbers.best_claim(paper.abstract)
    result = None if claim else find_key_result(paper.abstract)
    name = find_short_name(paper)
    institution, affiliations = _institution_and_source(paper, labs, institution_names)
    method = find_core_method(paper)
    index = proposal_index(paper.abstract)
    sources = {
        "key_number": claim.source if claim else (result.source if result else ""),
        # A proof's result stands where a number would; its source says which it is.
        "key_result": result.source if result else "",
        "venue": venue.source if venue else "",
        "institution": affiliations,
        "short_name": name.source,
        "core_method": sentences(paper.abstract)[index] if index is not None else squash(paper.title),
    }
    return Facts(
        institution=institution,
        venue=venue.text if venue else None,
        code_url=links.code[0] if links.code else None,
        demo_url=links.demo[0] if links.demo else None,
        project_url=links.project[0] if links.project else None,
        key_number=claim.text if claim else (result.text if result else None),
        core_method=method,
        summary=find_summary(paper.abstract),
        short_name=name.name,
        sources={key: value for key, value in sources.items() if value},
    )


@lru_cache(maxsize=4096)
def find_venue(paper: Paper) -> VenueMention | None:
    """The venue that accepted ``paper``, from its comment, then its journal reference.

    Only an explicit acceptance counts ("accepted to/at", "to appear in", an oral or
    spotlight, a journal reference); a submission or a paper under review has no venue.
    A workshop paper's venue says "workshop".
    """
    # A journal reference is an acceptance by itself; a comment must say so.
    for text, published in ((paper.comment, False), (paper.journal_ref, True)):
        found = _named_venue(squash(text or ""), published=published)
        if found:
            return found
    if paper.comment:
        generic = _GENERIC_ACCEPTED.search(squash(paper.comment))
        if generic and not _NOT_YET.search(generic.group(0)):
            venue = generic.group("venue").strip()
            strength = 0.45 if "workshop" in venue.lower() else 0.6
            return VenueMention(text=venue, strength=strength, source=generic.group(0))
    if paper.journal_ref:
        reference = squash(paper.journal_ref)
        return VenueMention(text=clip(reference, 100), strength=0.6, source=reference)
    return None


def _named_venue(text: str, *, published: bool) -> VenueMention | None:
    for match in _VENUE.finditer(text):
        clause = _clause_around(text, match.start(), match.end())
        if _NOT_YET.search(clause) or not (published or _ACCEPTED.search(clause)):
            continue
        name = (match.group("name") + (match.group("year") or "")).strip()
        track = (match.group("track") or "").strip()
        if "workshop" in clause.lower():
            return VenueMention(text=f"{name} workshop", strength=0.45, source=clause)
        top = match.group("name") in _TOP
        return VenueMention(text=f"{name} {track}".strip(), strength=1.0 if top else 0.7, source=clause)
    return None


def _clause_around(text: str, start: int, end: int) -> str:
    """The clause (between ``;``, ``.`` + space or line ends) that holds ``text[start:end]``."""
    left = max(text.rfind("; ", 0, start), text.rfind(". ", 0, start), -1) + 1
    right = min((i for i in (text.find("; ", end), text.find(". ", end)) if i >= 0), default=len(text))
    return text[left:right]


@lru_cache(maxsize=4096)
def find_links(paper: Paper) -> Links:
    """Code, demo and project-page URLs from the abstract and the comment, as written."""
    kinds: dict[str, list[str]] = {"code": [], "demo": [], "project": []}
    for text in (squash(paper.abstract), squash(paper.comment or "")):
        # The URL pattern is slow on long prose; most abstracts hold no link at all.
        if not any(hint in text for hint in _URL_HINTS):
            continue
        for match in _URL.finditer(text):
            url = match.group(0).rstrip(".,;:!?")
            kind = _link_kind(url, text[max(0, match.start() - 40) : match.start()].lower())
            if url not in kinds[kind]:
                kinds[kind].append(url)
    return Links(code=tuple(kinds["code"]), demo=tuple(kinds["demo"]), project=tuple(kinds["project"]))


def _link_kind(url: str, before: str) -> str:
    lowered = url.lower()
    if "huggingface.co/spaces" in lowered or "demo" in before or "playground" in before:
        return "demo"
    if "project page" in before or "website" in before or "homepage" in before or ".github.io" in lowered:
        return "project"
    if any(host in lowered for host in _CODE_HOSTS) or "code" in before:
        return "code"
    return "project"


def find_key_number(abstract: str) -> str | None:
    """The single most telling quantitative claim in ``abstract``, with its comparison.

    A measured change or comparison ("HPSv3 5.4 → 9.4 on SD 1.5", "GenEval 0.81
    (teacher: 0.83)") beats a speed-up on a named model ("4.5× on FLUX.1 [dev]"), which
    beats a bare figure and a percentage; among equals the first one written wins.
    """
    claim = numbers.best_claim(abstract)
    return claim.text if claim else None


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyResult:
    """What a paper proves, in its own words, where it reports no number."""

    text: str
    """The result, e.g. ``Gamma-converges to classical optimal transport as lambda approaches 0``."""
    source: str
    """The sentence it was read from."""


_PROVES = re.compile(r"\b(?:we prove|we show|theorem|guarantee|converge)", re.I)
_STOP = r"(?=\s+(?:under|with|for|when|if|and|while)\b|[,;]|\.(?:\s|$)|$)"
#: What a proof establishes, most telling first: a limit, a rate, optimality, a first guarantee,
#: an equivalence. Each keeps the paper's words; a condition ("as lambda approaches 0") follows.
_KEY_RESULTS = tuple(
    re.compile(pattern)
    for pattern in (
        r"(?P<cond>\b[Aa]s\s+\S+(?:\s\S+)?\s+(?:approaches|goes to|tends to)\s+[^\s,;]+),?\s+"
        r"(?:it\s+|the\s+\w+\s+|[A-Z][\w-]+\s+)?(?P<res>[\w-]*converges?\s+to\s+[^,;.]+)",
        rf"(?P<res>\b[\w-]*converges?\s+(?:to\s+[^,;.]+?\s+)?at\s+(?:the\s+)?rate\s+[^,;]+?){_STOP}",
        rf"\b(?:is|are)\s+(?P<res>minimax[- ]optimal[^,;.]*?){_STOP}",
        r"\b(?P<res>first\s+[\w-]+(?:\s[\w-]+)?\s+(?:convergence\s+)?(?:guarantee|bound)s?\b[^,;.]*)",
        rf"\b(?P<res>(?:is|are)\s+equivalent\s+to\s+[^,;.]+?){_STOP}",
    )
)
_RESULT_LIMIT = 90


def find_key_result(abstract: str) -> KeyResult | None:
    """What a theory paper proves, for the table's key number, or ``None``.

    Only an abstract that says it proves or guarantees something has one, and only a result
    short enough for a table cell: "converges to a stationary point at rate O(log T / sqrt(T))".
    """
    if not _PROVES.search(abstract):
        return None
    parts = sentences(abstract)
    for pattern in _KEY_RESULTS:
        for sentence in parts:
            match = pattern.search(sentence)
            if not match:
                continue
            groups = match.groupdict()
            condition = groups.get("cond") or ""
            # The condition moves after the result: "as lambda approaches 0" ends the phrase.
            text = " ".join(filter(None, (groups["res"].strip(), condition[:1].lower() + condition[1:])))
            if len(text) <= _RESULT_LIMIT:
                return KeyResult(text=text, source=sentence)
    return None


_RESULTS = ("change", "comparison", "value")
_SMALL_SCALE = re.compile(
    r"\b(?:CIFAR-?10{1,2}|(?:Fashion-)?MNIST|SVHN|CelebA(?:-64)?|toy|synthetic|two-dimensional|"
    r"2D Gaussians?)\b"
)


@lru_cache(maxsize=8192)
def _small_scale(sentence: str) -> bool:
    return _SMALL_SCALE.search(sentence) is not None


def count_claims(abstract: str) -> tuple[float, float, float, int]:
    """Speed-ups, measured changes or results, percentages, and distinct named metrics or benchmarks."""
    claims = numbers.find_claims(abstract)
    speedups = sum(c.values for c in claims if c.kind == "speedup")
    # A result only on a small-scale benchmark (CIFAR-10, MNIST, toy data) says less about
    # whether a generative method works than one on ImageNet or a released model.
    results = sum(0.5 if _small_scale(c.source) else 1.0 for c in claims if c.kind in _RESULTS)
    percentages = sum(1 for c in claims if c.kind == "percent")
    # A benchmark counts as evidence where results are reported: in sentences with numbers.
    reported = " ".join(s for s in sentences(abstract) if any(c.isdigit() for c in s))
    named = {m.group(0) for m in numbers.METRIC.finditer(reported)} | {
        m.group(0) for m in numbers.BENCHMARK.finditer(reported) if not _SMALL_SCALE.fullmatch(m.group(0))
    }
    return speedups, results, percentages, len(named)


@lru_cache(maxsize=4096)
def proposal_index(abstract: str) -> int | None:
    """The index of the first sentence in which the authors say what they propose."""
    for index, sentence in enumerate(sentences(abstract)):
        if _PROPOSAL.search(sentence):
            return index
    return None


def find_core_method(paper: Paper) -> str | None:
    """One line on the method: what follows "we propose", else the title's subtitle."""
    parts = sentences(paper.abstract)
    index = proposal_index(paper.abstract)
    if index is not None:
        sentence = parts[index]
        match = _PROPOSAL.search(sentence)
        assert match is not None
        rest = sentence[match.end() :].strip().rstrip(".")
        # "We extend them to …" reads wrongly without its subject, so keep the sentence whole.
        if _PRONOUN.match(rest):
            rest = sentence[match.start() :].strip().rstrip(".")
        if rest:
            return _one_line(rest)
    title = squash(paper.title)
    return title.split(": ", 1)[1] if ": " in title else title or None


def _one_line(text: str) -> str:
    if len(text) <= _CORE_LIMIT:
        return text
    cuts = [text.find(cut, _MIN_CLAUSE) for cut in _CLAUSE_CUTS]
    cut = min((c for c in cuts if 0 < c <= _CORE_LIMIT), default=-1)
    return text[:cut] if cut > 0 else clip(text, _CORE_LIMIT)


def find_summary(abstract: str) -> str | None:
    """A short "what it does": the proposal sentence and the one after it, else the opening."""
    parts = sentences(abstract)
    if not parts:
        return None
    start = proposal_index(abstract) or 0
    return " ".join(parts[start : start + _SUMMARY_SENTENCES])


def find_institution(
    paper: Paper, labs: Sequence[str] = (), institution_names: Sequence[str] = ()
) -> str | None:
    """The authors' institutions in short form and in order, else institutions named in the comment."""
    return _institution_and_source(paper, labs, institution_names)[0]


def _institution_and_source(
    paper: Paper, labs: Sequence[str], institution_names: Sequence[str]
) -> tuple[str | None, str]:
    affiliations = list(
        dict.fromkeys(squash(a) for author in paper.authors for a in author.affiliations if a)
    )
    if affiliations:
        names = institutions.short_forms(affiliations, institution_names)
        return "; ".join(names) or None, "; ".join(affiliations)
    comment = squash(paper.comment or "")
    found = _institution_in(comment, labs)
    if found:
        names = institutions.short_forms(found.split("; "), institution_names)
        return "; ".join(names), comment
    return None, ""


def _institution_in(comment: str, labs: Sequence[str]) -> str | None:
    if not comment:
        return None
    named = first_match(comment, labs)
    if named:
        return named
    found = [m.group(0).strip() for m in _INSTITUTION.finditer(comment)]
    company = first_match(comment, _COMPANIES)
    if company and re.search(rf"(?<!\w){re.escape(company)}(?!\w)", comment):
        found.append(company)
    return "; ".join(dict.fromkeys(found)) or None


def is_small_scale(name: str) -> bool:
    """Whether ``name`` is a small-scale benchmark (CIFAR-10, MNIST, toy data)."""
    return _small_scale(name)
