"""Widgets never write to the store: they post messages and the screens write (issue 12).

Each module of ``pmtui.widgets`` is read as a syntax tree; naming a method of the store
that is not a read (``add_item``, ``update_item``, ``link_note``, … and any write added to the
store later, since the reads are what is listed) or the app's ways of writing
(``app.write``, the ``push_*`` undo records, the presence heartbeat) fails, whether it is
called, passed on or looked up with ``getattr``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pmtui.widgets
from pmtui.store import Store

# What a widget may name on the store: reads (listed, so that a write added to the store
# later is forbidden without anyone remembering to add it here), and the store's opening
# and change-watching, which write nothing.
STORE_READS = {
    "count_reviews", "engine", "event_count", "event_index", "event_original", "event_page", "event_sources",
    "events", "events_by_id", "events_with_marks", "evidence_keys", "export_document", "export_documents",
    "get_meeting", "get_review", "kind", "list_items", "list_reviews", "note_links", "path", "present", "resolve",
    "review_started", "review_uids", "schema_version",
    "open", "changed_elsewhere", "changes_elsewhere",
}
# The app's ways of writing (besides every ``push_…`` undo record).
APP_WRITES = {"write", "beat", "leave_review", "set_seat_name"}


def store_writes() -> set[str]:
    return {name for name in dir(Store) if not name.startswith("_")} - STORE_READS


def writes_in(source: str) -> list[tuple[int, str]]:
    """Where ``source`` names a store write or one of the app's writes: (line, name)."""
    forbidden = store_writes() | APP_WRITES
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            name = node.args[1].value
        else:
            continue
        if name in forbidden or name.startswith("push_"):
            found.append((node.lineno, name))
    return found


WIDGETS = sorted(Path(pmtui.widgets.__file__).parent.glob("*.py"))


def test_the_store_reads_named_here_are_the_stores():
    """A read renamed or removed in the store must leave the list, else the list could hide a write."""
    assert STORE_READS <= {name for name in dir(Store) if not name.startswith("_")}
    assert {"add_item", "update_item", "delete_item", "move_item", "restore_item", "add_event", "update_event",
            "delete_event", "restore_event", "link_note", "unlink_note", "set_mark", "set_tags", "save_meeting",
            "update_review", "heartbeat"} <= store_writes()


@pytest.mark.parametrize("path", WIDGETS, ids=lambda p: p.stem)
def test_no_widget_writes_to_the_store(path):
    found = writes_in(path.read_text(encoding="utf-8"))
    assert not found, (f"{path.name} writes ({', '.join(f'line {line}: {name}' for line, name in found)}): "
                       "post a message and let the screen write")


@pytest.mark.parametrize("source", [
    "self.app.store.add_item(kind, review_id, text='x')",
    "store = self.app.store\nstore.link_note(note_id, 'event', new_id)",
    "self.app.write(lambda: self.app.store.delete_item(kind, item_id, expected_version=3))",
    "self.app.push_undo('moved', undo, redo)",
    "self.app.push_item_edit('edited', kind, review_id, item_id, before)",
    "save = self.app.store.update_item",
    "getattr(self.app.store, 'move_item')(kind, item_id, 1)",
])
def test_the_scan_finds_a_write_put_back(source):
    """The check above would fail if a widget wrote again, in any of these shapes."""
    assert writes_in(source)


def test_the_scan_leaves_reads_and_the_widgets_own_calls_alone():
    source = ("items = self.app.store.list_items(self.kind, self.review_id)\n"
              "table.add_row('x', key='1')\ntable.clear(columns=True)\nself.post_message(self.Changed(self))\n"
              "self.query_one(Static).update('')\n")
    assert writes_in(source) == []
