"""The store: lists, subscribers, issues, considered papers and per-recipient send records.

:class:`Database` opens it; the modules beside it hold the operations on each concept, as
functions that take a :class:`Session` so a caller composes them in one transaction. SQL
stays in this package: the rest of the code calls these functions and names the two types
below, never SQLAlchemy itself (``tests/test_architecture_sql.py`` checks it).
"""

from sqlalchemy.exc import SQLAlchemyError as DatabaseError
from sqlalchemy.orm import Session

from newsletter.store.database import Database

__all__ = ["Database", "DatabaseError", "Session"]
