"""Opening a review, each figure beside its baseline in the same run (issue 23).

1. `pmtui open REF --screen S`, every section: the first frame that shows the review's
   content (a text of that section, read from the emulated screen: bench_app.wait_for,
   pyte), against a bare Textual app's first frame (a header, one line, a footer), runs
   alternated (bare, open, bare, open...), medians. Goal: <= 2x bare.
2. The same for a review of 100,000 events (7 typed, the rest imported evidence)
   against one of 10, on the Overview and the Timeline. Goal: <= 1.3x.
3. Peers measured the same way when their programs are given (each installed in a venv
   of its own: `pip install harlequin`, `pip install posting`): Harlequin on an SQLite
   file (its catalog drawn) and Posting (its collection drawn). Reported beside pmtui.
4. Opening from the list (Enter on the home screen), the 100,000-event review and the
   10-event one: the longest stall of the app's message loop from the key until the
   section with all its content has been on screen for half a second (a Pilot run in a process of its own;
   a keystroke waits at most that long). Goal: <= 100 ms. With --before SRC (the src/
   folder of the code before) the code before is measured in the same run.
5. (--only 5) The Overview's first frame on a PostgreSQL store (a throw-away server, as
   bench_pg.py starts it) beside the same review on SQLite and the bare app: a figure.

The script exits 1 when a goal is missed.

    python benchmarks/bench_open.py [--repeat 5] [--events 100000] [--harlequin PATH] [--posting PATH]
                                    [--before SRC] [--only 1,2,3,4,5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import pmtui, review
from bench_app import BARE_APP, BARE_FRAME, wait_for

# a text of each section's own content, for the example review (pmtui/data/demo-review.json)
SECTIONS = {
    "opening": "Amara Okafor",  # who is in the room
    "overview": "A cache configuration change",  # the summary
    "timeline": "Deploy 2026.03.10-3",
    "impact": "Checkout was slow for all",
    "analysis": "Cache memory limits are",
    "actions": "Validate cache memory",
    "report": "A cache configuration change",
}
GOAL_BARE, GOAL_BIG, GOAL_STALL = 2.0, 1.3, 0.1


def alternate(repeat: int, *commands: tuple[list[str], list, dict]) -> list[list[float]]:
    """Each command's first-marker times, the commands run in turn ``repeat`` times."""
    for args, markers, env in commands:  # warm the file cache
        wait_for(args, markers, env=env)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeat):
        for i, (args, markers, env) in enumerate(commands):
            times[i].append(wait_for(args, markers, env=env)[-1])
    return times


def stall_child(db: str, review_id: int) -> None:
    """In its own process: open the review from the list with Enter and report the
    longest stall of the message loop until the section has been shown for 0.5 s."""
    from pmtui.app import PostmortemApp
    from pmtui.screens.base import SectionScreen
    from pmtui.store import Store
    from pmtui.widgets.review_list import ReviewList

    async def run() -> dict:
        app = PostmortemApp(Store.open(db), watch_interval=None)
        async with app.run_test(size=(100, 30)) as pilot:
            home = app.screen
            for _ in range(1200):  # the whole list read, and the store warmed in the background
                await asyncio.sleep(0.05)
                if home._shown[1] and home._shown[0] and app._store_warm and not app.workers._workers:
                    break
            table = home.query_one(ReviewList)
            table.focus()
            table.cursor = next(i for i, r in enumerate(table.rows) if r.id == review_id)
            await pilot.pause()
            gaps: list[float] = []
            cpu_gaps: list[float] = []  # the UI thread's own CPU time between two ticks
            watching = True

            async def watch() -> None:
                last, last_cpu = time.perf_counter(), time.thread_time()
                while watching:
                    await asyncio.sleep(0.002)
                    now, now_cpu = time.perf_counter(), time.thread_time()
                    gaps.append(now - last)
                    cpu_gaps.append(now_cpu - last_cpu)
                    last, last_cpu = now, now_cpu

            task = asyncio.create_task(watch())
            start = time.perf_counter()
            await pilot.press("enter")
            shown = None
            while time.perf_counter() - start < 120:
                await asyncio.sleep(0.01)
                # the section with its content: a section opened from the list shows a loading
                # line first and mounts its content in pieces (`pending` None once it is all there)
                if (isinstance(app.screen, SectionScreen) and app.screen.is_mounted
                        and getattr(app.screen, "pending", None) is None):
                    shown = time.perf_counter() - start
                    break
            await asyncio.sleep(0.5)
            watching = False
            await task
            return {"max_gap": max(gaps), "max_cpu_gap": max(cpu_gaps), "shown": shown}

    print(json.dumps(asyncio.run(run())))


def stall(db: Path, review_id: int, src: str | None) -> dict:
    env = {**os.environ, **({"PYTHONPATH": src} if src else {})}
    out = subprocess.run([sys.executable, __file__, "--stall-child", str(db), str(review_id)], env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def as_before(path: Path, src: str, out: Path) -> Path:
    from bench_home import as_before as strip

    return strip(path, src, out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--harlequin")
    ap.add_argument("--posting")
    ap.add_argument("--before")
    ap.add_argument("--only", default="1,2,3,4")
    ap.add_argument("--stall-child", nargs=2)
    args = ap.parse_args()
    if args.stall_child:
        stall_child(args.stall_child[0], int(args.stall_child[1]))
        return
    parts = set(args.only.split(","))
    missed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare = folder / "bare.py"
        bare.write_text(BARE_APP)
        small, big = folder / "small.json", folder / "big.json"
        small.write_text(json.dumps(review(0, events=10)))
        big.write_text(json.dumps(review(1, events=args.events, typed=7)))
        db = folder / "two.db"
        subprocess.run(pmtui("--db", str(db), "import", str(small), str(big)), check=True, stdout=subprocess.DEVNULL)
        env = {"PMTUI_CONFIG": str(folder / "config.toml")}
        import pmtui as package  # compiled bytecode, as an installed package runs

        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(package.__file__).parent)],
                       check=True, stdout=subprocess.DEVNULL)
        bare_cmd = ([sys.executable, str(bare)], [BARE_FRAME], {})
        print(f"opening a review in a pseudo-terminal, read from the emulated screen (pyte); medians of {args.repeat}")
        if "1" in parts:
            for section, text in SECTIONS.items():
                b, o = alternate(args.repeat, bare_cmd, (pmtui("--db", str(db), "open", "1", "--screen", section),
                                                         [text], env))
                rb, ro = statistics.median(b), statistics.median(o)
                ok = ro / rb <= GOAL_BARE
                missed += [] if ok else [f"open --screen {section} vs bare"]
                print(f"  open --screen {section:9} {ro * 1000:6.0f} ms   bare {rb * 1000:5.0f} ms   "
                      f"ratio {ro / rb:.2f} (goal <= {GOAL_BARE})")
        if "2" in parts:
            for section in ("overview", "timeline"):
                s, g = alternate(args.repeat,
                                 (pmtui("--db", str(db), "open", "1", "--screen", section), [SECTIONS[section]], env),
                                 (pmtui("--db", str(db), "open", "2", "--screen", section), [SECTIONS[section]], env))
                rs, rg = statistics.median(s), statistics.median(g)
                missed += [] if rg / rs <= GOAL_BIG else [f"{args.events:,} events on {section}"]
                print(f"  {section:9} {args.events:,} events {rg * 1000:6.0f} ms   10 events {rs * 1000:6.0f} ms   "
                      f"ratio {rg / rs:.2f} (goal <= {GOAL_BIG})")
        if "3" in parts and (args.harlequin or args.posting):
            peers = [("pmtui open (overview)", (pmtui("--db", str(db), "open", "1"), [SECTIONS["overview"]], env))]
            home = folder / "home"
            home.mkdir()
            peer_env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                        "XDG_DATA_HOME": str(home / ".local/share")}
            if args.harlequin:
                peers.append(("Harlequin on an SQLite file", ([args.harlequin, "-a", "sqlite", str(db)],
                                                              [("main db", "Run Query")], peer_env)))
            if args.posting:
                peers.append(("Posting", ([args.posting], [("Collection", "Send")], peer_env)))
            for name, (cmd, markers, peer_env_) in list(peers[1:]):
                try:
                    wait_for(cmd, markers, env=peer_env_, timeout=60)
                except (RuntimeError, OSError) as exc:
                    print(f"  {name}: no frame with its content within 60 s, not measured ({str(exc)[:120]}...)")
                    peers.remove((name, (cmd, markers, peer_env_)))
            times = alternate(args.repeat, bare_cmd, *(cmd for _name, cmd in peers))
            rb = statistics.median(times[0])
            print(f"  peers, first frame with content (bare {rb * 1000:.0f} ms):")
            for (name, _cmd), t in zip(peers, times[1:]):
                print(f"    {name:28} {statistics.median(t) * 1000:6.0f} ms  ratio {statistics.median(t) / rb:.2f}")
        if "5" in parts:  # the same on a PostgreSQL store (a throw-away server): a figure, no goal
            from bench_pg import create_db, pg_server

            with pg_server() as server:
                url = create_db(server, "bench_open")
                subprocess.run(pmtui("--db", url, "import", str(small)), check=True, stdout=subprocess.DEVNULL)
                b, q, p = alternate(args.repeat, bare_cmd,
                                    (pmtui("--db", str(db), "open", "1"), [SECTIONS["overview"]], env),
                                    (pmtui("--db", url, "open", "1"), [SECTIONS["overview"]], env))
                rb, rq, rp = (statistics.median(t) for t in (b, q, p))
                print(f"  open (overview) on PostgreSQL {rp * 1000:6.0f} ms   on SQLite {rq * 1000:6.0f} ms   "
                      f"bare {rb * 1000:5.0f} ms   PostgreSQL/bare {rp / rb:.2f}, PostgreSQL/SQLite {rp / rq:.2f}")
        if "4" in parts:
            rows = [("now", None)] + ([("before", args.before)] if args.before else [])
            for name, src in rows:
                where = db if not src else as_before(db, src, folder / "before.db")
                got = {n: stall(where, rid, src) for n, rid in (("10 events", 1), (f"{args.events:,} events", 2))}
                for label, r in got.items():
                    shown = f"{r['shown'] * 1000:.0f} ms" if r["shown"] is not None else "never"
                    print(f"  Enter on the list ({name}), {label:14} longest stall {r['max_gap'] * 1000:6.0f} ms "
                          f"(goal <= {GOAL_STALL * 1000:.0f}; the UI thread's CPU in it {r['max_cpu_gap'] * 1000:.0f} ms), "
                          f"section shown after {shown}")
                    if name == "now" and r["max_gap"] > GOAL_STALL:
                        missed.append(f"stall opening {label} from the list")
    if missed:
        print(f"  MISSED: {', '.join(missed)}")
        sys.exit(1)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
