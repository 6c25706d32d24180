"""A headline that says what is new, in 3 to 10 of the paper's own words, never its title.

Candidates, in order: a contrast ("X, not Y", "rather than") in the method or a theory
claim; the method's "which …" clause ("We present OTCache, which treats …"); its appositive
("CoverDistill, a distillation objective with a certificate"); what the authors prove ("we
show that …"); the part after a colon in a later sentence; what the authors do ("We average
…" → "averages …"); the title's subtitle when it says more than the name. A long candidate
is compressed by dropping its tail at a syntactic boundary (a trailing prepositional phrase,
a participle or relative clause, a coordinated verb phrase), never mid-phrase: the kept
words never end on a preposition, article or conjunction, never leave "between A" without
its "and B", and never cut a list short.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from newsletter.digest.person import ADVERB, METHOD_VERBS, gerund, third_singular, wordset
from newsletter.digest.titles import sentence_case
from newsletter.ranking.text import squash

WORDS = (3, 10)
_CONTRAST = re.compile(
    r"(?:^|(?<=[,;:] ))([^,;:]{8,100}?,? (?:not|rather than|instead of) [^,;:.]{3,60})", re.IGNORECASE
)
_AFTER_COLON = re.compile(r":\s+([^:;]+?)\.?$")
#: A phrase runs to the next comma, colon or semicolon; "8,000" is no comma.
_QUESTION = re.compile(r"^(?:why|how|what|when|where|which|who|does|do|can|is|are|should)\b", re.I)
_PHRASE = r"(?:[^,;:]|,(?=\d))+"
_CUE = rf"(?:{METHOD_VERBS})s?"
#: "X, which …" right after a name (a capitalised word or an acronym in parentheses).
_NAME_WHICH = re.compile(rf"(?:\b[A-Z][\w.+-]*|\))\s*,\s+which\s+({_PHRASE})")
#: "… a method that …" within a few words of the method verb: the clause's subject is the method.
_NEAR_CLAUSE = re.compile(
    rf"\bwe\s+(?:{ADVERB}\s+)?{_CUE}\s+(?:\S+\s+){{0,7}}?(?!(?:in|by|of|on|to|for|with|through)\b)\S+?,?\s+"
    rf"(?:which|that)\s+({_PHRASE})",
    re.I,
)
_APPOSITIVE = re.compile(
    rf"\bwe\s+(?:{ADVERB}\s+)?{_CUE}\s+[A-Z][^,:;]*,\s+(an?\s+{_PHRASE}?)(?=\s+(?:that|which)\b|,(?!\d)|[;:]|\.?$)",
    re.I,
)
_THAT = re.compile(
    r"\bwe\s+(?:further\s+|also\s+)?(?:prove|show|establish|demonstrate)\s+that\s+(?:,[^,]{0,120},\s+)?"
    r"([^;:]+?)(?=,\s+and\s+we\b|[;:]|\.?$)",
    re.I,
)
#: "We average several students into a teacher" → "averages several students into a teacher", the
#: method as the subject; not for verbs that only announce ("we propose X") or survey.
_WE_DO = re.compile(
    rf"^We\s+(?:{ADVERB}\s+)?(?P<verb>[a-z][\w-]*)\s+"
    r"(?P<rest>(?:[^,;:]|,(?=\d))+)"
)
#: "… and improve X": a second verb whose subject is still "we"; the phrase stops before it.
_AND_VERB = re.compile(
    r",?\s+and\s+(?!(?:a|an|the|its|their|our|no|one|each|every|all|more|less)\b)[a-z][\w-]*(?<!s)(?<!ed)(?<!ng)(?<!ly)\b.*$"
)
_ANNOUNCING = wordset(
    "propose present introduce study revisit investigate explore consider survey review show prove "
    "establish demonstrate discuss describe evaluate compare analyze analyse provide release report "
    "examine argue find observe note focus address tackle aim seek are have were had can will"
)
#: "treats X as Y", "casts X as Y": the verb frames X, and "X as Y" says what is new.
_FRAMES = re.compile(
    r"^(?:treat|cast|recast|view|model|frame|reframe|formulate|reformulate|pose|interpret|reinterpret)s?\s+"
    r"(?:the\s+)?(?P<what>(?!an?\s)\S.*?\s+as\s+.+)$",
    re.I,
)
_GENERIC = re.compile(
    r"^an?\s+(?:[\w-]+\s+){0,4}(?:method|framework|approach|technique|paradigm|model|pipeline|system|recipe|"
    r"strategy|scheme|algorithm|solution|agent|tool|benchmark|dataset)$",
    re.I,
)
#: A word before which a phrase may end: prepositions, relative words, participles, conjunctions.
_CUT_BEFORE = wordset(
    "for from with by on in at into through across under over via using while without along within "
    "among during after before so such whose which that where when and or but while whereas built "
    "trained learned selected computed given used obtained based conditioned injected distilled "
    "guided driven designed"
)
#: A word a phrase may not end on: a function word, or a participle or noun that needs what
#: follows it ("built on the observation", "removes the dependence", "an interval given").
_NO_END = wordset(
    "a an the of to for from with by on in at into through across under over via as and or but nor "
    "that which whose who where when while is are was were be been being can may must will would "
    "should could has have had its their our this these those such than between both either per built "
    "trained learned selected "
    "computed given used obtained based conditioned injected distilled guided driven designed "
    "observation fact idea insight assumption finding notion premise dependence need lack role choice "
    "number amount effect impact importance"
)
_VERB_HINT = re.compile(
    r"\b(?:is|are|was|were|has|have|can|cannot|does|do|may|must|will|needs?|\w+(?<!s)s)\b"
)
#: A headline that opens with, or leans on, a pronoun needs a sentence it does not have.
_PRONOUN = re.compile(r"^(?:here|such)\b|\b(?:it|its|they|them|their|this|these|those|we|our|us)\b", re.I)


def headline(
    found: Sequence[str], zones: Sequence[str], method: int, title: str, *, dangling: Callable[[str], bool]
) -> str:
    """The best headline among the abstract's sentences ``found`` (with their ``zones`` and the
    ``method`` sentence's index), or "" when none reads as one; ``dangling`` tells a phrase that
    points back to a previous sentence."""
    title = squash(title)
    for phrase, clause, own, verb_led in _candidates(found, zones, method, title):
        short = compress(re.sub(r"^(?:which|that)\s+", "", phrase.strip()), clause=clause)
        # "a training-free DiT caching method" is true of the paper but says nothing new.
        if _fits(short, title, own=own) and not dangling(short) and not (own and _GENERIC.match(short)):
            return _lower_first(_as_heading(short) if verb_led else short)
    return ""


def _as_heading(phrase: str) -> str:
    """The method's verb phrase ("decode several blocks at once") read as a heading after its
    name: "MBD-LMs: decoding several blocks at once"; "is a …" loses its verb."""
    verb, _, rest = phrase.partition(" ")
    if not rest or not verb.isalpha() or not verb.islower():
        return phrase
    if verb in ("is", "are") and re.match(r"(?:an?|the)\s", rest):
        return rest
    doing = gerund(verb)
    return f"{doing} {rest}" if doing else phrase


def _candidates(
    found: Sequence[str], zones: Sequence[str], method: int, title: str
) -> Iterator[tuple[str, bool, bool, bool]]:
    """(phrase, whether it is a whole clause that must keep its verb, whether it is the
    abstract's own wording rather than the title's, whether it opens with the method's verb)."""
    claims = [found[method]] if method >= 0 else []
    claims += [s for s, zone in zip(found, zones, strict=True) if zone == "theory"]
    for sentence in claims:
        yield from ((m.group(1), True, True, False) for m in _CONTRAST.finditer(sentence))
    if method >= 0:
        yield from _named_phrases(found[method])
    for sentence in claims:
        yield from ((m.group(1), True, True, False) for m in _THAT.finditer(sentence))
    for sentence, zone in zip(found, zones, strict=True):
        colon = _AFTER_COLON.search(sentence)
        if colon and zone in ("method", "theory", "mechanism"):
            yield colon.group(1), True, True, False
    doing = _WE_DO.match(found[method]) if method >= 0 else None
    if doing and doing.group("verb") not in _ANNOUNCING and not doing.group("verb").endswith("ed"):
        rest = _AND_VERB.sub("", doing.group("rest"))
        yield f"{third_singular(doing.group('verb'))} {rest}", False, True, True
    subtitle = _subtitle(title)
    if subtitle:
        yield subtitle, False, False, False


def _named_phrases(sentence: str) -> Iterator[tuple[str, bool, bool, bool]]:
    """What the method sentence says of the name it introduces: its "which" clause, its appositive."""
    for pattern in (_NAME_WHICH, _NEAR_CLAUSE, _APPOSITIVE):
        for match in pattern.finditer(sentence):
            if not _cut_list(sentence, match.end(1)):
                framed = _FRAMES.match(match.group(1))
                # "treats the schedules … as points on …" reads as a headline without its verb
                # and article: "schedules … as points on …", as the editor's "cache schedules as geometry".
                if framed:
                    yield framed.group("what"), False, True, False
                # A "which" clause opens with the method's verb; an appositive with a noun.
                yield match.group(1), False, True, pattern is not _APPOSITIVE


def _subtitle(title: str) -> str:
    """ "OTCache: Optimal Transport Modeling of …" → "optimal transport modeling of …"."""
    name, colon, rest = title.partition(": ")
    # A question says what the paper asks, not what it finds.
    if not colon or len(rest.split()) < WORDS[0] or "?" in title or _QUESTION.match(name):
        return ""
    return sentence_case(rest)


def compress(phrase: str, *, limit: int = WORDS[1], clause: bool = False) -> str:
    """``phrase`` cut to at most ``limit`` words at the last syntactic boundary that leaves a
    complete phrase; "" when there is none. A ``clause`` must keep a verb."""
    if ". " in phrase:
        return ""
    words = phrase.strip().rstrip(".").split()
    if len(words) <= limit and _complete(words, clause=clause):
        return " ".join(words)
    for end in range(min(limit, len(words) - 1), WORDS[0] - 1, -1):
        # "combines A, B" out of "combines A, B and C" would cut a list short; "a curriculum
        # ordered" and "to write" would lose what the participle or the verb needs.
        listed = any(w.endswith(",") for w in words[:end]) and {"and", "or"} & {
            w.lower() for w in words[end:]
        }
        bare = words[end - 1].lower().endswith("ed") or words[end - 2].lower() == "to"
        if _boundary(words, end) and not listed and not bare and _complete(words[:end], clause=clause):
            return " ".join(words[:end]).rstrip(",")
    return ""


def _boundary(words: Sequence[str], end: int) -> bool:
    """Whether a phrase may stop before ``words[end]``."""
    following = words[end].lower()
    if words[end - 1].endswith(","):
        # A comma inside a list ("A, B and C") is no boundary.
        return " and " not in f" {' '.join(words[end:]).split(',')[0]} "
    if following in ("and", "or"):
        # "A and B" may lose "and B", but "A, B and C" may not lose its end, nor "stores and
        # retrieves summaries" the object its two verbs share.
        shared = words[end - 1].endswith("s") and end + 1 < len(words) and words[end + 1].endswith("s")
        return not shared and not any(w.endswith(",") for w in words[:end])
    return following in _CUT_BEFORE


def _complete(words: Sequence[str], *, clause: bool) -> bool:
    if not words:
        return False
    text = " ".join(words).lower()
    last = words[-1].lower().rstrip(",")
    # "to write" without its object.
    if len(words) > 1 and words[-2].lower() == "to":
        return False
    if last in _NO_END or text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        return False
    if re.search(r"\bbetween\b(?!.*\band\b)", text) or re.search(r"\bboth\b(?!.*\band\b)", text):
        return False
    return not clause or _VERB_HINT.search(" ".join(words)) is not None


def acceptable(phrase: str, title: str) -> bool:
    """Whether ``phrase`` can head a paper's section: 3–10 words, not the title or its name
    part, complete (no dangling pronoun, no last word that needs more)."""
    words = phrase.split()
    title = squash(title).lower()
    return (
        WORDS[0] <= len(words) <= WORDS[1]
        and phrase.lower() not in (title, title.partition(": ")[0])
        and _complete(words, clause=False)
        and not _PRONOUN.search(phrase)
    )


def _fits(phrase: str, title: str, *, own: bool) -> bool:
    low, high = WORDS
    if not low <= len(phrase.split()) <= high or _PRONOUN.search(phrase):
        return False
    if phrase.lower() in title.lower():
        return (
            not own and phrase.lower() != title.lower() and phrase.lower() != title.partition(": ")[0].lower()
        )
    return not (own and _repeats(phrase, title))


def _repeats(phrase: str, title: str) -> bool:
    words = {w for w in re.findall(r"[a-z0-9]+", phrase.lower()) if len(w) > 2}
    title_words = {w for w in re.findall(r"[a-z0-9]+", title.lower()) if len(w) > 2}
    return bool(words) and len(words & title_words) / len(words) >= 0.7


def _cut_list(sentence: str, end: int) -> bool:
    """Whether a phrase ending at ``end`` stops at a comma inside a list ("combines A, B and C")."""
    rest = sentence[end:]
    return (
        rest.startswith(",")
        and " and " in rest.split(".")[0]
        and " which " not in rest
        and " that " not in rest
    )


def _lower_first(phrase: str) -> str:
    """ "Teacher and student …" → "teacher and student …"; "DiT caching …" keeps its capitals."""
    first = phrase.split(maxsplit=1)[0]
    return phrase[:1].lower() + phrase[1:] if first[1:].islower() or len(first) == 1 else phrase
