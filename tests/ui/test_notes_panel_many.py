"""The notes panel with many long notes: newest first, every note reachable with the
keys (rows are added as the cursor goes down), and a resize keeps the selection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.widgets import DataTable, Static

from conftest import settle
from pmtui.widgets.notes_panel import NotesPanel

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


async def test_every_one_of_many_long_notes_is_reachable_newest_first(store, make_app):
    rid, _ = store.create_review("Replica lag during the backfill")
    # 120 notes of 16 wrapped lines each: the panel adds them a few at a time as the cursor
    # goes down, so reaching the oldest takes more than a dozen loads of rows (300 notes
    # only made the walk longer: 150 key presses instead of 60, and a third of the suite's tail)
    for i in range(120):
        store.add_item("note", rid, at=T0 + timedelta(minutes=i), text=f"note {i}: " + "lag grew while the backfill ran " * 20,
                       kind="question" if i == 0 else "note", stage="context", author="")
    app = make_app(rid, "timeline")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        panel = app.screen.query_one(NotesPanel)
        assert "Notes (120)" in str(panel.query_one("#notes-title", Static).render())
        table = panel.query_one(DataTable)
        table.focus()
        await pilot.pause()
        assert table.has_focus
        assert panel.selected()["text"].startswith("note 119:")  # newest first
        for _ in range(400):
            if panel.selected()["text"].startswith("note 0:"):
                break
            await pilot.press("pagedown")
        assert panel.selected()["text"].startswith("note 0:")  # the oldest, at the end
        await pilot.press("x")  # the keys work on a note far down the list
        await settle(app, pilot)
        assert store.list_items("note", rid)[0]["kind"] == "note"
        await pilot.resize_terminal(150, 40)
        await settle(app, pilot)
        assert app.screen.query_one(NotesPanel).selected()["text"].startswith("note 0:")
