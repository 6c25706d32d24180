"""Gathering speed: a 2,000-entry arXiv window, 20 pages served on loopback, through the real client.

Builds the window from the recorded entries (with fresh ids and times), serves it from the local
replay server with no politeness delay, then fetches every page, parses, de-duplicates and
stores the candidates as one issue would. Prints papers per second and peak memory.
Targets: under 2 s and under 150 MB. Exits non-zero when a target is missed.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsletter import pipeline  # noqa: E402
from newsletter.config import load_config  # noqa: E402
from newsletter.demo import data_file  # noqa: E402
from newsletter.testing.replay import NS, ArxivReplayServer, Entry, load_entries  # noqa: E402

ENTRIES = 2000
PAGE = 100
TARGET_SECONDS = 2.0
TARGET_MB = 150.0
CLOSE = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def synthetic_window() -> list[Entry]:
    """2,000 entries cycled from the recording, each with its own id and submission time."""
    recorded = [e for e in load_entries(data_file("arxiv/2026-07-01.atom.xml")) if "cs.CV" in e.categories]
    built = []
    for n in range(ENTRIES):
        source = recorded[n % len(recorded)]
        element = etree.fromstring(source.xml)
        arxiv_id = f"2606.{40000 + n:05d}v1"
        published = CLOSE - timedelta(hours=20) + timedelta(seconds=30 * n)
        element.find("atom:id", NS).text = f"http://arxiv.org/abs/{arxiv_id}"
        element.find("atom:published", NS).text = published.strftime("%Y-%m-%dT%H:%M:%SZ")
        element.find("atom:updated", NS).text = published.strftime("%Y-%m-%dT%H:%M:%SZ")
        built.append(
            replace(source, xml=etree.tostring(element) + b"\n", arxiv_id=arxiv_id, published=published)
        )
    return built


def main() -> int:
    entries = synthetic_window()
    with tempfile.TemporaryDirectory() as folder, ArxivReplayServer(entries=entries) as server:
        config = load_config(env={}).replace(
            **{
                "newsletter.data_dir": folder,
                "arxiv.base_url": server.url,
                "arxiv.delay_seconds": 0.0,
                "arxiv.page_size": PAGE,
            }
        )
        app = pipeline.App(config)
        app.db.create_schema()
        start = time.perf_counter()
        found = pipeline.gather(app, CLOSE)
        seconds = time.perf_counter() - start
        pages = len(server.requests)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"gathered {len(found.candidates)} candidates from {found.fetched} entries in {pages} pages")
    print(f"time: {seconds:.2f} s (target < {TARGET_SECONDS:.0f} s), {found.fetched / seconds:,.0f} papers/s")
    print(f"peak memory (whole process, RSS): {peak_mb:.0f} MB (target < {TARGET_MB:.0f} MB)")
    ok = found.fetched == ENTRIES and seconds < TARGET_SECONDS and peak_mb < TARGET_MB
    print("OK" if ok else "MISSED a target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
