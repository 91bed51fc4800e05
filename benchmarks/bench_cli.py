"""Every command answers like a shell tool (issue 23): pmtui's read commands beside their
stdlib floor, and PostgreSQL beside SQLite, in the same run.

A command's *floor* is a plain script (python -I, the standard library only) that reads
the same rows with sqlite3 (every table the command reads, for the same reviews; event
times parsed, as any report must) and writes the same output (the bytes pmtui wrote,
captured once first). Each figure is CPU time (user + system) of the whole process,
median of paired runs (floor and pmtui one after the other, so load hits both alike);
wall time beside it.

Goals (the script exits 1 when one is missed):
- `export` (JSON), `export --format md`, `check`, `actions`, `patterns`, `list` on small
  data (--reviews reviews of 10 events): within 5x their floor on SQLite;
- the same commands on PostgreSQL (a throw-away server, as bench_pg starts it): within 2x
  of SQLite (--no-pg leaves it out);
- `export --format md` and `check` of a review with --events events (7 typed, the rest
  imported evidence): within 3x their floor.

    python benchmarks/bench_cli.py [--reviews 10] [--events 100000] [--repeat 5] [--no-pg] [--no-big] [--no-small]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import pmtui, review

FLOOR = r'''
import json, sqlite3, sys
from datetime import datetime
spec = json.loads(sys.argv[1])
con = sqlite3.connect(spec["db"])
con.execute("BEGIN")
for sql, times in spec["sql"]:
    rows = con.execute(sql).fetchall()
    for row in rows:
        for i in times:
            if row[i]:
                datetime.fromisoformat(row[i])
con.close()
with open(spec["out"], "rb") as fh:
    sys.stdout.buffer.write(fh.read())
'''

# what each command reads: (SQL, indexes of time columns to parse); {ids}: the reviews it reads
_TABLES = ("author", "participant", "link", "tag", "component", "factor", "observation", "learning", "action_item",
           "note", "related")
ONE_REVIEW = [("SELECT * FROM review WHERE id IN ({ids})", []),
              *[(f"SELECT * FROM {t} WHERE review_id IN ({{ids}})", []) for t in _TABLES],
              ("SELECT id, at_utc, offset_min, text, kind, source, source_id, original, approximate, highlight, "
               "confirmed FROM event WHERE review_id IN ({ids}) ORDER BY at_utc, seq, id", [1]),
              ("SELECT event_id, mark FROM event_mark WHERE review_id IN ({ids})", []),
              ("SELECT note_id, target_kind, target_id FROM note_link WHERE review_id IN ({ids})", [])]
LIST = [("SELECT r.id, r.slug, r.title, r.status, r.severity, r.timezone, r.created_at, "
         "(SELECT MIN(at_utc) FROM event e WHERE e.review_id = r.id), "
         "(SELECT COUNT(*) FROM action_item a WHERE a.review_id = r.id AND a.status IN ('open', 'in_progress')) "
         "FROM review r", [7])]
ACTIONS = [("SELECT a.*, r.slug, r.title FROM action_item a JOIN review r ON r.id = a.review_id", []),
           ("SELECT review_id, name FROM tag", [])]
PATTERNS = [("SELECT id, slug, title, severity, timezone, review_date, created_at, updated_at FROM review", []),
            ("SELECT review_id, name FROM tag", []),
            ("SELECT review_id, MIN(at_utc) FROM event GROUP BY review_id", [1]),
            ("SELECT em.review_id, em.mark, e.at_utc, e.offset_min FROM event_mark em JOIN event e ON e.id = em.event_id",
             [2]),
            ("SELECT review_id, name FROM component", []), ("SELECT review_id, text, category FROM factor", []),
            ("SELECT review_id, text FROM learning", []), ("SELECT review_id, ref FROM related", []),
            ("SELECT a.*, r.slug, r.title FROM action_item a JOIN review r ON r.id = a.review_id", [])]

COMMANDS = {  # name -> (pmtui arguments, what the floor reads, exit statuses that are no failure)
    "export json": (["export", "{ref}"], ONE_REVIEW, (0,)),
    "export md": (["export", "{ref}", "--format", "md"], ONE_REVIEW, (0,)),
    "check": (["check", "{ref}"], ONE_REVIEW, (0, 1)),
    "actions": (["actions"], ACTIONS, (0,)),
    "patterns": (["patterns"], PATTERNS, (0,)),
    "list": (["list"], LIST, (0,)),
}


def cpu_run(args: list[str], ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(args, stdout=subprocess.DEVNULL, env={**os.environ, **(env or {})}).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code not in ok:
        raise RuntimeError(f"{' '.join(args)} exited {code}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def paired(a: list[str], b: list[str], repeat: int, ok: tuple[int, ...]) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (CPU, wall) of ``a`` and of ``b``, run in pairs."""
    ra, rb = [], []
    cpu_run(a, ok), cpu_run(b, ok)  # warm the file cache
    for _ in range(repeat):
        ra.append(cpu_run(a, ok))
        rb.append(cpu_run(b, ok))
    med = statistics.median
    return (med(r[0] for r in ra), med(r[1] for r in ra)), (med(r[0] for r in rb), med(r[1] for r in rb))


def floor_args(folder: Path, name: str, db: Path, ids: str, reads: list[tuple[str, list[int]]], output: bytes) -> list[str]:
    out = folder / f"{name.replace(' ', '_')}.out"
    out.write_bytes(output)
    spec = {"db": str(db), "out": str(out), "sql": [(sql.format(ids=ids), t) for sql, t in reads]}
    return [sys.executable, "-I", "-c", FLOOR, json.dumps(spec)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reviews", type=int, default=10)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-big", action="store_true")
    ap.add_argument("--no-small", action="store_true", help="only the long review")
    args = ap.parse_args()
    import pmtui as package

    # an installed package runs from compiled bytecode (as bench_app does: compile first)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(package.__file__).parent)], check=True,
                   stdout=subprocess.DEVNULL)
    missed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {"PMTUI_CONFIG": str(folder / "config.toml")}
        os.environ.update(env)
        files = []
        for i in range(args.reviews):
            p = folder / f"r{i}.json"
            p.write_text(json.dumps(review(i)))
            files.append(str(p))
        db = folder / "small.db"
        subprocess.run(pmtui("--db", str(db), "import", *files), check=True, stdout=subprocess.DEVNULL)
        ids = ",".join(str(i) for i in range(1, args.reviews + 1))
        print(f"pmtui's read commands beside their stdlib floor: CPU ms (user+system), median of {args.repeat} "
              f"paired runs; wall ms in brackets. Small data: {args.reviews} reviews of 10 events")
        for name, (cmd, reads, ok) in COMMANDS.items() if not args.no_small else ():
            argv = [a.format(ref="1") for a in cmd]
            output = subprocess.run(pmtui("--db", str(db), *argv), capture_output=True).stdout
            floor = floor_args(folder, name, db, "1" if "{ref}" in cmd else ids, reads, output)
            (fc, fw), (pc, pw) = paired(floor, pmtui("--db", str(db), *argv), args.repeat, ok)
            ratio = pc / fc
            mark = "" if ratio <= 5 else "  MISSED"
            if ratio > 5:
                missed.append(f"{name} (SQLite) {ratio:.1f}x floor")
            print(f"  {name:<12} floor {fc * 1000:6.0f} ({fw * 1000:4.0f})   pmtui {pc * 1000:6.0f} ({pw * 1000:4.0f})"
                  f"   ratio {ratio:4.1f} (goal <= 5){mark}")
        if not args.no_pg and not args.no_small:
            from bench_pg import pg_server

            with pg_server() as url:
                pg = f"{url}/postgres"
                subprocess.run(pmtui("--db", pg, "import", *files), check=True, stdout=subprocess.DEVNULL)
                print("  PostgreSQL beside SQLite, same commands and data (CPU ms; wall in brackets)")
                for name, (cmd, _reads, ok) in COMMANDS.items():
                    argv = [a.format(ref="1") for a in cmd]
                    (sc, sw), (qc, qw) = paired(pmtui("--db", str(db), *argv), pmtui("--db", pg, *argv),
                                                args.repeat, ok)
                    ratio = qc / sc
                    mark = "" if ratio <= 2 else "  MISSED"
                    if ratio > 2:
                        missed.append(f"{name} (PostgreSQL) {ratio:.1f}x SQLite")
                    print(f"  {name:<12} SQLite {sc * 1000:6.0f} ({sw * 1000:4.0f})   PostgreSQL {qc * 1000:6.0f} "
                          f"({qw * 1000:4.0f})   ratio {ratio:4.1f} (goal <= 2){mark}")
        if not args.no_big:
            big = folder / "big.json"
            big.write_text(json.dumps(review(1, events=args.events, typed=7)))
            bigdb = folder / "big.db"
            subprocess.run(pmtui("--db", str(bigdb), "import", str(big)), check=True, stdout=subprocess.DEVNULL)
            print(f"  a review of {args.events:,} events (7 typed, the rest imported evidence)")
            for name in ("export md", "check"):
                cmd, reads, ok = COMMANDS[name]
                argv = [a.format(ref="1") for a in cmd]
                output = subprocess.run(pmtui("--db", str(bigdb), *argv), capture_output=True).stdout
                floor = floor_args(folder, f"big {name}", bigdb, "1", reads, output)
                (fc, fw), (pc, pw) = paired(floor, pmtui("--db", str(bigdb), *argv), max(3, args.repeat // 2), ok)
                ratio = pc / fc
                mark = "" if ratio <= 3 else "  MISSED"
                if ratio > 3:
                    missed.append(f"{name} at {args.events:,} events {ratio:.1f}x floor")
                print(f"  {name:<12} floor {fc * 1000:6.0f} ({fw * 1000:4.0f})   pmtui {pc * 1000:6.0f} "
                      f"({pw * 1000:4.0f})   ratio {ratio:4.1f} (goal <= 3){mark}")
    if missed:
        print("MISSED: " + "; ".join(missed))
        sys.exit(1)
    print("every goal met")


if __name__ == "__main__":
    main()
