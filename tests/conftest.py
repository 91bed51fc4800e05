"""Shared fixtures: a store on a temp file, the example review, a CLI runner."""

from __future__ import annotations

import io
import json
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the same examples every time (a submission must not fail by chance);
# locally hypothesis explores new ones on every run.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

import gc

# The UI tests build and drop thousands of Textual widgets, styles and strips: with Python's
# default thresholds (700, 10, 10) the cyclic collector runs so often that it took about a third
# of their CPU time (tests/ui/test_sections.py: 33 s -> 23 s of CPU in one process). Collecting
# less often (still collecting: every 10,000 net allocations, all generations in proportion)
# keeps each worker's memory within a few tens of MB more and frees what tests leave behind.
gc.set_threshold(10_000, 10, 10)

# pytest keeps the test modules it rewrites (assertion messages) in __pycache__, but not while
# bytecode writing is off (PYTHONDONTWRITEBYTECODE=1, as on CI here): then every worker rewrote
# all ~170 test modules again, about 3 s of CPU each. The tests may write their caches.
sys.dont_write_bytecode = False

from pmtui.cli.main import main
from pmtui.store import Store
from write_guard import install as _install_write_guard

# every UPDATE/DELETE the store runs in a write states the version it read (store/rows.py);
# PMTUI_NO_WRITE_GUARD=1 leaves it out, to show that the class test (test_no_lost_words.py)
# finds a reverted fix by itself
if not os.environ.get("PMTUI_NO_WRITE_GUARD"):
    _install_write_guard()

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# The real evidence files and example reviews beside the checkout (../shared); PMTUI_SHARED
# points elsewhere (a git worktree one level deeper, a clone that keeps them in another place).
SHARED_ROOT = Path(os.environ.get("PMTUI_SHARED") or Path(__file__).resolve().parents[2] / "shared")


def shared(rel: str, what: str = "evidence samples", root: Path | None = None) -> Path:
    """A file or folder of ../shared (``evidence/…``, ``examples/…``), for the tests that need
    one: where it is absent the test skips, saying so, except under CI (CI=true), where its
    absence is a failure. The one place that decides."""
    path = (root or SHARED_ROOT) / rel
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the shared {what}: {path} is missing")
        pytest.skip(f"the shared {what} are not here ({path})")
    return path


# The longest tests start first, so the last ones each worker runs are short and no worker is
# left finishing a long test alone (pytest-xdist hands out, and steals, tests in this order):
# the fuzzer (its app test is the longest of all), the Pilot tests, then the few long domain tests.
LONG_FIRST = ("tests/test_fuzz.py", "tests/ui/", "tests/test_roundtrip.py", "tests/test_evidence_cli.py",
              "tests/test_wiki_targets.py", "tests/test_stored_reviews.py")


def pytest_collection_modifyitems(config, items) -> None:
    def rank(item) -> int:
        path = Path(str(item.path)).resolve().relative_to(Path(__file__).resolve().parent.parent).as_posix()
        return next((i for i, prefix in enumerate(LONG_FIRST) if path.startswith(prefix)), len(LONG_FIRST))

    items.sort(key=rank)  # stable: within a group, the order they were collected in


@pytest.fixture
def example_bytes() -> bytes:
    return files("pmtui").joinpath("data/demo-review.json").read_bytes()


@pytest.fixture
def example_raw(example_bytes: bytes) -> dict:
    return json.loads(example_bytes)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "pmtui.db"


@pytest.fixture
def store(db_url: str):
    s = Store.open(db_url)
    yield s
    s.close()


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch):
    """Run ``pmtui --db <temp store> ARGS`` in-process; returns code, stdout, stderr."""
    monkeypatch.delenv("PMTUI_DB", raising=False)

    def run(*args: str, db: bool = True, stdin: str | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        argv = (["--db", db_url] if db else []) + list(args)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse's --help, --version and usage errors
                code = exc.code if isinstance(exc.code, int) else 0
        return Result(code, out.getvalue(), err.getvalue())

    return run


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PMTUI_DB", raising=False)
    os.environ.pop("PMTUI_DB", None)


TODAY = __import__("datetime").date(2026, 3, 21)


@pytest.fixture
def demo(store, example_bytes):
    """The store with the example review; returns its id."""
    from pmtui.domain.document import loads

    return store.import_documents([loads(example_bytes)])[0][0]


@pytest.fixture
def make_app(store):
    """An app on the temp store with a frozen 'today' and no store polling."""
    from pmtui.app import PostmortemApp

    def factory(review_id=None, screen="overview", **kwargs):
        return PostmortemApp(store, review_id=review_id, screen=screen, today=lambda: TODAY,
                             watch_interval=None, **kwargs)

    return factory


async def settle(app, pilot) -> None:
    """Let workers finish and messages land (and a section opened from the list mount
    its content: it shows a loading line until then, screens/_staged.py)."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    for _ in range(1000):
        screen = app.screen
        if getattr(screen, "pending", None) is None and not any(w.display for w in screen.query("#section-loading")):
            break
        await app.workers.wait_for_complete()
        await pilot.pause(0.02)


@pytest.fixture(autouse=True)
def private_config(tmp_path_factory, monkeypatch):
    """Tests never read or write the developer's own config file."""
    monkeypatch.setenv("PMTUI_CONFIG", str(tmp_path_factory.mktemp("config") / "config.toml"))


@pytest.fixture(autouse=True)
def no_cursor_blink_in_snapshots(request, monkeypatch):
    """A snapshot never catches a cursor mid-blink: in every snapshot test each Input and
    TextArea is created with its cursor blink off, so its blink timer never runs (on a busy
    machine it could hide the cursor before the picture was taken). Focus still shows the
    cursor, steadily."""
    if "snap_compare" not in request.fixturenames:
        return
    from textual.widgets import Input, TextArea

    for cls in (Input, TextArea):
        def init(self, *args, _original=cls.__init__, **kwargs):
            _original(self, *args, **kwargs)
            self.cursor_blink = False

        monkeypatch.setattr(cls, "__init__", init)


# ----------------------------------------------------------------- the two databases
# Tests that take `db_url` (or `store`, `cli`) run on SQLite; a module that defines
#     @pytest.fixture(params=["sqlite", "postgres"])
#     def backend(request): return request.param
# runs them on both. PostgreSQL is a real server this test run starts itself
# (Debian's postgresql package: initdb and pg_ctl in a temporary folder).
import glob
import shutil
import socket
import subprocess
import tempfile
import time

PG_PASSWORD = "pmtui-test-Secret-42"


@pytest.fixture
def backend() -> str:
    return "sqlite"


class PgServer:
    def __init__(self, folder: Path, port: int, bindir: Path, as_postgres: list[str]) -> None:
        self.folder, self.port, self.bindir, self.as_postgres = folder, port, bindir, as_postgres
        self.count = 0

    def url(self, database: str, user: str = "postgres", password: str = PG_PASSWORD) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            con.execute(sql)

    def new_database(self) -> str:
        self.count += 1
        name = f"t{os.getpid()}_{self.count}"
        self.admin(f'CREATE DATABASE "{name}"')
        return name

    def drop(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def pg_server():
    bindir = _pg_bindir()
    if bindir is None:
        reason = "the PostgreSQL server is not installed (apt-get install postgresql); PostgreSQL tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        reason = "psycopg is not installed (pip install -e '.[test]')"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    # one server per pytest-xdist worker (each its own folder, port and databases)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    folder = Path(tempfile.mkdtemp(prefix=f"pmtui-pg-{worker}-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres", "postgres")
    os.chmod(folder, 0o700)
    pwfile = folder / "pw"
    pwfile.write_text(PG_PASSWORD + "\n")
    if as_postgres:
        shutil.chown(pwfile, "postgres", "postgres")
    data = folder / "data"
    run = lambda *cmd: subprocess.run([*as_postgres, *cmd], check=True, capture_output=True, text=True)  # noqa: E731
    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
        f"--pwfile={pwfile}", "-E", "UTF8")
    for attempt in range(3):  # a free port can be taken by another worker's server before ours binds it
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        opts = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=200")
        try:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60", "-o", opts,
                "start")
            break
        except subprocess.CalledProcessError:
            if attempt == 2:
                raise
    server = PgServer(folder, port, bindir, as_postgres)
    try:
        yield server
    finally:
        subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        time.sleep(0.2)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def db_url(request, backend: str, db_path: Path) -> str:
    """The store for this test: a file path, or a fresh PostgreSQL database's URL."""
    if backend == "sqlite":
        yield str(db_path)
        return
    server = request.getfixturevalue("pg_server")
    name = server.new_database()
    yield server.url(name)
    server.drop(name)


def pytest_configure(config: pytest.Config) -> None:
    """Compile pmtui's modules once, before the workers start: with PYTHONDONTWRITEBYTECODE
    set (as on CI here) and a fresh checkout, every worker and every `pmtui` subprocess
    would otherwise compile each module it imports again."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller did it
        return
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "src" / "pmtui"), quiet=2)
