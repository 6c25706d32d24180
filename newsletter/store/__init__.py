"""The store: lists, subscribers, issues, considered papers and per-recipient send records.

:class:`Database` opens it; the modules beside it hold the operations on each concept, as
functions that take a :class:`Session`, so that a caller composes them in one transaction,
or the :class:`Database` for work that is one transaction on its own (leases, runs). SQL
stays in this package: the rest of the code calls these functions and names the types
below, never SQLAlchemy itself (``tests/test_architecture_sql.py`` checks it).
"""

# What code outside the store may name: a write that lost to a concurrent one (a unique key
# taken a moment earlier), any failure of the database or its driver, and the session that
# callers pass between store functions of one transaction.
from sqlalchemy.exc import IntegrityError as ConflictError
from sqlalchemy.exc import SQLAlchemyError as DatabaseError
from sqlalchemy.orm import Session

from newsletter.store.database import Database

__all__ = ["ConflictError", "Database", "DatabaseError", "Session"]
