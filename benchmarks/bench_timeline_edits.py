"""Edits on a long timeline (issue: seats, "refreshing only what changed").

Goal: on a 10,000-event timeline, a highlight (h), a quick add and a mark (with the
metrics it moves) each show within 1.5x the time they take on a 10-event timeline, on
SQLite and on PostgreSQL. Before seats, each reloaded the whole timeline: 338 ms vs
53 ms, 306 ms vs 75 ms, 249 ms vs 93 ms.

The app runs headless in this process (Textual's Pilot); each time is from the key
press until the table shows the change (checked every event-loop turn), median of
--repeat runs; the 10- and 10,000-event reviews are measured in turns.

    python benchmarks/bench_timeline_edits.py [--repeat 7] [--url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import review
from bench_pg import create_db, pg_server


async def until(pilot, check, limit: float = 10.0) -> None:
    end = time.perf_counter() + limit
    while not check():
        if time.perf_counter() > end:
            raise RuntimeError("the change never showed")
        await asyncio.sleep(0)
        await pilot.pause()


async def measure(url: str, events: int, repeat: int) -> dict[str, list[float]]:
    from pmtui.app import PostmortemApp
    from pmtui.document import loads
    from pmtui.store import Store
    from pmtui.widgets.metrics_panel import MetricsPanel
    from pmtui.widgets.timeline_table import TimelineTable

    store = Store.open(url)
    review_id = store.import_documents([loads(json.dumps(review(events, events=events)))])[0][0]
    app = PostmortemApp(store, review_id=review_id, screen="timeline", watch_interval=None)
    out: dict[str, list[float]] = {"highlight": [], "quick add": [], "mark + metrics": []}
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(TimelineTable)
        await until(pilot, lambda: len(table.rows) == events)
        table.focus()
        table.cursor = events // 2
        await pilot.pause()
        for i in range(repeat):
            before = table.selected.highlight
            t0 = time.perf_counter()
            await pilot.press("h")
            await until(pilot, lambda: table.selected.highlight != before)
            out["highlight"].append(time.perf_counter() - t0)

            n = len(table.rows)
            quick = app.screen.query_one("#quick-add")
            quick.focus()
            quick.value = f"+1m Added while measuring {i}"
            await pilot.pause()
            t0 = time.perf_counter()
            await pilot.press("enter")
            await until(pilot, lambda: len(table.rows) == n + 1)
            out["quick add"].append(time.perf_counter() - t0)
            table.focus()
            table.cursor = (events // 3 + i * 7) % len(table.rows)
            await pilot.pause()

            panel = app.screen.query_one(MetricsPanel)
            target = table.selected
            t0 = time.perf_counter()
            await pilot.press("4")  # mark: mitigation (moves it here; the metrics follow)
            await until(pilot, lambda: "mitigated" in table.selected.marks and panel.marks.get("mitigated")
                        == target.at.astimezone(app.screen.zone))
            out["mark + metrics"].append(time.perf_counter() - t0)
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--url", help="a PostgreSQL server URL without the database (default: start one)")
    args = parser.parse_args()

    def run(name: str, make_url) -> None:
        small = asyncio.run(measure(make_url("small"), 10, args.repeat))
        big = asyncio.run(measure(make_url("big"), 10_000, args.repeat))
        for what in small:
            s, b = statistics.median(small[what]), statistics.median(big[what])
            ok = "met" if b <= 1.5 * s else "NOT met"
            print(f"{name:10}  {what:15} 10 events {s * 1000:6.1f} ms   10,000 events {b * 1000:6.1f} ms   "
                  f"ratio {b / s:4.2f} (goal <= 1.5: {ok})")

    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", lambda tag: str(Path(folder) / f"{tag}.db"))
    if args.url:
        run("PostgreSQL", lambda tag: create_db(args.url, f"pmtui_bench_edits_{tag}"))
    else:
        with pg_server() as server:
            run("PostgreSQL", lambda tag: create_db(server, f"pmtui_bench_edits_{tag}"))


if __name__ == "__main__":
    main()
