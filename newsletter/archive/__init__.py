"""The public archive: every sent issue's web version per locale, the lists of issues and the feeds.

:mod:`~newsletter.archive.issues` decides what is public (sent, not withdrawn),
:mod:`~newsletter.archive.site` renders pages and feeds from the drafts through the real
renderer and caches them, :mod:`~newsletter.archive.feeds` writes Atom, RSS and JSON Feed,
and :mod:`~newsletter.archive.build` writes the whole archive as static files.
"""

from newsletter.archive.issues import ArchiveEntry, public_entries, set_hidden
from newsletter.archive.site import Archive

__all__ = ["Archive", "ArchiveEntry", "public_entries", "set_hidden"]
