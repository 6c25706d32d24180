"""Headless Debian chromium as a measuring tool: load an email at a width, report what overflows.

The email is loaded into an iframe of the wanted width (headless chromium will not make its
window narrower than 500 px); a script appended to the email measures the layout and writes the
result as JSON into the host page, and ``--dump-dom`` prints that page, so nothing beyond chromium
itself is needed.
"""

from __future__ import annotations

import json
import re
import subprocess
from html import escape, unescape
from pathlib import Path

from tests.support import CHROMIUM, CHROMIUM_FLAGS

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


def available() -> bool:
    return CHROMIUM is not None


def measure(html: str, width: int, workdir: Path) -> dict[str, object]:
    """Layout figures for ``html`` in a ``width``-pixel-wide window."""
    page = workdir / f"measure-{width}.html"
    email = html.replace("</body>", _MEASURE + "</body>")
    frame = f'<iframe style="border:0;width:{width}px;height:900px" srcdoc="{escape(email)}"></iframe>'
    page.write_text(f'<!doctype html><html><body style="margin:0">{frame}</body></html>', encoding="utf-8")
    dom = _run(workdir, max(width, 800), 900, "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="layout-measure">(.*?)</pre>', dom, re.DOTALL)
    if found is None:
        raise AssertionError(f"chromium printed no measurement for {page}")
    figures: dict[str, object] = json.loads(unescape(found.group(1)))
    return figures


def screenshot(html: str, width: int, height: int, target: Path, workdir: Path) -> None:
    """A PNG of the top ``height`` pixels of ``html`` at ``width``."""
    page = workdir / f"shot-{width}.html"
    page.write_text(html, encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    _run(workdir, width, height, f"--screenshot={target}", page.as_uri())


def _run(workdir: Path, width: int, height: int, *args: str) -> str:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={workdir / 'profile'}",
        f"--window-size={width},{height}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise AssertionError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout
