"""SQLite transactions of one process queue for the write lock in-process, in order.

Every SQLite transaction takes the write lock at BEGIN; threads of one process wait for it in
:class:`newsletter.store.database._Queue` (one per file), not in SQLite's busy handler.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from newsletter.errors import StoreError
from newsletter.store import Database, database
from newsletter.store.audience import ensure_list
from newsletter.store.schema import MailingList


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def two(url: str) -> Iterator[tuple[Database, Database]]:
    """Two connections to one file, as the scheduler and the web server hold in one process."""
    first, second = Database(url), Database(url)
    try:
        yield first, second
    finally:
        first.dispose()
        second.dispose()


def _waiting(queue: database._Queue, count: int) -> None:
    """Return once ``count`` threads wait in ``queue``."""
    released = threading.Event()
    while len(queue._waiters) < count:
        released.wait(0.005)


def _in_thread(work: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_threads_writing_one_file_both_commit_the_second_after_the_first(
    two: tuple[Database, Database],
) -> None:
    first, second = two
    queue = first._queue
    assert queue is not None
    assert queue is second._queue
    errors: list[BaseException] = []

    def add(db: Database, name: str) -> Callable[[], None]:
        def work() -> None:
            with db.transaction() as session:
                ensure_list(session, name)

        return work

    with first.transaction() as session:
        ensure_list(session, "held")
        waiting = _in_thread(add(second, "queued"), errors)
        # The other thread waits in this process's queue, not in SQLite's busy handler.
        _waiting(queue, 1)
        ensure_list(session, "first")
    waiting.join()
    assert errors == []
    with second.transaction() as session:
        names = set(session.scalars(select(MailingList.name)))
    assert names == {"held", "first", "queued"}


def test_waiters_get_the_lock_in_the_order_they_asked(two: tuple[Database, Database]) -> None:
    first, second = two
    assert first._queue is not None
    order: list[int] = []
    errors: list[BaseException] = []

    def enter(n: int) -> Callable[[], None]:
        def work() -> None:
            with second.transaction():
                order.append(n)

        return work

    threads = []
    with first.transaction():
        for n in range(4):
            threads.append(_in_thread(enter(n), errors))
            _waiting(first._queue, n + 1)
    for thread in threads:
        thread.join()
    assert errors == []
    assert order == [0, 1, 2, 3]


def test_a_transaction_stuck_past_the_timeout_gets_one_clear_line(
    two: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two
    monkeypatch.setattr(database, "LOCK_SECONDS", 0.05)
    hold, errors = threading.Event(), []
    inside = threading.Event()

    def stuck() -> None:
        with first.transaction() as session:
            ensure_list(session, "stuck")
            inside.set()
            hold.wait()

    holder = _in_thread(stuck, errors)
    inside.wait()
    try:
        with pytest.raises(StoreError) as raised, second.transaction() as session:
            ensure_list(session, "never")
    finally:
        hold.set()
        holder.join()
    message = str(raised.value)
    assert "\n" not in message
    assert message.endswith("stayed locked for 0.05 s")
    assert errors == []
    # The one that gave up left the queue: the next transaction goes ahead at once.
    assert second._queue is not None
    assert not second._queue._waiters
    with second.transaction() as session:
        assert set(session.scalars(select(MailingList.name))) == {"stuck"}
