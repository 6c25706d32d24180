"""Benchmark: import 100,000 CSV rows into a fresh SQLite store; the target is under 10 seconds.

Prints rows per second and the peak resident memory, and exits non-zero when the target is missed or
the import did not add every row. Run with ``.venv/bin/python bench/bench_import.py``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from newsletter.config import load_config
from newsletter.store import Database, audience
from newsletter.subscribers.importer import import_csv

TARGET_SECONDS = 10.0


def write_rows(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("email,name,locale,lists\n")
        for i in range(rows):
            locale = "ko" if i % 3 == 0 else "en"
            name = f"구독자 {i}" if locale == "ko" else f"Reader {i}"
            handle.write(f"Reader.{i}@Example{i % 97}.org,{name},{locale},\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--target", type=float, default=TARGET_SECONDS, help="seconds")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = load_config(env={}).replace(**{"newsletter.data_dir": str(root / "var")})
        source = root / "subscribers.csv"
        write_rows(source, options.rows)
        db = Database(config.database_url)
        with db.transaction() as session:
            audience.ensure_list(session, "bench")
        started = time.perf_counter()
        cpu_started = time.process_time()
        report = import_csv(db, source, list_name="bench", config=config)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        # ru_maxrss is in kilobytes on Linux; it costs nothing, unlike tracemalloc.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        db.dispose()
    rate = options.rows / elapsed
    print(f"rows:          {options.rows:,} ({source.name}, {report.encoding})")
    print(f"added:         {report.added:,}  rejected: {report.rejected:,}")
    print(f"time:          {elapsed:.2f} s (target < {options.target:.0f} s)")
    print(f"cpu time:      {cpu:.2f} s (this process; wall time above includes waiting for a busy CPU)")
    print(f"rows/second:   {rate:,.0f}")
    print(f"peak memory:   {peak / 1e6:.1f} MB (process peak RSS, the CSV file is not held in memory)")
    if report.added != options.rows:
        print("FAIL: not every row was added", file=sys.stderr)
        return 1
    if elapsed >= options.target:
        print("FAIL: slower than the target", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
