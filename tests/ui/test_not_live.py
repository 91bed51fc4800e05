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
