"""The app on a shared PostgreSQL store: the home list, an edit from the timeline, and
another seat's change arriving through the change signal."""

from __future__ import annotations

import time

import pytest

from conftest import settle
from pmtui.store import Store
from pmtui.widgets.review_list import ReviewList


@pytest.fixture(params=["postgres"])
def backend(request):
    return request.param


async def test_the_app_lists_edits_and_sees_other_seats_on_postgres(store, demo, make_app, db_url):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(ReviewList)
        assert table.rows[0].title.startswith("Checkout latency")
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.store.changed_elsewhere() is False  # starts watching
        await pilot.press("a")
        await pilot.press(*"10:45 Paged the on-call engineer")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Paged the on-call engineer" in [e.text for e in store.events(demo)]
        assert app.store.changed_elsewhere() is False  # our own edit
        other = Store.open(db_url)
        other.actor = "Jonas Weber"
        other.add_event(demo, at=store.events(demo)[0].at, text="Note-taker's event")
        other.close()
        changes: list = []
        deadline = time.monotonic() + 2  # the notification arrives shortly after the commit
        while time.monotonic() < deadline and not any(c["kind"] == "event" for c in changes):
            changes += app.store.changes_elsewhere()
            time.sleep(0.02)
        assert any(c["kind"] == "event" and c["review"] == demo for c in changes)
