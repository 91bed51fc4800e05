"""Opening a review never waits on its whole document (issue 23): Enter on the list
checks the review in a thread while the list keeps its keys ("opening …" in the
header), and `pmtui open` checks it without reading its imported evidence again,
unless a line of that evidence holds what no import writes (then it is read, and the
problem named, as before)."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from conftest import settle
from pmtui.domain.document import loads
from pmtui.widgets.review_list import ReviewList


def with_evidence(example_bytes: bytes, title: str, lines: int = 40) -> bytes:
    doc = json.loads(example_bytes)
    doc["title"] = title
    doc["timeline"] += [{"at": f"2026-03-10T08:{n % 60:02d}:00Z", "text": f"log line {n}", "source": "log:app.jsonl",
                         "source_id": f"line-{n}"} for n in range(lines)]
    return json.dumps(doc).encode()


async def test_enter_checks_in_a_thread_while_the_list_keeps_its_keys(store, example_bytes, make_app, monkeypatch):
    import pmtui.store.plain as plain

    first = store.import_documents([loads(example_bytes)])[0][0]
    second = store.import_documents([loads(with_evidence(example_bytes, "Queue backlog on the billing workers"))])[0][0]
    gate, asked = threading.Event(), []
    read = plain.read_documents

    def slow(st, ids, **kwargs):
        asked.append(ids[0])
        if len(asked) == 1:
            gate.wait(30)  # the first check takes as long as a review of 100,000 events
        return read(st, ids, **kwargs)

    monkeypatch.setattr(plain, "read_documents", slow)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        home = app.screen
        table = home.query_one(ReviewList)
        table.focus()
        table.cursor = [r.id for r in table.rows].index(first)
        await pilot.press("enter")
        await pilot.pause()
        assert home.sub_title.startswith("opening “Checkout latency")  # the loading state
        assert app.screen is home
        await pilot.press("down" if table.cursor == 0 else "up")  # keys still move the list
        await pilot.pause()
        assert table.selected.id == second
        await pilot.press("enter")  # another review asked for meanwhile: that one opens
        gate.set()
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.screen.SECTION == "overview" and app.screen.review_id == second
        assert asked[:2] == [first, second]
        app.pop_screen()
        await settle(app, pilot)
        assert app.screen is home and home.sub_title is None  # the app's own subtitle again


BAD_EVIDENCE = [
    ("offset", "UPDATE event SET offset_min = 99999 WHERE review_id = :id AND source_id IS NOT NULL",
     "a stored value cannot be read"),
    ("kind", "UPDATE event SET kind = 'incident' WHERE review_id = :id AND source_id IS NOT NULL",
     "kind: must be one of"),
    ("year", "UPDATE event SET at_utc = '0999-01-01T10:00:00.000000' WHERE review_id = :id AND source_id IS NOT NULL",
     "at: must lie between 1000-01-02 and 9999-12-30"),
]


@pytest.mark.parametrize("sql, message", [b[1:] for b in BAD_EVIDENCE], ids=[b[0] for b in BAD_EVIDENCE])
def test_open_still_names_evidence_no_import_writes(cli, store, db_path, example_bytes, sql, message):
    review = store.import_documents([loads(with_evidence(example_bytes, "Queue backlog"))])[0][0]
    con = sqlite3.connect(db_path)
    with con:
        con.execute(sql, {"id": review})
    con.close()
    r = cli("open", str(review))
    assert r.code == 1 and r.out == "" and "Traceback" not in r.err
    assert r.err.startswith(f"pmtui: error: review {review} cannot be read: its stored data is not valid: "), r.err
    assert message in r.err


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_check_before_opening_reads_no_evidence(backend, store, example_bytes):
    """What `pmtui open` and Enter check costs the same at 10 events as at 100,000:
    the evidence lines are not read into the document checked (both databases)."""
    from pmtui.domain.document import read_stored

    review = store.import_documents([loads(with_evidence(example_bytes, "Queue backlog", lines=300))])[0][0]
    assert not store.evidence_suspect(review)
    docs, bad = read_stored(store, [review], evidence=False)
    assert not bad and not any(e.source_id for e in docs[review].timeline)
    whole, _ = read_stored(store, [review])
    assert sum(1 for e in whole[review].timeline if e.source_id) == 300
    assert [e for e in whole[review].timeline if not e.source_id] == docs[review].timeline
