"""Property test: export -> import -> export gives identical bytes for any text,
time and zone; the store keeps every value it was given."""

from __future__ import annotations

import json
import zoneinfo
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from document_fields import chars, fields, strategy_for, timestamps
from pmtui.domain.document import FORMAT, ReviewDoc, StageTime, dumps, loads
from pmtui.domain.vocab import MeetingStage
from pmtui.store import Store

# the zones import accepts (the tz database also lists ``localtime``, which names no zone)
ZONES = sorted(set(zoneinfo.available_timezones()) - {"localtime"})


def _windows_in_order(raw: dict) -> dict:
    """A component's window and the meeting (pmtui-review/2) end not before they start."""
    for c, first, last in [*((c, "start", "end") for c in raw.get("impact", {}).get("components", [])),
                           *(((raw["meeting"], "started", "ended"),) if raw.get("meeting") else ())]:
        start, end = c.get(first), c.get(last)
        if start and end and datetime.fromisoformat(end) < datetime.fromisoformat(start):
            c[first], c[last] = end, start
    return raw


# the meeting's four stages, once each in the meeting's order, each drawn from StageTime
STAGES = st.tuples(*(strategy_for(StageTime, {"StageTime.stage": st.just(stage.value)}) for stage in MeetingStage)).map(list)


# Documents drawn from the document's models (tests/document_fields.py): every field of
# every model, from its type; here only the rules that are no type.
OVERRIDES = {
    "ReviewDoc.format": st.just(FORMAT),
    "ReviewDoc.timezone": st.sampled_from(ZONES),
    "ReviewDoc.severity": st.none() | st.text(chars, max_size=20),
    # a new empty list each time (st.just([]) would hand every note the same list, which
    # the tests below append to: a link then reached notes and examples it was not set on)
    "Event.marks": st.builds(list),  # set by the test: each mark on at most one event
    "Note.became": st.builds(list),  # set by the test: positions in lists the document has
    "ReviewDoc.meeting": st.none() | st.builds(
        lambda start, ended, stages: {"started": start, "ended": ended, "stages": stages},
        timestamps(), st.none() | timestamps(), STAGES),
}
documents = strategy_for(ReviewDoc, OVERRIDES).map(_windows_in_order)


def test_the_documents_drawn_hold_every_field_of_the_document():
    """The strategy is the models': each field of each model is drawn (a field added to
    the document goes through the round trip below without an edit here)."""
    def holds(raw: dict, path: str) -> bool:
        node = raw
        for part in path.replace("]", "").replace("[", ".").split("."):
            if part.isdigit():
                if not isinstance(node, list) or len(node) <= int(part):
                    return False
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return False
        return True

    seen: set[str] = set()

    @settings(max_examples=300, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(documents)
    def draw(raw: dict) -> None:
        seen.update(path for _, _, path in fields() if holds(raw, path))

    draw()
    # marks and what a note became are set by the round trip below (a mark once per review, positions that exist)
    wanted = {path for _, _, path in fields() if not path.startswith(("timeline[0].marks", "notes[0].became"))}
    assert not wanted - seen, f"{sorted(wanted - seen)}: never drawn (tests/document_fields.strategy_for)"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


LISTS = {"event": "timeline", "factor": "factors", "observation": "observations", "action_item": "action_items"}


def apply_document_rules(raw: dict, marks: list[str], became: list[tuple[int, str, int]]) -> None:
    """What a drawn document must keep that no field's type says: each mark on one event, a
    unique (source, source_id), what notes became by position in lists the document has."""
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


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=documents, marks=st.lists(st.sampled_from(
    ["impact_start", "detected", "response_start", "mitigated", "impact_end", "resolved"]), unique=True),
    became=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(sorted(LISTS)), st.integers(0, 5)), max_size=6))
def test_export_import_export_is_byte_identical(db_url, raw, marks, became):
    apply_document_rules(raw, marks, became)
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
