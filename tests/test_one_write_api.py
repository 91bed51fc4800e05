"""There is one way to change or delete a row people edit, and nothing writes around it
(issue 20): ``pmtui.store.rows`` (compare-and-set on the row's version).

Two nets, each shown catching a new offender:
- at run time, every statement the store runs in a write is watched for the whole test run
  (``tests/write_guard.py``, installed by conftest.py): an UPDATE or DELETE of an edited
  table without ``version = …`` in its WHERE fails the test that drove it;
- in the source, every UPDATE or DELETE the store's modules build sits in a function named
  below with why it may (a write path no test drives is caught here).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pmtui.errors import Conflict
from write_guard import problem

STORE = Path(__file__).resolve().parent.parent / "src" / "pmtui" / "store"

# (module, function): why it may build an UPDATE or DELETE itself
ALLOWED = {
    ("rows", "cas_update"): "the one write API: WHERE id AND version",
    ("rows", "cas_delete"): "the one write API: WHERE id AND version",
    ("review_edits", "_touch"): "the review's updated_at only (no one's words)",
    ("list_edits", "move_item"): "a list's order (position) only",
    ("review_edits", "_write_tags"): "after a compare-and-set of the review in the same transaction",
    ("timeline_edits", "set_mark"): "compare-and-set on the event that held the mark",
    ("meeting_state", "end_meeting"): "the meeting clock, not a row people type into",
    ("note_links", "unlink_note"): "a note's link row, by all of its values",
    ("presence", "heartbeat"): "who is here (presence), no one's words",
    ("presence", "leave"): "who is here (presence), no one's words",
    ("schema", "_stamp"): "the schema version",
    ("sqlite", "notify"): "pruning the change log",
    ("sources", "delete_events_seen"): "compare-and-set per row: WHERE id AND version, all or nothing",
    ("search", "_flush_sql"): "the search index, kept from the rows people write (no one's words are written)",
    ("search", "_postgres_ddl"): "the search index's triggers (schema, not rows)",
    ("search", "rebuild"): "the search index built again from the rows (no one's words are written)",
    ("listed", "_sqlite_ddl"): "the home list's order, kept by triggers from the rows people write (schema, not rows)",
}


def writes_in(source: str) -> list[tuple[str, int]]:
    """(function, line) of each UPDATE or DELETE built in this module's source: ``x.update()``
    of a table, ``delete(...)``, ``update(...)``, or SQL text naming UPDATE or DELETE FROM."""
    found: list[tuple[str, int]] = []

    class Visit(ast.NodeVisitor):
        def __init__(self) -> None:
            self.stack: list[str] = []

        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            self.stack.append(node.name)
            self.generic_visit(node)
            self.stack.pop()

        visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

        def visit_Call(self, node: ast.Call) -> None:
            f = node.func
            if isinstance(f, ast.Name) and f.id in ("delete", "update"):
                found.append((self.stack[-1] if self.stack else "", node.lineno))
            elif isinstance(f, ast.Attribute) and f.attr == "update" and not node.args and not node.keywords:
                found.append((self.stack[-1] if self.stack else "", node.lineno))  # table.update()
            self.generic_visit(node)

        def visit_Expr(self, node: ast.Expr) -> None:  # a docstring writes nothing
            if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                self.generic_visit(node)

        def visit_Constant(self, node: ast.Constant) -> None:
            if isinstance(node.value, str) and re.search(r"^\s*(UPDATE\s+\w|DELETE\s+FROM)", node.value, re.I | re.M):
                found.append((self.stack[-1] if self.stack else "", node.lineno))

    Visit().visit(ast.parse(source))
    return found


def test_every_update_or_delete_in_the_store_is_the_write_api_or_named_with_why():
    strays = []
    for path in sorted(STORE.glob("*.py")):
        for function, line in writes_in(path.read_text()):
            if (path.stem, function) not in ALLOWED:
                strays.append(f"store/{path.name}:{line} in {function or 'module'}()")
    assert not strays, ("an UPDATE or DELETE outside the one write API (pmtui.store.rows); write through "
                        "cas_update/cas_delete with the version read: " + ", ".join(strays))


def test_the_source_scan_catches_a_new_write_that_states_no_version():
    new_offender = '''
def set_owner(self, item_id, owner):
    t = _table("ActionItem")
    with self._write() as conn:
        conn.execute(t.update().where(t.c.id == item_id).values(owner=owner))
'''
    assert writes_in(new_offender) == [("set_owner", 5)]
    assert writes_in('def purge(conn):\n    conn.exec_driver_sql("DELETE FROM note WHERE id = 3")\n') == [("purge", 2)]


@pytest.mark.parametrize("sql,bad", [
    ("UPDATE factor SET text=?, version=(factor.version + ?) WHERE factor.id = ? AND factor.version = ?", False),
    ("DELETE FROM event WHERE event.id = %(id_1)s::INTEGER AND event.version = %(version_1)s::INTEGER "
     "RETURNING event.id", False),
    ("UPDATE review SET updated_at=? WHERE review.id = ?", False),  # the touch
    ("UPDATE factor SET position=? WHERE factor.id = ?", False),  # a list's order
    ("UPDATE factor SET text=? WHERE factor.id = ?", True),
    ("UPDATE action_item SET status=?, position=? WHERE action_item.id = ?", True),
    ("DELETE FROM event WHERE event.id = ?", True),
    ("DELETE FROM factor WHERE factor.id = ? AND factor.version >= ?", True),
    ("DELETE FROM event_mark WHERE event_mark.review_id = ? AND event_mark.mark = ?", True),
    ("DELETE FROM tag WHERE tag.review_id = ?", True),  # without the review's compare-and-set first
    ("INSERT INTO factor (text) VALUES (?)", False),
    ("SELECT factor.id FROM factor", False),
])
def test_the_run_time_guard_tells_a_compare_and_set_from_a_blind_write(sql, bad):
    assert (problem(sql, set()) is not None) is bad


def test_the_run_time_guard_fails_a_new_write_path_that_states_no_version(store, demo):
    """A store method added without the write API: the first test that drives it fails."""
    from pmtui.store.models import Factor, table_of

    t = table_of(Factor)
    factor = store.list_items("factor", demo)[0]

    def blind(text: str) -> None:
        with store._write() as conn:
            conn.execute(t.update().where(t.c.id == factor["id"]).values(text=text))

    with pytest.raises(AssertionError, match=r"outside the one write API.*UPDATE of factor without the version"):
        blind("words another seat replaced since")
    assert store.list_items("factor", demo)[0]["text"] == factor["text"]  # and nothing was written
    # the same change through the write API passes
    store.update_item("factor", factor["id"], expected_version=factor["version"], text="Cache keys lack units")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


def test_tags_state_the_reviews_version(store, demo, db_url):
    """Overview: "changed by another seat" is no longer followed by an overwrite of their tags."""
    from pmtui.store import Store

    seen = store.get_review(demo)
    other = Store.open(db_url)
    other.actor = "Jonas Weber"
    other.set_tags(demo, [*seen["tags"], "queue"], expected_version=seen["version"])
    other.close()
    with pytest.raises(Conflict) as caught:
        store.set_tags(demo, ["database"], expected_version=seen["version"])
    assert caught.value.current == {"tags": sorted([*seen["tags"], "queue"])}
    assert "changed by Jonas Weber" in caught.value.message
    assert "queue" in store.get_review(demo)["tags"]


def test_a_mark_moves_only_from_where_this_seat_saw_it(store, demo, db_url):
    from pmtui.store import Store

    events = store.events(demo)
    holder = next((e.id for e in events if "detected" in e.marks), None)
    free = [e for e in events if not e.marks]
    other = Store.open(db_url)
    other.set_mark(demo, "detected", free[0].id, expected_holder=holder)  # another seat moves it
    other.close()
    with pytest.raises(Conflict):  # this seat's undo of an earlier move, from where it saw the mark
        store.set_mark(demo, "detected", free[1].id, expected_holder=holder)
    assert [e.id for e in store.events(demo) if "detected" in e.marks] == [free[0].id]
    with pytest.raises(Conflict):  # "no event held it" is checked too
        store.set_mark(demo, "detected", free[1].id, expected_holder=None)


def test_a_key_or_undo_writes_only_while_the_row_holds_what_this_seat_saw(store, demo, db_url):
    """Follow-ups' status keys and their undo, the Report's status undo, the note conversion's
    undo: ``update_if_unchanged`` writes only over what the seat saw."""
    from pmtui.store import Store

    item = store.list_items("action", demo)[0]
    store.update_if_unchanged("action", item["id"], {"status": item["status"]}, status="in_progress")
    other = Store.open(db_url)
    other.actor = "Jonas Weber"
    row = other.row("action", item["id"])
    other.update_item("action", item["id"], expected_version=row["version"], status="done")
    review = other.get_review(demo)
    other.update_review(demo, expected_version=review["version"], status="published")
    other.close()
    with pytest.raises(Conflict, match="changed by Jonas Weber"):  # the undo of "in progress"
        store.update_if_unchanged("action", item["id"], {"status": "in_progress"}, status=item["status"])
    assert store.row("action", item["id"])["status"] == "done"
    with pytest.raises(Conflict):  # the Report's undo of its own "in review"
        store.update_if_unchanged("review", demo, {"status": "in_review"}, status="draft")
    assert store.get_review(demo)["status"] == "published"
    # another field changed meanwhile is no conflict: only the one written is compared
    store.update_if_unchanged("action", item["id"], {"status": "done"}, owner="SRE team")
    assert store.row("action", item["id"])["owner"] == "SRE team"


def test_undo_of_an_add_leaves_another_seats_edit_and_ids_are_never_reused(store, demo, db_url):
    from datetime import UTC, datetime

    from pmtui.app import PostmortemApp
    from pmtui.store import Store

    app = PostmortemApp(store, watch_interval=None)
    at = datetime(2026, 3, 10, 14, 5, tzinfo=UTC)
    top = store.add_event(demo, at=at, text="Paged the on-call engineer")
    app.push_added("added an event", "event", top, quiet=True)
    other = Store.open(db_url)
    other.actor = "Jonas Weber"
    row = other.row("event", top)
    other.update_event(top, expected_version=row["version"], text="Paged the on-call engineer (second page)")
    with pytest.raises(Conflict, match="changed by Jonas Weber"):
        app.undo_stack[-1][1]()
    assert store.row("event", top)["text"] == "Paged the on-call engineer (second page)"
    # the top id, deleted, is not handed out again (SQLite without AUTOINCREMENT did)
    other.delete_event(top, expected_version=row["version"] + 1)
    again = other.add_event(demo, at=at, text="Queue drained")
    other.close()
    assert again != top
    factor = store.add_item("factor", demo, text="No jitter in retries", category="technical")
    store.delete_item("factor", factor, expected_version=1)
    assert store.add_item("factor", demo, text="Alert fired late", category="technical") != factor
