"""Bulk inserts straight to the driver's ``executemany``, for imports of 100,000 rows.

SQLAlchemy converts every parameter of every row through the column's type; for an import
that is most of the time spent. Here the statement is compiled once, values that need a
type's conversion (times) are converted by the caller once with :func:`db_value`, and the
rows go to the driver as they are. Works with any dialect's parameter style.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Table, insert
from sqlalchemy.orm import Session


def db_value(session: Session, column: Column[Any], value: Any) -> Any:
    """``value`` as the driver receives it for ``column`` (e.g. a time as SQLite's text)."""
    processor = column.type.bind_processor(session.connection().dialect)
    return processor(value) if processor else value


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, values already in driver form) in one executemany."""
    if not rows:
        return
    connection = session.connection()
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(rows[0]))
    params: Sequence[Any] = rows
    if compiled.positional:
        order = compiled.positiontup or []
        params = [tuple(row[name] for name in order) for row in rows]
    connection.exec_driver_sql(str(compiled), params)
