"""A review already in the store that the current rules refuse (written by an older
pmtui, or edited by hand) never takes the store down: `list` shows it, `export
--all` skips it with a warning naming it and exits 1, the commands on that one
review say what is wrong (exit 1, no traceback), and the app lists it and refuses to
open it with a notification while everything else keeps working."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import settle
from pmtui.domain.document import loads
from pmtui.widgets.review_list import ReviewList

# (what a hand edit or an older version left, the SQL that leaves it, what the message says)
BAD_ROWS = [
    ("status of another version", "UPDATE review SET status = 'archived' WHERE id = :id",
     "status: must be one of 'draft', 'in_review' or 'published' (got 'archived')"),
    ("zone that does not exist", "UPDATE review SET timezone = 'Mars/Olympus' WHERE id = :id",
     "timezone: unknown time zone Mars/Olympus"),
    ("negative count", "UPDATE review SET users_affected = -5 WHERE id = :id",
     "impact.users_affected: must not be negative"),
    ("count beyond 64 bits stored as a real", "UPDATE review SET support_tickets = 1e30 WHERE id = :id",
     "impact.support_tickets: must be a whole number"),
    ("title as a blob", "UPDATE review SET title = X'00ff41' WHERE id = :id", "title: must be a string"),
    ("event offset out of range", "UPDATE event SET offset_min = 99999 WHERE review_id = :id",
     "a stored value cannot be read"),
    ("event kind of another version", "UPDATE event SET kind = 'incident' WHERE review_id = :id",
     "timeline[0].kind: must be one of"),
    ("event time before the year 1000", "UPDATE event SET at_utc = '0999-01-01T10:00:00.000000' WHERE review_id = :id",
     "timeline[0].at: must lie between 1000-01-02 and 9999-12-30"),
    ("due date that is not a date", "UPDATE action_item SET due = 'soon' WHERE review_id = :id",
     "action_items[0].due: must be a date written YYYY-MM-DD"),
]


@pytest.fixture
def store_with_a_bad_review(store, db_path, example_bytes, request):
    """Three good reviews around one whose row was then changed with sqlite3."""
    _name, sql, message = request.param
    good_before = store.import_documents([loads(example_bytes)])[0][0]
    doc = json.loads(example_bytes)
    doc["title"] = "Queue backlog on the billing workers"
    bad = store.import_documents([loads(json.dumps(doc))])[0][0]
    good_after = store.create_review("Search index lag")[0]
    con = sqlite3.connect(db_path)
    with con:
        con.execute(sql, {"id": bad})
    con.close()
    return {"good": [good_before, good_after], "bad": bad, "message": message}


def each_bad_row():
    return pytest.mark.parametrize("store_with_a_bad_review", BAD_ROWS, ids=[b[0] for b in BAD_ROWS], indirect=True)


@each_bad_row()
def test_list_still_lists_every_review(cli, store_with_a_bad_review):
    r = cli("list", "--format", "json")
    assert "Traceback" not in r.err
    ids = {x["id"] for x in json.loads(r.out)}
    assert ids == {*store_with_a_bad_review["good"], store_with_a_bad_review["bad"]}
    r = cli("list")
    assert "Traceback" not in r.err and "Search index lag" in r.out and "Checkout latency" in r.out
    assert r.out.count("\n") == 4  # the header and all three reviews
    assert r.code in (0, 1)


@each_bad_row()
def test_export_all_skips_the_bad_review_with_a_warning_and_exit_1(cli, store_with_a_bad_review, tmp_path):
    bad = store_with_a_bad_review["bad"]
    r = cli("export", "--all", "--to", str(tmp_path / "wiki"))
    assert r.code == 1 and "Traceback" not in r.err
    assert r.out.startswith("Wrote 2 review pages, actions.md, patterns.md and index.md")
    assert f"pmtui: warning: skipped review {bad} (2026-03-10-queue-backlog-on-the-billing-workers)" in r.err
    assert store_with_a_bad_review["message"] in r.err
    assert "1 review was not exported" in r.err
    pages = sorted(p.name for p in (tmp_path / "wiki").iterdir())
    assert len(pages) == 5 and {"index.md", "actions.md", "patterns.md"} <= set(pages)
    assert not any("billing" in p for p in pages)
    assert "Search index lag" in (tmp_path / "wiki" / "index.md").read_text()


@each_bad_row()
def test_commands_on_the_bad_review_say_what_is_wrong(cli, store_with_a_bad_review):
    bad = store_with_a_bad_review["bad"]
    for args in (["export", str(bad)], ["export", str(bad), "--format", "md"], ["check", str(bad)], ["open", str(bad)]):
        r = cli(*args)
        assert r.code == 1, args
        assert r.err.startswith(f"pmtui: error: review {bad} cannot be read: its stored data is not valid: "), r.err
        assert store_with_a_bad_review["message"] in r.err and "Traceback" not in r.err
        assert r.out == ""
    for good in store_with_a_bad_review["good"]:
        assert cli("export", str(good)).code == 0


@pytest.mark.parametrize("store_with_a_bad_review", [BAD_ROWS[0], BAD_ROWS[4], BAD_ROWS[5]],
                         ids=["status", "blob title", "event offset"], indirect=True)
async def test_the_app_lists_the_bad_review_and_refuses_to_open_it(store, store_with_a_bad_review, make_app):
    bad = store_with_a_bad_review["bad"]
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(ReviewList)
        keys = [str(r.id) for r in table.rows]
        assert sorted(keys) == sorted(str(i) for i in (*store_with_a_bad_review["good"], bad))
        table.focus()
        table.cursor = keys.index(str(bad))
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.__class__.__name__ == "HomeScreen"  # not opened, not crashed
        messages = [n.message for n in app._notifications]
        assert any(f"Review {bad} (" in m and "cannot be opened" in m and store_with_a_bad_review["message"] in m
                   for m in messages), messages
        table.cursor = keys.index(str(store_with_a_bad_review["good"][1]))
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.SECTION == "overview"


async def test_home_survives_a_first_event_time_the_store_cannot_read(store, db_path, example_bytes, make_app):
    """A first-event time the store cannot read lists that review without a date, beside
    the others, instead of taking the home screen down."""
    other = store.create_review("Search index lag")[0]
    review_id = store.import_documents([loads(example_bytes)])[0][0]
    con = sqlite3.connect(db_path)
    with con:
        con.execute("UPDATE event SET at_utc = '2026-02-30T10:00:00.000000' WHERE review_id = ?", (review_id,))
    con.close()
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert app.screen.__class__.__name__ == "HomeScreen"
        rows = {r.id: r for r in app.screen.query_one(ReviewList).rows}
        assert set(rows) == {review_id, other} and rows[review_id].first_event is None
        await pilot.press("ctrl+n")  # the app still works: a new review can be started
        await settle(app, pilot)
        assert app.screen.__class__.__name__ == "PromptScreen"


def test_list_and_export_all_list_a_review_whose_first_time_cannot_be_read(cli, store, db_path, example_bytes,
                                                                          tmp_path):
    """A first-event time the store cannot read: `list` still lists every review (that one
    without a date), and `export --all` skips that review with a warning and exit 1."""
    other = store.create_review("Search index lag")[0]
    review_id = store.import_documents([loads(example_bytes)])[0][0]
    con = sqlite3.connect(db_path)
    with con:
        con.execute("UPDATE event SET at_utc = '2026-02-30T10:00:00.000000' WHERE review_id = ?", (review_id,))
    con.close()
    r = cli("list", "--format", "json")
    assert "Traceback" not in r.err
    listed = {x["id"]: x for x in json.loads(r.out)}
    assert set(listed) == {review_id, other} and listed[review_id]["first_event_date"] is None
    r = cli("list")
    assert "Traceback" not in r.err and "Search index lag" in r.out and "Checkout latency" in r.out
    r = cli("export", "--all", "--to", str(tmp_path / "wiki"))
    assert r.code == 1 and "Traceback" not in r.err
    assert f"pmtui: warning: skipped review {review_id} (" in r.err and "1 review was not exported" in r.err
    assert (tmp_path / "wiki" / "index.md").is_file()
