"""Who writes an issue's prose: the extractive text, or a model behind the fact guard.

``writing.backend = "extractive"`` (the default) keeps the composed draft as it is;
``"openai"`` asks an OpenAI-compatible API for each pick's fields and the intro in every
locale, and keeps only what :mod:`newsletter.writing.guard` finds in the paper's record.
:func:`write_prose` is the one call the pipeline makes, after composing the draft.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from newsletter.config import Config, secret
from newsletter.model import Draft, Pick
from newsletter.writing.base import Writer
from newsletter.writing.cache import ReplyCache
from newsletter.writing.extractive import ExtractiveWriter
from newsletter.writing.guard import Record, record_of
from newsletter.writing.overlay import WritingReport, edit_warnings, overlay, settle

__all__ = ["WritingReport", "create_writer", "edit_warnings", "load_records", "settle", "write_prose"]

logger = logging.getLogger(__name__)

_RECORDS = "records"


def create_writer(config: Config) -> Writer:
    """The configured writer."""
    if config.writing.backend == "openai":
        from newsletter.writing.openai import OpenAIWriter

        return OpenAIWriter(
            config.writing, ReplyCache(config.writing_cache_dir), api_key=secret("LLM_API_KEY")
        )
    return ExtractiveWriter()


def write_prose(
    config: Config, draft: Draft, picks: Sequence[Pick], writer: Writer | None = None
) -> tuple[Draft, WritingReport]:
    """``draft`` with the configured writer's guarded text laid over it.

    The paper records are kept beside the reply cache, so that the preview can run the guard
    on an editor's later edits.
    """
    save_records(config.writing_cache_dir, picks)
    writer = writer or create_writer(config)
    try:
        if not writer.machine:
            return draft, WritingReport()
        written, report = overlay(draft, picks, writer, config.newsletter.locales)
    finally:
        writer.close()
    logger.info(
        "writing: %d fields machine-written, %d rejected by the fact guard, %d tokens",
        report.machine,
        report.rejected,
        report.tokens,
    )
    return written, report


def save_records(folder: Path, picks: Iterable[Pick]) -> None:
    target = folder / _RECORDS
    target.mkdir(parents=True, exist_ok=True)
    for pick in picks:
        record = record_of(pick.paper, pick.facts)
        data = {"texts": record.texts, "own_names": record.own_names, "venues": record.venues}
        path = target / f"{pick.paper.arxiv_id}.json"
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)


def load_records(folder: Path, arxiv_ids: Iterable[str]) -> Mapping[str, Record]:
    """The stored records of these papers; a missing or damaged one is left out."""
    found = {}
    for arxiv_id in arxiv_ids:
        try:
            data = json.loads((folder / _RECORDS / f"{arxiv_id}.json").read_text(encoding="utf-8"))
            found[arxiv_id] = Record(
                texts=tuple(data["texts"]),
                own_names=tuple(data["own_names"]),
                venues=tuple(data["venues"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found
