"""App speed in a real (pseudo) terminal, read from the RENDERED screen, each beside its
baseline in the same run.

Every app is started in a pseudo-terminal and the bytes it writes are fed into a terminal
emulator (pyte); a frame counts as shown when the emulated screen holds the expected text
and no synchronized update (DEC mode 2026) is still open. The terminal-title sequence
both apps write before drawing anything is not a frame: it never reaches the screen.

Goals (issue: the facilitated review app; issue 12):
- with 1,000 reviews, the home screen's first frame (its filter box and footer drawn)
  appears within 1.3x the time a bare Textual app (a header, one line, a footer) takes to
  show its line; the review list is filled within 2x;
- a review with 10,000 timeline events opens on its timeline within 1.5x the time of a
  10-event review, and moving the cursor to the last event stays instant (End: the last
  event on the screen within 100 ms, on both reviews).
The script exits 1 when a goal is missed.

Runs alternate (bare, home, bare, home...) so a machine busy with other work slows both
sides alike; medians are reported (and the best, for reference).

    python benchmarks/bench_app.py [--repeat 7] [--reviews 1000] [--skip-timeline]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

import pyte

from _common import pmtui, review

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    TITLE = "bare"
    def compose(self):
        yield Header()
        yield Static("one line")
        yield Footer()

Bare().run()
"""

SYNC_ON, SYNC_OFF = b"\x1b[?2026h", b"\x1b[?2026l"


def _visible(screen: pyte.Screen, text: str) -> bool:
    return any(text in line for line in screen.display)


def _shows(screen: pyte.Screen, marker) -> bool:
    """Is the marker on the screen? A string: that text; a tuple: every one of its items;
    a frozenset: any one of its texts."""
    if isinstance(marker, str):
        return _visible(screen, marker)
    if isinstance(marker, frozenset):
        return any(_visible(screen, text) for text in marker)
    return all(_shows(screen, item) for item in marker)


# A first frame: the app's header title, its own content and its footer's keys, all drawn.
BARE_FRAME = ("bare", "one line", "^p palette")
# the home screen's content is its list (the column headings), or the line that stands in
# for it while the list is read
HOME_FRAME = ("pmtui — blameless", frozenset({"Date       Title", "Loading reviews"}), "New review", "^p palette")
HOME_LISTED = "Checkout latency"


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used so far, all its threads (nanoseconds from schedstat):
    unlike wall time, it hardly changes when other work shares the machine."""
    total = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total / 1e9


def rss_bytes(pid: int) -> int:
    """The process's resident memory now (VmRSS)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def wait_for(args: list[str], markers: list[str], keys: list[tuple[bytes, str]] = (), size=(100, 30),
             env: dict | None = None, timeout: float = 60, quiet: float = 0.03,
             cpu: list[float] | None = None, rss: list[int] | None = None) -> list[float]:
    """Start ``args`` in a pseudo-terminal; seconds until each marker is on the emulated
    screen, then, for each key, seconds from sending it until its marker is on the screen.

    The reader never slows the app down: while bytes arrive it only reads and timestamps
    them (a big frame fills the pseudo-terminal's buffer, and a reader busy emulating would
    hold the app's writes back); once the app has been quiet for ``quiet`` seconds the
    chunks are fed to the emulator one by one, and a marker's time is the arrival of the
    chunk after which the screen first shows it."""
    cols, rows = size
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows), **(env or {})})
        os.execvp(args[0], args)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    screen = pyte.Screen(cols, rows)
    stream = pyte.ByteStream(screen)
    start = time.perf_counter()
    found: list[float] = []
    todo = list(markers)
    pending_keys = list(keys)
    pending: list[tuple[float, float, bytes]] = []  # read, not yet emulated
    t0 = start
    in_sync = False
    tail = b""
    try:
        while time.perf_counter() < start + timeout:
            if not todo and pending_keys:
                key, marker = pending_keys.pop(0)
                todo.append(marker)
                t0 = time.perf_counter()
                os.write(fd, key)
            if not todo:
                break
            ready, _, _ = select.select([fd], [], [], quiet)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                pending.append((time.perf_counter(), cpu_seconds(pid) if cpu is not None else 0.0, chunk,
                                rss_bytes(pid) if rss is not None else 0))
                continue
            for arrived, used, chunk, resident in pending:  # the app is quiet: emulate what came
                stream.feed(chunk)
                probe = tail + chunk
                on, off = probe.rfind(SYNC_ON), probe.rfind(SYNC_OFF)
                if on > off:
                    in_sync = True
                elif off > on:
                    in_sync = False
                tail = probe[-16:]
                while todo and not in_sync and _shows(screen, todo[0]) and (not found or arrived >= t0):
                    found.append(arrived - t0)
                    if cpu is not None:
                        cpu.append(used)
                    if rss is not None:
                        rss.append(resident)
                    todo.pop(0)
            pending.clear()
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    if todo:
        shown = "\n".join(line.rstrip() for line in screen.display)
        raise RuntimeError(f"never saw {todo[0]!r} from {' '.join(args)}; the screen:\n{shown}")
    return found


def med(runs: list[list[float]], i: int) -> float:
    return statistics.median(r[i] for r in runs)


def low(runs: list[list[float]], i: int) -> float:
    return min(r[i] for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--reviews", type=int, default=1000)
    ap.add_argument("--skip-timeline", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare = folder / "bare.py"
        bare.write_text(BARE_APP)
        files = []
        for i in range(args.reviews):
            p = folder / f"r{i}.json"
            p.write_text(json.dumps(review(i)))
            files.append(str(p))
        many = folder / "many.db"
        os.system(" ".join(pmtui("--db", str(many), "import", *files)) + " > /dev/null")
        env = {"PMTUI_CONFIG": str(folder / "config.toml")}

        # an installed package runs from compiled bytecode (pip compiles it); with an editable
        # install and PYTHONDONTWRITEBYTECODE set, every module edited since would be compiled
        # again at each start, which no user's start pays: compile pmtui's modules first
        import pmtui as package

        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(package.__file__).parent)],
                       check=True, stdout=subprocess.DEVNULL)
        # warm the file cache (bytecode, shared libraries) before anything is timed
        wait_for([sys.executable, str(bare)], [BARE_FRAME])
        wait_for(pmtui("--db", str(many)), [HOME_FRAME], env=env)
        bare_runs, home_runs, bare_cpu, home_cpu = [], [], [], []
        for _ in range(args.repeat):
            bare_cpu.append([])
            home_cpu.append([])
            bare_runs.append(wait_for([sys.executable, str(bare)], [BARE_FRAME], cpu=bare_cpu[-1]))
            home_runs.append(wait_for(pmtui("--db", str(many)), [HOME_FRAME, HOME_LISTED], env=env, cpu=home_cpu[-1]))
        b, h, hl = med(bare_runs, 0), med(home_runs, 0), med(home_runs, 1)
        print(f"pmtui app start in a pseudo-terminal, read from the emulated screen (pyte); "
              f"median of {args.repeat} (best in brackets)")
        print(f"  baseline: bare Textual app, first frame   {b * 1000:7.0f} ms  ({low(bare_runs, 0) * 1000:.0f})")
        print(f"  home, {args.reviews} reviews: first frame        {h * 1000:7.0f} ms  "
              f"({low(home_runs, 0) * 1000:.0f})  ratio {h / b:.2f} (goal <= 1.3)")
        print(f"  home, {args.reviews} reviews: list filled        {hl * 1000:7.0f} ms  "
              f"({low(home_runs, 1) * 1000:.0f})  ratio {hl / b:.2f} (goal <= 2.0)")
        bc, hc = med(bare_cpu, 0), med(home_cpu, 0)
        print(f"  CPU used until the first frame (steadier on a shared machine): bare {bc * 1000:.0f} ms, "
              f"home {hc * 1000:.0f} ms, ratio {hc / bc:.2f}")
        missed = [what for what, ratio, goal in (("home first frame", h / b, 1.3), ("home list filled", hl / b, 2.0))
                  if ratio > goal]
        if args.skip_timeline:
            done(missed)
            return

        # the last event says which it is in a few words: the Event column cuts a long text
        # (and with it a number at its end) on a long timeline, where every row is one line
        small_doc, big_doc = review(0, events=10), review(1, events=10_000)
        for doc in (small_doc, big_doc):
            doc["timeline"][-1]["text"] = f"Last event ({len(doc['timeline']) - 1})"
        small, big = folder / "small.json", folder / "big.json"
        small.write_text(json.dumps(small_doc))
        big.write_text(json.dumps(big_doc))
        two = folder / "two.db"
        os.system(" ".join(pmtui("--db", str(two), "import", str(small), str(big))) + " > /dev/null")
        end_key = b"\x1b[F"  # End
        small_runs, big_runs = [], []
        for _ in range(args.repeat):
            small_runs.append(wait_for(pmtui("--db", str(two), "open", "1", "--screen", "timeline"),
                                       ["Deploy 2026.03.10-3"], [(end_key, "Last event (9)")], env=env))
            big_runs.append(wait_for(pmtui("--db", str(two), "open", "2", "--screen", "timeline"),
                                     ["Deploy 2026.03.10-3"], [(end_key, "Last event (9999)")], env=env))
        s, g = med(small_runs, 0), med(big_runs, 0)
        print(f"  baseline: timeline of 10 events shown     {s * 1000:7.0f} ms")
        print(f"  timeline of 10,000 events shown           {g * 1000:7.0f} ms  ratio {g / s:.2f} (goal <= 1.5)")
        e_small, e_big = med(small_runs, 1), med(big_runs, 1)
        print(f"  End key on 10 events, last shown          {e_small * 1000:7.0f} ms  (goal <= 100)")
        print(f"  End key on 10,000 events, last shown      {e_big * 1000:7.0f} ms  (goal <= 100)")
        missed += [what for what, ok in (("timeline of 10,000 events", g / s <= 1.5),
                                         ("End on 10 events", e_small <= 0.1), ("End on 10,000 events", e_big <= 0.1))
                   if not ok]
        done(missed)


def done(missed: list[str]) -> None:
    """Exit 1, naming them, when goals were missed."""
    if missed:
        print(f"  MISSED: {', '.join(missed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
