"""An online backup of the SQLite store, safe while the scheduler and the web server write to it.

SQLite's backup API copies the database page by page under its own locking, so the copy is
consistent even in WAL mode with writers active; copying the file with ``cp`` is not.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from newsletter.errors import InputError
from newsletter.store import Database

logger = logging.getLogger(__name__)


def backup_sqlite(db: Database, target: Path) -> Path:
    """Copy the store to ``target`` (a file, or a folder to put a dated file in); returns the file."""
    if not db.is_sqlite or not db.url.database or db.url.database == ":memory:":
        raise InputError("backup: only a SQLite store is backed up here; use pg_dump for PostgreSQL")
    source_path = Path(db.url.database)
    if target.is_dir():
        target = target / f"{source_path.stem}-backup.db"
    if target.resolve() == source_path.resolve():
        raise InputError(f"backup: {target} is the database itself")
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
