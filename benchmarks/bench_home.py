"""The home screen with 100,000 reviews against 10, side by side in the same run (in a
pseudo-terminal, best of N):

- first frame (the header), and the first screen of the list (its header row);
- keys while the list loads: text typed right after the first frame shows in the
  filter (the UI thread never freezes filling the list);
- filter-as-you-type over every review: a filter that matches nothing says so.

Goals (issue 23), each beside its baseline in the same run:
- the 100,000-review first screen of rows within 2x the first frame of a bare Textual
  app (a header, one line, a footer), runs alternated (bare, home, bare, home...);
- the 100,000-review first screen within about half a second of the 10-review one
  (the newest 100 reviews are read first, the whole list follows);
- typed keys shown at once in both (within 100 ms of the keys, issue 23's bound for a
  blocked keystroke);
- memory per review held by the loaded list (resident memory once the whole list is
  read: 100,000 reviews less 10, over the difference) at most half of what it was:
  the code before, given with --before SRC (a checkout's src/ folder), is measured
  in the same run; without it the figure recorded before the change (2,726 bytes per
  review, 260 MiB for 100,000, issue 23) stands in.
The script exits 1 when a goal is missed. Frames are read from the emulated screen
(bench_app.wait_for: pyte), not from the bytes the app writes.

The big store is built fast: 1,000 reviews imported with pmtui, then copied in SQL
(the copies have no events; the list, its order and the filter are the same work).

    python benchmarks/bench_home.py [--reviews 100000] [--repeat 3] [--before /tmp/before/src]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

from _common import pmtui
from bench_app import BARE_APP, BARE_FRAME, wait_for

HEADER = "pmtui — blameless"  # the first frame: the header's title
LISTED = ("Date       Title", "of the queue backlog")  # the list's heading row and its reviews
NO_MATCH = "No review matches"
GOAL_FIRST_SCREEN = 0.5  # seconds the big store's first screen may add
GOAL_KEYS = 0.1  # seconds from typed keys to their being shown
GOAL_BARE = 2.0  # the big store's first screen of rows, over the bare app's first frame
RECORDED_PER_REVIEW = 260 * 2**20 / 100_000  # bytes per review before issue 23 (when --before is not given)


def best(runs: list[list[float]]) -> list[float]:
    """The best time of each step over the runs."""
    return [min(step) for step in zip(*runs)]


sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def make_store(path: Path, count: int) -> None:
    from pmtui.domain.document import FORMAT, validate_document
    from pmtui.store import Store

    store = Store.open(path)
    base = min(count, 1000)
    store.import_documents([validate_document({
        "format": FORMAT, "title": f"Review {i} of the queue backlog",
        "timeline": [{"at": f"2026-01-{1 + i % 28:02d}T10:{i % 60:02d}:00Z", "text": "Alert fired"}]})
        for i in range(base)])
    store.close()
    if count > base:
        con = sqlite3.connect(path)
        cols = [r[1] for r in con.execute("PRAGMA table_info(review)") if r[1] != "id"]
        copied = {"slug": "slug || '-c' || k.n", "title": "title || ' copy ' || k.n",
                  "uid": "lower(hex(randomblob(16)))"}  # each review's stable id is its own (unique)
        select = ", ".join(copied.get(c, f'"{c}"') for c in cols)
        con.execute("CREATE TEMP TABLE k(n INTEGER)")
        con.executemany("INSERT INTO k VALUES (?)", [(i,) for i in range(1, (count - base) // base + 1)])
        con.execute(f"INSERT INTO review ({', '.join(repr(c).replace(chr(39), chr(34)) for c in cols)}) "
                    f"SELECT {select} FROM review, k")
        con.commit()
        con.close()


def as_before(path: Path, before_src: str, out: Path) -> Path:
    """A copy of the store as the code before lays it out: without the home list's kept
    order (review_order, schema 11) and at that code's schema number."""
    import shutil

    shutil.copy(path, out)
    version = max(int(p.name[:4]) for p in (Path(before_src) / "pmtui/store/migrations/versions").glob("[0-9]*_*.py"))
    con = sqlite3.connect(out)
    for kind, name in con.execute("SELECT type, name FROM sqlite_master WHERE tbl_name = 'review_order' "
                                  "AND type IN ('trigger', 'table')").fetchall():
        con.execute(f"DROP {kind.upper()} IF EXISTS {name}")
    for (_kind, name) in con.execute("SELECT type, name FROM sqlite_master WHERE type = 'trigger' "
                                    "AND name LIKE 'review_order%'").fetchall():
        con.execute(f"DROP TRIGGER IF EXISTS {name}")
    con.execute("UPDATE alembic_version SET version_num = ?", (f"{version:04d}",))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    con.execute(f"PRAGMA user_version = {version}")
    con.commit()
    con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reviews", type=int, default=100_000)
    ap.add_argument("--before", help="src/ folder of the code before (memory baseline measured in the same run)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp) / "small.db", Path(tmp) / "big.db"
        make_store(small, 10)
        make_store(big, args.reviews)
        n_big = sqlite3.connect(big).execute("SELECT COUNT(*) FROM review").fetchone()[0]
        env = {"PMTUI_CONFIG": str(Path(tmp) / "config.toml")}
        rows = {}
        for name, db in (("10", small), (f"{n_big:,}", big)):
            shown = best([wait_for(pmtui("--db", str(db)), [HEADER, LISTED], [(b"zzqq", NO_MATCH)], env=env)
                          for _ in range(args.repeat)])
            typed = best([wait_for(pmtui("--db", str(db)), [HEADER], [(b"qz", "qz")], env=env)
                          for _ in range(args.repeat)])
            rows[name] = shown + typed[1:]
        # beside a bare Textual app, alternated, medians
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        wait_for([sys.executable, str(bare)], [BARE_FRAME])
        bare_t, home_t = [], []
        for _ in range(max(args.repeat, 5)):
            bare_t.append(wait_for([sys.executable, str(bare)], [BARE_FRAME])[0])
            home_t.append(wait_for(pmtui("--db", str(big)), [LISTED], env=env)[0])
        bare_med, h = statistics.median(bare_t), statistics.median(home_t)
        # memory held by the whole list: resident memory once it is read (the filter says
        # "No review matches" only then), big store less small store
        mem = {}
        for name, src in (("now", None), ("before", args.before)):
            if name == "before" and not src:
                continue
            run_env = {**env, **({"PYTHONPATH": src} if src else {})}
            got = {}
            stores = (("small", small), ("big", big)) if not src else (
                ("small", as_before(small, src, Path(tmp) / "small-before.db")),
                ("big", as_before(big, src, Path(tmp) / "big-before.db")))
            for label, db in stores:
                rss: list[int] = []
                wait_for(pmtui("--db", str(db)), [HEADER], [(b"zzqq", NO_MATCH)], env=run_env, rss=rss)
                got[label] = rss[-1]
            mem[name] = (got["big"] - got["small"]) / (n_big - 10)
        print(f"home screen in a pseudo-terminal (best of {args.repeat}), 10 reviews vs {n_big:,}")
        labels = ["first frame (header)", "first screen of the list", "filter over all: no match said",
                  "keys typed while loading: shown"]
        small_t, big_t = rows["10"], rows[f"{n_big:,}"]
        for label, a, b in zip(labels, small_t, big_t):
            print(f"  {label:34} {a * 1000:7.0f} ms  {b * 1000:7.0f} ms  (+{(b - a) * 1000:.0f} ms)")
        added = big_t[1] - small_t[1]
        keys = max(small_t[3], big_t[3])
        print(f"  first screen of the list, {n_big:,} vs 10: +{added * 1000:.0f} ms "
              f"(goal <= +{GOAL_FIRST_SCREEN * 1000:.0f} ms)")
        print(f"  keys typed while loading, slower of the two: {keys * 1000:.0f} ms (goal <= {GOAL_KEYS * 1000:.0f} ms)")
        print(f"  baseline: bare Textual app, first frame (median)  {bare_med * 1000:7.0f} ms")
        print(f"  {n_big:,} reviews: first screen of rows (median)  {h * 1000:7.0f} ms  ratio {h / bare_med:.2f} "
              f"(goal <= {GOAL_BARE})")
        before = mem.get("before", RECORDED_PER_REVIEW)
        said = "measured with --before" if "before" in mem else "recorded before issue 23"
        print(f"  memory per review held by the list: {mem['now']:,.0f} bytes; before {before:,.0f} ({said}); "
              f"ratio {mem['now'] / before:.2f} (goal <= 0.5)")
        missed = [what for what, ok in (("first screen", added <= GOAL_FIRST_SCREEN), ("typed keys", keys <= GOAL_KEYS),
                                        ("rows vs bare", h / bare_med <= GOAL_BARE),
                                        ("memory per review", mem["now"] <= before / 2))
                  if not ok]
        if missed:
            print(f"  MISSED: {', '.join(missed)}")
            sys.exit(1)


if __name__ == "__main__":
    main()
