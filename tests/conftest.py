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

from pmtui.__main__ import main
from pmtui.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


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
def store(db_path: Path):
    s = Store.open(db_path)
    yield s
    s.close()


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(db_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run ``pmtui --db <temp store> ARGS`` in-process; returns code, stdout, stderr."""
    monkeypatch.delenv("PMTUI_DB", raising=False)

    def run(*args: str, db: bool = True, stdin: str | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        argv = (["--db", str(db_path)] if db else []) + list(args)
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
    from pmtui.document import loads

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
    """Let workers finish and messages land."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture(autouse=True)
def private_config(tmp_path_factory, monkeypatch):
    """Tests never read or write the developer's own config file."""
    monkeypatch.setenv("PMTUI_CONFIG", str(tmp_path_factory.mktemp("config") / "config.toml"))
