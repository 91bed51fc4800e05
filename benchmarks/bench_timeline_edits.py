"""Edits on a long timeline (issue: seats, "refreshing only what changed").

Goal: on a 10,000-event timeline, a highlight (h), a quick add and a mark (with the
metrics it moves) each show within 1.5x the time they take on a 10-event timeline, on
SQLite and on PostgreSQL. (The big review starts --repeat events short of 10,000, the most
typed events a review holds, so that the quick adds fit.) Before seats, each reloaded the whole timeline: 338 ms vs
53 ms, 306 ms vs 75 ms, 249 ms vs 93 ms.

The app runs headless in this process (Textual's Pilot); each time is from the key
press until the table shows the change (checked every event-loop turn), median of
--repeat runs; both reviews are open at once and measured in turns (a round on each).

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
from contextlib import AsyncExitStack
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


class Timeline:
    """One review's Timeline in a headless app, measured a round at a time."""

    def __init__(self, url: str, events: int, repeat: int) -> None:
        self.url, self.events, self.repeat = url, events, repeat
        # a review holds at most 10,000 typed events (the format's limit): the big one starts
        # ``repeat`` short of it, so that every quick add fits and it ends at exactly 10,000
        self.start = events - repeat if events >= 10_000 else events
        self.out: dict[str, list[float]] = {"highlight": [], "quick add": [], "mark + metrics": []}

    async def open(self, stack: AsyncExitStack) -> None:
        from pmtui.app import PostmortemApp
        from pmtui.domain.document import loads
        from pmtui.store import Store
        from pmtui.widgets.timeline_table import TimelineTable

        self.store = Store.open(self.url)
        stack.callback(self.store.close)
        review_id = self.store.import_documents([loads(json.dumps(review(self.events, events=self.start)))])[0][0]
        self.app = app = PostmortemApp(self.store, review_id=review_id, screen="timeline", watch_interval=None)
        self.pilot = pilot = await stack.enter_async_context(app.run_test(size=(160, 45)))
        await app.workers.wait_for_complete()
        await pilot.pause()
        self.table = table = app.screen.query_one(TimelineTable)
        await until(pilot, lambda: len(table.rows) == self.start)
        table.focus()
        table.cursor = self.start // 2
        await pilot.pause()

    async def round(self, i: int) -> None:
        from pmtui.widgets.metrics_panel import MetricsPanel

        app, pilot, table, out = self.app, self.pilot, self.table, self.out
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
        error = app.screen.query_one("#quick-add-error")

        def added() -> bool:
            if error.display:
                raise RuntimeError(f"the quick add was refused: {error.render()}")
            return len(table.rows) == n + 1

        await until(pilot, added)
        out["quick add"].append(time.perf_counter() - t0)
        table.focus()
        table.cursor = (self.start // 3 + i * 7) % len(table.rows)
        await pilot.pause()

        panel = app.screen.query_one(MetricsPanel)
        target = table.selected
        t0 = time.perf_counter()
        await pilot.press("4")  # mark: mitigation (moves it here; the metrics follow)
        await until(pilot, lambda: "mitigated" in table.selected.marks and panel.marks.get("mitigated")
                    == target.at.astimezone(app.screen.zone))
        out["mark + metrics"].append(time.perf_counter() - t0)


async def measure(make_url, repeat: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Both reviews open at once, measured in turns (a round on 10 events, then one on
    10,000), so that a busy machine slows both alike."""
    small, big = Timeline(make_url("small"), 10, repeat), Timeline(make_url("big"), 10_000, repeat)
    async with AsyncExitStack() as stack:
        await small.open(stack)
        await big.open(stack)
        for i in range(repeat):
            await small.round(i)
            await big.round(i)
    return small.out, big.out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--url", help="a PostgreSQL server URL without the database (default: start one)")
    args = parser.parse_args()

    def run(name: str, make_url) -> None:
        small, big = asyncio.run(measure(make_url, args.repeat))
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
