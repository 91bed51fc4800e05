"""The app never grows a review past what import accepts (docs/review-format.md, "Limits"):
adding an event, a note or a list item past the limit is one plain sentence, nothing written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pmtui.domain import document
from pmtui.domain.document import dumps, loads
from pmtui.errors import BadInput


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(document, "EVENTS_MAX", 3)
    monkeypatch.setattr(document, "NOTES_MAX", 2)
    monkeypatch.setattr(document, "ITEMS_MAX", 2)


AT = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def test_events_stop_at_the_limit(store, small_limits):
    rid, _ = store.create_review("Queue backlog")
    for i in range(3):
        store.add_event(rid, at=AT, text=f"step {i}")
    with pytest.raises(BadInput, match=r"already holds 3 events, the most a review can hold is 3.*nothing was added"):
        store.add_event(rid, at=AT, text="one too many")
    assert [e.text for e in store.events(rid)] == ["step 0", "step 1", "step 2"]
    first = store.events(rid)[0]
    snapshot = store.delete_event(first.id, expected_version=first.version)
    store.add_event(rid, at=AT, text="room again")  # a freed place can be used
    with pytest.raises(BadInput, match="already holds 3 events"):
        store.restore_event(snapshot)  # undo cannot overfill it either


def test_notes_and_list_items_stop_at_their_limits(store, small_limits):
    rid, _ = store.create_review("Cache stampede")
    store.add_item("note", rid, at=AT, text="first")
    store.add_item("note", rid, at=AT, text="second")
    with pytest.raises(BadInput, match="already holds 2 notes"):
        store.add_item("note", rid, at=AT, text="third")
    store.add_item("factor", rid, text="retry storm", category="technical")
    store.add_item("factor", rid, text="no jitter", category="technical")
    with pytest.raises(BadInput, match="already holds 2 contributing factors"):
        store.add_item("factor", rid, text="third factor", category="technical")
    first_factor = store.list_items("factor", rid)[0]
    snapshot = store.delete_item("factor", first_factor["id"], expected_version=first_factor["version"])
    store.add_item("factor", rid, text="replacement", category="technical")
    with pytest.raises(BadInput, match="already holds 2 contributing factors"):
        store.restore_item(snapshot)
    with pytest.raises(BadInput, match="at most 2 tags"):
        store.set_tags(rid, ["a", "b", "c"], expected_version=store.get_review(rid)["version"])
    assert [n["text"] for n in store.list_items("note", rid)] == ["first", "second"]
    assert len(store.list_items("factor", rid)) == 2


def test_a_review_filled_to_the_limits_exports_and_imports_again(store, small_limits):
    rid, _ = store.create_review("Full review")
    for i in range(3):
        store.add_event(rid, at=AT, text=f"e{i}")
    for i in range(2):
        store.add_item("note", rid, at=AT, text=f"n{i}")
        store.add_item("action", rid, title=f"a{i}")
    store.set_tags(rid, ["x", "y"], expected_version=store.get_review(rid)["version"])
    again = loads(dumps(store.export_document(rid)))  # the import limits accept what the app stored
    assert len(again.timeline) == 3 and len(again.notes) == 2 and len(again.action_items) == 2


def _log(tmp_path, name: str, n: int, start: int = 0):
    from pmtui import evidence

    path = tmp_path / name
    path.write_text("".join(f'{{"time": "2026-03-10T13:{i // 60:02d}:{i % 60:02d}Z", "msg": "request {i} served"}}\n'
                            for i in range(start, start + n)))
    return evidence.load([path])


def test_imported_evidence_stops_at_its_own_limit_whole(store, small_limits, monkeypatch, tmp_path):
    from pmtui.evidence import gather

    monkeypatch.setattr(document, "EVIDENCE_MAX", 5)
    rid, _ = store.create_review("Checkout latency")
    for i in range(3):  # a full typed timeline leaves evidence its own room
        store.add_event(rid, at=AT, text=f"step {i}")
    new, _ = store.add_evidence(rid, _log(tmp_path, "a.jsonl", 4).events)
    assert len(new) == 4
    plan_too_many = _log(tmp_path, "b.jsonl", 2, start=10)
    with pytest.raises(BadInput, match=r"holds 4 imported evidence events; adding 2 more would pass 5.*nothing was added"):
        store.add_evidence(rid, plan_too_many.events)
    with pytest.raises(BadInput, match=r"adding 2 more would pass 5"):  # the preview (and --dry-run) says so first
        gather.preview(store, rid, [tmp_path / "b.jsonl"])
    assert store.event_sources(rid) == {"": 3, "log:a.jsonl": 4}
    # the same file again adds nothing and is no problem; one more line fits
    assert store.add_evidence(rid, _log(tmp_path, "a.jsonl", 4).events) == ([], 4)
    assert len(store.add_evidence(rid, _log(tmp_path, "c.jsonl", 1, start=20).events)[0]) == 1
    # undo cannot overfill either list: a deleted evidence event comes back only while there is room
    victim = next(e for e in store.events(rid) if e.source == "log:c.jsonl")
    snapshot = store.delete_event(victim.id, expected_version=victim.version)
    store.add_evidence(rid, _log(tmp_path, "d.jsonl", 1, start=30).events)
    with pytest.raises(BadInput, match="holds 5 imported evidence events"):
        store.restore_event(snapshot)
    # and the review, full on both counts, exports a document that import accepts
    again = loads(dumps(store.export_document(rid)))
    assert len(again.timeline) == 8 and sum(1 for e in again.timeline if e.source_id) == 5


def test_typed_events_count_apart_from_evidence_that_came_first(store, small_limits, monkeypatch, tmp_path):
    """The typed limit counts typed events only, also when imported evidence already takes
    the review past it (the quick check counts every event, then the evidence apart)."""
    monkeypatch.setattr(document, "EVIDENCE_MAX", 5)
    rid, _ = store.create_review("Checkout latency")
    assert len(store.add_evidence(rid, _log(tmp_path, "a.jsonl", 5).events)[0]) == 5
    for i in range(3):
        store.add_event(rid, at=AT, text=f"step {i}")
    with pytest.raises(BadInput, match=r"already holds 3 events, the most a review can hold is 3"):
        store.add_event(rid, at=AT, text="one too many")
    assert store.event_sources(rid) == {"": 3, "log:a.jsonl": 5}
