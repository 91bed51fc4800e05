"""The home list's order kept by the database (store/listed.py, schema 11): whatever
writes the events (import, evidence, a seat's edit, a delete, undo), the kept first
times are what working them out from the events gives, and the first page read from
them is the head of the whole list."""

from __future__ import annotations

import random
import sqlite3
from datetime import date

from pmtui.domain.document import FORMAT, validate_document
from pmtui.store.home_list import _PAGE_SQL_12, first_page

WORKED_OUT = """
SELECT r.id, r.started_utc, r.created_at,
       (SELECT MIN(at_utc) FROM event e WHERE e.review_id = r.id AND COALESCE(e.source_id, '') = ''),
       (SELECT MIN(at_utc) FROM event e WHERE e.review_id = r.id)
FROM review r ORDER BY r.id"""
KEPT = "SELECT review_id, started_utc, created_at, first_typed_utc, first_any_utc FROM review_order ORDER BY review_id"


def kept_and_worked_out(path):
    con = sqlite3.connect(path)
    try:
        return con.execute(KEPT).fetchall(), con.execute(WORKED_OUT).fetchall()
    finally:
        con.close()


def doc(i: int, events: list[tuple[str, str | None]]) -> object:
    return validate_document({"format": FORMAT, "title": f"Queue backlog {i}", "timeline": [
        {"at": at, "text": f"event {n}", **({"source": "log:app.jsonl", "source_id": sid} if sid else {})}
        for n, (at, sid) in enumerate(events)]})


def test_the_kept_first_times_follow_every_kind_of_write(store, db_path):
    rng = random.Random(23)
    ids = [i for i, _slug in store.import_documents([
        doc(i, [(f"2026-0{1 + i % 9}-1{i % 10}T10:00:00Z", None), (f"2025-12-0{1 + i % 9}T08:00:00Z", f"l-{i}")])
        for i in range(6)])]
    ids.append(store.create_review("No events yet")[0])
    kept, worked = kept_and_worked_out(db_path)
    assert kept == worked and all(k[3] for k in kept[:6])
    for step in range(60):
        review = rng.choice(ids)
        events = store.events(review)
        what = rng.choice(["add", "delete", "move", "started"])
        if what == "add" or not events:
            store.add_event(review, at=f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T0{rng.randint(0, 9)}:00:00Z",
                            text=f"step {step}")
        elif what == "delete":
            e = rng.choice(events)
            store.delete_event(e.id, expected_version=e.version)
        elif what == "move":
            e = rng.choice(events)
            store.update_event(e.id, expected_version=e.version,
                               at=f"2024-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}T12:00:00Z")
        else:
            v = store.get_review(review)["version"]
            store.set_started(review, f"2026-0{rng.randint(1, 9)}-01T00:00:00Z" if rng.random() < 0.7 else None, v)
        kept, worked = kept_and_worked_out(db_path)
        assert kept == worked, (step, what)
    gone = store.get_review(ids[0])
    store.delete_review(ids[0], gone["version"], gone["updated_at"])
    kept, worked = kept_and_worked_out(db_path)
    assert kept == worked and ids[0] not in [k[0] for k in kept]


def test_the_first_page_is_the_index_scan_and_the_head_of_the_whole_list(store, db_path):
    store.import_documents([doc(i, [(f"2026-01-{1 + i % 28:02d}T10:{i % 60:02d}:00Z", None)]) for i in range(150)])
    for i in range(4):
        store.create_review(f"Draft {i}")
    today = date(2026, 3, 1)
    whole = store.list_reviews(today=today)
    assert first_page(db_path, 100, today=today) == whole[:100]
    con = sqlite3.connect(db_path)
    try:
        from pmtui.store.home_list import _PAGE_SQL

        plan = " ".join(str(r[3]) for r in con.execute("EXPLAIN QUERY PLAN " + _PAGE_SQL, (100,)))
        assert "USING INDEX ix_review_order_listed" in plan and "TEMP B-TREE" not in plan, plan
        # the kept order is the order worked out from the events (the list before schema 11)
        assert con.execute(_PAGE_SQL, (100,)).fetchall() == con.execute(_PAGE_SQL_12, (100,)).fetchall()
    finally:
        con.close()
