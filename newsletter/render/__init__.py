"""Render stage: a draft becomes one email per locale (subject, preheader, HTML and text).

:func:`render_email` is what the orchestrator calls; :class:`EmailRenderer` renders with other
templates or catalogs (a new language being tried out, tests).
"""

from newsletter.render.email import (
    GMAIL_CLIP_BYTES,
    EmailRenderer,
    compile_mjml,
    render_email,
    size_warning,
)

__all__ = ["GMAIL_CLIP_BYTES", "EmailRenderer", "compile_mjml", "render_email", "size_warning"]
