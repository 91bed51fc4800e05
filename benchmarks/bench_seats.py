"""Seats (issue: everyone in the review live): how long a note from one seat takes to
show in another, and what an idle seat costs, on SQLite and on PostgreSQL.

Goals:
  - a note captured by one seat shows in another seat's notes panel within 1 s on
    SQLite (PRAGMA data_version, polled every 0.5 s) and within 0.5 s on PostgreSQL
    (LISTEN/NOTIFY): median and 95th percentile over 20 notes;
  - an idle seat (a review open, nothing happening) costs under 1% of one core.

Seat B is a whole pmtui app (PostmortemApp, headless) in its own process on the
timeline of the demo review; seat A is this process, adding notes through its own
Store at irregular intervals (so that the polling phase is not always the same). B
prints the moment each note first appears in its notes panel; the latency is that
minus the moment A's commit returned (one machine, one clock). The idle seat is the
same app left alone for 20 s; its CPU time comes from /proc.

    python benchmarks/bench_seats.py [--notes 20] [--idle 20] [--url postgresql://…]

Without --url a throw-away PostgreSQL server is started (see bench_pg.py).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pg import create_db, pg_server

SEAT = r"""
import sys, time
from pmtui.app import PostmortemApp
from pmtui.store import Store
from pmtui.widgets.notes_panel import NotesPanel

store = Store.open(sys.argv[1])
store.actor = "Jonas Weber"
review_id = int(sys.argv[2])
seen = set()
original = NotesPanel.reload

def reload(self):
    original(self)
    now = time.time()
    for n in self.notes:
        if n["id"] not in seen:
            seen.add(n["id"])
            print(f"seen {n['text']} {now:.6f}", flush=True)

NotesPanel.reload = reload

import pmtui.app
from pathlib import Path

class Seat(PostmortemApp):
    CSS_PATH = str(Path(pmtui.app.__file__).with_name("pmtui.tcss"))

    def on_ready(self):
        print("ready", flush=True)

app = Seat(store, review_id=review_id, screen="timeline")
app.run(headless=True, size=(160, 45))
"""


def demo_store(url: str) -> int:
    from importlib.resources import files

    from pmtui.domain.document import loads
    from pmtui.store import Store

    store = Store.open(url)
    try:
        return store.import_documents([loads(files("pmtui").joinpath("data/demo-review.json").read_bytes())])[0][0]
    finally:
        store.close()


def start_seat(url: str, review_id: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SEAT, url, str(review_id)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, bufsize=1)
    for line in proc.stdout:  # type: ignore[union-attr]
        if line.startswith("ready"):
            break
    else:
        sys.exit("bench_seats: the seat process did not start")
    time.sleep(1.0)  # the first panel fill and the first watch poll
    return proc


def note_latency(url: str, review_id: int, notes: int) -> list[float]:
    from datetime import datetime

    from pmtui.store import Store

    proc = start_seat(url, review_id)
    store = Store.open(url)
    store.actor = "Amara Okafor"
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    import threading

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            parts = line.split()
            if parts and parts[0] == "seen":
                seen[parts[1]] = float(parts[2])

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for i in range(notes):
            time.sleep(random.uniform(0.6, 1.4))
            text = f"bench-note-{i}"
            store.add_item("note", review_id, at=datetime.now().astimezone(), text=text, kind="note",
                           stage="context", author="Amara Okafor")
            sent[text] = time.time()
        deadline = time.time() + 5
        while len(seen) < len(sent) and time.time() < deadline:
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        store.close()
    missing = [t for t in sent if t not in seen]
    if missing:
        print(f"  {len(missing)} notes never showed: {missing[:3]}")
    return [seen[t] - sent[t] for t in sent if t in seen]


def idle_cpu(url: str, review_id: int, seconds: float) -> float:
    """Share of one core an idle seat uses (CPU seconds / wall seconds)."""
    proc = start_seat(url, review_id)
    tick = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    try:
        time.sleep(2)
        c0, t0 = cpu(), time.time()
        time.sleep(seconds)
        c1, t1 = cpu(), time.time()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return (c1 - c0) / (t1 - t0)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--url", help="a PostgreSQL server URL without the database (default: start one)")
    args = parser.parse_args()
    random.seed(11)

    def measure(name: str, url: str, goal: float) -> None:
        review_id = demo_store(url)
        lat = note_latency(url, review_id, args.notes)
        cpu = idle_cpu(url, review_id, args.idle)
        med, worst = statistics.median(lat), p95(lat)
        print(f"{name:10}  note latency over {len(lat)} notes: median {med * 1000:5.0f} ms, p95 {worst * 1000:5.0f} ms "
              f"(goal {goal * 1000:.0f} ms: {'met' if worst <= goal else 'NOT met'});  "
              f"idle seat: {cpu * 100:.2f}% of a core (goal < 1%: {'met' if cpu < 0.01 else 'NOT met'})")

    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", str(Path(folder) / "seats.db"), 1.0)
    if args.url:
        measure("PostgreSQL", create_db(args.url, "pmtui_bench_seats"), 0.5)
    else:
        with pg_server() as server:
            measure("PostgreSQL", create_db(server, "pmtui_bench_seats"), 0.5)


if __name__ == "__main__":
    main()
