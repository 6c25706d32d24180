"""The abstract's first person in an editor's third person, changing pronouns only.

"We present OTCache, which treats …" becomes "OTCache treats …"; "We introduce PhysReward,
a reward model …, and fine-tune …" keeps its coordinated verb's subject: "The authors
introduce PhysReward, …, and fine-tune …". Every word but the pronouns (and, for a single
author, the verb that must agree with "The author") is the abstract's own.
"""

from __future__ import annotations

import re


def wordset(text: str) -> frozenset[str]:
    """The words of ``text``, for the word lists below."""
    return frozenset(text.split())


#: An adverb between "we" and its verb: "we further show", "we formally prove"; "apply" is a verb.
ADVERB = r"(?!(?:apply|supply|reply|rely|multiply|comply|imply)\b)\w+ly"
#: The verbs with which authors announce what they made: "we propose", "we present", ….
METHOD_VERBS = r"propose|present|introduce|develop|design|build|formulate|devise|derive"
_CUE_VERBS = rf"{METHOD_VERBS}|call|name|term"
#: "We propose Multi-Block Diffusion Language Models (MBD-LMs), …": the name and its acronym.
_NAMED = re.compile(
    rf"\bwe\s+(?:{ADVERB}\s+)?(?:{_CUE_VERBS})s?\s+"
    r"(?P<name>[A-Z][\w.+-]*(?:\s+(?:[A-Z0-9][\w.+-]*|for|of|and|via|with|in|on|to))*?)"
    r"(?:\s+\((?P<acronym>[^()]{1,20})\))?(?=,|:|;|\s+(?:which|that|to|for|as|with)\b|\.?$)",
    re.IGNORECASE,
)
_NAMED_ACRONYM = re.compile(
    rf"\bwe\s+(?:{ADVERB}\s+)?(?:{_CUE_VERBS})s?\s+"
    r"(?P<name>[A-Z][\w.+-]*(?:\s+(?:[A-Z0-9][\w.+-]*|for|of|and|via|with|in|on|to))*)"
    r"\s+\((?P<acronym>[^()]{1,20})\)",
    re.IGNORECASE,
)
_WORD = re.compile(r"\b(?:we|our|us|ours|ourselves)\b", re.IGNORECASE)
#: "We propose X, which does Y" / "We present X, a Y": the sentence an editor turns around.
_TURN = re.compile(
    rf"^We\s+(?:{ADVERB}\s+)?(?:{_CUE_VERBS})\s+(?P<subject>.+?),\s+(?P<link>which\s+|(?=an?\s))(?P<rest>.+)$"
)
#: A word after ", and" that may be a bare verb whose subject is still "we" ("…, and fine-tune …").
_AFTER_AND = re.compile(r",\s+(?:and|or)\s+(?P<word>[a-z][\w-]*)")
_NOT_BARE_VERB = wordset(
    "a an the its their our no one two three each every all both then thus so more less in on at by "
    "to from with without only"
)
_ADVERB = rf"(?:{ADVERB}|further|also|then|first|finally|additionally|instead|here|now|next|again)"
_MODALS = wordset("can could will would may might must should shall")
_IRREGULAR = {"have": "has", "do": "does", "go": "goes", "are": "is", "were": "was", "be": "is"}
#: Verbs that follow "and" with "we" as their subject, conjugated too for a single author.
_RESEARCH_VERBS = wordset(
    "propose present introduce develop design build formulate devise derive show prove give provide "
    "demonstrate establish evaluate apply use study analyze analyse find obtain train fine-tune "
    "extend validate release compare discuss identify characterize construct test report offer "
    "explore investigate argue observe achieve implement conduct perform verify illustrate highlight "
    "note add adapt measure learn revisit organize organise summarize summarise average combine "
    "replace treat cast model frame leverage exploit employ adopt pose solve address tackle bound "
    "reduce improve outperform run scale collect curate annotate benchmark link connect unify "
    "generalize recover suggest explain describe review survey examine assess quantify estimate "
    "predict detect compute optimize point characterise generalise optimise summarise organise "
    "analyse"
)


def method_name(sentence: str) -> str:
    """The name ``sentence`` introduces for the method ("OTCache", "MBD-LMs"), or ""."""
    matches = list(_NAMED.finditer(sentence))
    # "Consistency Trajectory Distillation for 3D (CTD-3D)": the longest reading that ends in an acronym.
    matches = [*_NAMED_ACRONYM.finditer(sentence), *matches]
    for match in matches:
        name, acronym = match.group("name"), match.group("acronym")
        if not name[0].isupper():
            continue
        if acronym and " " in name and re.fullmatch(r"[\w.+-]+", acronym):
            return acronym
        return name
    return ""


def plural(name: str) -> bool:
    """ "MBD-LMs", "Diffusion Models": a name that takes a plural verb."""
    return re.search(r"(?:[a-z]{2}|[A-Z])s$", name) is not None and not name.endswith("ss")


def resolve_pronoun(sentence: str, name: str, *, bracket: bool = False) -> str:
    """``sentence`` with its opening pronoun, which points back to the method, replaced by
    ``name`` ("[name]" inside a quotation); "" when it has no such pronoun or the number
    of the pronoun and the name disagree."""
    if not name:
        return ""
    shown = f"[{name}]" if bracket else name
    match = re.match(r"^(?P<lead>[^,;:]{0,60},\s+)?(?P<pronoun>it|they|its|their)\b", sentence, re.IGNORECASE)
    if not match:
        return ""
    pronoun = match.group("pronoun").lower()
    if (pronoun in ("they", "their")) != plural(name):
        return ""
    possessive = pronoun in ("its", "their")
    replacement = (f"{shown}'" if shown.endswith("s") else f"{shown}'s") if possessive else shown
    return sentence[: match.start("pronoun")] + replacement + sentence[match.end("pronoun") :]


def third_person(text: str, *, single: bool = False) -> str:
    """``text`` with the authors' "we" and "our" in the third person (see the module docstring)."""
    if not text or not _WORD.search(text):
        return text
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
    mentioned = False
    out = []
    for part in parts:
        turned = _turn(part)
        if turned:
            out.append(turned)
            continue
        rewritten, mentioned = _pronouns(part, single=single, mentioned=mentioned)
        out.append(rewritten)
    return " ".join(out)


def _turn(sentence: str) -> str:
    """ "We propose X, which does Y" → "X does Y"; "We present X, a Y" → "X is a Y"; "" when
    the sentence has another first-person word or a verb that still needs "we"."""
    match = _TURN.match(sentence)
    if not match or not method_name(sentence):
        return ""
    subject, rest = match.group("subject"), match.group("rest")
    if _WORD.search(subject + " " + rest) or not subject[0].isupper() or "," in subject:
        return ""
    for after in _AFTER_AND.finditer(rest):
        word = after.group("word")
        if word not in _NOT_BARE_VERB and not re.search(r"(?:s|ed|ing|en|ly)$", word):
            return ""
    if match.group("link").strip():
        return f"{subject} {rest}"
    name = method_name(sentence)
    return f"{subject} {'are' if plural(name) else 'is'} {rest}"


def _pronouns(sentence: str, *, single: bool, mentioned: bool) -> tuple[str, bool]:
    """Each first-person word in the third person; ``mentioned``: whether the authors were
    already named, so that "we" can become "they"."""
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(sentence):
        word = match.group(0)
        lower = word.lower()
        at_start = not sentence[: match.start()].strip() or sentence[: match.start()].rstrip().endswith(
            (":", ";")
        )
        out.append(sentence[position : match.start()])
        position = match.end()
        if lower == "we":
            if mentioned:
                out.append("they")
                continue
            subject = "the author" if single else "the authors"
            out.append(subject.capitalize() if word[0].isupper() else subject)
            mentioned = True
            if single:
                verb = _conjugate_after(sentence, position)
                out.append(sentence[position : verb[0]] + verb[1])
                position = verb[0] + len(verb[2])
        elif lower == "our":
            owner = "their" if mentioned else ("the author's" if single else "the authors'")
            out.append(owner.capitalize() if word[0].isupper() and at_start else owner)
            mentioned = True
        else:
            out.append({"us": "them", "ours": "theirs", "ourselves": "themselves"}[lower])
    out.append(sentence[position:])
    text = "".join(out)
    if single:
        text = _conjugate_coordinated(text)
    return text, mentioned


def _conjugate_after(sentence: str, position: int) -> tuple[int, str, str]:
    """The verb after the subject ending at ``position``: (where, third-person form, original)."""
    match = re.compile(rf"\s+(?:{_ADVERB}\s+)*(?P<verb>[a-z][\w-]*)").match(sentence, position)
    if not match:
        return position, "", ""
    verb = match.group("verb")
    return match.start("verb"), third_singular(verb), verb


def _conjugate_coordinated(text: str) -> str:
    """ "The author proves A and give B" → "… and gives B", for the verbs of :data:`_RESEARCH_VERBS`."""
    if not re.search(r"\bThe author\b|\bthe author\b(?!')", text):
        return text
    return re.sub(
        r"(?<=\band )(?P<verb>[a-z][\w-]*)\b",
        lambda m: third_singular(m.group("verb")) if m.group("verb") in _RESEARCH_VERBS else m.group(0),
        text,
    )


def third_singular(verb: str) -> str:
    """ "propose" → "proposes", "study" → "studies", "have" → "has"; a past or modal form is kept."""
    if verb in _MODALS or verb.endswith("ed") or verb in ("had", "was", "is", "has"):
        return verb
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb.endswith("s") and not verb.endswith(("ss", "us")):
        return verb
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    return verb + "s"


#: Short verbs whose stressed last syllable doubles its consonant: "embed" → "embedding".
_DOUBLING = wordset(
    "embed control compel refer transfer permit omit admit submit equip propel occur prefer commit "
    "forget begin patrol regret distil instil fulfil expel excel repel"
)


def gerund(verb: str) -> str:
    """ "treats" → "treating", "decode" → "decoding", "maps" → "mapping", "unifies" → "unifying";
    "" for a form that has none in a headline (a modal, "is", a past participle)."""
    low = verb.lower()
    if low in _MODALS or low in ("is", "are", "was", "were", "has", "have", "had", "does", "do"):
        return ""
    if low.endswith("ed"):
        return ""
    base = _base_form(low)
    if base.endswith("ie"):
        return base[:-2] + "ying"
    if base.endswith("e") and not base.endswith(("ee", "ye", "oe")):
        return base[:-1] + "ing"
    one_syllable = len(re.findall(r"[aeiou]+", base)) == 1
    if (one_syllable or base in _DOUBLING) and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", base):
        return base + base[-1] + "ing"
    return base + "ing"


def _base_form(verb: str) -> str:
    """ "unifies" → "unify", "matches" → "match", "merges" → "merge", "decode" → "decode"."""
    if re.search(r"[^aeiou]ies$", verb):
        return verb[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|z|o)es$", verb):
        return verb[:-2]
    if verb.endswith("s") and not verb.endswith(("ss", "us", "is")):
        return verb[:-1]
    return verb
