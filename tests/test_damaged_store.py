"""A store file with a damaged page: no command writes into it (import, new, db copy
into it, db upgrade, the app's first write), and read-only commands say it in one
sentence (never a traceback)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from pmtui.domain.document import loads
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


# ------------------------------------------------------------------ backups
def damage_quietly(path: Path) -> None:
    """Change one letter of each review's slug in the table's page, not in its index:
    every page still reads (SQLite's backup API copies the file without a word) but
    the integrity check finds rows missing from the index."""
    import sqlite3

    con = sqlite3.connect(path)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    pages = [p for (p,) in con.execute("SELECT pageno FROM dbstat WHERE name = 'review'")]
    slugs = [s.encode() for (s,) in con.execute("SELECT slug FROM review")]
    con.close()
    data = bytearray(path.read_bytes())
    for page in pages:
        chunk = data[(page - 1) * size: page * size]
        for slug in slugs:
            chunk = chunk.replace(slug, slug[:-1] + b"X")
        data[(page - 1) * size: page * size] = chunk
    path.write_bytes(bytes(data))


@pytest.fixture
def quietly_damaged(db_path, example_bytes) -> Path:
    store = Store.open(db_path)
    store.import_documents([loads(example_bytes) for _ in range(3)])
    store.close()
    damage_quietly(db_path)
    return db_path


def test_a_backup_of_a_damaged_store_never_replaces_an_existing_backup(quietly_damaged, cli, tmp_path):
    good = tmp_path / "good.db"
    store = Store.open(tmp_path / "sound.db")
    store.create_review("Queue drained slowly")
    store.close()
    assert cli("--db", str(tmp_path / "sound.db"), "db", "backup", str(good), db=False).code == 0
    before = digest(good)
    r = cli("db", "backup", str(good))
    assert r.code == 1 and r.err.count("\n") == 1 and "Traceback" not in r.err, r
    assert "was not written over" in r.err and ".recover" in r.err and "new file name" in r.err
    assert "Wrote a copy" not in r.out
    assert digest(good) == before  # the good backup is untouched
    assert [p.name for p in tmp_path.iterdir() if "pmtui-tmp" in p.name] == []


def test_a_backup_of_a_damaged_store_to_a_new_file_says_it_is_damaged(quietly_damaged, cli, tmp_path):
    import sqlite3

    r = cli("db", "backup", str(tmp_path / "new.db"))
    assert r.code == 1 and "is damaged" in r.err and "Wrote a copy" not in r.out, r
    con = sqlite3.connect(tmp_path / "new.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] != "ok"  # kept, as damaged as the store
    con.close()


def test_what_the_damaged_store_message_suggests_is_harmless(damaged, cli):
    r = cli("new", "Cache stampede")
    assert said_once(r), r
    assert "pmtui db backup" not in r.err  # it used to say so; backing up a damaged store over a good copy loses it
    assert ".recover" in r.err and "backup you made before" in r.err


def test_a_backup_never_replaces_a_fifo_or_a_device(cli, tmp_path, store):
    import os
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    null = tmp_path / "null"
    null.symlink_to("/dev/null")  # the device itself is never at risk in this test, even as root
    for target in (fifo, null, Path("/dev/null")):
        r = cli("db", "backup", str(target))
        assert r.code == 2 and r.err.count("\n") == 1 and "not a regular file" in r.err, (target, r)
        assert "Wrote a copy" not in r.out
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert null.is_symlink() and stat.S_ISCHR(os.stat(null).st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_backup_through_a_symlink_replaces_its_target_and_keeps_the_link(cli, tmp_path, store):
    real = tmp_path / "backups" / "pmtui.db"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "latest.db"
    link.symlink_to(real)
    r = cli("db", "backup", str(link))
    assert r.code == 0, r
    assert link.is_symlink() and real.read_bytes().startswith(b"SQLite format 3")
