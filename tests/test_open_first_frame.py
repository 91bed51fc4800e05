"""`pmtui open REF --screen S` draws its first frame with the review's content without
loading SQLAlchemy, SQLModel or pydantic (issue 23), on every section; the full store comes
after, in the background.

The real program runs in a pseudo-terminal, its screen read by a terminal emulator (pyte).
The program notes which of those modules it has loaded at the moment it writes the frame
that shows the section's text (a top-level import of one of them anywhere on the way fails
here). It also notes them a while later, to show the full store did load."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# a text of each section's own content in the example review (pmtui/data/demo-review.json)
SECTIONS = {
    "opening": "Amara Okafor",
    "overview": "A cache configuration change",
    "timeline": "Deploy 2026.03.10-3",
    "impact": "Checkout was slow for all",
    "analysis": "Cache memory limits are",
    "actions": "Validate cache memory",
    "report": "A cache configuration change",
}

HEAVY = "{'sqlalchemy', 'sqlmodel', 'pydantic', 'alembic'}"

_CHILD = """
import os, sys
import pyte
from textual.drivers import linux_driver

write = linux_driver.LinuxDriver.write
marker, out = os.environ['PMTUI_TEST_MARKER'], os.environ['PMTUI_TEST_MODULES']
screen = pyte.Screen(120, 30)  # what the terminal shows, emulated here: the frame that shows it is known exactly
stream = pyte.ByteStream(screen)

def heavy():
    return sorted({m.split('.')[0] for m in sys.modules} & HEAVY)

def note(path, value):
    with open(path + '.tmp', 'w') as f:
        f.write(repr(value))
    os.replace(path + '.tmp', path)

import pmtui.store.first_reads as first_reads

load_full = first_reads._FirstReads.load_full

def noting_load_full(self):  # the full store, loaded in the background after the first frame
    load_full(self)
    if not self.reads_plainly:
        note(out + '.later', heavy())

first_reads._FirstReads.load_full = noting_load_full

def noting_write(self, data):
    if os.path.exists(out):
        return write(self, data)
    loaded = heavy()  # as this frame is written
    stream.feed(data.encode('utf-8'))
    if any(marker in line for line in screen.display):
        note(out, loaded)
    return write(self, data)

linux_driver.LinuxDriver.write = noting_write
from pmtui.cli.main import main
sys.exit(main(sys.argv[1:]))
""".replace("HEAVY", HEAVY)


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Path:
    from importlib.resources import files

    from pmtui.domain.document import loads
    from pmtui.store import Store

    path = tmp_path_factory.mktemp("open") / "s.db"
    store = Store.open(path)
    store.import_documents([loads(files("pmtui").joinpath("data/demo-review.json").read_bytes())])
    store.close()
    return path


def _first_frame(db: str, section: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    import fcntl
    import pty
    import select
    import signal
    import struct
    import termios
    import time

    import pyte

    marker = SECTIONS[section]
    modules = tmp_path / "modules.txt"
    monkeypatch.setenv("PMTUI_TEST_MODULES", str(modules))
    monkeypatch.setenv("PMTUI_TEST_MARKER", marker)
    monkeypatch.setenv("PMTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("PMTUI_DB", raising=False)
    screen = pyte.Screen(120, 30)
    stream = pyte.ByteStream(screen)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pmtui command line
        os.execv(sys.executable, [sys.executable, "-c", _CHILD, "--db", db, "open", "1", "--screen", section])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))

    def pump(until, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if until():
                return True
            if select.select([fd], [], [], 0.05)[0]:
                try:
                    stream.feed(os.read(fd, 65536))
                except OSError:
                    return until()
        return until()

    later = Path(str(modules) + ".later")
    try:
        shown = pump(lambda: any(marker in line for line in screen.display), 60)
        assert shown, f"the {section} never showed {marker!r}:\n" + "\n".join(screen.display)
        assert pump(modules.exists, 10), "the frame that showed it was not seen being written"
        assert pump(later.exists, 90), "the full store never loaded"
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return modules.read_text(), later.read_text()


@pytest.mark.parametrize("section", list(SECTIONS))
def test_open_draws_the_first_frame_without_the_database_layer(stored, section, tmp_path, monkeypatch):
    first, later = _first_frame(str(stored), section, tmp_path, monkeypatch)
    assert first == "[]"
    assert later == "['pydantic', 'sqlalchemy', 'sqlmodel']"  # loaded after it, in the background
