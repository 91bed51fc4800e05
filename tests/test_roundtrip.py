"""Property test: export -> import -> export gives identical bytes for any text,
time and zone; the store keeps every value it was given."""

from __future__ import annotations

import json
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pmtui.domain.document import FORMAT, dumps, loads
from pmtui.store import Store

# the zones import accepts (the tz database also lists ``localtime``, which names no zone)
ZONES = sorted(set(zoneinfo.available_timezones()) - {"localtime"})
# any character but U+0000, which documents refuse (tests/test_document.py)
chars = st.characters(codec="utf-8", exclude_characters="\x00")
text = st.text(chars, max_size=40)
nonblank = st.text(chars, min_size=1, max_size=40).filter(lambda s: s.strip())
# dates the format accepts: from the year 1000 on (docs/review-format.md, "Limits")
days = st.dates(min_value=date(1000, 1, 1)).map(lambda d: d.isoformat())


@st.composite
def timestamps(draw) -> str:
    dt = draw(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 30), timezones=st.timezones()))
    off = dt.utcoffset()
    assume(off is not None and off.seconds % 60 == 0 and off.microseconds == 0)
    return dt.isoformat()


@st.composite
def meetings(draw) -> dict:
    """The review meeting as held (pmtui-review/2): started, ended (or running), each stage's timebox and time."""
    start = datetime.fromisoformat(draw(timestamps()))
    ended = draw(st.none() | st.integers(0, 10**6).map(lambda s: (start + timedelta(seconds=s)).isoformat()))
    return {"started": start.isoformat(), "ended": ended, "stages": [
        {"stage": stage, "timebox_minutes": draw(st.integers(0, 1440)),
         "took_seconds": draw(st.none() | st.integers(0, 366 * 86400))}
        for stage in ("opening", "context", "analysis", "followups")]}


events = st.fixed_dictionaries(
    {"at": timestamps(), "text": nonblank},
    optional={
        "kind": st.sampled_from(["event", "alert", "action", "decision", "communication", "change"]),
        "source": text, "approximate": st.booleans(), "highlight": st.booleans(),
        # pmtui-review/2
        "source_id": text, "original": text, "confirmed": st.booleans(),
    },
)


@st.composite
def components(draw) -> dict:
    """An impact component, with a window (pmtui-review/2) of any offsets, end not before start."""
    out = {"name": draw(nonblank), "status": draw(st.sampled_from(["degraded_performance", "partial_outage",
                                                                    "major_outage"]))}
    if draw(st.booleans()):
        start, end = draw(st.none() | timestamps()), draw(st.none() | timestamps())
        if start and end and datetime.fromisoformat(end) < datetime.fromisoformat(start):
            start, end = end, start
        out.update(start=start, end=end)
    return out
action_items = st.fixed_dictionaries(
    {"title": nonblank},
    optional={
        "description": text, "owner": text, "tracker": text, "status_note": text,
        "priority": st.sampled_from(["high", "medium", "low"]),
        "status": st.sampled_from(["open", "in_progress", "done", "wont_do"]),
        "due": days,
    },
)
documents = st.fixed_dictionaries(
    {"format": st.just(FORMAT), "title": nonblank},
    optional={
        "summary": text, "trigger": text, "severity": st.none() | st.text(chars, max_size=20),
        "incident_ref": st.none() | text, "timezone": st.sampled_from(ZONES), "started": st.none() | timestamps(),
        "review_date": days,
        "authors": st.lists(text, max_size=3), "tags": st.lists(nonblank, max_size=4),
        "participants": st.lists(st.fixed_dictionaries({"name": nonblank, "role": text, "attended": st.booleans()}), max_size=3),
        "links": st.lists(st.fixed_dictionaries({"title": text, "url": text}), max_size=2),
        "timeline": st.lists(events, max_size=6),
        "impact": st.fixed_dictionaries({}, optional={
            "description": text, "users_affected": st.none() | st.integers(0, 2**62),
            "slo_budget_spent_pct": st.none() | st.floats(0, 1e12, allow_nan=False),
            "components": st.lists(components(), max_size=2),
        }),
        "factors": st.lists(st.fixed_dictionaries({"text": nonblank, "category": st.sampled_from(
            ["technical", "process", "communication", "tooling", "organizational", "external"])}), max_size=3),
        "observations": st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["went_well", "went_wrong", "lucky"]),
                                                        "text": nonblank}), max_size=3),
        "learnings": st.lists(text, max_size=3),
        "action_items": st.lists(action_items, max_size=3),
        "notes": st.lists(st.fixed_dictionaries({"at": timestamps(), "text": nonblank}, optional={
            "kind": st.sampled_from(["note", "question", "idea"]), "author": text}), max_size=3),
        "related": st.lists(text, max_size=2),
        "meeting": st.none() | meetings(),
    },
)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


LISTS = {"event": "timeline", "factor": "factors", "observation": "observations", "action_item": "action_items"}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=documents, marks=st.lists(st.sampled_from(
    ["impact_start", "detected", "response_start", "mitigated", "impact_end", "resolved"]), unique=True),
    became=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(sorted(LISTS)), st.integers(0, 5)), max_size=6))
def test_export_import_export_is_byte_identical(db_url, raw, marks, became):
    for mark, event in zip(marks, raw.get("timeline", [])):
        event["marks"] = [mark]
    for i, event in enumerate(raw.get("timeline", [])):  # (source, source_id) is unique in a review
        if event.get("source_id"):
            event["source_id"] += f"#{i}"
    # what notes became (pmtui-review/2), by position in lists the document has, each once per note
    for note_index, kind, index in became:
        notes, items = raw.get("notes", []), raw.get(LISTS[kind], [])
        if note_index < len(notes) and index < len(items):
            links = notes[note_index].setdefault("became", [])
            if {"kind": kind, "index": index} not in links:
                links.append({"kind": kind, "index": index})
    store = Store.open(db_url)
    try:
        doc = loads(json.dumps(raw))
        first = dumps(store.export_document(store.import_documents([doc])[0][0]))
        assert first == dumps(doc)  # the store kept every value
        second = dumps(store.export_document(store.import_documents([loads(first)])[0][0]))
        assert first == second
        out = json.loads(first)
        assert out["title"] == raw["title"]
        assert sorted(e["text"] for e in out["timeline"]) == sorted(e["text"] for e in raw.get("timeline", []))
        # a note's link still names the same item after the timeline was put in time order
        for n, note in enumerate(raw.get("notes", [])):
            for link, kept in zip(note.get("became", []), out["notes"][n]["became"]):
                assert kept["kind"] == link["kind"]
                assert out[LISTS[kept["kind"]]][kept["index"]]["text" if kept["kind"] != "action_item" else "title"] \
                    == raw[LISTS[link["kind"]]][link["index"]]["text" if link["kind"] != "action_item" else "title"]
    finally:
        store.close()
