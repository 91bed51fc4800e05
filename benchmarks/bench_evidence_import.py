"""Evidence import speed, end to end (issue 13), each beside its baseline in the same run.

1. Importing 100,000 JSON log lines into a review (`pmtui evidence`: parse, dedupe
   against the review, one bulk insert) takes no longer than 3x importing the same
   events as a pmtui-review document (`pmtui import`: parse, validate, one bulk insert).
   The document holds the same 100,000 events (time, text, kind, source, source id and
   original line); it is past the 10,000-event limit of `pmtui import`, so the baseline
   validates it with the document model directly (the same validation minus the size
   check) and imports it with the same store call `pmtui import` makes.
2. The Timeline of a review with 100,000 (imported) events opens within 1.5x the time of
   a 10-event review: in-process with Textual's Pilot, from starting the app on the
   Timeline until the table holds every row; then moving the cursor stays instant: End,
   Home, PageDown, PageDown, PageUp, Down, End, Up in turn, each timed until the cursor
   is there and the screen drawn, side by side with the same keys on 10 events.

    python benchmarks/bench_evidence_import.py [--lines 100000] [--repeat 3] [--db URL-or-folder]
    python benchmarks/bench_evidence_import.py --timeline-only   # the Timeline half only
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import table
from pmtui import evidence
from pmtui.domain import document
from pmtui.evidence import gather
from pmtui.store import Store


def log_lines(n: int) -> str:
    start = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    out = []
    for i in range(n):
        at = start + timedelta(milliseconds=37 * i)
        text = f"request {i} served in {i % 900} ms"
        match i % 3:
            case 0:  # pino
                out.append(json.dumps({"level": 30, "time": int(at.timestamp() * 1000), "pid": 17, "msg": text}))
            case 1:  # ECS
                out.append(json.dumps({"@timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                                       "log.level": "info", "message": text, "ecs.version": "1.6.0"}))
            case _:  # zap
                out.append(json.dumps({"level": "info", "ts": at.timestamp(), "caller": "srv/main.go:88", "msg": text}))
    return "\n".join(out) + "\n"


def as_document(events: tuple[evidence.EvidenceEvent, ...]) -> bytes:
    return json.dumps({
        "format": document.FORMAT, "title": "Checkout latency (document baseline)",
        "timeline": [{"at": document.format_timestamp(e.at), "text": e.text, "kind": e.kind.value, "source": e.source,
                      "source_id": e.source_id, "original": e.original} for e in events],
    }).encode()


def timed(fn) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


KEYS = ("end", "home", "pagedown", "pagedown", "pageup", "down", "end", "up")


def _table_cursor(app):
    from pmtui.widgets.timeline_table import TimelineTable

    tables = app.screen.query(TimelineTable)
    return tables.first() if tables else None


def open_timeline(store: Store, review_id: int, rows: int) -> tuple[float, list[float]]:
    """Seconds until the Timeline shows every row; then the seconds of each key in KEYS
    until the cursor is where the key puts it and the screen is drawn."""
    from pmtui.app import PostmortemApp

    async def go() -> tuple[float, list[float]]:
        app = PostmortemApp(store, review_id=review_id, screen="timeline", watch_interval=None)
        start = time.perf_counter()
        async with app.run_test(size=(160, 45)) as pilot:
            while True:
                t = _table_cursor(app)
                if t is not None and len(t.rows) == rows:
                    break
                await pilot.pause(0.005)
            shown = time.perf_counter() - start
            await pilot.pause()
            keys = []
            for key in KEYS:
                before = t.cursor
                start = time.perf_counter()
                await pilot.press(key)
                # where the key goes: wait until the cursor has moved there (or could not move)
                for _ in range(5000):
                    if t.cursor != before or (key in ("home", "pageup", "up") and before == 0) \
                            or (key in ("end", "pagedown", "down") and before == rows - 1):
                        break
                    await pilot.pause(0.001)
                await pilot.pause()
                keys.append(time.perf_counter() - start)
            return shown, keys

    return asyncio.run(go())


def timeline_speed(store: Store, small: int, big: int, lines: int, repeat: int) -> None:
    n = f"{lines:,}"
    open_timeline(store, small, 10)  # warm up Textual's imports
    s_runs = [open_timeline(store, small, 10) for _ in range(repeat)]
    b_runs = [open_timeline(store, big, lines) for _ in range(repeat)]
    s_show, b_show = min(r[0] for r in s_runs), min(r[0] for r in b_runs)
    print(f"Timeline opened in-process with Pilot at 160x45, best of {repeat}")
    rows = [("baseline: timeline of 10 events shown", s_show, ""),
            (f"timeline of {n} imported events shown", b_show, f"{b_show / s_show:.2f}x the baseline (goal <= 1.5x)")]
    print_table = table
    print_table(rows)
    print("Keys in order (each: press until the cursor is there and the screen drawn), best of the runs")
    rows = []
    for k, key in enumerate(KEYS):
        s_key, b_key = min(r[1][k] for r in s_runs), min(r[1][k] for r in b_runs)
        rows.append((f"{k + 1}. {key:8s} 10 events", s_key, ""))
        rows.append((f"{k + 1}. {key:8s} {n} events", b_key, f"{b_key / s_key:.2f}x (goal <= 1.5x)"))
    print_table(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", help="a postgresql:// URL to measure on PostgreSQL (default: SQLite files)")
    ap.add_argument("--timeline-only", action="store_true",
                    help="skip the import timing: build the review once and time the Timeline only")
    args = ap.parse_args()
    n = f"{args.lines:,}"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "app.jsonl"
        path.write_text(log_lines(args.lines))
        if args.timeline_only:
            store = Store.open(args.db or str(folder / "t.db"))
            big, _ = store.create_review("Checkout latency (evidence)", timezone="UTC")
            gather.add(store, gather.preview(store, big, [path]))
            small, _ = store.create_review("Ten events")
            for k in range(10):
                store.add_event(small, at=datetime(2026, 3, 10, 13, k, tzinfo=UTC), text=f"event {k}")
            timeline_speed(store, small, big, args.lines, args.repeat)
            store.close()
            return
        data = as_document(evidence.load([path]).events)

        def fresh(i: int) -> Store:
            return Store.open(args.db or str(folder / f"s{i}.db"))

        doc_times, ev_times = [], []
        for i in range(args.repeat):
            store = fresh(i)

            def by_document() -> None:
                doc = document.ReviewDoc.model_validate(json.loads(data))
                store.import_documents([doc])

            def by_evidence() -> None:
                rid, _ = store.create_review("Checkout latency (evidence)", timezone="UTC")
                plan = gather.preview(store, rid, [path])
                gather.add(store, plan)
                assert len(plan.new) == args.lines

            doc_times.append(timed(by_document))
            ev_times.append(timed(by_evidence))
            if i < args.repeat - 1:
                store.close()
        t_doc, t_ev = min(doc_times), min(ev_times)
        print(f"pmtui evidence import, {n} JSON log lines ({store.kind}), best of {args.repeat}")
        table([
            (f"baseline: pmtui-review document, {n} events", t_doc, f"{len(data) / 1e6:.1f} MB"),
            (f"pmtui evidence, {n} JSON lines", t_ev, f"{t_ev / t_doc:.2f}x the baseline (goal <= 3x)"),
        ])

        small, _ = store.create_review("Ten events")
        for k in range(10):
            store.add_event(small, at=datetime(2026, 3, 10, 13, k, tzinfo=UTC), text=f"event {k}")
        big = max((r for r in store.list_reviews() if r.title == "Checkout latency (evidence)"), key=lambda r: r.id).id
        timeline_speed(store, small, big, args.lines, args.repeat)
        store.close()


if __name__ == "__main__":
    main()
