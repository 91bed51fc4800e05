"""Live updates on PostgreSQL survive a killed backend or a server restart (issue 20): the
seat's LISTEN connection is replaced, everything is read again once (a change may have been
missed while no one listened), and later changes arrive as before. While the server does not
answer, polling says so (StoreError) instead of going quiet for good."""

from __future__ import annotations

import time

import pytest

from pmtui.errors import StoreError
from pmtui.store import Store


@pytest.fixture
def backend() -> str:
    return "postgres"


def kill_listener(pg_server, store: Store) -> None:
    import psycopg

    pid = store.backend._listen.info.backend_pid
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True


def poll_until(store: Store, want, seconds: float = 15) -> list:
    deadline = time.monotonic() + seconds
    seen: list = []
    while time.monotonic() < deadline:
        seen += store.changes_elsewhere()
        if want(seen):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"not seen in {seconds} s: {seen}")


def test_a_killed_listening_backend_is_replaced_and_later_changes_arrive(store, demo, db_url, pg_server):
    assert store.changes_elsewhere() == []  # starts listening
    kill_listener(pg_server, store)
    other = Store.open(db_url)
    factor = other.list_items("factor", demo)[0]
    other.update_item("factor", factor["id"], expected_version=factor["version"], text="Cache keys lack units")
    # the change made while the connection was dead (or dying) is not lost: everything is re-read
    everything = {"kind": None, "review": None, "id": None}
    seen = poll_until(store, lambda s: everything in s or any(c.get("id") == factor["id"] for c in s))
    assert everything in seen or {"kind": "factor", "review": demo, "id": factor["id"]} in seen
    # and the seat is live again: a later change arrives as itself
    row = other.row("factor", factor["id"])
    other.update_item("factor", factor["id"], expected_version=row["version"], text="Cache keys carry no units")
    other.close()
    poll_until(store, lambda s: {"kind": "factor", "review": demo, "id": factor["id"]} in s)


def test_while_the_server_does_not_answer_polling_says_so_then_recovers(store, demo, db_url, pg_server, monkeypatch):
    assert store.changes_elsewhere() == []
    backend = store.backend
    real = backend._connect_listen

    def refused():
        raise StoreError("the PostgreSQL server at 127.0.0.1 does not answer")

    monkeypatch.setattr(backend, "_connect_listen", refused)  # as while the server restarts
    kill_listener(pg_server, store)
    with pytest.raises(StoreError):
        poll_until(store, lambda s: False, seconds=5)
    with pytest.raises(StoreError, match="trying again"):  # no new connection on every poll: a try every 3 s
        store.changes_elsewhere()
    monkeypatch.setattr(backend, "_connect_listen", real)
    backend._retry_at = 0.0
    assert store.changes_elsewhere() == [{"kind": None, "review": None, "id": None}]  # read everything again
    other = Store.open(db_url)
    row = other.list_items("learning", demo)[0]
    other.update_item("learning", row["id"], expected_version=row["version"], text="Page on queue depth")
    other.close()
    poll_until(store, lambda s: {"kind": "learning", "review": demo, "id": row["id"]} in s)
