"""What every page shares: one small layout, escaped values, translated text and safe headers."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from html import escape

from starlette.responses import HTMLResponse

Gettext = Callable[[str], str]

#: Pages are self-contained: no script or style from elsewhere, forms post only back here,
#: and the token in the address never leaks through a Referer header.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}

_STYLE = """
body{font-family:system-ui,-apple-system,"Apple SD Gothic Neo","Noto Sans KR",sans-serif;
margin:0;background:#f4f4f5;color:#18181b}
main{max-width:32rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px}
h1{font-size:1.4rem;margin-top:0}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:6px;background:#1d4ed8;color:#fff;
cursor:pointer}
.secondary{background:#e4e4e7;color:#18181b}
section{margin-top:2rem;border-top:1px solid #e4e4e7;padding-top:1rem}
nav a{margin-right:1rem}
:lang(ko){font-family:"Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",system-ui,sans-serif;
word-break:keep-all;overflow-wrap:anywhere}
"""


def translator(locale: str) -> Gettext:
    """The catalog's gettext for ``locale``; the English source text when no catalog is installed."""
    try:
        i18n = importlib.import_module("newsletter.i18n")
    except ImportError:
        return _same
    gettext: Gettext = i18n.translations(locale).gettext
    return gettext


def layout(*, locale: str, title: str, body: str) -> str:
    """A whole page; ``title`` is plain text and ``body`` is HTML the caller escaped."""
    return (
        f'<!doctype html>\n<html lang="{escape(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def html_page(content: str, *, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=_HEADERS)


def _same(text: str) -> str:
    return text
