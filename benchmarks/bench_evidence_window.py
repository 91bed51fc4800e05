"""A big log's incident window (issue 27): time and peak memory, beside a baseline.

A 1,000,000-line JSON log covering a day (a line every 86 ms) is imported with
``pmtui evidence REVIEW big.jsonl --window incident`` into a review whose start and
marks make a window of about three hours (about 125,000 lines). The baseline, in the
same run: the same window's lines alone in a file, imported the same way (no window).
Each run is its own process; its peak resident memory is what the kernel reports for
it (ru_maxrss of the child). Reading streams the file: the peak follows the window's
events, not the file's size. Also timed: the whole file refused past the 200,000 limit
(it says how many lines fall in the window), which reads every line.

    python benchmarks/bench_evidence_window.py [--lines 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)


def write_log(path: Path, lines: int, keep: tuple[datetime, datetime] | None = None) -> int:
    step = timedelta(seconds=86_400 / lines)
    written = 0
    levels = ("info", "info", "info", "warn", "error")
    with path.open("w") as f:
        for i in range(lines):
            at = START + step * i
            if keep is not None and not keep[0] <= at <= keep[1]:
                continue
            f.write(json.dumps({"time": at.isoformat().replace("+00:00", "Z"), "level": levels[i % 5],
                                "msg": f"GET /api/cart/{i % 977} 200", "service": "checkout", "req": i}) + "\n")
            written += 1
    return written


WRAPPER = """
import resource, sys
from pmtui.cli.main import main
code = 1
try:
    code = main(sys.argv[1:])
finally:
    sys.stderr.write("\\nPEAK_RSS_KIB %d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""


def child(db: str, *args: str) -> tuple[float, float, str]:
    """Seconds, this process's own peak RSS (MiB) and its last words."""
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", WRAPPER, "--db", db, *args], capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items() if k != "PMTUI_DB"})
    seconds = time.perf_counter() - start
    lines = [x for x in (r.stdout + r.stderr).splitlines() if x.strip()]
    peak = next(int(x.split()[1]) for x in lines if x.startswith("PEAK_RSS_KIB"))
    said = next((x for x in lines if x.startswith(("pmtui: error", "added", "would add"))), "")
    return seconds, peak / 1024, said


def review(db: str, title: str) -> str:
    out = subprocess.run([sys.executable, "-m", "pmtui", "--db", db, "new", title, "--timezone", "UTC"],
                         capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if k != "PMTUI_DB"}).stdout
    return out.split("\t")[0]


def mark(db: str, rid: str, started: datetime, resolved: datetime) -> None:
    from pmtui.store import Store

    store = Store.open(db)
    try:
        review_id = store.resolve(rid)
        store.set_started(review_id, started, expected_version=store.get_review(review_id)["version"])
        event = store.add_event(review_id, at=resolved, text="Checkout error rate back to normal")
        store.set_mark(review_id, "resolved", event, expected_holder=None)
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--keep", help="write the files here (default: a temporary folder)")
    args = ap.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pmtui-window-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = START + timedelta(hours=13, minutes=30)
    resolved = START + timedelta(hours=15, minutes=30)
    window = (started - timedelta(minutes=30), resolved + timedelta(minutes=30))
    big, small = folder / "big.jsonl", folder / "window.jsonl"
    t0 = time.perf_counter()
    write_log(big, args.lines)
    in_window = write_log(small, args.lines, window)
    print(f"wrote {args.lines:,} lines ({big.stat().st_size / 2**20:,.0f} MiB) and the window's {in_window:,} "
          f"({small.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - t0:.0f} s")

    rows = []
    db = str(folder / "refused.db")
    rid = review(db, "Whole file")
    mark(db, rid, started, resolved)
    s, mib, said = child(db, "evidence", rid, str(big), "--dry-run")
    rows.append(["whole file (refused past 200,000)", f"{s:.1f} s", f"{mib:,.0f} MiB", said[:110]])
    db = str(folder / "window.db")
    rid = review(db, "Window of a big file")
    mark(db, rid, started, resolved)
    s_w, mib_w, said = child(db, "evidence", rid, str(big), "--window", "incident")
    rows.append([f"--window incident of {args.lines:,} lines", f"{s_w:.1f} s", f"{mib_w:,.0f} MiB", said[:110]])
    db = str(folder / "baseline.db")
    rid = review(db, "Window alone")
    s_b, mib_b, said = child(db, "evidence", rid, str(small))
    rows.append([f"baseline: the window's {in_window:,} lines alone", f"{s_b:.1f} s", f"{mib_b:,.0f} MiB",
                 said[:110]])
    width = max(len(r[0]) for r in rows)
    for name, seconds, peak, said in rows:
        print(f"  {name.ljust(width)}  {seconds:>7}  {peak:>9}  {said}")
    print(f"window vs baseline: time {s_w / s_b:.2f}x, peak memory {mib_w / mib_b:.2f}x")


if __name__ == "__main__":
    main()
