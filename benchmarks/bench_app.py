"""App speed in a real (pseudo) terminal, each beside its baseline in the same run.

Goals (issue: the facilitated review app):
- with 1,000 reviews, the home screen's first frame (header "pmtui") appears within 1.3x
  the time a bare Textual app (a header, one line, a footer) takes to show; the review
  list is filled within 2x;
- a review with 10,000 timeline events opens on its timeline within 1.5x the time of a
  10-event review, and moving the cursor to the last event stays instant.

    python benchmarks/bench_app.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

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


def wait_for(args: list[str], markers: list[bytes], keys: list[tuple[bytes, bytes]] = (), size=(100, 30),
              env: dict | None = None) -> list[float]:
    """Start ``args`` in a pseudo-terminal; seconds until each marker shows, then each
    key's own marker after sending it."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": str(size[0]), "LINES": str(size[1]), **(env or {})})
        os.execvp(args[0], args)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    start = time.perf_counter()
    seen = b""
    found: list[float] = []
    todo = list(markers)
    pending_keys = list(keys)
    deadline = start + 60
    key_start = None
    try:
        while time.perf_counter() < deadline:
            if not todo and pending_keys:
                key, marker = pending_keys.pop(0)
                seen = b""
                todo.append(marker)
                key_start = time.perf_counter()
                os.write(fd, key)
            if not todo:
                break
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                while todo and todo[0] in seen:
                    t0 = key_start if key_start is not None else start
                    found.append(time.perf_counter() - t0)
                    todo.pop(0)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    if todo:
        raise RuntimeError(f"never saw {todo[0]!r} from {' '.join(args)}")
    return found


def best(runs: list[list[float]]) -> list[float]:
    return [min(r[i] for r in runs) for i in range(len(runs[0]))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--reviews", type=int, default=1000)
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
        small, big = folder / "small.json", folder / "big.json"
        small.write_text(json.dumps(review(0, events=10)))
        big.write_text(json.dumps(review(1, events=10_000)))
        two = folder / "two.db"
        os.system(" ".join(pmtui("--db", str(two), "import", str(small), str(big))) + " > /dev/null")

        bare_runs = [wait_for([sys.executable, str(bare)], [b"bare", b"one line"]) for _ in range(args.repeat)]
        home_runs = [wait_for(pmtui("--db", str(many)), [b"pmtui", b"Checkout latency"]) for _ in range(args.repeat)]
        t_bare = best(bare_runs)
        t_home = best(home_runs)
        print(f"pmtui app start in a pseudo-terminal (best of {args.repeat})")
        print(f"  baseline: bare Textual app, first frame   {t_bare[0] * 1000:7.0f} ms")
        print(f"  home, {args.reviews} reviews: first frame        {t_home[0] * 1000:7.0f} ms  "
              f"ratio {t_home[0] / t_bare[0]:.2f} (goal <= 1.3)")
        print(f"  home, {args.reviews} reviews: list filled        {t_home[1] * 1000:7.0f} ms  "
              f"ratio {t_home[1] / t_bare[0]:.2f} (goal <= 2.0)")

        end_key = b"\x1b[F"  # End
        small_runs = [wait_for(pmtui("--db", str(two), "open", "1", "--screen", "timeline"),
                               [b"Deploy 2026.03.10-3"], [(end_key, b"(9)")]) for _ in range(args.repeat)]
        big_runs = [wait_for(pmtui("--db", str(two), "open", "2", "--screen", "timeline"),
                             [b"Deploy 2026.03.10-3"], [(end_key, b"(9999)")]) for _ in range(args.repeat)]
        t_small, t_big = best(small_runs), best(big_runs)
        print(f"  baseline: timeline of 10 events shown     {t_small[0] * 1000:7.0f} ms")
        print(f"  timeline of 10,000 events shown           {t_big[0] * 1000:7.0f} ms  "
              f"ratio {t_big[0] / t_small[0]:.2f} (goal <= 1.5)")
        print(f"  End key on 10 events, last shown          {t_small[1] * 1000:7.0f} ms")
        print(f"  End key on 10,000 events, last shown      {t_big[1] * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
