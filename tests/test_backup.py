"""``newsletter backup``: a consistent copy of the SQLite store while it is in use."""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from newsletter.backup import backup_sqlite
from newsletter.cli import cli
from newsletter.config import Config, load_config
from newsletter.errors import InputError
from newsletter.store import Database, audience
from tests.support import state_snapshot


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


def test_a_folder_target_is_created_and_gets_a_dated_file(config: Config, tmp_path: Path) -> None:
    db = Database(config.database_url)
    moment = datetime(2026, 7, 1, 9, 30, 5, tzinfo=ZoneInfo("Asia/Seoul"))
    written = backup_sqlite(db, tmp_path / "a" / "b", folder=True, now=moment)
    assert written == tmp_path / "a" / "b" / "newsletter-20260701T003005Z.db"
    copy = sqlite3.connect(written)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        copy.close()
    db.dispose()


@pytest.fixture
def cli_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A configuration file whose store is in ``tmp_path/var``, and no developer's NEWSLETTER_ variable."""
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("NEWSLETTER_")]:
        monkeypatch.delenv(name)
    path = tmp_path / "config.toml"
    path.write_text(f'[newsletter]\ndata_dir = "{tmp_path / "var"}"\n', encoding="utf-8")
    Database(load_config(path).database_url).dispose()
    return path


def test_backup_to_a_missing_folder_creates_it(cli_config: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(cli_config), "backup", "backups/2026/"])
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "backups" / "2026").iterdir()
    assert re.fullmatch(r"newsletter-\d{8}T\d{6}Z\.db", written.name)
    assert not (tmp_path / "backups" / "2026.partial").exists()
    assert result.stdout.strip().endswith(str(Path("backups/2026") / written.name))


# Each row: TARGET as typed and the one line it must print; nothing may be written.
BAD_TARGETS = [
    ("notes.txt/", "error: backup: notes.txt is a file, not a folder"),
    ("var/newsletter.db", "error: backup: var/newsletter.db is the database itself"),
    ("notes.txt/inside.db", "error: backup: notes.txt is a file, not a folder"),
    ("notes.txt/deeper/", "error: backup: notes.txt is a file, not a folder"),
]


@pytest.mark.parametrize(("target", "message"), BAD_TARGETS, ids=[target for target, _ in BAD_TARGETS])
def test_a_bad_backup_target_is_one_line_and_writes_nothing(
    cli_config: Path, tmp_path: Path, target: str, message: str
) -> None:
    (tmp_path / "notes.txt").write_text("keep me\n", encoding="utf-8")
    db = Database(load_config(cli_config).database_url)
    before = state_snapshot(tmp_path, db=db)
    result = CliRunner().invoke(cli, ["--config", str(cli_config), "backup", target])
    assert result.exit_code == 1
    assert result.stderr == message + "\n"
    assert state_snapshot(tmp_path, db=db) == before
    db.dispose()
