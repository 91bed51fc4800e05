"""`pmtui open` draws its first frame from plain reads (pmtui.store.first_reads): each read
a section makes as it is first drawn gives exactly what the full read (SQLAlchemy) gives,
on both databases, without making the engine; writes before the full store is loaded are
stored as ever, and loading it switches every read to the full path."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmtui.domain.document import loads
from pmtui.domain.meeting import Meeting
from pmtui.domain.vocab import ItemKind
from pmtui.store import Store
from test_roundtrip import documents


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


def _reads(store: Store, review_id: int) -> dict:
    """Everything a section's first frame reads, and the timeline's other reads."""
    events = store.events(review_id)
    out = {
        "review": store.get_review(review_id),
        "lists": {kind: store.list_items(kind, review_id) for kind in ItemKind},
        "note_links": store.note_links(review_id),
        "meeting": store.get_meeting(review_id),
        "count": store.event_count(review_id),
        "count_typed": store.event_count(review_id, source=""),
        "count_log": store.event_count(review_id, source="app.log"),
        "events": events,
        "marked": store.events_with_marks(review_id),
        "by_id": store.events_by_id(review_id, [e.id for e in events[::2]] + [10**9]),
        "pages": [store.event_page(review_id, 1, 3), store.event_page(review_id, 0, 2, source="app.log"),
                  store.event_page(review_id, max(0, len(events) - 2), 5, total=len(events))],
        "suspect": store.evidence_suspect(review_id),
    }
    if len(events) > 2:
        out["after"] = store.event_page(review_id, 0, 3, after=events[1])
        out["before"] = store.event_page(review_id, 0, 3, before=events[-1])
    return out


def _as_json(value):
    return json.loads(json.dumps(value, default=lambda v: v.to_json() if isinstance(v, Meeting) else repr(v)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=documents, marks=st.lists(st.sampled_from(
    ["impact_start", "detected", "response_start", "mitigated", "impact_end", "resolved"]), unique=True),
    meeting=st.booleans())
def test_the_first_frame_reads_are_the_full_reads(db_url, raw, marks, meeting):
    for mark, event in zip(marks, raw.get("timeline", [])):
        event["marks"] = [mark]
    for i, event in enumerate(raw.get("timeline", [])):
        if event.get("source_id"):
            event["source_id"] += f"#{i}"
            event["source"] = "app.log"
    full = Store.open(db_url)
    try:
        review_id = full.import_documents([loads(json.dumps(raw))])[0][0]
        if raw.get("notes") and raw.get("factors"):  # a note that became a factor
            note = full.list_items(ItemKind.note, review_id)[0]
            full.link_note(note["id"], "factor", full.list_items(ItemKind.factor, review_id)[0]["id"])
        if meeting:
            full.save_meeting(review_id, Meeting.start(datetime(2026, 3, 10, 14, 0, tzinfo=UTC)))
        expected = _reads(full, review_id)
        first = Store.open(db_url)
        try:
            first.read_plainly()
            assert first.reads_plainly
            got = _reads(first, review_id)
            assert first._engine is None  # no SQLAlchemy engine was made for them
            assert _as_json(got) == _as_json(expected)
            assert got == {**expected, "meeting": got["meeting"]}  # the very values (types too)
            assert [type(v) for v in got["review"].values()] == [type(expected["review"][k]) for k in got["review"]]
        finally:
            first.close()
    finally:
        full.close()


def test_the_report_reads_the_plain_document_until_the_full_store_is_loaded(store, demo, db_url):
    from pmtui.domain.document import ReviewDoc, dumps
    from pmtui.domain.plain import PlainDoc
    from pmtui.domain.plain import dumps as plain_dumps

    first = Store.open(db_url)
    try:
        first.read_plainly()
        doc = first.export_document(demo)
        assert isinstance(doc, PlainDoc) and first._engine is None
        assert plain_dumps(doc) == dumps(store.export_document(demo))
        first.load_full()
        assert not first.reads_plainly and first._engine is not None
        assert isinstance(first.export_document(demo), ReviewDoc)
    finally:
        first.close()


def test_a_write_before_the_full_store_is_loaded_is_a_compare_and_set(store, demo, db_url):
    from pmtui.errors import Conflict

    first = Store.open(db_url)
    try:
        first.read_plainly()
        review = first.get_review(demo)
        first.update_review(demo, expected_version=review["version"], summary="Read plainly, written fully.")
        with pytest.raises(Conflict):  # the version read plainly is the one the write checks
            first.update_review(demo, expected_version=review["version"], summary="A stale write.")
        assert store.get_review(demo)["summary"] == "Read plainly, written fully."
        assert first.get_review(demo)["summary"] == "Read plainly, written fully."
    finally:
        first.close()


def test_a_store_at_another_schema_is_read_the_full_way(tmp_path):
    new = Store.open(tmp_path / "new.db")  # never laid out: nothing to read plainly
    try:
        new.read_plainly()
        assert not new.reads_plainly
    finally:
        new.close()


def test_the_place_key_is_the_engine_url_without_the_engine(tmp_path):
    from pmtui.store.location import parse

    for where in [tmp_path / "a b" / "plain-name_1.db", tmp_path / "x@y#%.db"]:
        where.parent.mkdir(exist_ok=True)
        s = Store.open(where)
        try:
            shown = s.location.url_shown()
            assert shown in (None, s.engine.url.render_as_string(hide_password=True))
        finally:
            s.close()
    assert parse(tmp_path / "x@y#%.db").url_shown() is None  # SQLAlchemy would escape it: the engine says
    for url in ["postgresql://sre:pw@db:5432/pmtui", "postgresql://sre@localhost/pmtui", "postgresql://db/pmtui",
                "postgresql://u:p@h:1/d?sslmode=require"]:
        loc = parse(url)
        assert loc.url_shown() in (None, loc.sqlalchemy_url().render_as_string(hide_password=True))
    assert parse("postgresql://sre:pw@db:5432/pmtui").url_shown() == "postgresql+psycopg://sre:***@db:5432/pmtui"



