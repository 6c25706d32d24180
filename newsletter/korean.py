"""Korean particles after inserted names, chosen by the name's last sound.

A particle such as 을/를 agrees with the last sound of the word before it: 을 after a final
consonant (받침), 를 after a vowel. For a name we insert (a method, a list, a language) that
sound is often an English word's, read aloud. KOREAN.md prefers sentences that need no choice
(a Korean noun or a colon between the name and the particle); this module is for the few
places where neither reads well, and never writes both forms ("을(를)").

The rules, in order, for the last letter or digit of the name:

- Hangul: a syllable has a final consonant when ``(ord(ch) - 0xAC00) % 28 != 0``; the final ㄹ
  (remainder 8) matters for 으로/로, which takes 로 after ㄹ as after a vowel.
- Digits are read Sino-Korean: 0 영, 1 일, 3 삼, 6 육, 7 칠, 8 팔 end in a consonant (1, 7, 8
  in ㄹ); 2 이, 4 사, 5 오, 9 구 do not. A number ending in 0 is read 십, 백, 천 or 만.
- A final capital letter is read by its name (acronyms such as "LLM", "DiT"): L 엘 and R 알
  end in ㄹ, M 엠 and N 엔 in a consonant; the other letters' names end in a vowel. A plural
  acronym ("LMs") ends in 즈.
- Other English words: a vowel letter, a silent final e and the endings -er, -or, -ar (모델러)
  end in a vowel, as do endings transcribed with a final 으 (-s 스, -x 스, -z 즈, -f 프, -k 크,
  -d 드 and -sh, -ch, -th, -ph, -gh); a final l is ㄹ; any other consonant letter is a consonant.
"""

from __future__ import annotations

import re

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
#: The 28 finals a syllable's ``(ord - 0xAC00) % 28`` names; 0 is none, 8 is ㄹ.
_FINALS: tuple[str, ...] = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

#: The two forms of each particle: after a final consonant, after a vowel (or ㄹ for 으로).
_PAIRS = (("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"), ("으로", "로"))
#: Either form of a particle → both forms, so callers may name it by either.
PARTICLES: dict[str, tuple[str, str]] = {form: pair for pair in _PAIRS for form in pair}

#: The Sino-Korean reading of each digit's last syllable: "" ends in a vowel.
_DIGIT_FINAL = {
    "0": "ㅇ",
    "1": "ㄹ",
    "2": "",
    "3": "ㅁ",
    "4": "",
    "5": "",
    "6": "ㄱ",
    "7": "ㄹ",
    "8": "ㄹ",
    "9": "",
}
#: Letter names read alone: 엘, 엠, 엔, 알 end in a consonant; 에이, 비, 씨 … do not.
_LETTER_FINAL = {"L": "ㄹ", "M": "ㅁ", "N": "ㄴ", "R": "ㄹ"}
#: Symbols read aloud after a number: 4.5× is 4.5배, 78.4% is 78.4퍼센트.
_SYMBOL_FINAL = {"×": "", "%": ""}
_SILENT_ENDINGS = ("er", "or", "ar", "sh", "ch", "th", "ph", "gh")
_VOWEL_LETTERS = frozenset("aeiouyw")
_SCHWA_CONSONANTS = frozenset("sxzfkd")
#: Final consonant letters as a Korean transcription writes them: "Diffusion" …션, "Gap" 갭.
_LATIN_FINAL = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "g": "ㅇ", "b": "ㅂ", "p": "ㅂ", "t": "ㅅ"}
_LAST_SOUND = re.compile(r"[0-9A-Za-z\uAC00-\uD7A3×%](?=[^0-9A-Za-z\uAC00-\uD7A3×%]*$)")


def final_sound(word: str) -> str:
    """The final consonant the word is read with ("ㄹ", "ㄴ" …), or "" when it ends in a vowel.

    Trailing punctuation and brackets are skipped: "OTCache)" reads as "OTCache".
    """
    found = _LAST_SOUND.search(word)
    if found is None:
        return ""
    end = found.end()
    last = word[end - 1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return _hangul_final(last)
    if last in _SYMBOL_FINAL:
        return _SYMBOL_FINAL[last]
    if last.isdigit():
        return _number_final(word[:end])
    return _latin_final(word[:end])


def particle(word: str, kind: str) -> str:
    """The form of particle ``kind`` (either form: "을" or "를", "으로" or "로" …) after ``word``."""
    after_consonant, after_vowel = PARTICLES[kind]
    final = final_sound(word)
    if after_consonant == "으로":
        return after_vowel if final in ("", "ㄹ") else after_consonant
    return after_consonant if final else after_vowel


def attach(word: str, kind: str) -> str:
    """``word`` followed by the right form of particle ``kind``: "OTCache" + 를."""
    return word + particle(word, kind)


def _hangul_final(syllable: str) -> str:
    return _FINALS[(ord(syllable) - _HANGUL_FIRST) % 28]


def _number_final(text: str) -> str:
    digits = re.search(r"[0-9]+$", text)
    number = digits.group(0) if digits else "0"
    if number.strip("0") and number.endswith("0"):
        # 10 십, 100 백, 1000 천, 10000 만: all end in a consonant, none in ㄹ.
        return "ㅂ"
    return _DIGIT_FINAL[number[-1]]


def _latin_final(text: str) -> str:
    letters = re.search(r"[A-Za-z]+$", text)
    word = letters.group(0) if letters else ""
    last = word[-1]
    # A final capital is read by its name: "LLM" 엘엘엠, "DiT" 디아이티.
    if last.isupper():
        return _LETTER_FINAL.get(last, "")
    # A plural acronym ("LMs") ends in 즈.
    if last == "s" and len(word) >= 2 and word[-2].isupper():
        return ""
    lower = word.lower()
    if lower[-1] in _VOWEL_LETTERS or lower.endswith(_SILENT_ENDINGS) or lower[-1] in _SCHWA_CONSONANTS:
        return ""
    return _LATIN_FINAL.get(lower[-1], "ㄱ")


class Word(str):
    """A name to insert into a translated phrase; ``{name:을}`` there adds the right particle.

    Translators write the particle's either form as the format spec ("{method:을}",
    "{language:으로}") where KOREAN.md's rules 1 and 2 do not read well; any other spec formats
    the text as ``str`` does.
    """

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        if spec in PARTICLES:
            return attach(str(self), spec)
        return format(str(self), spec)
