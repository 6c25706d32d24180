"""Render speed: both locales of the 5-pick sample issue, template + MJML + text part together.

Prints the first (cold) render per locale, which builds the Jinja2 environment and compiles the
catalog, then the median and 95th percentile of warm renders, split into MJML template, mrml
compilation and text part. Target: a warm render under 20 ms per locale, so rendering is never
the bottleneck. Exits non-zero when the target is missed.

Then, when chromium is installed, the email's height on a 375 px phone for the sample issue and
for the draft generated from the bundled day, against the height before the email went over
the papers once (tests/render/test_browser.py keeps those figures and asserts at most 60%).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import tempfile  # noqa: E402

from render.sample import bundled_day_draft, sample_draft  # noqa: E402
from render.test_browser import BEFORE_ONE_PASS  # noqa: E402

from newsletter.config import Config, load_config  # noqa: E402
from newsletter.render import EmailRenderer, compile_mjml  # noqa: E402
from tests import browser  # noqa: E402

TARGET_MS = 20.0
ROUNDS = 200


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> int:
    config = load_config(env={})
    draft = sample_draft()
    renderer = EmailRenderer()
    missed = False
    for locale in ("en", "ko"):
        start = time.perf_counter()
        first = renderer.render(draft, locale, config.render_settings())
        cold = _ms(start)
        totals, mjml_times, compile_times = [], [], []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            renderer.render(draft, locale, config.render_settings())
            totals.append(_ms(start))
            start = time.perf_counter()
            source = renderer.mjml(draft, locale, config.render_settings())
            mjml_times.append(_ms(start))
            start = time.perf_counter()
            compile_mjml(source)
            compile_times.append(_ms(start))
        median, template, mrml = (statistics.median(t) for t in (totals, mjml_times, compile_times))
        p95 = statistics.quantiles(totals, n=20)[-1]
        print(
            f"{locale}: {median:.2f} ms per render (p95 {p95:.2f} ms, cold {cold:.1f} ms; "
            f"template {template:.2f} ms, mrml {mrml:.2f} ms); "
            f"HTML {len(first.html.encode()) / 1024:.1f} KB, text {len(first.text.encode()) / 1024:.1f} KB"
        )
        missed = missed or median >= TARGET_MS
    print(f"target: under {TARGET_MS:.0f} ms per locale: {'MISSED' if missed else 'met'}")
    _phone_heights(renderer, config)
    return 1 if missed else 0


def _phone_heights(renderer: EmailRenderer, config: Config) -> None:
    if not browser.available():
        print("phone height: chromium is not installed")
        return
    drafts = {"sample": sample_draft(), "generated": bundled_day_draft()}
    for (which, locale), before in BEFORE_ONE_PASS.items():
        html = renderer.render(drafts[which], locale, config.render_settings()).html
        with tempfile.TemporaryDirectory() as workdir:
            height = browser.measure(html, 375, Path(workdir))["height"]
        assert isinstance(height, int)
        print(
            f"phone height ({which}, {locale}): {height} px at 375 px, "
            f"{height / before:.0%} of {before} px before"
        )


if __name__ == "__main__":
    sys.exit(main())
