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
_ACCEPTED = re.compile(r"\b(?:accepted|to appear|published|camera[- ]ready|oral|spotlight|poster)\b", re.I)
_NOT_YET = re.compile(r"\b(?:submitted|under review|in submission|under submission|rejected)\b", re.I)
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

_METRIC_NAMES = (
    r"FID|FVD|KID|IS|CLIP[- ]?(?:Score|score|T|I)?|HPS(?:v\d)?|LPIPS|PSNR|SSIM|GenEval|VBench|"
    r"ImageReward|PickScore|Aesthetic(?: score)?|BLEU|ROUGE(?:-\w+)?|TPF|TPS|accuracy|Accuracy|top-1|"
    r"mAP|mIoU|AP|NFEs?|perplexity|pass@\d+|win rate|latency|throughput|WER|MOS|CER|F1|R@\d+|Recall@\d+"
)
_METRIC = re.compile(rf"(?<![\w-])(?:{_METRIC_NAMES})(?![\w-])")
_BENCHMARK = re.compile(
    r"(?<![\w-])(?:ImageNet(?:-\w+)?|MS-?COCO|COCO|LAION(?:-\w+)?|CIFAR-?10{1,2}|CelebA(?:-HQ)?|FFHQ|"
    r"UCF-?101|Kinetics(?:-\d+)?|GenEval|VBench|T2I-CompBench|DPG-Bench|DrawBench|PartiPrompts|GSM8K|"
    r"HumanEval|MMLU|MBPP|LSUN|ShapeNet|Objaverse|FLUX(?:\.1)?|SDXL|SD ?\d(?:\.\d)?|"
    r"Stable Diffusion(?: \d(?:\.\d)?)?|"
    r"Qwen-Image|HunyuanVideo(?:-\w+)?|Wan(?:-\w+|\d\.\d)?|LLaDA\w*|DiT-XL/2|SiT-XL/2)(?![\w-])"
)
_NUM = r"[-+]?\d+(?:[.,]\d+)*%?"
_FROM_TO = re.compile(rf"\bfrom\s+(?P<a>{_NUM})\s+to\s+(?P<b>{_NUM})")
# Abstracts written in LaTeX say "$\rightarrow$" and "$\times$"; they count as written.
_ARROW = re.compile(rf"(?P<c>{_NUM})\s*(?:→|->|⟶|⇒|\$?\\(?:rightarrow|to)\$?)\s*(?P<d>{_NUM})")
_ARROWS = ("→", "->", "⟶", "⇒", "\\rightarrow", "\\to")
_TIMES_X = re.compile(r"\d ?(?:[xX](?!\w)|\$?\\times)")
_SPEEDUP = re.compile(
    r"(?<![\w.])\d+(?:\.\d+)?\s?(?:×|x|X|\$?\\times\$?)(?![\w])"
    r"(?:\s+(?:lossless\s+)?(?:speed-?ups?|acceleration|faster|fewer\s+\w+))?"
    r"(?P<target>\s+(?:on|for|in)\s+[^,;]+?)?"
    r"(?=\s*(?:,|;|\(|$|\.(?:\s|$)|\s+(?:and|with|while|without|at|compared|over|versus|vs\.?|than|across)\b))"
)
_PERCENT = re.compile(
    r"(?<![\w.])\d+(?:\.\d+)?\s?%(?P<noun>\s+(?:relative\s+)?(?:gain|improvement|reduction|increase|decrease|"
    r"fewer|less|lower|higher|faster|speed-?up|better)\b(?:\s+(?:in|on|of)\s+[\w-]+)?)?"
)

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Links:
    """Public URLs in a paper's abstract and comment, as written, sorted by kind."""

    code: tuple[str, ...] = ()
    demo: tuple[str, ...] = ()
    project: tuple[str, ...] = ()


def extract_facts(paper: Paper, labs: Sequence[str] = ()) -> Facts:
    """What ``paper``'s own record says, each fact verbatim or ``None`` when absent."""
    venue = find_venue(paper)
    links = find_links(paper)
    return Facts(
        institution=find_institution(paper, labs),
        venue=venue.text if venue else None,
        code_url=links.code[0] if links.code else None,
        demo_url=links.demo[0] if links.demo else None,
        project_url=links.project[0] if links.project else None,
        key_number=find_key_number(paper.abstract),
        core_method=find_core_method(paper),
        summary=find_summary(paper.abstract),
    )


@lru_cache(maxsize=4096)
def find_venue(paper: Paper) -> VenueMention | None:
    """The venue that accepted ``paper``, from its comment, then its journal reference."""
    for text in (paper.comment, paper.journal_ref):
        found = _named_venue(squash(text or ""))
        if found:
            return found
    if paper.comment:
        generic = _GENERIC_ACCEPTED.search(squash(paper.comment))
        if generic:
            return VenueMention(text=generic.group("venue").strip(), strength=0.6)
    if paper.journal_ref:
        return VenueMention(text=clip(squash(paper.journal_ref), 100), strength=0.6)
    return None


def _named_venue(text: str) -> VenueMention | None:
    for match in _VENUE.finditer(text):
        clause = _clause_around(text, match.start(), match.end())
        if _NOT_YET.search(clause):
            continue
        if not (match.group("year") or _ACCEPTED.search(clause)):
            continue
        workshop = bool(match.group("track")) or "workshop" in clause.lower()
        top = match.group("name") in _TOP
        strength = 0.45 if workshop else 1.0 if top else 0.7
        return VenueMention(text=match.group(0).strip(), strength=strength)
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
    """The single most telling quantitative claim in ``abstract``, as written.

    A metric's change ("FID 20.13 → 12.91") beats a speed-up on a named model
    ("4.5× on FLUX.1 [dev]"), which beats an unnamed change, a bare speed-up and a
    percentage; among equals the first one written wins.
    """
    candidates = _claims(squash(abstract))
    if not candidates:
        return None
    best = max(candidates, key=lambda found: (found[0], -found[1]))
    return best[2]


@lru_cache(maxsize=4096)
def _claims(text: str) -> tuple[tuple[int, int, str], ...]:
    """Every quantitative claim in ``text`` as (strength, position, span), found once."""
    return (*_transitions(text), *_speedups(text), *_percentages(text))


def _transitions(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    # The arrow pattern starts at every digit; skip it when no arrow is written at all.
    arrows = _ARROW.finditer(text) if any(a in text for a in _ARROWS) else iter(())
    for match in sorted((*_FROM_TO.finditer(text), *arrows), key=lambda m: m.start()):
        if _looks_like_years(match):
            continue
        span = _with_metric(text, match.start(), match.end())
        rank = 5 if span else 3
        found.append((rank, match.start(), span or match.group(0)))
    return found


def _looks_like_years(match: re.Match[str]) -> bool:
    numbers = [g for g in match.groups() if g]
    return all(re.fullmatch(r"(?:19|20)\d{2}", n) for n in numbers)


def _with_metric(text: str, start: int, end: int) -> str | None:
    """The change widened to the metric named just before or after it, or ``None``."""
    before = list(_METRIC.finditer(text, max(0, start - 30), start))
    if before and not re.search(r"[,;:]|\. ", text[before[-1].end() : start]):
        return text[before[-1].start() : end]
    after = re.compile(rf"\s+(?:on|in|of|for)?\s*(?:{_METRIC_NAMES})(?![\w-])").match(text, end)
    if after:
        return text[start : after.end()]
    return None


def _speedups(text: str) -> list[tuple[int, int, str]]:
    found = []
    if "×" not in text and not _TIMES_X.search(text):
        return []
    for match in _SPEEDUP.finditer(text):
        rank = 4 if match.group("target") else 3
        found.append((rank, match.start(), match.group(0).strip()))
    return found


def _percentages(text: str) -> list[tuple[int, int, str]]:
    if "%" not in text:
        return []
    return [(2 if m.group("noun") else 1, m.start(), m.group(0).strip()) for m in _PERCENT.finditer(text)]


def count_claims(abstract: str) -> tuple[int, int, int, int]:
    """Speed-ups, metric changes, percentages and distinct named metrics or benchmarks."""
    text = squash(abstract)
    claims = _claims(text)
    # The strengths say the kind: 5 and 3 for changes … see find_key_number's ranks.
    transitions = sum(1 for rank, _, span in claims if rank in (3, 5) and not _is_speedup(span))
    speedups = sum(1 for _, _, span in claims if _is_speedup(span))
    percentages = sum(1 for rank, _, _ in claims if rank in (1, 2))
    # A benchmark counts as evidence where results are reported: in sentences with numbers.
    reported = " ".join(s for s in sentences(abstract) if any(c.isdigit() for c in s))
    named = {m.group(0) for m in _METRIC.finditer(reported)} | {
        m.group(0) for m in _BENCHMARK.finditer(reported)
    }
    return speedups, transitions, percentages, len(named)


def _is_speedup(span: str) -> bool:
    return _SPEEDUP.match(span) is not None


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


def find_institution(paper: Paper, labs: Sequence[str] = ()) -> str | None:
    """The authors' affiliations in order, else institutions named in the comment."""
    seen: list[str] = []
    for author in paper.authors:
        for affiliation in author.affiliations:
            name = squash(affiliation)
            if name and name not in seen:
                seen.append(name)
    if seen:
        return "; ".join(seen)
    return _institution_in(squash(paper.comment or ""), labs)


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
