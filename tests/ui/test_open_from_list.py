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


def gate_content(monkeypatch):
    """Hold the content of a section opened from the list until the gate opens (as a
    big section on a loaded machine takes its time)."""
    import asyncio

    import pmtui.screens._staged as staged

    gate = asyncio.Event()
    mount = staged.mount_content

    async def held(screen, loading):
        await gate.wait()
        await mount(screen, loading)

    monkeypatch.setattr(staged, "mount_content", held)
    return gate


async def open_from_list(app, pilot, review_id):
    home = app.screen
    table = home.query_one(ReviewList)
    table.focus()
    table.cursor = [r.id for r in table.rows].index(review_id)
    await pilot.press("enter")
    for _ in range(400):
        if app.screen is not home:
            break
        await pilot.pause(0.02)
    return app.screen


async def test_enter_shows_a_loading_line_then_the_content_and_keys_typed_meanwhile_arrive(
        store, example_bytes, make_app, monkeypatch):
    """Opened from the list, a section shows at once (header, stage bar, footer) with a
    loading line where its content goes; what is typed meanwhile is kept and lands, in
    order, where it would have landed had the content been there: Tab moves on first."""
    from pmtui.screens._staged import Loading

    review = store.import_documents([loads(example_bytes)])[0][0]
    gate = gate_content(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = await open_from_list(app, pilot, review)
        await pilot.pause()
        assert screen.SECTION == "overview" and screen.pending is not None  # the loading state
        loading = screen.query_one(Loading)
        assert screen.focused is loading and loading.display
        assert "Opening “Checkout latency" in str(loading.render())
        assert "Checkout latency" in screen.title  # the header is the review's already
        assert not screen.query("Field")  # no content yet
        await pilot.press(*"(draft)", "tab", *"SEV1")  # typed before the content is there
        gate.set()
        await settle(app, pilot)
        await settle(app, pilot)
        assert screen.pending is None and not loading.display
        title = screen.query_one("#field-title Input")
        severity = screen.query_one("#field-severity Input")
        assert title.value.endswith("(draft)"), title.value
        assert severity.value.endswith("SEV1") and "(draft)" not in severity.value, severity.value
        assert screen.focused is severity, (screen.focused.parent.id, title.value, severity.value)
        await pilot.press("enter")  # confirmed as typed: the field saves what it holds
        await settle(app, pilot)
        assert store.get_review(review)["severity"] == severity.value


@pytest.mark.parametrize("section", ["opening", "overview", "timeline", "impact", "analysis", "actions", "report"])
async def test_a_section_opened_from_the_list_is_the_section_opened_directly(store, example_bytes, make_app, section):
    """Mounted in pieces, every section has the same widgets, in the same order, with the
    same focus, as when it is built in one step (``pmtui open --screen``)."""
    review = store.import_documents([loads(example_bytes)])[0][0]

    def shape(screen):
        main = screen.query_one("#section-main")
        return ([(type(w).__name__, None if (w.id or "").startswith("heading-") else w.id, w.display)
                 for w in main.query("*") if type(w).__name__ != "Loading"],
                type(screen.focused).__name__, screen.focused.id if screen.focused else None)

    direct = make_app(review_id=review, screen=section)
    async with direct.run_test(size=(100, 30)) as pilot:
        await settle(direct, pilot)
        await settle(direct, pilot)
        expected = shape(direct.screen)
    app = make_app()
    app.places[review] = (section, None)  # where it was left
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = await open_from_list(app, pilot, review)
        await settle(app, pilot)
        await settle(app, pilot)
        assert screen.SECTION == section and screen.pending is None
        got = shape(screen)
        assert got[1:] == expected[1:]
        assert [a for a, b in zip(got[0], expected[0]) if a != b] == [] and len(got[0]) == len(expected[0])


async def test_leaving_while_the_content_loads_leaves_cleanly(store, example_bytes, make_app, monkeypatch):
    """F8 (back to the list) while the section is still loading: the list again, nothing
    left mounting, and the review opens again as usual."""
    review = store.import_documents([loads(example_bytes)])[0][0]
    gate = gate_content(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        home = app.screen
        screen = await open_from_list(app, pilot, review)
        await pilot.pause()
        assert screen.pending is not None
        await pilot.press("f8")  # kept like any key: the section goes back once it is there
        gate.set()
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.screen is home
        again = await open_from_list(app, pilot, review)
        await settle(app, pilot)
        await settle(app, pilot)
        assert again.pending is None and again.query("Field")
