"""The prompts, rendered from ``templates/prompts/`` so an editor can change them.

A prompt is a system message (the role, the rule about facts and the locale's style) and a
user message (the paper's record and extracted facts as JSON, or the issue's papers for the
intro). Its hash covers the rendered text of both, so editing a template, like a changed
record, makes the next draft ask again instead of reusing a cached reply.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from newsletter.assets import templates_dir
from newsletter.model import ABSENT, Draft, Pick, localized

PICK_TEMPLATE = "prompts/pick.j2"
INTRO_TEMPLATE = "prompts/intro.j2"
SYSTEM_TEMPLATE = "prompts/system.j2"


@dataclass(frozen=True, slots=True, kw_only=True)
class Prompt:
    system: str
    user: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.system}\n\0\n{self.user}".encode()).hexdigest()[:24]


def pick_prompt(pick: Pick, short_name: str, area: str, locale: str) -> Prompt:
    return _prompt(PICK_TEMPLATE, locale, pick_record(pick, short_name, area))


def intro_prompt(draft: Draft, locale: str) -> Prompt:
    record = {
        "issue_date": draft.issue_date.isoformat(),
        "papers": [
            {
                "short_name": p.short_name,
                "title": p.title,
                "area": p.area,
                **({"key_number": p.key_number} if p.key_number != ABSENT else {}),
            }
            for p in draft.picks
        ],
        "extractive_intro": localized(draft.intro, "en"),
    }
    return _prompt(INTRO_TEMPLATE, locale, record)


def pick_record(pick: Pick, short_name: str, area: str) -> dict[str, Any]:
    """The paper's record and extracted facts, as the model reads them."""
    paper, facts = pick.paper, pick.facts
    names = ("institution", "venue", "code_url", "demo_url", "project_url", "key_number", "core_method")
    found = {name: value for name in names if (value := getattr(facts, name))}
    if "key_result" in facts.sources and "key_number" in found:
        # A theory paper's key number is what it proves, in its words: no number to quote.
        found["key_result"] = found.pop("key_number")
    return {
        "arxiv_id": f"{paper.arxiv_id}v{paper.version}",
        "title": paper.title,
        "short_name": short_name,
        "area": area,
        "authors": [a.name for a in paper.authors],
        "affiliations": sorted({aff for a in paper.authors for aff in a.affiliations}),
        "abstract": paper.abstract,
        "comment": paper.comment or "",
        "journal_ref": paper.journal_ref or "",
        "facts": found,
    }


def _prompt(template: str, locale: str, record: dict[str, Any]) -> Prompt:
    body = json.dumps(record, ensure_ascii=False, indent=2)
    system = _environment().get_template(SYSTEM_TEMPLATE).render(locale=locale).strip()
    user = _environment().get_template(template).render(locale=locale, record=body).strip()
    return Prompt(system=system, user=user)


@cache
def _environment() -> jinja2.Environment:
    # Prompts are plain text for a model, not HTML: nothing to escape. Templates are read
    # again when changed, so an editor's change applies to the next draft.
    return jinja2.Environment(  # noqa: S701 - plain text, never served as HTML
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        auto_reload=True,
    )
