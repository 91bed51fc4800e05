"""The SQLite store under stress: each failure is one plain sentence (StoreError), and
nothing half-written stays behind."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from pmtui.domain.document import dumps, loads
from pmtui.errors import StoreError
from pmtui.store import Store


@contextmanager
def tmpfs(folder: Path, size: str):
    """A small file system of its own (root only): for a full disk or a read-only one."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot mount a tmpfs for this test: {done.stderr.decode().strip()}")
        pytest.skip("needs to mount a tmpfs (run as root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_store_locked_longer_than_the_busy_timeout_is_a_plain_error(db_path, monkeypatch, example_bytes):
    from pmtui.store import sqlite as backend

    monkeypatch.setattr(backend, "BUSY_TIMEOUT_MS", 300)
    store = Store.open(db_path)
    store.create_review("Before the lock")
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="in use: another program kept it locked"):
            store.import_documents([loads(example_bytes)])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [r.title for r in store.list_reviews()] == ["Before the lock"]  # nothing was written
    store.import_documents([loads(example_bytes)])  # and it can be retried
    store.close()


def test_a_full_disk_is_a_plain_error_and_the_store_stays_whole(tmp_path, example_bytes):
    with tmpfs(tmp_path / "small", "700k") as folder:
        store = Store.open(folder / "pmtui.db")
        rid = store.import_documents([loads(example_bytes)])[0][0]
        before = dumps(store.export_document(rid))
        doc = loads(example_bytes)
        big = doc.model_copy(update={"summary": "x" * 2_000_000})
        with pytest.raises(StoreError, match="is full; nothing was written"):
            store.import_documents([big])
        assert [r.id for r in store.list_reviews()] == [rid]
        assert dumps(store.export_document(rid)) == before
        store.close()


def test_a_read_only_store_is_a_plain_error(tmp_path, example_bytes):
    with tmpfs(tmp_path / "ro", "4m") as folder:
        store = Store.open(folder / "pmtui.db")
        store.import_documents([loads(example_bytes)])
        store.close()
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        with pytest.raises(StoreError, match=r"cannot be written|cannot open|read-only"):
            Store.open(folder / "pmtui.db").create_review("Nope")


def test_a_read_only_folder_for_a_new_store_is_a_plain_error(tmp_path):
    with tmpfs(tmp_path / "ro", "1m") as folder:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        with pytest.raises(StoreError, match="cannot create the store"):
            Store.open(folder / "pmtui.db")


def test_a_damaged_store_is_never_written_to(db_path, example_bytes):
    store = Store.open(db_path)
    store.import_documents([loads(example_bytes)] * 30)
    store.close()
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'event'").fetchone()[0]
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(db_path.read_bytes())
    offset = (root - 1) * page
    data[offset : offset + 64] = b"\xde\xad" * 32  # break the event table's root page
    db_path.write_bytes(bytes(data))
    before = db_path.read_bytes()
    store = Store.open(db_path)
    with pytest.raises(StoreError, match=r"integrity check|damaged"):
        store.create_review("Written into a damaged file?")
    store.close()
    assert db_path.read_bytes() == before


def test_a_zero_byte_file_becomes_a_new_store(db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    store = Store.open(db_path)
    store.create_review("First review")
    assert [r.title for r in store.list_reviews()] == ["First review"]
    store.close()


def test_a_dangling_symlink_is_a_plain_error(tmp_path):
    link = tmp_path / "pmtui.db"
    link.symlink_to(tmp_path / "gone" / "pmtui.db")
    with pytest.raises(StoreError, match=r"symbolic link to .* which does not exist"):
        Store.open(link)
    assert not (tmp_path / "gone").exists()


def test_the_command_line_says_it_in_one_sentence(cli, db_path, monkeypatch):
    from pmtui.store import sqlite as backend

    monkeypatch.setattr(backend, "BUSY_TIMEOUT_MS", 200)
    assert cli("new", "First").code == 0
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        r = cli("new", "Second")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert r.code == 1 and r.err.count("\n") == 1 and "locked" in r.err and "Traceback" not in r.err


async def test_the_app_keeps_typed_text_when_the_store_is_locked_and_lets_the_user_retry(store, demo, make_app,
                                                                                        db_path, monkeypatch):
    from textual.widgets import Input, Static

    from conftest import settle
    from pmtui.store import sqlite as backend

    monkeypatch.setattr(backend, "BUSY_TIMEOUT_MS", 200)
    store.close()  # the next connection takes the short timeout
    app = make_app(demo, "timeline")
    line = "10:45 Paged the on-call engineer"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.press(*line)
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.screen.query_one("#quick-add", Input).value == line  # nothing typed is lost
            assert "locked" in str(app.screen.query_one("#quick-add-error", Static).render())
        finally:
            other.execute("ROLLBACK")
            other.close()
        await pilot.press("enter")  # retry once the other program let go
        await settle(app, pilot)
        assert app.screen.query_one("#quick-add", Input).value == ""
        assert "Paged the on-call engineer" in [e.text for e in store.events(demo)]
