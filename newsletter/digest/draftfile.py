"""The draft file: an issue's draft as TOML that an editor reads, edits and approves.

Layout (every key is written; an editor may change any value)::

    issue_date = 2026-07-01
    approved = false                 # true lets a review-mode schedule send the issue
    lists = ["research-brief"]       # where the issue goes (read-only: the store decides)
    pinned = ["2607.00103"]          # these papers come first, in this order
    excluded = ["2607.00777"]        # these papers never come back
    generated_at = 2026-07-01T00:24:00Z
    title = "Five diffusion papers: July 1, 2026"
    intro = "…"                      # paragraphs separated by a blank line ("\\n\\n")

    [window]                         # the arXiv window, UTC
    start = 2026-06-30T00:20:00Z
    end = 2026-07-01T00:00:00Z

    [[reading_order]]                # one paragraph per research area
    en = "For inference acceleration, read OTCache and SyncCache."
    ko = "…"

    [[picks]]                        # in issue order; move a block to reorder
    arxiv_id = "2607.00103"
    title = "…"  short_name  url  authors  institution  venue  code_url  demo_url
    project_url  key_number  core_method  area  score            ("—" marks an absent fact)
    decision = "…"                   # headline, quote, first_read_reason, evidence_strength,
                                     # what_it_does, technical_read, evidence_and_limits likewise
    reasons = ["close to …"]         # why the ranking chose it beyond its signals
    [picks.signals]                  # the score's breakdown, each in [0, 1]
    topic = 1.0
    [picks.sources]                  # the phrase of the paper's record each fact came from
    key_number = "…"

    machine = ["decision.ko"]        # only with writing.backend = "openai": texts a model
    guard = ["…"]                    # wrote that passed the fact guard, and why others fell back

    [generated]                      # hashes of the generated text: leave alone
    "picks/2607.00103/decision/en" = "…"

Editorial text is a plain string (English) or a table of locales, ``{ en = "…", ko = "…" }``
or the equivalent ``[picks.decision]`` sub-table: a Korean text beside the English one is
what Korean readers get. A malformed file raises :class:`~newsletter.errors.DraftError`
naming the file, the line and the field.

One-line fields (the title, which becomes the subject, and each pick's plain facts, which
end up in the preheader and table cells) take no control character at all: a CR or LF
there would reach a mail header. Paragraph fields take line feeds and tabs only.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

import tomli_w

from newsletter.digest.fingerprint import LOCALIZED_FIELDS, PLAIN_FIELDS
from newsletter.errors import DraftError
from newsletter.model import ABSENT, Draft, DraftPick, LocalizedText, Window

_HEADER = """\
# The draft of this issue. Edit any text; re-running `newsletter draft` keeps your edits.
# Text fields take a plain string (English) or a table { en = "...", ko = "..." }.
# Move [[picks]] blocks to reorder, list arXiv ids in `pinned` to put papers first and in
# `excluded` to remove them, set `approved = true` when the issue may be sent.
# `lists` shows where the issue goes (newsletter.lists when it was drafted); editing it changes
# nothing: `newsletter send ISSUE --list NAME` can narrow it.
# "—" marks a fact the paper's record does not give. Leave [generated] as it is.

"""
_TOP_KEYS = frozenset(
    {"issue_date", "approved", "lists", "pinned", "excluded", "generated_at", "title", "intro"}
    | {"window", "reading_order", "picks", "generated", "machine", "guard"}
)
_PICK_KEYS = frozenset({f.name for f in fields(DraftPick)})
_TOML_LINE = re.compile(r"at line (\d+)")
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})
"""Unicode categories of control characters and of the line and paragraph separators."""
_PARAGRAPH_CONTROLS = frozenset("\n\t")
"""The only control characters a paragraph field may hold."""


def write_draft(draft: Draft, path: Path) -> None:
    """Write ``draft`` to ``path`` (atomically: a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(_HEADER + tomli_w.dumps(_to_table(draft)), encoding="utf-8")
    partial.replace(path)


def draft_to_json(draft: Draft) -> dict[str, Any]:
    """``draft`` as JSON-ready data, with each pick's score and signal breakdown."""
    table = _to_table(draft)
    table.pop("generated")
    table["issue_date"] = draft.issue_date.isoformat()
    table["generated_at"] = draft.generated_at.isoformat() if draft.generated_at else None
    table["window"] = {"start": draft.window.start.isoformat(), "end": draft.window.end.isoformat()}
    table["title"], table["intro"] = dict(draft.title), dict(draft.intro)
    table["reading_order"] = [dict(p) for p in draft.reading_order]
    table["picks"] = [_pick_json(pick) for pick in draft.picks]
    return table


def _pick_json(pick: DraftPick) -> dict[str, Any]:
    data = _pick_table(pick)
    for name in LOCALIZED_FIELDS:
        data[name] = dict(getattr(pick, name))
    return data


def _to_table(draft: Draft) -> dict[str, Any]:
    table: dict[str, Any] = {
        "issue_date": draft.issue_date,
        "approved": draft.approved,
        **({"lists": list(draft.lists)} if draft.lists else {}),
        "pinned": list(draft.pinned),
        "excluded": list(draft.excluded),
    }
    if draft.generated_at is not None:
        table["generated_at"] = draft.generated_at
    table["title"] = _text_value(draft.title)
    table["intro"] = _text_value(draft.intro)
    table.update(_markers(draft.machine, draft.guard))
    table["window"] = {"start": draft.window.start, "end": draft.window.end}
    table["reading_order"] = [dict(p) for p in draft.reading_order]
    table["picks"] = [_pick_table(p) for p in draft.picks]
    table["generated"] = dict(sorted(draft.generated.items()))
    return table


def _pick_table(pick: DraftPick) -> dict[str, Any]:
    data: dict[str, Any] = {"arxiv_id": pick.arxiv_id, "title": pick.title, "short_name": pick.short_name}
    data["url"] = pick.url
    data["authors"] = list(pick.authors)
    data.update({name: getattr(pick, name) for name in PLAIN_FIELDS if name not in data})
    data["score"] = pick.score
    # A text the generator had nothing for (a headline, a quote) is left out, so it reads back
    # as absent rather than as an empty English text.
    data.update({name: _text_value(getattr(pick, name)) for name in LOCALIZED_FIELDS if getattr(pick, name)})
    data["reasons"] = list(pick.reasons)
    data.update(_markers(pick.machine, pick.guard))
    data["signals"] = dict(pick.signals)
    data["sources"] = dict(pick.sources)
    return data


def _markers(machine: tuple[str, ...], guard: tuple[str, ...]) -> dict[str, list[str]]:
    """The writing step's marks, written only when there are any (the default writes none)."""
    return {name: list(value) for name, value in (("machine", machine), ("guard", guard)) if value}


def _text_value(text: LocalizedText) -> str | dict[str, str]:
    """English alone as a plain string; several locales as a table."""
    return text.get("en", "") if set(text) <= {"en"} else dict(text)


def read_draft(path: Path) -> Draft:
    """The draft in ``path``; :class:`DraftError` names the file, line and field of a mistake."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DraftError(str(path), "file", "not found") from None
    except UnicodeDecodeError:
        raise DraftError(str(path), "file", "is not UTF-8 text") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        line = int(found.group(1)) if found else None
        raise DraftError(str(path), "syntax", str(error), line=line) from None
    return _Reader(path, text).draft(raw)


class _Reader:
    """Turns parsed TOML into a Draft, raising DraftError with the offending line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        # TOML ends lines at LF only; str.splitlines would also split at U+2028, U+0085 …
        self.lines = text.split("\n")

    def fail(self, field: str, message: str, pick: int | None = None) -> DraftError:
        return DraftError(str(self.path), field, message, line=self.line_of(field, pick))

    def clean(
        self,
        field: str,
        value: str,
        pick: int | None = None,
        *,
        paragraphs: bool = False,
        locale: str | None = None,
    ) -> str:
        """``value`` when it holds no control character or line separator; paragraphs may hold
        line feeds, tabs and separators."""
        # Most text is printable; only the rest is looked at character by character.
        for position, char in enumerate("" if value.isprintable() else value, start=1):
            category = unicodedata.category(char)
            if paragraphs and (category != "Cc" or char in _PARAGRAPH_CONTROLS):
                continue
            if category in _LINE_BREAKING:
                expected = "text with line feeds and tabs only" if paragraphs else "one line of text"
                line = self.line_of(field, pick)
                named = f"{field}.{locale}" if locale else field
                raise DraftError(
                    str(self.path),
                    named,
                    f"expected {expected}, found the control character {_control_name(char)} "
                    f"at character {position}",
                    line=self.locale_line(line, locale) if locale else line,
                )
        return value

    def locale_line(self, line: int | None, locale: str) -> int | None:
        """The line of ``locale``'s text in the table that starts at ``line``, inline or not."""
        if line is None or re.search(rf"\b{re.escape(locale)}\s*=", self.lines[line - 1]):
            return line
        key = re.compile(rf"^\s*{re.escape(locale)}\s*=")
        for number in range(line, len(self.lines)):
            if self.lines[number].lstrip().startswith("["):
                break
            if key.match(self.lines[number]):
                return number + 1
        return line

    def line_of(self, field: str, pick: int | None) -> int | None:
        """The line where ``field`` (``picks[2].decision``, ``window.start``) is written."""
        start, end = 0, len(self.lines)
        if pick is not None:
            headers = [i for i, line in enumerate(self.lines) if line.strip() == "[[picks]]"]
            if pick >= len(headers):
                return None
            start = headers[pick]
            end = headers[pick + 1] if pick + 1 < len(headers) else end
        key = field.rsplit(".", 1)[-1].split("[", maxsplit=1)[0]
        pattern = re.compile(rf"^\s*(?:{re.escape(key)}\s*=|\[+[\w.]*\b{re.escape(key)}\]+)")
        found = next((i for i in range(start, end) if pattern.match(self.lines[i])), None)
        if found is not None:
            return found + 1
        # A missing field is reported at its pick's header, or without a line at the top.
        return start + 1 if pick is not None else None

    def draft(self, raw: dict[str, Any]) -> Draft:
        unknown = sorted(set(raw) - _TOP_KEYS)
        if unknown:
            raise self.fail(unknown[0], "unknown field")
        for required in ("issue_date", "window", "title", "picks"):
            if required not in raw:
                raise DraftError(str(self.path), required, "missing")
        paragraphs = self.array("reading_order", raw.get("reading_order", []))
        return Draft(
            issue_date=self.day(raw["issue_date"]),
            window=self.window(raw["window"]),
            title=self.text("title", raw["title"], paragraphs=False),
            intro=self.text("intro", raw.get("intro", "")),
            picks=tuple(self.pick(i, value) for i, value in enumerate(self.array("picks", raw["picks"]))),
            reading_order=tuple(self.text("reading_order", v) for v in paragraphs),
            generated_at=self.moment("generated_at", raw["generated_at"]) if "generated_at" in raw else None,
            pinned=self.ids("pinned", raw.get("pinned", [])),
            excluded=self.ids("excluded", raw.get("excluded", [])),
            approved=self.flag("approved", raw.get("approved", False)),
            lists=self.names("lists", raw.get("lists", [])),
            machine=self.notes("machine", raw.get("machine", [])),
            guard=self.notes("guard", raw.get("guard", [])),
            generated=self.strings("generated", raw.get("generated", {})),
        )

    def day(self, value: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail("issue_date", f"expected a date such as 2026-07-01, got {value!r}")

    def moment(self, field: str, value: Any) -> datetime:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value
        raise self.fail(field, f"expected a date and time with its offset (…T00:00:00Z), got {value!r}")

    def window(self, value: Any) -> Window:
        if not isinstance(value, dict) or {"start", "end"} - set(value):
            raise self.fail("window", "expected a table with start and end")
        start, end = self.moment("window.start", value["start"]), self.moment("window.end", value["end"])
        try:
            return Window(start=start, end=end)
        except ValueError as error:
            raise self.fail("window.start", str(error)) from None

    def text(
        self, field: str, value: Any, pick: int | None = None, *, paragraphs: bool = True
    ) -> LocalizedText:
        if isinstance(value, str):
            return {"en": self.clean(field, value, pick, paragraphs=paragraphs)}
        if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
            if "en" not in value:
                raise self.fail(field, "expected an English text under en", pick)
            return {
                locale: self.clean(field, text, pick, paragraphs=paragraphs, locale=locale)
                for locale, text in value.items()
            }
        raise self.fail(field, 'expected a string or a table such as { en = "…", ko = "…" }', pick)

    def array(self, field: str, value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(field, "expected a list")
        return value

    def ids(self, field: str, value: Any, pick: int | None = None) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(field, 'expected a list of arXiv ids such as ["2607.00103"]', pick)
        return tuple(self.clean(field, v, pick) for v in value)

    def names(self, field: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(field, 'expected a list of list names such as ["research-brief"]')
        return tuple(value)

    def notes(self, field: str, value: Any, pick: int | None = None) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(field, "expected a list of strings", pick)
        return tuple(value)

    def flag(self, field: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(field, f"expected true or false, got {value!r}")
        return value

    def strings(self, field: str, value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(field, "expected a table of strings")
        return dict(value)

    def pick(self, index: int, value: Any) -> DraftPick:
        where = f"picks[{index + 1}]"
        if not isinstance(value, dict):
            raise self.fail(where, "expected a table")
        unknown = sorted(set(value) - _PICK_KEYS)
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}", "unknown field", index)
        arxiv_id = value.get("arxiv_id")
        if not isinstance(arxiv_id, str) or not arxiv_id:
            raise self.fail(f"{where}.arxiv_id", "missing: every pick needs its arXiv id", index)
        self.clean(f"{where}.arxiv_id", arxiv_id, index)

        def plain(name: str) -> str:
            return self.plain(f"{where}.{name}", value, name, index)

        def text(name: str) -> LocalizedText:
            return self.text(f"{where}.{name}", value[name], index) if name in value else {}

        title = plain("title") or arxiv_id
        return DraftPick(
            arxiv_id=arxiv_id,
            title=title,
            short_name=plain("short_name") or title,
            url=plain("url") or f"https://arxiv.org/abs/{arxiv_id}",
            authors=self.ids(f"{where}.authors", value.get("authors", []), index),
            institution=plain("institution"),
            venue=plain("venue"),
            code_url=plain("code_url"),
            demo_url=plain("demo_url"),
            project_url=plain("project_url"),
            key_number=plain("key_number"),
            core_method=plain("core_method"),
            area=plain("area"),
            headline=text("headline"),
            quote=text("quote"),
            first_read_reason=text("first_read_reason"),
            evidence_strength=text("evidence_strength"),
            decision=text("decision"),
            what_it_does=text("what_it_does"),
            technical_read=text("technical_read"),
            evidence_and_limits=text("evidence_and_limits"),
            score=self.number(f"{where}.score", value.get("score", 0.0), index),
            signals=self.signals(f"{where}.signals", value.get("signals", {}), index),
            # Drafts written before facts kept their sources have neither table; both stay empty.
            sources=self.pick_strings(f"{where}.sources", value.get("sources", {}), index),
            reasons=self.text_list(f"{where}.reasons", value.get("reasons", []), index),
            machine=self.notes(f"{where}.machine", value.get("machine", []), index),
            guard=self.notes(f"{where}.guard", value.get("guard", []), index),
        )

    def plain(self, field: str, value: dict[str, Any], name: str, pick: int) -> str:
        default = "" if name in ("title", "short_name", "area", "url") else ABSENT
        found = value.get(name, default)
        if not isinstance(found, str):
            raise self.fail(field, f"expected a string, got {found!r}", pick)
        return self.clean(field, found, pick)

    def text_list(self, field: str, value: Any, pick: int) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(field, 'expected a list of strings such as ["close to …"]', pick)
        return tuple(value)

    def pick_strings(self, field: str, value: Any, pick: int) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(field, 'expected a table of strings such as key_number = "…"', pick)
        return dict(value)

    def number(self, field: str, value: Any, pick: int) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(field, f"expected a number, got {value!r}", pick)
        return float(value)

    def signals(self, field: str, value: Any, pick: int) -> dict[str, float]:
        if not isinstance(value, dict):
            raise self.fail(field, "expected a table of numbers", pick)
        return {name: self.number(f"{field}.{name}", v, pick) for name, v in value.items()}


def _control_name(char: str) -> str:
    """``U+000D (carriage return)``: how an error names a control character."""
    names = {
        "\r": "carriage return",
        "\n": "line feed",
        "\t": "tab",
        "\u2028": "line separator",
        "\u2029": "paragraph separator",
    }
    code = f"U+{ord(char):04X}"
    return f"{code} ({names[char]})" if char in names else code
