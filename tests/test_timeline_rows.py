"""A timeline kept up to date row by row (pmtui.store.timeline_rows.apply_changes): after any
mix of adds, edits, moves in time, deletes and marks, what the Timeline holds is what a
fresh read of the store gives, for a short timeline (a list) and a long one read by pages
(LazyEvents), on SQLite and on PostgreSQL; and an edit reads only the changed rows."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from pmtui.store.timeline_rows import LazyEvents, apply_changes, timeline_rows

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(LazyEvents, "PAGE", 7)


def fresh(store, review_id, source=None):
    return [(r.id, r.at, r.text, r.highlight, r.marks) for r in timeline_rows(store, review_id, source)]


def shown(rows):
    return [(r.id, r.at, r.text, r.highlight, r.marks) for r in rows]


def read_some(rows, rng):
    """The table reads only the pages on screen: read a few, as scrolling would."""
    if isinstance(rows, LazyEvents) and len(rows):
        for _ in range(2):
            rows[rng.randrange(len(rows))]


@pytest.mark.parametrize("lazy", [False, True], ids=["list", "pages"])
def test_row_by_row_updates_match_a_fresh_read(store, demo, small_pages, lazy, monkeypatch):
    from pmtui.store import timeline_rows as tr

    if lazy:
        monkeypatch.setattr(tr, "READ_WHOLE", 0)
    rng = random.Random(11)
    for i in range(40):  # ties in time too (several events a minute)
        store.add_event(demo, at=AT + timedelta(minutes=i // 3), text=f"line {i}", source="log" if i % 2 else "")
    rows = timeline_rows(store, demo)
    assert isinstance(rows, LazyEvents) is lazy
    marks = ["impact_start", "detected", "mitigated", "resolved"]
    marked = store.events_with_marks(demo)
    for step in range(60):
        read_some(rows, rng)
        current = store.events(demo)
        op = rng.choice(["add", "add", "edit", "move", "delete", "mark", "two"])
        ids: list[int] = []
        moved_marks = False
        new: list[int] = []  # this seat's own adds (a quick add): placed from the pages read
        if op == "add" or not current:
            ids = new = [store.add_event(demo, at=AT + timedelta(minutes=rng.randrange(20)), text=f"added {step}")]
        elif op == "edit":
            e = rng.choice(current)
            store.update_event(e.id, expected_version=e.version, highlight=not e.highlight, text=f"edited {step}")
            ids = [e.id]
        elif op == "move":
            e = rng.choice(current)
            store.update_event(e.id, expected_version=e.version,
                               at=AT + timedelta(minutes=rng.randrange(25), seconds=rng.randrange(3)))
            ids = [e.id]
        elif op == "delete":
            e = rng.choice(current)
            store.delete_event(e.id, expected_version=e.version)
            ids = [e.id]
        elif op == "mark":
            mark = rng.choice(marks)
            holder = next((r.id for r in store.events(demo) if mark in r.marks), None)
            store.set_mark(demo, mark, rng.choice(current).id, expected_holder=holder)
            moved_marks = True
        else:  # two changes seen at once (another seat's, from the change signal)
            a, b = rng.sample(current, 2)
            store.delete_event(a.id, expected_version=a.version)
            store.update_event(b.id, expected_version=b.version, at=AT + timedelta(minutes=rng.randrange(25)))
            ids = [a.id, b.id, store.add_event(demo, at=AT + timedelta(minutes=rng.randrange(25)), text=f"x {step}")]
        # the marked events as this seat held them: the list follows without reading the marks
        rows, marked = apply_changes(store, demo, rows, ids, marks=moved_marks, marked=marked, new=new)
        assert shown(rows) == fresh(store, demo), (step, op)
        assert shown(marked) == shown(store.events_with_marks(demo)), (step, op)
        if isinstance(rows, LazyEvents):
            assert len(rows) == store.event_count(demo)
            assert all(rows.index_of(r.id) == i for i, r in enumerate(store.events(demo)))


def test_one_source_shown(store, demo, small_pages, monkeypatch):
    from pmtui.store import timeline_rows as tr

    monkeypatch.setattr(tr, "READ_WHOLE", 0)
    for i in range(30):
        store.add_event(demo, at=AT + timedelta(minutes=i), text=f"line {i}", source="log" if i % 2 else "")
    rows = timeline_rows(store, demo, "log")
    rows[3], rows[12]
    e = rows[4]
    store.update_event(e.id, expected_version=e.version, source="")  # leaves the filtered view
    new = store.add_event(demo, at=AT + timedelta(minutes=7, seconds=30), text="new log line", source="log")
    rows, _ = apply_changes(store, demo, rows, [e.id, new], source="log")
    assert shown(rows) == fresh(store, demo, "log")
    assert "new log line" in [r.text for r in rows] and e.id not in [r.id for r in rows]
    # this seat's quick add of a typed event, not shown under the filter: the pages read stay
    typed = store.add_event(demo, at=AT + timedelta(minutes=8), text="typed while filtering")
    kept = dict(rows._pages)
    rows, _ = apply_changes(store, demo, rows, [typed], source="log", marked=[], new=[typed])
    assert rows._pages == kept and shown(rows) == fresh(store, demo, "log")


def test_an_edit_on_a_long_timeline_reads_only_its_rows(store, demo, monkeypatch):
    """A highlight, a quick add and a mark on a paged timeline: no page is read again and
    the whole timeline is never read (what keeps edits fast on 10,000 events)."""
    from pmtui.store import timeline_rows as tr

    monkeypatch.setattr(tr, "READ_WHOLE", 0)
    for i in range(60):
        store.add_event(demo, at=AT + timedelta(minutes=i), text=f"line {i}")
    rows = timeline_rows(store, demo)
    middle = rows[30]
    marked = store.events_with_marks(demo)
    reads: list[str] = []
    for name in ("events", "event_page", "event_count", "event_index", "events_with_marks"):
        original = getattr(store, name)
        monkeypatch.setattr(store, name, lambda *a, _o=original, _n=name, **k: (reads.append(_n), _o(*a, **k))[1])

    store.update_event(middle.id, expected_version=middle.version, highlight=True)
    rows, marked = apply_changes(store, demo, rows, [middle.id], marked=marked)
    added = store.add_event(demo, at=middle.at + timedelta(seconds=1), text="quick add")
    rows, marked = apply_changes(store, demo, rows, [added], marked=marked, new=[added])
    # neither counts nor reads the timeline nor the marks: the new row's place is in the page read
    assert reads == []
    store.set_mark(demo, "mitigated", added,
                   expected_holder=next((r.id for r in marked if "mitigated" in r.marks), None))
    rows, marked = apply_changes(store, demo, rows, [], marks=True)
    assert reads == ["events_with_marks"]  # a mark: the marked events (few), read once
    assert rows[30].highlight and rows[31].text == "quick add" and rows[31].marks == ("mitigated",)
    assert rows.index_of(added) == 31 and added in [r.id for r in marked]
    assert shown(rows) == fresh(store, demo)


def test_a_new_row_beside_pages_never_read_is_placed_by_the_store(store, small_pages, monkeypatch):
    """A quick add lands in the pages read (no query), or, beside a page never read, where
    the store says: before, between and after the pages read, every page kept holds what
    the store holds there."""
    from pmtui.store import timeline_rows as tr

    monkeypatch.setattr(tr, "READ_WHOLE", 0)
    review, _ = store.create_review("Queue backlog")
    for i in range(50):
        store.add_event(review, at=AT + timedelta(minutes=i), text=f"line {i}")
    asked: list[int] = []
    original = store.event_index
    monkeypatch.setattr(store, "event_index", lambda *a, **k: (asked.append(a[1]), original(*a, **k))[1])
    marked: list = []
    for minutes, local in ((10.5, True), (2.5, False), (24.5, False), (30.5, True), (48.5, False), (27.5, True),
                           (-5, False)):
        rows = timeline_rows(store, review)
        rows[10], rows[30], rows[33]  # pages 1 and 4 of 8 (7 rows a page); the rest never read
        added = store.add_event(review, at=AT + timedelta(minutes=minutes), text=f"added at {minutes}")
        rows, marked = apply_changes(store, review, rows, [added], marked=marked, new=[added])
        assert (added not in asked) is local, minutes
        stored = [(r.id, r.text) for r in store.events(review)]
        assert isinstance(rows, LazyEvents) and rows.total == len(stored)
        for n, page in rows._pages.items():  # the pages kept (none read again here)
            assert [(r.id, r.text) for r in page] == stored[n * rows.PAGE:n * rows.PAGE + len(page)], minutes
        assert rows.index_of(added) == [i for i, _ in stored].index(added)
    assert shown(rows) == fresh(store, review)
