"""A store file with a damaged page: no command writes into it (import, new, db copy
into it, db upgrade, the app's first write), and read-only commands say it in one
sentence (never a traceback)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from pmtui.document import loads
from pmtui.errors import StoreError
from pmtui.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DAMAGED = ("is damaged", "fails SQLite's integrity check")


def damage(path: Path, table: str | None = None) -> None:
    """Overwrite the page in the middle of the file (or the middle one of a table's
    pages) with bytes SQLite cannot read."""
    import sqlite3

    con = sqlite3.connect(path)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    owned = [p for (p,) in con.execute("SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno", (table,))]
    con.close()
    data = bytearray(path.read_bytes())
    pages = len(data) // size
    assert pages > 20, "the store must be big enough to have a middle"
    middle = owned[len(owned) // 2] if table else pages // 2
    data[(middle - 1) * size: middle * size] = b"\xa5" * size
    path.write_bytes(bytes(data))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def damaged(db_path, example_bytes) -> Path:
    store = Store.open(db_path)
    store.import_documents([loads(example_bytes) for _ in range(40)])
    store.close()
    damage(db_path)
    return db_path


def said_once(r) -> bool:
    return r.code == 1 and r.err.count("\n") == 1 and any(d in r.err for d in DAMAGED) and "Traceback" not in r.err


def test_writing_commands_refuse_a_damaged_store_and_leave_it_as_it_was(damaged, cli, tmp_path, example_bytes):
    before = digest(damaged)
    doc = tmp_path / "one.json"
    doc.write_bytes(example_bytes)
    for args in (("new", "Cache stampede"), ("import", str(doc))):
        r = cli(*args)
        assert said_once(r), (args, r)
        assert digest(damaged) == before, args


def test_db_copy_never_writes_into_a_damaged_store(damaged, cli, tmp_path, example_bytes, monkeypatch):
    source = tmp_path / "good" / "pmtui.db"
    good = Store.open(source)
    good.import_documents([loads(example_bytes)])
    good.close()
    before = digest(damaged)
    monkeypatch.delenv("PMTUI_DB", raising=False)
    r = cli("--db", str(source), "db", "copy", "--to", str(damaged), db=False)
    assert said_once(r), r
    assert digest(damaged) == before


def test_the_apps_first_write_is_refused(damaged):
    store = Store.open(damaged)
    rid = 1
    with pytest.raises(StoreError) as caught:
        store.set_tags(rid, ["cache"], expected_version=store.get_review(rid)["version"])
    assert any(d in caught.value.message for d in DAMAGED)
    store.close()


def test_read_only_commands_say_the_store_is_damaged_in_one_sentence(damaged, cli, tmp_path):
    before = digest(damaged)
    for args in (("list",), ("export", "--all", "--to", str(tmp_path / "wiki")), ("actions",), ("patterns",),
                 ("db",)):
        r = cli(*args)
        assert said_once(r), (args, r)
    assert digest(damaged) == before


def test_an_old_damaged_store_is_not_upgraded(tmp_path, cli, monkeypatch):
    path = tmp_path / "team" / "pmtui.db"
    path.parent.mkdir()
    shutil.copyfile(FIXTURES / "release-0-schema2.db", path)
    damage(path, "event")  # not read when the file is first checked
    before = digest(path)
    monkeypatch.delenv("PMTUI_DB", raising=False)
    r = cli("--db", str(path), "db", "upgrade", db=False)
    assert said_once(r), r
    assert digest(path) == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".bak")] == []
