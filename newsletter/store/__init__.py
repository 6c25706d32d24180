"""The store: lists, subscribers, issues, considered papers and per-recipient send records.

:class:`Database` opens it; the modules beside it hold the operations on each concept, as
functions that take a :class:`sqlalchemy.orm.Session` so a caller composes them in one
transaction.
"""

from newsletter.store.database import Database

__all__ = ["Database"]
