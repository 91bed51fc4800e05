"""Evidence parsing speed (issue 13).

Goal of the issue: importing 100,000 JSON log lines into a review takes no longer than
3x importing the same lines as a pmtui-review document, measured side by side. The
store half of the import is not wired yet; this measures what parsing alone costs:
``pmtui.evidence.load`` on 100,000 JSON lines (pino/ECS/zap mixed) beside
``pmtui.domain.document.loads`` on a pmtui-review document holding the same 100,000 events,
in the same process and run, best of N. The floor (``json.loads`` of each line) shows
how much of the cost is only reading JSON.

    python benchmarks/bench_evidence.py [--lines 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pmtui import evidence
from pmtui.domain import document


def lines(n: int) -> list[str]:
    start = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    out = []
    for i in range(n):
        at = start + timedelta(milliseconds=37 * i)
        text = f"request {i} served in {i % 900} ms"
        match i % 3:
            case 0:  # pino: epoch milliseconds, numeric level
                out.append(json.dumps({"level": 30 + 10 * (i % 7 == 0), "time": int(at.timestamp() * 1000),
                                       "pid": 17, "hostname": "web-1", "msg": text}))
            case 1:  # ECS
                out.append(json.dumps({"@timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                                       "log.level": "info", "message": text, "ecs.version": "1.6.0"}))
            case _:  # zap: epoch seconds with a fraction
                out.append(json.dumps({"level": "info", "ts": at.timestamp(), "caller": "srv/main.go:88",
                                       "msg": text}))
    return out


def review_doc(events: list[evidence.EvidenceEvent]) -> bytes:
    doc = {
        "format": document.FORMAT,
        "title": "Checkout latency (benchmark)",
        "timeline": [
            {"at": document.format_timestamp(e.at), "text": e.text, "kind": e.kind.value, "source": e.source}
            for e in events
        ],
    }
    return json.dumps(doc).encode()


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "app.jsonl"
        text = "\n".join(lines(args.lines)) + "\n"
        path.write_text(text)
        batch = evidence.load([path])
        assert len(batch.events) == args.lines
        data = review_doc(list(batch.events))

        floor = best(lambda: [json.loads(line) for line in text.splitlines()], args.repeat)
        baseline = best(lambda: document.loads(data), args.repeat)
        parse = best(lambda: evidence.load([path]), args.repeat)
    n = f"{args.lines:,}"
    print(f"pmtui evidence parsing: {n} JSON log lines, best of {args.repeat}")
    rows = [
        (f"floor: json.loads of {n} lines", floor, ""),
        (f"baseline: document.loads, {n} events", baseline, f"{len(data) / 1e6:.1f} MB pmtui-review document"),
        (f"evidence.load, {n} JSON lines", parse,
         f"{parse / baseline:.2f}x the baseline (goal for the whole import: 3x)"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, seconds, note in rows:
        print(f"  {name.ljust(width)}  {seconds * 1000:8.0f} ms  {note}")


if __name__ == "__main__":
    main()
