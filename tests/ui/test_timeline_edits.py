"""Edits on a long timeline change only their rows: the table wraps again only the rows
that changed (the rest keep their lines), and what it shows is the store's timeline."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from conftest import settle
from pmtui.widgets.timeline_table import TimelineTable


async def test_an_edit_wraps_only_the_changed_rows(store, demo, make_app, monkeypatch):
    first = store.events(demo)[0].at
    for i in range(300):
        store.add_event(demo, at=first + timedelta(minutes=i, seconds=30),
                        text=f"Log line {i}: a long enough text to wrap onto a second line on a narrow screen " * 2)
    wrapped: list[int] = []
    original = TimelineTable._wrap_cells

    def counting(self, index, cols):
        wrapped.append(self.rows[index].id)
        return original(self, index, cols)

    monkeypatch.setattr(TimelineTable, "_wrap_cells", counting)
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        assert len(table.rows) == 310 and len(set(wrapped)) == 310
        table.cursor = 150
        await settle(app, pilot)
        target = table.selected

        wrapped.clear()
        await pilot.press("h")  # highlight
        await settle(app, pilot)
        assert table.selected.id == target.id and table.selected.highlight
        assert set(wrapped) <= {target.id} | {table.rows[i].id for i in (149, 151)}, len(wrapped)

        wrapped.clear()
        quick = app.screen.query_one("#quick-add", Input)
        quick.focus()
        quick.value = "+10s Added on a long timeline"
        await pilot.press("enter")
        await settle(app, pilot)
        added = next(r for r in table.rows if r.text == "Added on a long timeline")
        assert len(wrapped) <= 5 and added.id in wrapped
        # the scrollbar follows the new row (it is set again only when the rows or the size change)
        bar = table.vertical_scrollbar
        assert bar.window_virtual_size == table.virtual_size.height == table._offsets[-1] + 1
        assert bar.window_size == table.container_size.height

        wrapped.clear()
        table.focus()
        await pilot.press("4")  # mark: mitigation
        await settle(app, pilot)
        assert len(wrapped) <= 5
        assert [(r.id, r.highlight, r.marks) for r in table.rows] == [
            (r.id, r.highlight, r.marks) for r in store.events(demo)]
        # the lines drawn follow: each row takes as many lines as its wrapped cells
        assert table._offsets[-1] == sum(max(len(c) for c in table._wrapped(i, table._columns(table.size.width)))
                                         for i in range(len(table.rows)))

        wrapped.clear()
        await pilot.resize_terminal(140, 30)  # another width: every row is wrapped again
        await settle(app, pilot)
        assert len(set(wrapped)) == 311
        assert table.vertical_scrollbar.window_virtual_size == table.virtual_size.height == table._offsets[-1] + 1
