"""Connecting to the store: one engine per URL, the schema created on first use.

SQLite is the default (a file in ``newsletter.data_dir``); PostgreSQL works by URL
(``postgresql+psycopg://…``). Every unit of work is one transaction: it commits as a whole
or leaves nothing behind.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from newsletter.errors import ConfigError, StoreError
from newsletter.store.schema import Base, Issue, MailingList, Subscriber

if TYPE_CHECKING:
    from apscheduler.jobstores.base import BaseJobStore

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
BACKENDS = ("sqlite", "postgresql")
"""The databases the store runs on."""
#: How long a transaction waits for the database's write lock, as SQLite's own busy timeout;
#: past it, StoreError. Read at each transaction, so a test may patch it.
LOCK_SECONDS = 30.0
#: One queue per SQLite file in this process. Its threads wait here and wake the moment the
#: transaction before them ends; in SQLite's busy handler they would poll with sleeps of up to
#: 100 ms, which made a form post's p99 a second long under eight concurrent requests.
_QUEUES: dict[str, _Queue] = {}
_QUEUES_GUARD = threading.Lock()


class _Queue:
    """A reentrant lock that its waiters get in the order they asked for it.

    ``threading.RLock`` wakes an arbitrary waiter, or lets a newcomer take the lock before
    the waiter it woke runs: under a steady load one request can lose that race again and
    again, which made the slowest form posts twice as slow as the median.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._waiters: deque[tuple[int, threading.Lock]] = deque()

    def acquire(self, timeout: float) -> bool:
        """Take the lock within ``timeout`` seconds; False when it stayed taken."""
        me = threading.get_ident()
        with self._guard:
            if self._owner == me or (self._owner is None and not self._waiters):
                self._owner = me
                self._depth += 1
                return True
            wake = threading.Lock()
            wake.acquire()
            self._waiters.append((me, wake))
        woken = wake.acquire(timeout=timeout)
        with self._guard:
            # release() may have handed the lock over just as the wait timed out.
            if woken or self._owner == me:
                return True
            self._waiters.remove((me, wake))
            return False

    def release(self) -> None:
        with self._guard:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            if self._waiters:
                # Handed over, not released: nobody can slip in between.
                self._owner, wake = self._waiters.popleft()
                self._depth = 1
                wake.release()


def _queue_for(database: str) -> _Queue:
    with _QUEUES_GUARD:
        return _QUEUES.setdefault(str(Path(database).resolve()), _Queue())


def backend_of(url: str) -> str | None:
    """The database a URL names (``sqlite``, ``postgresql`` …), or None when it is no URL at all."""
    try:
        return make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        return None


def sqlite_folder(url: str) -> Path | None:
    """The folder of a SQLite database file, or None for another database."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database:
        return Path(parsed.database).parent
    return None


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
        # Every SQLite transaction takes the write lock (BEGIN IMMEDIATE): queue for it in-process.
        file = parsed.database if parsed.drivername.startswith("sqlite") else None
        self._queue = _queue_for(file) if file and file != ":memory:" else None
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

    def contents(self) -> dict[str, int] | None:
        """How many lists, subscribers and issues the database holds; None when it has no schema yet."""
        try:
            if not inspect(self.engine).has_table(Issue.__tablename__):
                return None
        except OperationalError as error:
            raise StoreError(f"cannot open the database {self.url!r}: {error.orig}") from None
        with self.transaction() as session:
            return {
                "lists": session.scalar(select(func.count()).select_from(MailingList)) or 0,
                "subscribers": session.scalar(select(func.count()).select_from(Subscriber)) or 0,
                "issues": session.scalar(select(func.count()).select_from(Issue)) or 0,
            }

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back on any error."""
        if self._queue is None:
            with self._sessions.begin() as session:
                yield session
            return
        if not self._queue.acquire(timeout=LOCK_SECONDS):
            raise StoreError(f"the database {self.url!r} stayed locked for {LOCK_SECONDS:g} s")
        try:
            with self._sessions.begin() as session:
                yield session
        finally:
            self._queue.release()

    def retrying(self, work: Callable[[Session], _T], *, attempts: int = 3) -> _T:
        """Run ``work`` in a transaction, and again when a concurrent one wrote the same key first.

        For work that skips what is already stored (a provider's event ids): the next attempt
        sees the other transaction's rows and skips them. The last conflict is raised.
        """
        for attempt in range(attempts):
            try:
                with self.transaction() as session:
                    return work(session)
            except IntegrityError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def job_store(self, table: str) -> BaseJobStore:
        """An APScheduler job store that keeps its jobs in ``table`` of this database."""
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        return SQLAlchemyJobStore(engine=self.engine, tablename=table)

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
