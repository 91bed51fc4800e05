"""A terminal seat that is closed (SIGHUP: the terminal window or SSH session went away) or
terminated (SIGTERM) keeps what was typed and not yet confirmed, as a closed browser tab does
(issue 20): a real `pmtui open` in a child process on a pseudo-terminal, keys typed into it,
then the signal 0.5 s later."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from pmtui.store import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals and SIGHUP are POSIX")


class Seat:
    """`pmtui --db URL --as NAME open REF` on a pseudo-terminal of 100x30."""

    def __init__(self, db_url: str, name: str, ref: str) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
        env.pop("PMTUI_DB", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "pmtui", "--db", db_url, "--as", name, "open", ref],
                                     stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
                                     close_fds=True)
        os.close(slave)
        self.out = b""

    def read(self, timeout: float = 0.1) -> None:
        while select.select([self.master], [], [], timeout)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            self.out += chunk
            timeout = 0.05

    def wait_for(self, text: bytes, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.out:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"the seat never showed {text!r}; it wrote: {self.out[-2000:]!r}")
            self.read(0.2)

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        os.close(self.master)


# each signal once, each on one of the two databases (a seat process takes a few seconds to start)
@pytest.mark.parametrize("backend,sig", [("sqlite", signal.SIGHUP), ("postgres", signal.SIGTERM)],
                         ids=["SIGHUP-sqlite", "SIGTERM-postgres"])
def test_a_signalled_terminal_seat_keeps_its_unconfirmed_typing(store, demo, db_url, sig):
    seat = Seat(db_url, "Jonas Weber", str(demo))
    try:
        seat.wait_for(b"Overview")
        seat.wait_for(b"Checkout latency after cache configuration deploy")  # the title field, focused
        seat.read(1.0)  # the first frame done
        seat.type(b"\x1b[F")  # End
        seat.type(b" (typed, never confirmed)")
        time.sleep(0.5)  # before anything confirms it: no Enter, no Tab
        seat.read(0.2)
        seat.proc.send_signal(sig)
        deadline = time.monotonic() + 30
        while seat.proc.poll() is None and time.monotonic() < deadline:
            seat.read(0.2)
        assert seat.proc.poll() is not None, "the seat did not exit on the signal"
        assert b"Traceback" not in seat.out
    finally:
        seat.close()
    fresh = Store.open(db_url)
    try:
        stored = fresh.get_review(demo)
    finally:
        fresh.close()
    assert stored["title"] == "Checkout latency after cache configuration deploy (typed, never confirmed)"
    assert stored["updated_by"] == "Jonas Weber"
