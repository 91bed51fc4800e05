"""Helpers for the benchmarks: time whole pmtui processes, best of N, side by side."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = json.loads((ROOT / "src" / "pmtui" / "data" / "demo-review.json").read_text())


def run(args: list[str], env: dict[str, str] | None = None, repeat: int = 3) -> float:
    """Best wall-clock time of a process over ``repeat`` runs (seconds)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env={**os.environ, **(env or {})})
        times.append(time.perf_counter() - start)
    return min(times)


def pmtui(*args: str) -> list[str]:
    return [sys.executable, "-m", "pmtui", *args]


def review(i: int, events: int = 10, typed: int | None = None) -> dict:
    """A variation of the example review, with ``events`` timeline events; with ``typed``,
    the events after the first ``typed`` are imported evidence (a log's lines, each with a
    ``source_id``), as a long timeline is: a review holds at most 10,000 typed events."""
    doc = json.loads(json.dumps(EXAMPLE))
    doc["title"] = f"{EXAMPLE['title']} #{i}"
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=i % 365)
    base = doc["timeline"]
    doc["timeline"] = []
    for n in range(events):
        e = dict(base[n % len(base)])
        e["at"] = (start + timedelta(seconds=20 * n)).isoformat().replace("+00:00", "Z")
        e["text"] = f"{e['text']} ({n})"
        e["marks"] = base[n]["marks"] if n < len(base) and "marks" in base[n] else []
        if typed is not None and n >= typed:
            e["source"], e["source_id"], e["kind"] = "log:app.jsonl", f"line-{n}", "event"
        doc["timeline"].append(e)
    return doc


def table(rows: list[tuple[str, float, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    for name, seconds, note in rows:
        print(f"  {name.ljust(width)}  {seconds * 1000:8.0f} ms  {note}")


__all__ = ["run", "pmtui", "review", "table", "statistics"]
