"""The reply cache: one JSON file per reply under ``data_dir/cache/writing/``.

Replies are keyed by (paper id, version, locale, prompt hash, model), so re-drafting after
an edit asks nothing for the picks whose record and prompt did not change. Files rather than
a table in the store: a cache is disposable (deleting the folder only costs requests), it
needs no schema change, and it works the same beside SQLite and PostgreSQL. Each file is
written whole and renamed into place, so a reader never sees half a reply.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path

logger = logging.getLogger(__name__)


class ReplyCache:
    """Cached replies (their parsed fields) in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def key(*parts: str) -> str:
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]

    def get(self, key: str) -> dict[str, str] | None:
        path = self.folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            # A damaged entry costs one request, never the draft.
            logger.warning("ignoring the damaged cache entry %s", path)
            return None
        fields = data.get("fields") if isinstance(data, dict) else None
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            return None
        return fields

    def put(self, key: str, fields: Mapping[str, str], **about: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{key}.json"
        partial = path.with_name(path.name + ".partial")
        entry = json.dumps({**about, "fields": dict(fields)}, ensure_ascii=False)
        partial.write_text(entry, encoding="utf-8")
        partial.replace(path)
