"""Connecting to the store: one engine per URL, the schema created on first use.

SQLite is the default (a file in ``newsletter.data_dir``); PostgreSQL works by URL
(``postgresql+psycopg://…``). Every unit of work is one transaction: it commits as a whole
or leaves nothing behind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from newsletter.errors import ConfigError, StoreError
from newsletter.store.schema import Base

logger = logging.getLogger(__name__)


class Database:
    """The store's connection: ``with db.transaction() as session: …``."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigError("database.url", f"expected a SQLAlchemy URL, got {url!r}") from None
        if parsed.drivername == "postgresql":
            # psycopg 3 is the driver we install; plain postgresql:// would look for psycopg2.
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.url = parsed
        self.engine = _engine(parsed)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if create:
            self.create_schema()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def create_schema(self) -> None:
        try:
            Base.metadata.create_all(self.engine)
            _add_new_columns(self.engine)
        except OperationalError as error:
            raise StoreError(f"cannot open the database {self.url!r}: {error.orig}") from None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back on any error."""
        with self._sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _add_new_columns(engine: Engine) -> None:
    """Add the columns a newer version defines to tables an older one created.

    ``create_all`` creates missing tables but never alters existing ones. A new column is added
    without NOT NULL, so the rows already there read as None, which its readers treat as unset
    (an issue without recorded lists goes to ``newsletter.lists``).
    """
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=engine.dialect)
                with engine.begin() as connection:
                    connection.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                logger.info("added the column %s.%s", table.name, column.name)


def _engine(url: Any) -> Engine:
    if url.drivername.startswith("sqlite"):
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Take the write lock at BEGIN, so two processes serialize instead of failing mid-way.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling would fight our BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
