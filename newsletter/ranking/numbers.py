"""Quantitative claims in an abstract, each with its comparison, written the way an editor writes it.

An editor does not quote "SD 1.5 improves from 5.4 to 9.4 HPSv3 while keeping …"; they write
"HPSv3 5.4 → 9.4 (SD 1.5)", a notation with no English word in it ("4.5× FLUX.1, 4.7×
Qwen-Image", "TPF 3.47 → 6.19 (LLaDA2-Mini, +78.4%)"), so that it stands unchanged in every
language the issue is written in. Every :class:`Claim` therefore carries two strings: ``text``,
the editor's short form, built only from words and numbers of the sentence, and ``source``,
the sentence itself, so that anyone can check the number in one glance.

Recognised forms: "from X to Y", "X → Y", "X vs Y", "X against Y for Z", "reaches X on B"
(with an optional "improving from Y" or "against Y for Z"), "an FID of X", "N× faster /
acceleration on B" (with the other speed-ups of the same sentence), and "X% fewer/more …".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

from newsletter.ranking.text import sentences, squash

METRIC_NAMES = (
    r"FID|FVD|KID|IS|CLIP[- ]?(?:Score|score|T|I)?|HPS(?:v\d)?|LPIPS|PSNR|SSIM|GenEval|VBench|"
    r"ImageReward|PickScore|Aesthetic(?: score)?|BLEU|ROUGE(?:-\w+)?|TPF|TPS|accuracy|Accuracy|top-1|"
    r"mAP|mIoU|AP|NFEs?|perplexity|pass@\d+|win rate|latency|throughput|WER|MOS|CER|F1|R@\d+|Recall@\d+|"
    r"success rate|Chamfer distance|bits per dimension|BPD|NLL|MAE|RMSE|CRPS|AUROC|AUC|Dice|PESQ|MPJPE"
)
# Units follow a number ("32.1 dB", "0.4 s") but never name the quantity on their own.
_UNITS = r"dB|ms|s|seconds|fps|GB|mm|m|GPU-days|GPU-hours|A100-days"
METRIC = re.compile(rf"(?<![\w-])(?:{METRIC_NAMES})(?![\w-])")
BENCHMARK = re.compile(
    r"(?<![\w-])(?:ImageNet(?:[- ]\d+|-\w+)?|MS-?COCO|COCO|LAION(?:-\w+)?|CIFAR-?10{1,2}|CelebA(?:-HQ)?|FFHQ|"
    r"UCF-?101|Kinetics(?:-\d+)?|GenEval|VBench|T2I-CompBench|DPG-Bench|DrawBench|PartiPrompts|GSM8K|"
    r"HumanEval|MMLU|MBPP|LSUN|ShapeNet|Objaverse|FLUX(?:\.1)?(?: \[dev\]| \[schnell\])?|SDXL|"
    r"SD ?\d(?:\.\d)?|"
    r"Stable Diffusion(?: \d(?:\.\d)?)?|PixArt-\w+|"
    r"Qwen-Image|HunyuanVideo(?:-\w+)?|Wan(?:-\w+|\d\.\d)?|LLaDA[\w-]*|DiT-XL/2|SiT-XL/2)(?![\w-])"
)

_NUM = r"[-+]?\d+(?:[.,]\d+)*"
_TIMES = r"(?:×|x(?![\w])|X(?![\w])|\$?\\times\$?)"
# A value: a number, maybe a percentage, a multiple, or a unit named right after it.
_VALUE = rf"{_NUM}(?:\s?%|\s?{_TIMES}|\s(?:{METRIC_NAMES}|{_UNITS})(?![\w-]))?"
_ARROW = r"(?:→|->|⟶|⇒|\$?\\(?:rightarrow|to)\$?)"
# A benchmark or model name: "ImageNet 256", "FLUX.1 [dev]", "SD 1.5"; never its sentence's full stop.
_NAME_WORD = r"[\w\-/]*(?:\.\w+)*"
_BENCH_NAME = (
    rf"(?:the\s+)?[A-Z0-9]{_NAME_WORD}(?:\s(?:\[\w+\]|\d+(?:\.\d+)?(?:\s?[x×]\s?\d+)?|[A-Z]{_NAME_WORD}))*"
)
# Where a named result ends: punctuation, or a word that starts the next clause.
_END = (
    r"(?=\s*(?:[,;()]|\.(?:\s|$)|$|\s(?:with|while|and|against|compared|versus|vs|for|at|using|in|"
    r"improving|over|without|than|across|when)\b))"
)
_WHO = r"(?:the\s+|its\s+|their\s+|a\s+|our\s+)?(?P<who>[\w-]+(?:\s[\w-]+)?)"

_CHANGE = re.compile(
    rf"(?<![\w.])(?:from\s+(?P<a>{_VALUE})\s+to\s+(?P<b>{_VALUE})"
    rf"|(?P<c>{_VALUE})\s*{_ARROW}\s*(?P<d>{_VALUE}))"
    rf"(?P<at>\s+at\s+{_NUM}\s?(?:s|ms|seconds|minutes|steps|NFEs?|frames|fps)\b)?"
)
# The quantity named as the subject of "… rises from X to Y": "drift falls from 5.2 to 0.9".
_SUBJECT = re.compile(
    r"(?P<s>(?:[A-Za-z][\w-]*\s+){0,2}[A-Za-z][\w-]*)\s+"
    r"(?:rises|rose|falls|fell|drops|dropped|improves|improved|increases|increased|decreases|decreased|"
    r"goes|went|grows|grew|shrinks|climbs|declines|declined|is\s+reduced|is\s+cut)\s+$"
)
_OBJECT = re.compile(
    r"\b(?:reduc|cut|lower|rais|increas|improv|boost|bring|brings|decreas)\w*\s+(?:the\s+)?"
    r"(?P<s>(?:[A-Za-z][\w-]*\s+){0,3}[A-Za-z][\w-]*)\s+$"
)
_VERSUS = re.compile(
    rf"(?<![\w.])(?P<a>{_VALUE})(?:\s+on\s+(?P<bench>{_BENCH_NAME}))?,?\s+"
    rf"(?:vs\.?|versus|against|compared (?:to|with))\s+(?P<b>{_VALUE})(?:\s+(?:for|of|by)\s+{_WHO})?"
)
_REACH = re.compile(
    rf"\b(?:reach|achiev|attain|obtain|score|deliver|yield|record|hit)\w*\s+"
    rf"(?:(?:an?|the)\s+)?(?:(?:new\s+)?state-of-the-art\s+)?(?:(?P<m>{METRIC_NAMES})\s+(?:of\s+)?)?"
    rf"(?P<a>{_VALUE})(?:\s+(?P<m2>{METRIC_NAMES}))?(?:\s+(?:on|in)\s+(?P<bench>{_BENCH_NAME}))?{_END}"
    rf"(?:,?\s+(?:improving|up|down|improved|lowering|reducing|rising|falling)\s+(?:on\s+|from\s+)"
    rf"(?P<prev>{_VALUE}))?"
)
_OF = re.compile(
    rf"\b(?:an?|the)\s+(?P<m>{METRIC_NAMES})\s+of\s+(?P<a>{_VALUE})"
    rf"(?:\s+(?:on|in)\s+(?P<bench>{_BENCH_NAME}))?{_END}"
)
_SPEEDUP = re.compile(
    rf"(?<![\w.,])(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)\s?{_TIMES}"
    r"(?P<noun>\s+(?:lossless\s+)?(?:speed-?ups?|acceleration|faster|fewer\s+[\w-]+|less\s+[\w-]+|"
    r"smaller|cheaper|higher\s+throughput))?"
    rf"(?:\s+(?:on|for|in|with)\s+(?P<target>{_BENCH_NAME}))?"
    r"(?=\s*(?:,|;|\(|$|\.(?:\s|$)|\s+(?:and|with|while|without|at|compared|over|versus|vs\.?|than|"
    r"across|in|on|for|during)\b))"
)
# "accelerates SDXL by 2.3×": the model comes before the multiple.
_SPEEDS_UP = re.compile(
    rf"\b(?:accelerat\w*|speed(?:s|ing)? up)\s+(?P<target>{_BENCH_NAME})\s+by\s+"
    rf"(?P<n>\d+(?:\.\d+)?)\s?{_TIMES}"
)
# "reduces memory by 45%": the quantity and the direction come before the percentage.
_BY_PERCENT = re.compile(
    r"\b(?P<verb>reduc|cut|lower|decreas|shrink|improv|increas|boost|rais)\w*\s+(?:the\s+)?"
    r"(?P<what>[a-zA-Z][\w-]*(?:\s[a-zA-Z][\w-]*)?)\s+by\s+(?P<n>\d+(?:\.\d+)?\s?%)"
)
_PERCENT = re.compile(
    r"(?<![\w.])(?P<n>\d+(?:\.\d+)?)\s?%(?P<noun>\s+(?:relative\s+)?(?:gain|improvement|reduction|increase|"
    r"decrease|fewer|less|lower|higher|more|faster|speed-?up|better|drop)\b(?:\s+(?:in|on|of)?\s*[\w-]+)?)?"
)
_GAIN = re.compile(
    r",?\s+(?:a|an|or)\s+(?P<p>[-+]?\d+(?:\.\d+)?%)\s+(?:relative\s+)?(?:gain|improvement|increase)"
)
_DIGIT = re.compile(r"\d")
_LATEX_TIMES = re.compile(r"\s?\$?\\times\$?")


class _Located(Protocol):
    def start(self) -> int: ...
    def end(self) -> int: ...


#: Records a claim found at a span: (span, text, kind, strength, values).
_Add = Callable[..., None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One quantitative claim of an abstract."""

    text: str
    """The editor's short form, e.g. ``FID 4.8 → 3.9 (CIFAR-10)``."""
    source: str
    """The sentence it was read from, whitespace folded."""
    kind: str
    """``change``, ``comparison``, ``value``, ``speedup`` or ``percent``."""
    strength: int
    """How telling it is: 6 a speed-up with the quality it keeps, 5 a measured change or
    comparison, 4 a named result or speed-up, 3 a bare one, 1–2 a percentage."""
    position: int
    """Where in the abstract it starts, to prefer the first of equals."""
    values: int = 1
    """How many results it reports: "4.5× on A, 4.7× on B" reports two."""


def find_claims(abstract: str) -> tuple[Claim, ...]:
    """Every quantitative claim in ``abstract``, in the order written."""
    return _claims(squash(abstract))


def best_claim(abstract: str) -> Claim | None:
    """The most telling claim: the strongest, and of equals the first written."""
    found = find_claims(abstract)
    return max(found, key=lambda c: (c.strength, -c.position)) if found else None


@lru_cache(maxsize=4096)
def _claims(text: str) -> tuple[Claim, ...]:
    found: list[Claim] = []
    offset = 0
    for sentence in sentences(text):
        start = text.find(sentence, offset)
        offset = max(offset, start)
        if _DIGIT.search(sentence):
            found.extend(_in_sentence(sentence, max(start, 0)))
    return tuple(sorted(found, key=lambda c: c.position))


def _in_sentence(sentence: str, at: int) -> list[Claim]:
    claims: list[Claim] = []
    taken: list[tuple[int, int]] = []

    def add(match: _Located, text: str, kind: str, strength: int, values: int = 1) -> None:
        span = (match.start(), match.end())
        if any(span[0] < end and start < span[1] for start, end in taken):
            return
        taken.append(span)
        claim = Claim(text=_tidy(text), source=sentence, kind=kind, strength=strength, position=at + span[0])
        claims.append(replace(claim, values=values))

    for match in _REACH.finditer(sentence):
        _reach(sentence, match, add)
    for match in _OF.finditer(sentence):
        _reach(sentence, match, add)
    for match in _CHANGE.finditer(sentence):
        _change(sentence, match, add)
    for match in _VERSUS.finditer(sentence):
        _versus(sentence, match, add)
    for match in _SPEEDS_UP.finditer(sentence):
        add(match, f"{match.group('n')}× {match.group('target')}", "speedup", 4)
    _speedups(sentence, add)
    for match in _BY_PERCENT.finditer(sentence):
        sign = "−" if match.group("verb") in ("reduc", "cut", "lower", "decreas", "shrink") else "+"
        add(match, f"{match.group('what')} {sign}{match.group('n').replace(' ', '')}", "percent", 2)
    for match in _PERCENT.finditer(sentence):
        noun = match.group("noun")
        add(match, match.group(0), "percent", 2 if noun else 1)
    return _with_quality(claims)


def _with_quality(claims: list[Claim]) -> list[Claim]:
    """A speed-up and the quality kept in the same sentence, as editors pair them.

    "3.8× faster … and scores 84.1 on VBench against 84.3 for the teacher" reads
    "3.8×; VBench 84.1 (teacher: 84.3)": the speed-up is the news, the comparison its price.
    """
    speedups = sorted((c for c in claims if c.kind == "speedup"), key=lambda c: c.position)
    compared = [c for c in claims if c.kind in ("comparison", "change") and c.strength >= 5]
    if len(compared) != 1 or not speedups:
        return claims
    kept = compared[0]
    # The speed-up the comparison qualifies: the nearest one before it, else the only one.
    before = [c for c in speedups if c.position < kept.position]
    if not before and len(speedups) > 1:
        return claims
    fast = before[-1] if before else speedups[0]
    paired = replace(
        fast,
        text=f"{fast.text}; {_unrepeated(kept.text, fast.text)}",
        kind="speedup",
        strength=6,
        values=fast.values + 1,
    )
    return [c for c in claims if c not in (fast, kept)] + [paired]


def _reach(sentence: str, match: re.Match[str], add: _Add) -> None:
    metric = (
        match.group("m") or (match.groupdict().get("m2") or "") or _metric_before(sentence, match.start())
    )
    value = match.group("a")
    # "reaches 4.5× on FLUX.1" is a speed-up, read with the others of its sentence.
    if _is_year(value) or (not metric and not match.group("bench")) or re.search(_TIMES + "$", value):
        return
    bench = match.group("bench")
    if not metric and bench and METRIC.fullmatch(bench):
        # A benchmark that is its own score ("52.5 on GenEval") leads: "GenEval 52.5".
        metric, bench = bench, None
    head = f"{metric} {value}".strip()
    # "On ImageNet 64 the student reaches an FID of 2.9": the benchmark opens the sentence.
    bench = bench or _benchmark_near(sentence, match.start(), head) or None
    previous = match.groupdict().get("prev")
    tail = _VERSUS_TAIL.match(sentence, match.end())
    if previous:
        add(match, _noted(f"{metric} {previous} → {value}".strip(), bench), "change", 5)
    elif tail:
        who = tail.group("who")
        if who:
            add(match, _noted(head, bench, f"{who}: {tail.group('b')}"), "comparison", 5)
        else:
            add(match, _noted(f"{head} vs {tail.group('b')}", bench), "comparison", 5)
    else:
        add(match, _noted(head, bench), "value", 4 if metric and bench else 3)


_VERSUS_TAIL = re.compile(
    rf"(?:\s+(?:with|using|at)\s+[^,;.]{{1,40}}?)?,?\s+(?:vs\.?|versus|against|compared (?:to|with))\s+"
    rf"(?P<b>{_VALUE})(?:\s+(?:for|of|by)\s+{_WHO})?"
)


def _change(sentence: str, match: re.Match[str], add: _Add) -> None:
    a, b = (match.group("a"), match.group("b")) if match.group("a") else (match.group("c"), match.group("d"))
    if _is_year(a) and _is_year(b):
        return
    unit = METRIC.search(b)
    before = _metric_before(sentence, match.start())
    # "SD 1.5 improves from 5.4 to 9.4 HPSv3": the model is named before, the metric after.
    if before and unit and not METRIC.fullmatch(before):
        before = ""
    metric = (
        before
        or (unit.group(0) if unit else "")
        or _metric_after(sentence, match.end())
        or _subject(sentence, match.start())
    )
    a, b = _strip_unit(a, metric), _strip_unit(b, metric)
    text = f"{metric} {a} → {b}".strip()
    at = match.group("at")
    gain = _GAIN.match(sentence, match.end())
    notes = [
        _benchmark_near(sentence, match.start(), text),
        at.strip().removeprefix("at").strip() if at else "",
        f"+{gain.group('p').lstrip('+')}" if gain else "",
    ]
    end = gain.end() if gain else match.end()
    add(_Span(match.start(), end), _noted(text, *notes), "change", 5 if metric else 3)


def _versus(sentence: str, match: re.Match[str], add: _Add) -> None:
    a, b = match.group("a"), match.group("b")
    if _is_year(a) and _is_year(b):
        return
    metric = _metric_before(sentence, match.start())
    bench = match.group("bench")
    if not metric and bench and METRIC.fullmatch(bench):
        metric, bench = bench, None
    head = f"{metric} {a}".strip()
    bench = bench or _benchmark_near(sentence, match.start(), head) or None
    who = match.group("who")
    text = _noted(head, bench, f"{who}: {b}") if who else _noted(f"{head} vs {b}", bench)
    add(match, text, "comparison", 5 if metric or who else 3)


def _speedups(sentence: str, add: _Add) -> None:
    if "×" not in sentence and not re.search(rf"\d ?{_TIMES}", sentence):
        return
    matches = [m for m in _SPEEDUP.finditer(sentence) if not _is_dimension(sentence, m)]
    # "4.5× on FLUX.1, 4.7× on Qwen-Image and 3.66× on HunyuanVideo" is one claim, as editors write it.
    index = 0
    while index < len(matches):
        group = [matches[index]]
        while index + len(group) < len(matches) and _adjacent(
            sentence, group[-1], matches[index + len(group)]
        ):
            group.append(matches[index + len(group)])
        parts = [_speedup_text(m) for m in group]
        strength = 4 if any(m.group("target") for m in group) else 3
        add(_Span(group[0].start(), group[-1].end()), ", ".join(parts), "speedup", strength, len(group))
        index += len(group)


@dataclass(frozen=True, slots=True)
class _Span:
    """Stands in for a match that covers several matches."""

    first: int
    last: int

    def start(self) -> int:
        return self.first

    def end(self) -> int:
        return self.last


def _adjacent(sentence: str, left: re.Match[str], right: re.Match[str]) -> bool:
    between = sentence[left.end() : right.start()]
    return re.fullmatch(r"\s*(?:,|and|,\s*and)\s*", between) is not None


def _speedup_text(match: re.Match[str]) -> str:
    noun = (match.group("noun") or "").strip()
    number = f"{match.group('n')}×"
    if noun and not re.fullmatch(r"(?:lossless\s+)?(?:speed-?ups?|acceleration|faster)", noun):
        number += f" {noun}"
    target = match.group("target")
    if not target:
        return number
    # "4.5× FLUX.1 [dev]", but "4× less memory (FLUX.1)": a noun would run into the name.
    return f"{number} ({target})" if noun and " " in number else f"{number} {target}"


def _is_dimension(sentence: str, match: re.Match[str]) -> bool:
    """``512x512`` is a size, not a speed-up."""
    return re.match(r"\s?\d", sentence[match.end() - 0 :]) is not None and not match.group("noun")


def _metric_before(sentence: str, start: int) -> str:
    """The metric, or else the benchmark, named just before ``start`` in the same clause."""
    window = sentence[max(0, start - 40) : start]
    found = list(METRIC.finditer(window)) or list(BENCHMARK.finditer(window))
    if not found:
        return ""
    last = found[-1]
    between = window[last.end() :]
    return "" if re.search(r"[,;:]|\.\s", between) else last.group(0)


def _unrepeated(text: str, shown: str) -> str:
    """``text`` without the notes ``shown`` already names: "FID 6.4 (FLUX.1 [dev], full model: 6.2)"
    after "2.1× FLUX.1 [dev]" keeps only "(full model: 6.2)"."""
    head, _, notes = text.partition(" (")
    if not notes.endswith(")"):
        return text
    return _noted(head, *(note for note in notes[:-1].split(", ") if note not in shown))


def _noted(head: str, *notes: str | None) -> str:
    """``head`` with its setting and comparison in parentheses: ``FID 0.9 (ImageNet 256, teacher: 1.2)``.

    No English word joins them ("on", "at", "from"), so the same short form reads in every
    language the issue is written in.
    """
    shown = [note for note in notes if note]
    return f"{head} ({', '.join(shown)})" if shown else head


def _subject(sentence: str, start: int) -> str:
    """The quantity that changes: "the motion smoothness score rises" → "motion smoothness score",
    "we reduce the number of function evaluations" → "number of function evaluations"."""
    window = sentence[max(0, start - 60) : start]
    match = _SUBJECT.search(window) or _OBJECT.search(window)
    if not match:
        return ""
    words = match.group("s").split()
    # Keep the words after the last one that cannot be part of the quantity's name.
    cut = max((i + 1 for i, w in enumerate(words) if w.lower() in _NOT_NAMES), default=0)
    words = words[cut:]
    if not words or all(w.lower() in _GENERIC for w in words):
        return ""
    return " ".join(words)


_NOT_NAMES = frozenset(
    {"the", "a", "an", "its", "their", "our", "and", "while", "on", "in", "with", "of", "it", "this", "that"}
    | {"which", "whereas", "but", "then", "when", "so", "as", "at", "for", "to", "by", "from", "is", "are"}
)
_GENERIC = frozenset({"score", "performance", "quality", "result", "results", "model", "value", "number"})


def _metric_after(sentence: str, end: int) -> str:
    match = re.compile(rf"\s+(?:on|in|of|for)?\s*(?P<m>{METRIC_NAMES})(?![\w-])").match(sentence, end)
    return match.group("m") if match else ""


def _strip_unit(value: str, metric: str) -> str:
    return value[: -len(metric)].strip() if metric and value.endswith(metric) else value


#: How far before a change its model or benchmark may stand, in characters (about 40 words).
_NEAR = 300


def _benchmark_near(sentence: str, start: int, text: str) -> str:
    """A model or benchmark the sentence names before the change, unless the text has it already."""
    # Only the words just before it: a sentence of many changes is then read in linear time.
    found = [m.group(0) for m in BENCHMARK.finditer(sentence[max(0, start - _NEAR) : start])]
    name = found[-1] if found else ""
    return "" if not name or name in text else name


def _is_year(value: str) -> bool:
    return re.fullmatch(r"(?:19|20)\d{2}", value.strip()) is not None


def _tidy(text: str) -> str:
    return _LATEX_TIMES.sub("×", " ".join(text.split())).replace("$\\rightarrow$", "→")


# "4.5× FLUX.1 [dev]", "4× less memory (FLUX.1)", and an editor's "5.0× on FLUX.1 [dev]".
_SPEED_TARGET = re.compile(
    r"\d×(?:\s(?!\()(?:(?:less|fewer|more|smaller|cheaper|higher)\b[^,;()]*|(?:on\s|for\s|in\s)?"
    r"(?P<target>[^,;()]+?)))?(?:\s\((?P<noted>[^()]+)\))?(?=,|;|$)"
)
_NOTES = re.compile(r"\((?P<notes>[^()]+)\)")
#: A parenthesised note that is no setting: a count with its unit ("8 steps", "120 s"), a gain
#: ("+78.4%") or a comparison ("teacher: 0.83").
_NOT_A_SETTING = re.compile(r"^[-+−]?\d|:")


def settings_of(key_number: str) -> tuple[str, ...]:
    """The models or benchmarks a key number in the notation above names, in order.

    "4.5× FLUX.1 [dev], 4.7× Qwen-Image" names two; "TPF 3.47 → 6.19 (LLaDA2-Mini, +78.4%)"
    one; "FID 2.9 (35-step teacher: 2.7)" none. A key number an editor wrote in other words
    names the models and benchmarks this module knows.
    """
    found: list[str] = []
    for part in key_number.split("; "):
        for match in _SPEED_TARGET.finditer(part):
            found.append(match.group("target") or "")
            found.extend((match.group("noted") or "").split(", "))
        if "×" not in part:
            for notes in _NOTES.finditer(part):
                found.extend(notes.group("notes").split(", "))
    settings = [s.strip() for s in found if s.strip() and not _NOT_A_SETTING.search(s.strip())]
    if not settings:
        settings = [m.group(0) for m in BENCHMARK.finditer(key_number)]
    return tuple(dict.fromkeys(settings))
