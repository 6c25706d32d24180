"""Headless Debian chromium driven over the DevTools protocol on a pipe (no extra packages),
for every browser test: the web pages (:class:`Browser`) and the emails' layout (:func:`measure`,
:func:`screenshot`).

``--remote-debugging-pipe`` makes chromium read commands from fd 3 and write replies to fd 4,
each a JSON object ended by a NUL byte, so no websocket client is needed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import subprocess
import time
from html import escape
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.support import CHROMIUM, CHROMIUM_FLAGS


class BrowserError(RuntimeError):
    pass


def available() -> bool:
    return CHROMIUM is not None


class Browser:
    """One headless chromium with one page."""

    def __init__(self, profile: Path, *, width: int = 1400, height: int = 1000) -> None:
        if CHROMIUM is None:
            raise BrowserError("chromium is not installed")
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()

        def wire_pipes() -> None:
            os.dup2(to_child, 3)
            os.dup2(from_child, 4)

        self.process = subprocess.Popen(
            [
                CHROMIUM,
                *CHROMIUM_FLAGS,
                f"--window-size={width},{height}",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=wire_pipes,  # noqa: PLW1509 - single-threaded at this point; dup2 only.
        )
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next_id = 0
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable", session=True)
        self.resize(width, height)

    def resize(self, width: int, height: int) -> None:
        """Set the viewport; frames outside it may not be painted in a screenshot."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = False) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive(timeout=30)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url}, session=True)
        self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'")

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=True,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, *, timeout: float = 20) -> Any:
        """Poll ``expression`` until it is truthy; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except BrowserError:
                # The page is navigating away; its context comes back with the next document.
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {expression}")
            time.sleep(0.1)

    def screenshot(self, path: Path) -> None:
        data = self.send(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=True
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write)
        os.close(self._read)

    def _receive(self, *, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._read], [], [], max(left, 0))
            if not ready:
                raise BrowserError("chromium did not answer")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise BrowserError("chromium closed the pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        reply: dict[str, Any] = json.loads(message)
        return reply


#: Measures the page: the document's width, every table's box against the viewport, cells whose
#: content is wider than the cell, words in table cells that wrap mid-word (a word whose text
#: covers more than one line box), and Korean words in paragraphs and headings that do.
_MEASURE = """
<script>
(function () {
  var vw = window.innerWidth, out = {viewport: vw, scrollWidth: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight, tables: [], overflowing: [], brokenWords: []};
  document.querySelectorAll('table').forEach(function (t, i) {
    var r = t.getBoundingClientRect();
    if (r.width > 0) out.tables.push({index: i, left: r.left, right: r.right});
  });
  document.querySelectorAll('td, th').forEach(function (cell) {
    if (cell.offsetWidth > 0 && cell.scrollWidth > cell.clientWidth + 1)
      out.overflowing.push(cell.textContent.trim().slice(0, 60));
  });
  document.querySelectorAll('td[class^="rt-"] , th').forEach(function (cell) {
    var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), node;
    while ((node = walker.nextNode())) {
      var re = /[^\\s\\/\u00b7-]+/g, m;
      while ((m = re.exec(node.data))) {
        var range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        var tops = {};
        Array.prototype.forEach.call(range.getClientRects(), function (rect) {
          if (rect.width > 0) tops[Math.round(rect.top)] = true;
        });
        if (Object.keys(tops).length > 1) out.brokenWords.push(m[0]);
      }
    }
  });
  out.brokenKorean = [];
  document.querySelectorAll('p, h1, h2, .note').forEach(function (block) {
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT), node;
    while ((node = walker.nextNode())) {
      // A line may break before an opening parenthesis, as between words.
      var re = /[^\\s\\/·(-]*[가-힣][^\\s\\/·(-]*/g, m;
      while ((m = re.exec(node.data))) {
        var range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        var tops = {};
        Array.prototype.forEach.call(range.getClientRects(), function (rect) {
          if (rect.width > 0) tops[Math.round(rect.top)] = true;
        });
        if (Object.keys(tops).length > 1) out.brokenKorean.push(m[0]);
      }
    }
  });
  var host = window.parent.document, pre = host.createElement('pre');
  pre.id = 'layout-measure';
  pre.textContent = JSON.stringify(out);
  host.body.appendChild(pre);
})();
</script>
"""


def measure(html: str, width: int, workdir: Path) -> dict[str, object]:
    """Layout figures for ``html`` in a ``width``-pixel-wide frame.

    The email is loaded into an iframe of the wanted width; a script appended to the email
    measures the layout and writes the result as JSON into the host page.
    """
    page = workdir / f"measure-{width}.html"
    email = html.replace("</body>", _MEASURE + "</body>")
    frame = f'<iframe style="border:0;width:{width}px;height:900px" srcdoc="{escape(email)}"></iframe>'
    page.write_text(f'<!doctype html><html><body style="margin:0">{frame}</body></html>', encoding="utf-8")
    with Browser(workdir / "profile", width=max(width, 800), height=900) as browser:
        browser.goto(page.as_uri())
        found = browser.wait_for("document.getElementById('layout-measure')?.textContent")
    if not isinstance(found, str):
        raise AssertionError(f"chromium printed no measurement for {page}")
    figures: dict[str, object] = json.loads(found)
    return figures


def screenshot(html: str, width: int, height: int, target: Path, workdir: Path) -> None:
    """A PNG of the top ``height`` pixels of ``html`` at ``width``."""
    page = workdir / f"shot-{width}.html"
    page.write_text(html, encoding="utf-8")
    with Browser(workdir / "profile", width=width, height=height) as browser:
        browser.goto(page.as_uri())
        browser.screenshot(target)
