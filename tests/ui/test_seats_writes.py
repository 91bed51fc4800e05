"""Keys that change one field of what a seat sees, and their undo, never write over another
seat's change (issue 20): Follow-ups' status keys and ctrl+z, with a second seat (its own
Store) on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from conftest import settle
from followup_data import fill
from pmtui.screens.followups import FollowupsScreen
from pmtui.store import Store


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


def _status(store, item_id: int) -> str:
    return store.row("action", item_id)["status"]


async def test_followups_status_and_its_undo_leave_another_seats_change(store, make_app, db_url):
    fill(store)
    # "Lower the alert threshold": open and overdue, first in the list
    a_id = next(a["id"] for r in store.list_reviews() for a in store.list_items("action", r.id)
                if a["title"] == "Lower the alert threshold")
    app = make_app()
    told: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (told.append(message), notify(message, **kw))[1]
    other = Store.open(db_url)
    other.actor = "Jonas Weber"
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(app, pilot)
            await pilot.press("f6")
            await settle(app, pilot)
            assert isinstance(app.screen, FollowupsScreen)
            table = app.screen.query_one(DataTable)
            await pilot.press("down", "home", "x")  # to the list (the filter has the keys first), done
            await settle(app, pilot)
            assert _status(store, a_id) == "done"
            # the other seat reopens it as in progress
            row = other.row("action", a_id)
            other.update_item("action", a_id, expected_version=row["version"], status="in_progress")
            await pilot.press("ctrl+z")  # this seat's undo of "done": not over Jonas's change
            await settle(app, pilot)
            assert _status(store, a_id) == "in_progress"
            assert any("Could not undo" in m and "changed by Jonas Weber" in m for m in told), told
            # a status key on a list that is behind: the other seat set it to won't do meanwhile
            app.screen.refresh_from_store()
            await settle(app, pilot)
            shown = next(r for r in app.screen.rows if r.id == a_id)
            assert shown.status == "in_progress"
            row = other.row("action", a_id)
            other.update_item("action", a_id, expected_version=row["version"], status="wont_do",
                              status_note="Covered by the new alert")
            table.move_cursor(row=next(i for i, r in enumerate(app.screen.shown) if r.id == a_id))
            await pilot.press("x")
            await settle(app, pilot)
            assert _status(store, a_id) == "wont_do"
            assert any(m.startswith("Not changed:") and "Jonas Weber" in m for m in told)
    finally:
        other.close()
