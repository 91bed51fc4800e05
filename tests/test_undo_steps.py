"""Undo and redo never overwrite another seat's change: the one check every undo step makes
(``pmtui.errors.unchanged_since``, used by list items, timeline events and the walk-through's
confirmations)."""

from __future__ import annotations

import pytest

from pmtui.errors import Conflict, unchanged_since
from pmtui.store import Store


def test_a_step_writes_while_the_row_holds_what_this_seat_left():
    now = {"text": "Cache keys lack units", "version": 3, "updated_by": "Amara"}
    assert unchanged_since("factor", 7, now, {"text": "Cache keys lack units"}, {"text": "old"}, 3) is now


def test_another_seats_change_since_is_a_conflict_naming_them():
    now = {"text": "Cache keys lack units (Jonas)", "updated_by": "Jonas Weber", "updated_at": "2026-11-27T10:15:00"}
    with pytest.raises(Conflict) as caught:
        unchanged_since("factor", 7, now, {"text": "Cache keys lack units"}, {"text": "old"}, 4)
    c = caught.value
    assert (c.current, c.current_version, c.attempted) == (now, 4, {"text": "old"})
    assert "changed by Jonas Weber at 2026-11-27 10:15 UTC" in c.message and "nothing was written" in c.message


def test_a_row_deleted_since_is_a_conflict_saying_so():
    with pytest.raises(Conflict) as caught:
        unchanged_since("event", 3, None, {"confirmed": True}, {"confirmed": False}, None)
    assert caught.value.current is None and "was deleted since you read it" in caught.value.message


def test_an_item_edits_undo_refuses_after_another_seat_edited_it(store, demo, db_url):
    """App.push_item_edit's steps: undo puts the old text back, unless another seat wrote since."""
    from pmtui.app import PostmortemApp

    app = PostmortemApp(store, watch_interval=None)
    [factor, *_] = store.list_items("factor", demo)
    store.update_item("factor", factor["id"], expected_version=factor["version"], text="Cache keys carry no units")
    app.push_item_edit("edited", "factor", demo, factor["id"], factor)
    _, undo, redo = app.undo_stack[-1]
    undo()
    assert store.list_items("factor", demo)[0]["text"] == factor["text"]
    assert redo is not None
    redo()
    assert store.list_items("factor", demo)[0]["text"] == "Cache keys carry no units"

    other = Store.open(db_url)  # a second seat edits the factor
    other.actor = "Jonas Weber"
    row = other.list_items("factor", demo)[0]
    other.update_item("factor", row["id"], expected_version=row["version"], text="Cache keys carry no units (Jonas)")
    other.close()
    with pytest.raises(Conflict, match="changed by Jonas Weber"):
        undo()
    assert store.list_items("factor", demo)[0]["text"] == "Cache keys carry no units (Jonas)"
