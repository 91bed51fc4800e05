"""The domain never imports Textual, and the quick commands stay quick."""

from __future__ import annotations

import subprocess
import sys

import pytest

UI_FREE = ["pmtui", "pmtui.errors", "pmtui.domain.document", "pmtui.store.models", "pmtui.store", "pmtui.domain.metrics", "pmtui.cli.main",
           "pmtui.export.report", "pmtui.export.wiki", "pmtui.domain.entry", "pmtui.config", "pmtui.domain.language", "pmtui.domain.prompts",
           "pmtui.domain.meeting", "pmtui.domain.checks", "pmtui.domain.tracker", "pmtui.domain.patterns",
           "pmtui.store.followup", "pmtui.export.followups", "pmtui.cli.followups",
           "pmtui.evidence", "pmtui.evidence.statuspage", "pmtui.evidence.instatus", "pmtui.evidence.pagerduty",
           "pmtui.evidence.opsgenie", "pmtui.evidence.oncall", "pmtui.evidence.slack", "pmtui.evidence.jsonl",
           "pmtui.evidence.logfmt", "pmtui.evidence.csvlog"]


@pytest.mark.parametrize("module", UI_FREE)
def test_ui_free_module_does_not_import_textual(module):
    code = f"import sys, {module}; print('textual' in sys.modules or any(m.startswith('textual.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_do_not_import_the_database_layer(flag):
    code = (
        "import sys\nfrom pmtui.cli.main import main\n"
        f"try:\n    main([{flag!r}])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'pydantic', 'textual'})\n"
        "print(heavy, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr.strip() == "[]"


def _store_modules() -> list[str]:
    from pathlib import Path

    import pmtui.store

    folder = Path(pmtui.store.__file__).parent
    # models.py is the tables themselves (SQLModel): the store imports it inside the functions that use it
    return sorted(f"pmtui.store.{p.stem}" for p in folder.glob("*.py") if p.stem not in ("__init__", "models"))


@pytest.mark.parametrize("module", ["pmtui.store", *_store_modules()])
def test_store_modules_import_no_database_layer_at_top_level(module):
    """SQLAlchemy, Alembic and the drivers load only inside the functions that use them."""
    code = (f"import sys, {module}\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic', 'psycopg', "
            "'pydantic', 'textual'})\nprint(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_home_screen_list_on_sqlite_imports_no_database_layer(tmp_path):
    """The home screen's first frame lists reviews with the standard library."""
    from pmtui.store import Store

    Store.open(tmp_path / "s.db").create_review("Queue backlog")
    code = ("import sys\nfrom pmtui.store import Store\n"
            f"print(len(Store.open({str(tmp_path / 's.db')!r}).list_reviews()))\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic', 'psycopg'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:2] == ["1", "[]"]


# The real program in a pseudo-terminal, its screen read by a terminal emulator (pyte). The
# program notes which database modules it has loaded at the moment it writes the frame that
# lists the stored review (later, e.g. the first heartbeat, may load SQLAlchemy: that is after
# the first frame). A top-level `import sqlalchemy` anywhere on the way fails this test.
_FIRST_FRAME_CHILD = """
import os, sys
from textual.drivers import linux_driver

write = linux_driver.LinuxDriver.write

def noting_write(self, data):
    out = os.environ['PMTUI_TEST_MODULES']
    if 'Queue backlog on the payments' in data and not os.path.exists(out):
        heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic', 'psycopg'})
        with open(out + '.tmp', 'w') as f:
            f.write(repr(heavy))
        os.replace(out + '.tmp', out)
    return write(self, data)

linux_driver.LinuxDriver.write = noting_write
from pmtui.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_home_screen_first_frame_imports_no_database_layer(tmp_path, monkeypatch):
    import os
    import pty
    import select
    import signal
    import time

    import pyte

    from pmtui.store import Store

    store = Store.open(tmp_path / "s.db")
    store.create_review("Queue backlog on the payments consumer")
    store.close()
    modules = tmp_path / "modules.txt"
    monkeypatch.setenv("PMTUI_TEST_MODULES", str(modules))
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("PMTUI_DB", raising=False)
    screen = pyte.Screen(100, 30)
    stream = pyte.ByteStream(screen)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pmtui command line, on the store
        os.execv(sys.executable, [sys.executable, "-c", _FIRST_FRAME_CHILD, "--db", str(tmp_path / "s.db")])
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))

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

    try:
        shown = pump(lambda: any("Queue backlog on the payments" in line for line in screen.display), 60)
        assert shown, "the home screen never listed the review:\n" + "\n".join(screen.display)
        assert modules.exists(), "the frame that listed the review was not seen being written"
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    assert modules.read_text() == "[]"


def test_every_module_is_below_the_ui_in_the_contract_or_is_ui():
    """The import-linter contract names the layers under the UI: a new top-level module, folder
    or command-line module must join it (or be UI), else the layers' gate would not look at it."""
    import tomllib
    from pathlib import Path

    import pmtui

    root = Path(pmtui.__file__).parent
    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    contract = next(c for c in pyproject["tool"]["importlinter"]["contracts"] if c["name"].startswith("Below the UI"))
    ui = {"pmtui.__main__", "pmtui.app", "pmtui.screens", "pmtui.widgets", "pmtui.cli.main", "pmtui.cli.seats",
          "pmtui.keys", "pmtui.keymap", "pmtui.ui_types"}
    modules = {f"pmtui.{p.stem}" for p in root.glob("*.py") if p.stem != "__init__"}
    modules |= {f"pmtui.{p.parent.name}" for p in root.glob("*/__init__.py") if p.parent.name != "cli"}
    modules |= {f"pmtui.cli.{p.stem}" for p in (root / "cli").glob("*.py") if p.stem != "__init__"}
    assert modules - ui == set(contract["source_modules"])
    assert set(contract["forbidden_modules"]) >= {"textual", "pmtui.app", "pmtui.screens", "pmtui.widgets"}


def test_the_folders_name_the_layers():
    """A reader tells the layers from the folder names: at most a dozen modules at the top."""
    from pathlib import Path

    import pmtui

    root = Path(pmtui.__file__).parent
    top = sorted(p.stem for p in root.glob("*.py") if p.stem != "__init__")
    assert len(top) <= 12, top
    folders = {p.parent.name for p in root.glob("*/__init__.py")}
    assert folders >= {"cli", "domain", "store", "evidence", "export", "trackers", "screens", "widgets"}



def test_the_vocabulary_is_imported_from_vocab_only():
    """One name, one home: the enums and words document.py uses (and re-exports for old
    callers) are imported from pmtui.domain.vocab everywhere else."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    doc = (root / "src/pmtui/domain/document.py").read_text()
    vocab_names = set(re.findall(r"from pmtui\.domain\.vocab import \(\n    (\w+) as \1,\n\)", doc))
    assert {"Mark", "Status", "ActionStatus"} <= vocab_names
    rx = re.compile(r"from pmtui\.domain\.document import (\([^)]*\)|[^\n]*)")
    offenders = []
    for p in [*root.glob("src/**/*.py"), *root.glob("tests/**/*.py"), *root.glob("benchmarks/*.py")]:
        for m in rx.finditer(p.read_text(encoding="utf-8")):
            names = {n.strip().split(" as ")[0] for n in m.group(1).strip("()").split(",")}
            offenders += [f"{p.relative_to(root)}: {n}" for n in names & vocab_names]
    assert offenders == []
