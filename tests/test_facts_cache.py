"""Related reviews and the Patterns view read every review's facts once per change of
the store: a write here or by another process is seen at once, nothing else re-reads."""

from __future__ import annotations

import pytest

from pmtui.store import Store
from pmtui.store.followup import cached_review_facts


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


def factors_of(facts, rid):
    return next(f.factors for f in facts if f.id == rid)


def test_the_facts_are_read_again_only_after_a_change(store, db_url, monkeypatch):
    from pmtui.store import followup

    rid, _ = store.create_review("Queue backlog after a consumer deploy")
    reads = []
    real = followup.review_facts
    monkeypatch.setattr(followup, "review_facts", lambda s: reads.append(1) or real(s))
    first = cached_review_facts(store)
    assert cached_review_facts(store) is first and len(reads) == 1  # nothing changed: not read again

    store.add_item("factor", rid, text="Consumers scaled on CPU, not on queue depth", category="technical")
    assert factors_of(cached_review_facts(store), rid) == (("Consumers scaled on CPU, not on queue depth", "technical"),)
    assert len(reads) == 2

    other = Store.open(db_url)  # another process (the note-taker's seat)
    try:
        item = other.list_items("factor", rid)[0]
        other.update_item("factor", item["id"], expected_version=item["version"], text="Autoscaling followed CPU, not queue depth")
        other.create_review("A second review")
    finally:
        other.close()
    facts = cached_review_facts(store)
    assert factors_of(facts, rid) == (("Autoscaling followed CPU, not queue depth", "technical"),)
    assert len(facts) == 2 and len(reads) == 3
