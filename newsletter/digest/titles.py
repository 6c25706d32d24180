"""What a paper's title says it does, written for the middle of a sentence.

A title is Title Case ("Optimal Transport Modeling of Cache Schedules"); inside the draft's
sentences it reads in sentence case ("optimal transport modeling of cache schedules"), with
acronyms, names and words formed from names as written ("SE(3)", "Adam", "Riemannian").
Some titles are statements or questions ("Flow Matching Is Score Matching in Disguise"),
which a sentence must not present as a method.
"""

from __future__ import annotations

import re

from newsletter.ranking.text import squash

# A title that is a sentence: a question, or a verb outside a relative clause ("Agents that Learn").
_STATEMENT = re.compile(
    r"^(?:Why|How|When|What|Does|Do|Can|Is|Are|Should)\b|(?<!\b[Tt]hat )(?<!\b[Ww]hich )(?<!\b[Ww]ho )(?<!-)"
    r"\b(?i:is|are|was|were|does|do|can|cannot|governs?|governed|matters?|fails?|helps?|works?|"
    r"overshoots?|needs?|improves?|predicts?|enables?|beats?|outperforms?|makes?|reduces?|"
    r"generalizes?|emerges?|suffices?|yields?|explains?|hurts?|breaks?|doubles?|halves?|rivals?|reveals?|"
    r"shows?|learns?|solves?|boosts?)\b"
)
_FOR = re.compile(r"\s(?:for|towards?)\s(?P<use>.+)$")
_USE_END = re.compile(r"\s(?:with|via|at|in|by|using|under|without|from|through)\s.*$")
#: Words formed from names keep their capital inside a sentence ("Gaussian", "Wasserstein").
_PROPER = re.compile(
    r"^(?:[A-Z]\w*(?:ian|ean)|Wasserstein|Schr\w+dinger|Langevin|Markov|Lipschitz|Fokker|Planck|Monte|Carlo|"
    r"Kullback|Leibler|Fourier|Poisson|Dirichlet|Bregman|Stein|Tweedie|Euler|Heun|Runge|Kutta|Bernoulli|"
    r"Boltzmann|Hilbert|Sobolev|Kolmogorov|Gumbel|Gibbs|Metropolis|Hastings|Bellman|Nash)s?$"
)
_TITLE_LIMIT = 100


def names_in(record: str) -> frozenset[str]:
    """Words ``record`` capitalises alone in mid-sentence, as names are: "that Adam with".

    A run of capitalised words ("Flow Matching") is a coined name or a title, not a sign
    that each of its words is a name.
    """
    words = record.split()
    found = set()
    for before, word, after in zip([".", *words], words, [*words[1:], "."], strict=False):
        name = word.strip(",;:.()")
        if (
            _title_cased(name)
            and before[:1].islower()
            and not before.endswith((".", "!", "?"))
            and not _title_cased(after.strip(",;:.()"))
        ):
            found.add(name)
    return frozenset(found)


def title_phrase(title: str, names: frozenset[str] = frozenset()) -> tuple[str, bool]:
    """What a paper's title says it does, in sentence case, and whether it is a statement.

    "OTCache: Optimal Transport Modeling of Cache Schedules" gives "optimal transport modeling
    of cache schedules"; "Flow Matching Is Denoising Score Matching in Disguise" is a statement.
    A title too long for a table cell gives "". ``names`` keep their capital ("Adam").
    """
    whole = squash(title)
    phrase = whole.split(": ", 1)[1] if ": " in whole else whole
    if len(phrase) > _TITLE_LIMIT:
        return "", False
    return sentence_case(phrase, names), _STATEMENT.search(phrase) is not None


def title_use(title: str) -> str:
    """What the title says the method is for: "… for Audio-Driven Portrait Animation" → its words."""
    phrase, statement = title_phrase(title)
    found = _FOR.search(phrase)
    if statement or not found:
        return ""
    use = _USE_END.sub("", found.group("use")).strip()
    return use if 0 < len(use.split()) <= 5 and not use.startswith(("a ", "an ", "the ")) else ""


def sentence_case(phrase: str, names: frozenset[str] = frozenset()) -> str:
    """Title-case words in lower case; acronyms, ``names`` and words formed from names as written."""
    return " ".join(_lower_word(word, names) for word in phrase.split())


def _lower_word(word: str, names: frozenset[str]) -> str:
    def keep(part: str) -> bool:
        return part in names or _PROPER.match(part) is not None or not _title_cased(part)

    return "-".join(part if keep(part) else part.lower() for part in word.split("-"))


def _title_cased(word: str) -> bool:
    """ "Modeling" and "A", not "DiT", "SE(3)" or "3D"."""
    return word[:1].isupper() and (word[1:].islower() or word == "A")
