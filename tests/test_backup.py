"""``newsletter backup``: a consistent copy of the SQLite store while it is in use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newsletter.backup import backup_sqlite
from newsletter.config import Config
from newsletter.errors import InputError
from newsletter.store import Database, audience


def test_backup_copies_every_row_while_a_connection_is_open(config: Config, tmp_path: Path) -> None:
    db = Database(config.database_url)
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        for n in range(50):
            audience.subscribe(session, email=f"r{n}@example.org", lists=[brief], consent_source="test")
    # A reader holding the database open (WAL mode) must not stop or spoil the backup.
    with db.engine.connect():
        written = backup_sqlite(db, tmp_path / "backups") if (tmp_path / "backups").mkdir() is None else None
    assert written is not None
    assert written.parent == tmp_path / "backups"
    copy = sqlite3.connect(written)
    try:
        assert copy.execute("SELECT count(*) FROM subscribers").fetchone() == (50,)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        copy.close()
    assert not list((tmp_path / "backups").glob("*.partial"))
    db.dispose()


def test_backup_refuses_to_overwrite_the_database(config: Config) -> None:
    db = Database(config.database_url)
    with pytest.raises(InputError, match="the database itself"):
        backup_sqlite(db, Path(db.url.database or ""))
    db.dispose()
