"""An online backup of the SQLite store, safe while the scheduler and the web server write to it.

SQLite's backup API copies the database page by page under its own locking, so the copy is
consistent even in WAL mode with writers active; copying the file with ``cp`` is not.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from newsletter.errors import InputError
from newsletter.store import Database

logger = logging.getLogger(__name__)


def backup_sqlite(db: Database, target: Path, *, folder: bool = False, now: datetime | None = None) -> Path:
    """Copy the store to ``target``; returns the file written.

    ``target`` is a file, or a folder when ``folder`` is true or it is one already: the folder
    (and its parents) is created, and the copy is named after the database and ``now`` (UTC),
    so that backups accumulate side by side.
    """
    if not db.is_sqlite or not db.url.database or db.url.database == ":memory:":
        raise InputError("backup: only a SQLite store is backed up here; use pg_dump for PostgreSQL")
    source_path = Path(db.url.database)
    if folder or target.is_dir():
        stamp = (now or datetime.now(UTC)).astimezone(UTC)
        target = target / f"{source_path.stem}-{stamp:%Y%m%dT%H%M%SZ}.db"
    if target.resolve() == source_path.resolve():
        raise InputError(f"backup: {target} is the database itself")
    if target.exists() and not target.is_file():
        raise InputError(f"backup: {target} exists and is not a file")
    nearest = next((path for path in (target.parent, *target.parent.parents) if path.exists()), None)
    if nearest is not None and not nearest.is_dir():
        raise InputError(f"backup: {nearest} is a file, not a folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"backup: cannot create the folder {target.parent}: {error.strerror}") from None
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(partial)
    try:
        with copy:
            source.backup(copy, pages=1024)
    finally:
        copy.close()
        source.close()
    # Renamed only when complete, so a crash never leaves a half backup under the real name.
    partial.replace(target)
    logger.info("backed up the store to %s", target)
    return target
