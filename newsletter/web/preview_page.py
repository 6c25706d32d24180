"""The preview's pages: the overview, each locale's email for the iframes, and the actions."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from newsletter import writing
from newsletter.errors import NewsletterError
from newsletter.web.form import read_form
from newsletter.web.preview import GMAIL_CLIP_BYTES, IssueState, LocaleView, Preview, Snapshot
from newsletter.web.preview_facts import facts_section

#: Issue states after a send began: the preview then shows the delivery report.
_SENT_STATES = ("sending", "paused", "sent")
#: How often the page asks whether the files changed.
POLL_MILLISECONDS = 700
DESKTOP_WIDTH = 800
PHONE_WIDTH = 375

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f5;color:#18181b}
header{padding:1rem 1.5rem;background:#18181b;color:#fafafa;display:flex;gap:1rem;align-items:center;
flex-wrap:wrap}
header h1{font-size:1.1rem;margin:0;flex:1}
header form{margin:0}
button{font:inherit;padding:.4rem .9rem;border:0;border-radius:6px;background:#2563eb;color:#fff;
cursor:pointer}
#approve{background:#16a34a}
main{padding:1rem 1.5rem}
nav a{margin-right:1rem}
.notice{background:#fef9c3;padding:.5rem 1rem;border-radius:6px}
.error{background:#fee2e2;padding:.5rem 1rem;border-radius:6px;white-space:pre-wrap}
.columns{display:flex;gap:2rem;flex-wrap:wrap;align-items:flex-start}
.frames{display:flex;gap:1.5rem;align-items:flex-start;flex-wrap:wrap}
iframe{border:1px solid #d4d4d8;background:#fff;height:900px}
figure{margin:0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:600}
.over{color:#b91c1c;font-weight:700}
meter{width:12rem}
pre{white-space:pre-wrap;background:#fff;padding:1rem;max-width:70ch;border:1px solid #d4d4d8;
word-break:keep-all;overflow-wrap:anywhere}
#report table{border-collapse:collapse;background:#fff;margin-bottom:1rem}
#report th,#report td{border:1px solid #d4d4d8;padding:.25rem .6rem;text-align:right}
.badge{display:inline-block;font-size:.75rem;padding:0 .4rem;border-radius:4px;background:#ede9fe;
color:#5b21b6;margin-right:.3rem}
.guard{color:#9a3412}
#writing blockquote{margin:.25rem 0 .5rem 1rem;max-width:70ch;word-break:keep-all;overflow-wrap:anywhere}
"""

_RELOAD = """
const shown = %s;
async function poll() {
  try {
    const reply = await fetch("/version", {cache: "no-store"});
    const now = (await reply.json()).version;
    if (now !== shown) { location.reload(); return; }
  } catch (error) { /* The server restarts or is gone: keep asking. */ }
  setTimeout(poll, %d);
}
setTimeout(poll, %d);
"""


class PreviewEndpoints:
    """The routes of the preview application over one :class:`Preview`."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview

    def routes(self) -> list[Route]:
        return [
            Route("/", self.overview, methods=["GET"]),
            Route("/version", self.version, methods=["GET"]),
            Route("/email/{locale}.html", self.email, methods=["GET"]),
            Route("/send-test", self.send_test, methods=["POST"]),
            Route("/approve", self.approve, methods=["POST"]),
        ]

    async def version(self, request: Request) -> Response:
        version = await run_in_threadpool(self.preview.version)
        return JSONResponse({"version": version}, headers={"Cache-Control": "no-store"})

    async def email(self, request: Request) -> Response:
        snapshot = await run_in_threadpool(self.preview.snapshot)
        view = snapshot.view(str(request.path_params["locale"]))
        if view is None:
            return HTMLResponse("no such locale", status_code=404)
        # The email runs in a sandboxed frame: its own scripts (there should be none) never run.
        return HTMLResponse(view.html, headers={"Content-Security-Policy": "sandbox allow-popups"})

    async def overview(self, request: Request) -> Response:
        snapshot = await run_in_threadpool(self.preview.snapshot)
        issue = await run_in_threadpool(self.preview.issue)
        chosen = request.query_params.get("locale", "")
        locales = self.preview.config.newsletter.locales
        shown = list(locales) if chosen == "all" else [chosen if chosen in locales else locales[0]]
        report = await run_in_threadpool(self._report, issue)
        page = self._page(snapshot, issue, shown, chosen == "all", self.preview.take_notice(), report)
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    async def send_test(self, request: Request) -> Response:
        # The test copy is in the language of the tab the editor pressed the button on.
        return await self._act(request, lambda form: self.preview.send_test(form.get("locale")))

    async def approve(self, request: Request) -> Response:
        return await self._act(request, lambda _form: self.preview.approve())

    async def _act(self, request: Request, action: Callable[[Mapping[str, str]], str]) -> Response:
        form = await read_form(request)
        if form.get("csrf") != self.preview.csrf:
            return HTMLResponse("this form is from an older preview: reload the page", status_code=403)
        try:
            notice = await run_in_threadpool(action, form)
        except NewsletterError as error:
            notice = f"error: {error}"
        self.preview.flash(notice)
        back = form.get("back", "/")
        return RedirectResponse(back if back.startswith("/?") or back == "/" else "/", status_code=303)

    def _report(self, issue: IssueState | None) -> str:
        """The delivery report once the issue has gone out (or started to)."""
        if issue is None or issue.status not in _SENT_STATES:
            return ""
        from newsletter import report

        tracking = self.preview.config.delivery.tracking
        return report.to_html(report.issue_report(self.preview.db, issue.issue_id, tracking=tracking))

    def _page(
        self,
        snapshot: Snapshot,
        issue: IssueState | None,
        shown: list[str],
        side: bool,
        notice: str,
        report: str = "",
    ) -> str:
        config = self.preview.config
        title = f"Preview · {self.preview.draft_path.name}"
        body = self._header(title, snapshot, issue, shown, side)
        if notice:
            kind = "error" if notice.startswith("error:") else "notice"
            body += f'<p id="notice" class="{kind}" role="status">{escape(notice)}</p>'
        body += report
        body += self._tabs(list(config.newsletter.locales), shown, side)
        if snapshot.error:
            body += f'<p id="render-error" class="error">{escape(snapshot.error)}</p>'
        body += self._warnings(snapshot) if not snapshot.error else ""
        body += _writing(snapshot)
        views = [v for v in (snapshot.view(locale) for locale in shown) if v is not None]
        body += f'<div class="columns">{"".join(self._locale(view, side) for view in views)}</div>'
        body += facts_section(snapshot.draft) if snapshot.draft is not None else ""
        script = _RELOAD % (json.dumps(snapshot.version), POLL_MILLISECONDS, POLL_MILLISECONDS)
        return (
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<style>{_STYLE}</style></head><body data-version="{snapshot.version}">{body}</main>'
            f"<script>{script}</script></body></html>\n"
        )

    def _header(
        self, title: str, snapshot: Snapshot, issue: IssueState | None, shown: list[str], side: bool
    ) -> str:
        back = "/?locale=all" if side else f"/?locale={escape(shown[0])}"
        hidden = f'<input type="hidden" name="csrf" value="{self.preview.csrf}">' + (
            f'<input type="hidden" name="back" value="{back}">'
        )
        if issue is None:
            state = "no issue in the store uses this draft"
        else:
            state = f"issue #{issue.issue_id} to {', '.join(issue.lists)} · {issue.status}"
        flag = " · draft approved" if snapshot.draft is not None and snapshot.draft.approved else ""
        editor = escape(self.preview.config.newsletter.editor_email)
        locale = escape(self.preview.config.newsletter.default_locale if side else shown[0])
        return (
            f"<header><h1>{escape(title)}</h1>"
            f'<span id="issue-state">{escape(state)}{flag}</span>'
            f'<form method="post" action="/send-test">{hidden}'
            f'<input type="hidden" name="locale" value="{locale}">'
            f'<button id="send-test" type="submit">Send a test ({locale}) to {editor}</button></form>'
            f'<form method="post" action="/approve">{hidden}'
            f'<button id="approve" type="submit">Approve</button></form></header><main>'
        )

    def _tabs(self, locales: list[str], shown: list[str], side: bool) -> str:
        links = []
        for locale in locales:
            label = escape(locale)
            current = not side and shown == [locale]
            links.append(
                f"<strong>{label}</strong>" if current else f'<a href="/?locale={label}">{label}</a>'
            )
        links.append("<strong>side by side</strong>" if side else '<a href="/?locale=all">side by side</a>')
        return f'<nav id="locales">{"".join(links)}</nav>'

    def _warnings(self, snapshot: Snapshot) -> str:
        if not snapshot.warnings:
            return '<section id="warnings"><p>No link problems found (checked offline).</p></section>'
        items = "".join(
            f"<li><code>{escape(w.url) or '(empty)'}</code>: {escape(w.problem)} ({escape(w.where)})</li>"
            for w in snapshot.warnings
        )
        count = len(snapshot.warnings)
        heading = f"{count} link warning{'s' * (count != 1)}"
        return f'<section id="warnings"><h2>{heading}</h2><ul>{items}</ul></section>'

    def _locale(self, view: LocaleView, side: bool) -> str:
        locale = escape(view.locale)
        size = view.html_bytes
        over = size > GMAIL_CLIP_BYTES
        size_text = f"{size / 1024:.1f} KB of the {GMAIL_CLIP_BYTES // 1024} KB at which Gmail clips"
        if over:
            size_text += ": Gmail will clip this message"
        widths = [DESKTOP_WIDTH, PHONE_WIDTH] if not side else [PHONE_WIDTH, DESKTOP_WIDTH]
        frames = "".join(
            f"<figure><figcaption>{'Phone' if width == PHONE_WIDTH else 'Desktop'} ({width}px)</figcaption>"
            f'<iframe loading="eager" class="{"phone" if width == PHONE_WIDTH else "desktop"}" '
            f'width="{width}" '
            f'src="/email/{locale}.html" title="{locale} email at {width}px"></iframe></figure>'
            for width in widths
        )
        return (
            f'<section class="locale" id="locale-{locale}" lang="{locale}"><h2>{locale}</h2><dl>'
            f'<dt>Subject</dt><dd class="subject">{escape(view.subject)}</dd>'
            f'<dt>Preheader</dt><dd class="preheader">{escape(view.preheader)}</dd>'
            f'<dt>HTML size</dt><dd class="size{" over" if over else ""}">'
            f'<meter min="0" max="{GMAIL_CLIP_BYTES}" high="{int(GMAIL_CLIP_BYTES * 0.9)}" value="{size}">'
            f"</meter> {escape(size_text)}</dd></dl>"
            f'<div class="frames">{frames}</div>'
            f'<details open><summary>Text part</summary><pre class="text">{escape(view.text)}</pre></details>'
            "</section>"
        )


def _writing(snapshot: Snapshot) -> str:
    """What a model wrote (a badge on each field, with its text), what the fact guard sent back
    to the extractive text, and the guard's warnings on the editor's own edits."""
    if snapshot.draft is None:
        return ""
    # A machine-written text the editor has since rewritten is the editor's: no badge.
    draft = writing.settle(snapshot.draft)
    items = [_marked("Intro", "intro", mark, draft.intro) for mark in draft.machine]
    items += [_rejected("Intro", note) for note in draft.guard]
    for pick in draft.picks:
        for mark in pick.machine:
            name = mark.partition(".")[0]
            items.append(_marked(pick.short_name, name, mark, getattr(pick, name, {})))
        items += [_rejected(pick.short_name, note) for note in pick.guard]
    edits = "".join(f'<li class="guard">{escape(w)}</li>' for w in snapshot.edit_warnings)
    if not items and not edits:
        return ""
    body = '<section id="writing"><h2>Machine-written text</h2>'
    if items:
        body += (
            "<p>Read the fields with a badge closely: a model wrote them and the fact guard found each "
            "number, name, venue and link in the paper's record. It cannot check meaning or emphasis.</p>"
            f'<ul id="machine-fields">{"".join(items)}</ul>'
        )
    if edits:
        body += f'<h3>The fact guard on your edits</h3><ul id="edit-warnings">{edits}</ul>'
    return body + "</section>"


def _marked(paper: str, name: str, mark: str, text: Mapping[str, str]) -> str:
    locale = mark.rpartition(".")[2]
    label = f"{name.replace('_', ' ')} ({locale})"
    return (
        f'<li><span class="badge" title="machine-written, passed the fact guard">machine</span>'
        f"{escape(paper)}, {escape(label)}"
        f'<blockquote lang="{escape(locale)}">{escape(text.get(locale, ""))}</blockquote></li>'
    )


def _rejected(paper: str, note: str) -> str:
    """A guard note (``decision.ko rejected: …``) as an editor reads it."""
    where, _, why = note.partition(" rejected: ")
    name, _, locale = where.partition(".")
    label = f"{name.replace('_', ' ')} ({locale})"
    because = f"kept the extractive text, because {why}"
    return f'<li class="guard">{escape(paper)}, {escape(label)}: {escape(because)}</li>'
