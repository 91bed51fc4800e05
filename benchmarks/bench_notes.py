"""The notes panel with many and long notes (issue 9): time to open a review's timeline
with its notes panel shown, side by side: 10 short notes (the baseline) against 1,000
short notes and 1,000 notes of 1,000 characters; then a resize of the open screen.
Goal: 1,000 long notes open within a few tenths of a second of the baseline.

    .venv/bin/python benchmarks/bench_notes.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def make_store(folder: Path, notes: int, length: int) -> tuple[object, int]:
    from pmtui.store import Store

    store = Store.open(folder / "pmtui.db")
    rid, _ = store.create_review("Checkout latency after a cache limit change")
    t0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
    words = ("the cache limit was lowered during the deploy and evictions rose before anyone saw the alert "
             * (length // 90 + 1))
    for i in range(notes):
        text = f"{i}: {words}"[:length]
        store.add_item("note", rid, at=t0 + timedelta(seconds=i), text=text, kind="note", stage="context",
                       author="Jonas Weber")
    return store, rid


async def open_timeline(store: object, rid: int) -> tuple[float, float]:
    from pmtui.app import PostmortemApp
    from pmtui.widgets.notes_panel import NotesPanel

    app = PostmortemApp(store, review_id=None, watch_interval=None)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        app.open_review(rid, "timeline")
        while not (app.screen.query(NotesPanel) and app.screen.query_one(NotesPanel).notes):
            await pilot.pause()
        await pilot.pause()
        opened = time.perf_counter() - start
        start = time.perf_counter()
        await pilot.resize_terminal(150, 40)
        await pilot.pause()
        await pilot.pause()
        resized = time.perf_counter() - start
    return opened, resized


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = [("10 short notes (baseline)", 10, 60), ("1,000 short notes", 1000, 60),
             ("1,000 notes of 1,000 chars", 1000, 1000)]
    print(f"{'case':32} {'open timeline':>14} {'resize':>9}")
    for label, n, length in cases:
        with tempfile.TemporaryDirectory() as tmp:
            store, rid = make_store(Path(tmp), n, length)
            runs = [asyncio.run(open_timeline(store, rid)) for _ in range(args.repeat)]
            store.close()
        opened = min(r[0] for r in runs)
        resized = min(r[1] for r in runs)
        print(f"{label:32} {opened:13.3f}s {resized:8.3f}s")


if __name__ == "__main__":
    main()
