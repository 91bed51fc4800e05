"""Import at scale (issue 23): over-limit files refused while streaming, and `import` of
10,000 files beside its stdlib floor, each against its baseline in the same run.

1. Refusing over-limit input costs what reading the limit's worth does, not what the file
   does (peak resident memory of the process, its VmHWM; CPU time user + system):
   - `pmtui import` of a document of 1,000,000 events (7 typed, the rest imported evidence:
     about 200 MB) beside a plain script (python -I, the standard library) that json-loads a
     document of the limit's worth (200,000 evidence events and the 7 typed ones): the
     least any reader of such a document holds. Goals: peak memory within 1.5x, CPU within 3x
     (pmtui's start is in it, and its parse keeps the whole-file rules: duplicate keys, NaN);
   - `pmtui evidence REVIEW log --dry-run` of a 1,000,000-line JSON log (refused past
     200,000, saying how many lines) beside the same dry run of 200,000 lines (accepted):
     goal: peak memory within 1.25x. Its time is shown: the refusal counts every line.
2. `pmtui import` of --files files (the example review varied, 10 events each) into a store
   beside its floor: a plain script that reads and json-parses the same files and inserts the
   same rows (read once from pmtui's own import, before timing) with sqlite3's executemany in
   one transaction, into the same empty store (its triggers, the search index, run as for
   pmtui). CPU time, median of --repeat paired runs. Goal: within 2x.

    python benchmarks/bench_import.py [--files 10000] [--repeat 3] [--events 1000000] [--no-limits] [--no-files]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pmtui, review

ENV = {k: v for k, v in os.environ.items() if k != "PMTUI_DB"}

# A process's peak memory is read from /proc (VmHWM, its high-water mark since exec): ru_maxrss of
# a child also counts the memory this script had when it forked it.
PEAK = ("def _peak():\n    import re\n    with open('/proc/self/status') as fh:\n"
        "        return int(re.search(r'VmHWM:\\s*(\\d+) kB', fh.read()).group(1))\n")
READ_FLOOR = PEAK + ("import json, sys\nwith open(sys.argv[1], 'rb') as f:\n    json.load(f)\n"
                     "sys.stderr.write('PEAK_KIB %d\\n' % _peak())\n")
PMTUI = PEAK + """
import sys
from pmtui.cli.main import main
code = 1
try:
    code = main(sys.argv[1:])
finally:
    sys.stderr.write("\\nPEAK_KIB %d\\n" % _peak())
sys.exit(code)
"""

IMPORT_FLOOR = r'''
import json, marshal, os, sqlite3, sys
with open(sys.argv[1]) as fh:
    spec = json.load(fh)
with open(spec["rows"], "rb") as fh:
    tables = marshal.loads(fh.read())
docs = []
for name in spec["files"]:
    with open(name, "rb") as fh:
        docs.append(json.loads(fh.read()))
con = sqlite3.connect(spec["db"], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
for table, cols, rows in tables:
    if rows:
        names = ", ".join('"%s"' % c for c in cols)
        con.executemany('INSERT INTO "%s" (%s) VALUES (%s)' % (table, names, ", ".join("?" * len(cols))), rows)
con.execute("COMMIT")
con.close()
'''

# every table an import writes, parents first (the search index and review_order are the triggers')
TABLES = ("review", "author", "participant", "link", "tag", "event", "component", "factor", "observation", "learning",
          "action_item", "note", "related", "meeting", "event_mark", "note_link", "change_log")


def run(args: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, float, float, str]:
    """(CPU seconds, wall seconds, peak RSS MiB, the last line it wrote to stderr) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    lines = [x for x in err.decode(errors="replace").splitlines() if x.strip()]
    peak = next((int(x.split()[1]) / 1024 for x in lines if x.startswith("PEAK_KIB ")), float("nan"))
    said = [x for x in lines if not x.startswith("PEAK_KIB ")]
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(args[:6])} ... exited {proc.returncode}: {said[-1:]}")
    return usage.ru_utime + usage.ru_stime, wall, peak, said[-1] if said else ""


def measured(*args: str) -> list[str]:
    """pmtui's command line, run so that it reports its own peak memory."""
    return [sys.executable, "-c", PMTUI, *args]


def write_document(path: Path, events: int) -> None:
    with path.open("w") as fh:
        json.dump(review(1, events=events, typed=7), fh)


def write_log(path: Path, lines: int) -> None:
    from bench_evidence_window import write_log as write

    write(path, lines)


def limits(folder: Path, events: int, missed: list[str]) -> None:
    big, limit = folder / "big.json", folder / "limit.json"
    write_document(big, events)
    write_document(limit, 200_000 + 7)
    print(f"1. over-limit input (CPU s, wall s, peak RSS MiB); documents of {events:,} events "
          f"({big.stat().st_size / 2**20:,.0f} MiB) and of the limit's worth ({limit.stat().st_size / 2**20:,.0f} MiB)")
    cpu_b, wall_b, rss_b, _ = run([sys.executable, "-I", "-c", READ_FLOOR, str(limit)])
    cpu_f, wall_f, rss_f, said = run(measured("--db", str(folder / "refused.db"), "import", str(big)), ok=(2,))
    print(f"  baseline: json.load of the limit's worth (stdlib)   {cpu_b:6.1f} {wall_b:6.1f} {rss_b:7.0f}")
    print(f"  pmtui import of {events:,} events (refused)     {cpu_f:6.1f} {wall_f:6.1f} {rss_f:7.0f}   {said[:150]}")
    cpu_w, _, rss_w, _ = run([sys.executable, "-I", "-c", READ_FLOOR, str(big)])
    print(f"  (for scale: json.load of the whole {events:,}-event file  {cpu_w:6.1f}        {rss_w:7.0f})")
    print(f"  refusing vs reading the limit's worth: peak memory {rss_f / rss_b:.2f}x (goal <= 1.5), "
          f"CPU {cpu_f / cpu_b:.2f}x (goal <= 3)")
    if "at most 200,000 imported evidence events" not in said:
        missed.append(f"the document was not refused for its evidence events: {said}")
    if rss_f > 1.5 * rss_b:
        missed.append(f"document refusal peak memory {rss_f / rss_b:.2f}x the limit's worth")
    if cpu_f > 3 * cpu_b:
        missed.append(f"document refusal CPU {cpu_f / cpu_b:.2f}x the limit's worth")
    big.unlink()

    log, limit_log = folder / "big.jsonl", folder / "limit.jsonl"
    write_log(log, events)
    write_log(limit_log, 200_000)
    db = str(folder / "evidence.db")
    subprocess.run(pmtui("--db", db, "new", "Checkout errors after a cache deploy", "--timezone", "UTC"), env=ENV,
                   check=True, stdout=subprocess.DEVNULL)
    cpu_b, wall_b, rss_b, _ = run(measured("--db", db, "evidence", "1", str(limit_log), "--dry-run"))
    cpu_f, wall_f, rss_f, said = run(measured("--db", db, "evidence", "1", str(log), "--dry-run"), ok=(2,))
    print(f"  baseline: evidence --dry-run of 200,000 lines          {cpu_b:6.1f} {wall_b:6.1f} {rss_b:7.0f}")
    print(f"  evidence --dry-run of {events:,} lines (refused)     {cpu_f:6.1f} {wall_f:6.1f} {rss_f:7.0f}   {said[:150]}")
    print(f"  refusing vs reading the limit's worth: peak memory {rss_f / rss_b:.2f}x (goal <= 1.25), "
          f"CPU {cpu_f / cpu_b:.2f}x (every line is read and counted)")
    if "more than the 200,000 a review can hold" not in said:
        missed.append(f"the log was not refused past 200,000: {said}")
    if rss_f > 1.25 * rss_b:
        missed.append(f"evidence refusal peak memory {rss_f / rss_b:.2f}x the limit's worth")


def dump_rows(db: Path, out: Path) -> None:
    import marshal
    import sqlite3

    con = sqlite3.connect(db)
    tables = []
    for table in TABLES:
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        quoted = ", ".join(f'"{c}"' for c in cols)
        tables.append((table, cols, con.execute(f'SELECT {quoted} FROM "{table}" ORDER BY rowid').fetchall()))
    con.close()
    out.write_bytes(marshal.dumps(tables))


def files(folder: Path, n: int, repeat: int, missed: list[str]) -> None:
    docs = folder / "files"
    docs.mkdir()
    names = []
    for i in range(n):
        p = docs / f"r{i:05d}.json"
        p.write_text(json.dumps(review(i)))
        names.append(str(p))
    empty = folder / "empty.db"
    subprocess.run(pmtui("--db", str(empty), "list"), env=ENV, check=True, stdout=subprocess.DEVNULL)  # the schema
    reference = folder / "reference.db"
    shutil.copy(empty, reference)
    subprocess.run(pmtui("--db", str(reference), "import", *names), env=ENV, check=True, stdout=subprocess.DEVNULL)
    rows = folder / "rows.marshal"
    dump_rows(reference, rows)
    spec = folder / "spec.json"
    spec.write_text(json.dumps({"rows": str(rows), "files": names, "db": str(folder / "floor.db")}))
    size = sum(os.path.getsize(p) for p in names) / 2**20
    print(f"2. import of {n:,} files ({size:,.0f} MiB) beside its floor: CPU s (wall s), median of {repeat} paired runs")
    floors, ours = [], []
    for _ in range(repeat):
        for target in ("floor.db", "pmtui.db"):
            shutil.copy(empty, folder / target)
            for extra in ("-wal", "-shm"):
                (folder / f"{target}{extra}").unlink(missing_ok=True)
        floors.append(run([sys.executable, "-I", "-c", IMPORT_FLOOR, str(spec)]))
        ours.append(run(pmtui("--db", str(folder / "pmtui.db"), "import", *names)))
    med = statistics.median
    fc, fw = med(r[0] for r in floors), med(r[1] for r in floors)
    pc, pw = med(r[0] for r in ours), med(r[1] for r in ours)
    ratio = pc / fc
    print(f"  floor (stdlib json + sqlite3 executemany)  {fc:6.1f} ({fw:5.1f})")
    print(f"  pmtui import                               {pc:6.1f} ({pw:5.1f})   ratio {ratio:.2f} (goal <= 2)"
          + ("" if ratio <= 2 else "  MISSED"))
    if ratio > 2:
        missed.append(f"import of {n:,} files {ratio:.2f}x its floor")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--no-limits", action="store_true")
    ap.add_argument("--no-files", action="store_true")
    args = ap.parse_args()
    import pmtui as package

    # an installed package runs from compiled bytecode
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(package.__file__).parent)], check=True,
                   stdout=subprocess.DEVNULL)
    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pmtui-bench-import-") as tmp:
        folder = Path(tmp)
        ENV["PMTUI_CONFIG"] = str(folder / "config.toml")
        if not args.no_limits:
            limits(folder, args.events, missed)
        if not args.no_files:
            files(folder, args.files, args.repeat, missed)
    if missed:
        print("MISSED: " + "; ".join(missed))
        sys.exit(1)
    print("every goal met")


if __name__ == "__main__":
    main()
