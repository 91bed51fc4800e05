"""A seat says when it is not live (issue 20): on PostgreSQL, when its LISTEN connection dies
and the server does not answer, the header of every section shows "not live" and the seat is
told once; when the server answers again the marker goes, the section is read again (what
changed meanwhile shows) and later changes arrive as before."""

from __future__ import annotations

import time

import pytest

from conftest import TODAY, settle
from pmtui.app import PostmortemApp
from pmtui.errors import StoreError
from pmtui.store import Store
from pmtui.widgets.list_editor import ListEditor


@pytest.fixture
def backend() -> str:
    return "postgres"


async def test_a_seat_shows_it_is_not_live_and_catches_up_when_back(store, demo, db_url, pg_server, monkeypatch):
    import psycopg

    app = PostmortemApp(store, review_id=demo, screen="analysis", today=lambda: TODAY, watch_interval=None)
    told: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (told.append(message), notify(message, **kw))[1]  # type: ignore[method-assign]
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        app._watch_store()  # starts listening
        assert "not live" not in app.screen.sub_title
        real = store.backend._connect_listen

        def refused():
            raise StoreError("the PostgreSQL server at 127.0.0.1 does not answer")

        monkeypatch.setattr(store.backend, "_connect_listen", refused)  # the server restarts
        with psycopg.connect(pg_server.url("postgres"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (store.backend._listen.info.backend_pid,))
        deadline = time.monotonic() + 15
        while app.live and time.monotonic() < deadline:
            app._watch_store()
            await pilot.pause(0.05)
        await settle(app, pilot)
        assert not app.live
        assert "⚠ not live" in app.screen.sub_title
        assert any(m.startswith("Not live: other seats' changes do not show here") for m in told)
        app.save_screenshot("/tmp/w20-not-live.svg")
        # meanwhile another seat changes a factor
        other = Store.open(db_url)
        factor = other.list_items("factor", demo)[0]
        other.update_item("factor", factor["id"], expected_version=factor["version"], text="Retry budget was unbounded")
        other.close()
        # the server answers again
        monkeypatch.setattr(store.backend, "_connect_listen", real)
        store.backend._retry_at = 0.0
        app._watch_store()
        await settle(app, pilot)
        assert app.live and "not live" not in app.screen.sub_title
        assert any(m.startswith("Live again") for m in told)
        editor = next(e for e in app.screen.query(ListEditor) if e.kind == "factor")
        assert any(i["text"] == "Retry budget was unbounded" for i in editor.items)


async def test_every_connection_killed_the_seat_stays_reads_and_writes_at_once(store, demo, db_url, pg_server):
    """The mock review's PostgreSQL backend kill (issue 20): pg_terminate_backend of every
    connection of the database while the seats were live ended both terminal seats with a
    traceback on their next read (the change signal came back, the re-read met a dead pooled
    connection). The seat stays, shows what changed meanwhile, and its next write is saved."""
    import psycopg
    from textual.widgets import TextArea

    from pmtui.widgets.field import Field

    store.actor = "Amara Okafor"
    app = PostmortemApp(store, review_id=demo, screen="overview", today=lambda: TODAY, watch_interval=None)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        app._watch_store()  # starts listening
        for _ in range(3):  # the pool holds a few connections, each read once
            store.get_review(demo)
        other = Store.open(db_url)
        other.actor = "Jonas Weber"
        other.get_review(demo)
        with psycopg.connect(pg_server.url("postgres"), autocommit=True) as admin:
            killed = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE datname = %s", (db_url.rsplit("/", 1)[1],)).fetchall()
        assert len(killed) >= 2
        # the other seat saves the Summary (its own pooled connection was killed too)
        seen = other.get_review(demo)
        other.update_review(demo, expected_version=seen["version"], summary="Summary typed after the server hiccup")
        other.close()
        for _ in range(3):
            app._watch_store()  # never raises: the seat stays
            await settle(app, pilot)
        assert isinstance(app.screen.query_one("#field-summary", Field).control, TextArea)
        assert app.screen.query_one("#field-summary", Field).text == "Summary typed after the server hiccup"
        assert app.live and "not live" not in app.screen.sub_title
        # and this seat's next write is saved at once
        seen = store.get_review(demo)
        store.update_review(demo, expected_version=seen["version"], title="Checkout latency, read again")
        assert store.get_review(demo)["title"] == "Checkout latency, read again"


async def test_a_re_read_that_fails_leaves_the_seat_not_live_and_reads_all_next_time(store, demo, db_url, monkeypatch):
    """The server goes away between the change signal and the re-read: the seat is not ended
    (a traceback lost the terminal seats' unsaved typing), it says it is not live, and the
    next poll reads everything again."""
    from pmtui.widgets.field import Field

    app = PostmortemApp(store, review_id=demo, screen="overview", today=lambda: TODAY, watch_interval=None)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        app._watch_store()
        other = Store.open(db_url)
        seen = other.get_review(demo)
        other.update_review(demo, expected_version=seen["version"], summary="Written while this seat was reading")
        other.close()
        real = store.get_review

        def gone(review_id):
            raise StoreError("the PostgreSQL server at 127.0.0.1 does not answer")

        monkeypatch.setattr(store, "get_review", gone)
        deadline = time.monotonic() + 15
        while app.live and time.monotonic() < deadline:  # the signal arrives, the re-read fails: no exception
            app._watch_store()
            await pilot.pause(0.05)
        await settle(app, pilot)
        assert not app.live and "⚠ not live" in app.screen.sub_title
        monkeypatch.setattr(store, "get_review", real)
        app._watch_store()  # nothing new signalled, but what was missed is read
        await settle(app, pilot)
        assert app.live
        assert app.screen.query_one("#field-summary", Field).text == "Written while this seat was reading"
