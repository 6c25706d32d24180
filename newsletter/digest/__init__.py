"""The digest: an issue's editable draft, generated from the picks and merged with edits.

:func:`compose_draft` writes the text; :func:`write_draft` and :func:`read_draft` keep it
in a TOML file an editor can change (see :mod:`newsletter.digest.draftfile` for the
format); :func:`merge_drafts` carries an editor's edits into a re-generated draft.
"""

from newsletter.digest.compose import compose_draft
from newsletter.digest.draftfile import draft_to_json, read_draft, write_draft
from newsletter.digest.merge import merge_drafts

__all__ = ["compose_draft", "draft_to_json", "merge_drafts", "read_draft", "write_draft"]
