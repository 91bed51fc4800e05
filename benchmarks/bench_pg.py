"""PostgreSQL beside SQLite (issue: one store for the whole team).

Goals, on a PostgreSQL server on this machine, each measured side by side with the
same work on SQLite in the same run:
  - `pmtui import` of 1,000 review files in one call: within 2x of SQLite
  - `pmtui list` of 1,000 reviews: within 2x of SQLite
  - opening a review's timeline with 10,000 events (Store.events): within 1.5x of SQLite

    python benchmarks/bench_pg.py [--reviews 1000] [--events 10000] [--url postgresql://…]

Without --url it starts a throw-away server with Debian's initdb/pg_ctl (as the
`postgres` user when run as root) on a free port of 127.0.0.1 and removes it after.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _common import pmtui, review, run

PASSWORD = "bench-pw"


@contextmanager
def pg_server() -> Iterator[str]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        sys.exit("bench_pg: no PostgreSQL server here (apt-get install postgresql), or pass --url")
    bindir = Path(found[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="pmtui-bench-pg-"))
    pre = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if pre:
        shutil.chown(folder, "postgres", "postgres")
    (folder / "pw").write_text(PASSWORD + "\n")
    if pre:
        shutil.chown(folder / "pw", "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = folder / "data"
    subprocess.run([*pre, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
                    "--auth-host=scram-sha-256", f"--pwfile={folder / 'pw'}", "-E", "UTF8"], check=True,
                   capture_output=True)
    # default durability settings: the comparison is with SQLite's synchronous=FULL
    subprocess.run([*pre, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}"
    finally:
        subprocess.run([*pre, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def create_db(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def timeline_seconds(sqlite_url: str, pg_url: str, events: int, repeat: int = 15) -> tuple[float, float]:
    """Best time of Store.events on a review with ``events`` events, on each store, in
    one process, the two measured in turns (a busy machine slows both alike)."""
    code = f"""
import json, sys, time
from pmtui.domain.document import loads
from pmtui.store import Store
doc = loads(json.dumps(json.load(open(sys.argv[1]))))
stores = [Store.open(u) for u in ({sqlite_url!r}, {pg_url!r})]
ids = [s.import_documents([doc])[0][0] for s in stores]
for s, rid in zip(stores, ids):
    s.events(rid)  # warm: engine, schema check, first connection
best = [1e9, 1e9]
for _ in range({repeat}):
    for k, (s, rid) in enumerate(zip(stores, ids)):
        t0 = time.perf_counter()
        s.events(rid)
        best[k] = min(best[k], time.perf_counter() - t0)
print(best[0], best[1])
"""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(review(0, events=events), fh)
    try:
        out = subprocess.run([sys.executable, "-c", code, fh.name], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(fh.name)
    a, b = out.strip().splitlines()[-1].split()
    return float(a), float(b)


def list_seconds(url: str, repeat: int = 5) -> float:
    """Best time of Store.list_reviews in a process that has the store open already."""
    code = f"""
import time
from pmtui.store import Store
store = Store.open({url!r})
store.list_reviews()
best = min((lambda t0: (store.list_reviews(), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range({repeat}))
print(best)
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reviews", type=int, default=1000)
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--url", help="a PostgreSQL server URL without the database (postgresql://user:pw@host:port)")
    args = ap.parse_args()
    n = args.reviews
    with tempfile.TemporaryDirectory() as tmp, (contextmanager(lambda: iter([args.url]))() if args.url else pg_server()) as server:
        folder = Path(tmp)
        files = []
        for i in range(n):
            path = folder / f"r{i:04d}.json"
            path.write_text(json.dumps(review(i)))
            files.append(str(path))
        sqlite = str(folder / "store.db")
        pg = create_db(server, "pmtui_bench")
        shown = pg.split("@")[-1]
        print(f"pmtui PostgreSQL benchmark: {n} reviews, {args.events} events; PostgreSQL at {shown}")
        rows = []
        t_sq = run(pmtui("--db", sqlite, "import", *files), repeat=1)
        t_pg = run(pmtui("--db", pg, "import", *files), repeat=1)
        rows.append((f"import {n} files (one call)", t_sq, t_pg, 2.0))
        t_sq = run(pmtui("--db", sqlite, "list"))
        t_pg = run(pmtui("--db", pg, "list"))
        rows.append((f"pmtui list ({n} reviews, whole process)", t_sq, t_pg, 2.0))
        rows.append((f"Store.list_reviews ({n} reviews, store open)", list_seconds(sqlite), list_seconds(pg), 2.0))
        t_sq, t_pg = timeline_seconds(str(folder / "timeline.db"), create_db(server, "pmtui_bench_timeline"), args.events)
        rows.append((f"timeline of {args.events} events (Store.events)", t_sq, t_pg, 1.5))
        width = max(len(r[0]) for r in rows)
        print(f"  {'':{width}}  {'SQLite':>9}  {'PostgreSQL':>10}  ratio  goal")
        for name, a, b, goal in rows:
            ratio = b / a
            verdict = "ok" if ratio <= goal else "MISSED"
            print(f"  {name:{width}}  {a * 1000:7.0f}ms  {b * 1000:8.0f}ms  {ratio:5.2f}  <= {goal}x {verdict}")
        print("  (a whole `pmtui list` process on SQLite needs only the standard library; on PostgreSQL it\n"
              "   loads psycopg and SQLAlchemy first, which alone costs more than SQLite's whole run)")


if __name__ == "__main__":
    main()
