"""What every page shares: one small layout, escaped values, translated text and safe headers."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from html import escape

from starlette.responses import HTMLResponse

Gettext = Callable[[str], str]

#: Browsers send a handful of language ranges; a header of thousands is not worth reading.
_MAX_LANGUAGE_RANGES = 20

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
body{font-family:system-ui,-apple-system,"Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif;
margin:0;background:#f4f4f5;color:#18181b;line-height:1.55}
:lang(ko){word-break:keep-all;overflow-wrap:anywhere}
main{box-sizing:border-box;max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;
border-radius:8px;display:flex;flex-direction:column}
@media (max-width:36rem){body{background:#fff}main{margin:0;padding:1.5rem 1.25rem;border-radius:0}}
h1{font-size:1.4rem;line-height:1.3;margin-top:0}
h2{font-size:1.1rem;margin-top:0}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:6px;background:#1d4ed8;color:#fff;
cursor:pointer}
select{font:inherit;padding:.55rem .5rem;border:1px solid #a1a1aa;border-radius:6px;background:#fff;
color:inherit;max-width:100%}
.choice{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
label{display:block;margin-bottom:.4rem}
.secondary{background:#e4e4e7;color:#18181b}
.address{color:#52525b}
[role=status]{background:#ecfdf5;border-left:4px solid #059669;padding:.6rem .8rem}
#language{margin-top:2rem;border-top:1px solid #e4e4e7;padding-top:1.5rem}
#language:target{order:-1;margin:0 0 2rem;border-top:0;padding-top:0;
border-bottom:1px solid #e4e4e7;padding-bottom:1.5rem}
input[type=email]{font:inherit;box-sizing:border-box;width:100%;padding:.55rem .6rem;
border:1px solid #a1a1aa;border-radius:6px;margin-bottom:1rem}
fieldset{border:0;padding:0;margin:1rem 0}
legend{padding:0;margin-bottom:.4rem}
label.box{display:flex;gap:.5rem;align-items:center;margin:.25rem 0}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.consent{font-size:.9rem;color:#52525b}
.problem{background:#fef2f2;border-left:4px solid #dc2626;padding:.6rem .8rem}
#lists-section{margin-top:2rem;border-top:1px solid #e4e4e7;padding-top:1.5rem}
nav.languages{order:-2;font-size:.9rem;color:#52525b;margin-bottom:1.25rem}
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


def page_locale(
    query: str | None, stored: str | None, accept_language: str, locales: Sequence[str], default: str
) -> str:
    """A page's language: the one asked for in ``?lang=``, else the subscriber's own, else the
    browser's first choice among ``locales``, else ``default``."""
    for candidate in (query, stored, accepted_locale(accept_language, locales)):
        if candidate in locales:
            return str(candidate)
    return default


def accepted_locale(header: str, locales: Sequence[str]) -> str | None:
    """The best of ``locales`` by an Accept-Language header: ``ko-KR,ko;q=0.9,en;q=0.8`` → ``ko``.

    Only the primary subtag counts, as the catalogs are per language; ``*`` and malformed
    weights are ignored rather than refused, since a page must always be shown.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:_MAX_LANGUAGE_RANGES]):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().split("-")[0].lower()
        if language in locales and 0 < weight <= 1:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else None


def _same(text: str) -> str:
    return text
