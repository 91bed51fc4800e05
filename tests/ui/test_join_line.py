"""The join line (ctrl+k) works when pasted: the store as the user spelled it, with no
password on screen (never `***`, which fails when run), and a word on how the other seat
gets the password. On SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import io
import shlex
from contextlib import redirect_stderr, redirect_stdout

import pytest

from conftest import PG_PASSWORD, settle
from pmtui.cli.main import main
from pmtui.store.location import parse


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


@pytest.mark.parametrize(("given", "pasted"), [
    ("postgresql://sre:s3cret@db.internal:5432/pmtui", "postgresql://sre@db.internal:5432/pmtui"),
    ("postgres://sre:s3cret@db.internal/pmtui?sslmode=require", "postgres://sre@db.internal/pmtui?sslmode=require"),
    ("postgresql+psycopg://sre@db.internal:5433/pmtui", "postgresql+psycopg://sre@db.internal:5433/pmtui"),
    ("postgresql://db.internal/pmtui?user=sre&password=s3cret&sslmode=require",
     "postgresql://db.internal/pmtui?user=sre&sslmode=require"),
    ("postgresql://:s3cret@db.internal/pmtui", "postgresql://db.internal/pmtui"),
])
def test_another_seat_gets_the_users_own_spelling_without_the_password(given, pasted):
    loc = parse(given)
    assert loc.for_another_seat() == pasted
    assert loc.has_password == ("s3cret" in given)


def _run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


async def test_the_join_line_runs_as_shown(store, demo, make_app, backend, monkeypatch):
    app = make_app(demo, "timeline")
    copied: list[str] = []
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(app, pilot)
        slug = store.get_review(demo)["slug"]
        app.copy_to_clipboard = copied.append
        await pilot.press("ctrl+k")
        await settle(app, pilot)
        messages = " ".join(n.message for n in app._notifications)
    [command] = copied
    assert command in messages and "***" not in command and PG_PASSWORD not in messages
    argv = shlex.split(command)
    assert argv[:2] == ["pmtui", "--db"] and argv[-2:] == ["open", slug]
    if backend == "postgres":
        assert argv[2].startswith("postgresql://postgres@127.0.0.1:")  # as the test's URL spells it
        assert "PGPASSWORD" in messages and "PMTUI_DB" in messages and ".pgpass" in messages
        monkeypatch.setenv("PGPASSWORD", PG_PASSWORD)  # one of the ways the note names
    # the pasted store opens and holds the review (the listing, instead of the app)
    monkeypatch.delenv("PMTUI_DB", raising=False)
    code, out = _run("--db", argv[2], "list")
    assert code == 0 and slug in out, out

