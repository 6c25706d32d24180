"""Render speed: both locales of the 5-pick sample issue, template + MJML + text part together.

Prints the first (cold) render per locale, which builds the Jinja2 environment and compiles the
catalog, then the median and 95th percentile of warm renders, split into MJML template, mrml
compilation and text part. Target: a warm render under 20 ms per locale, so rendering is never
the bottleneck. Exits non-zero when the target is missed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from render.sample import sample_draft  # noqa: E402

from newsletter.config import load_config  # noqa: E402
from newsletter.render import EmailRenderer, compile_mjml  # noqa: E402

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
        first = renderer.render(draft, locale, config)
        cold = _ms(start)
        totals, mjml_times, compile_times = [], [], []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            renderer.render(draft, locale, config)
            totals.append(_ms(start))
            start = time.perf_counter()
            source = renderer.mjml(draft, locale, config)
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
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
