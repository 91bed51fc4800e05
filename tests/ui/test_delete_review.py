"""Deleting a whole review states what the seat read, like every other write (issue 20):
another seat's edit between the question and the answer asks again instead of deleting
its words unseen. On SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import pytest

from conftest import settle
from pmtui.errors import Conflict
from pmtui.store import Store


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


def other_seat(db_url: str) -> Store:
    s = Store.open(db_url)
    s.actor = "Jonas Weber"
    return s


def stamp(store: Store, rid: int) -> dict:
    seen = store.get_review(rid)
    return {"expected_version": seen["version"], "expected_updated_at": seen["updated_at"]}


def test_a_change_anywhere_in_the_review_since_it_was_read_keeps_it(store, demo, db_url):
    other = other_seat(db_url)
    try:
        # the review's own fields changed by another seat
        seen = stamp(store, demo)
        other.update_review(demo, expected_version=seen["expected_version"], summary="Words the note-taker typed")
        with pytest.raises(Conflict) as refused:
            store.delete_review(demo, **seen)
        assert refused.value.current is not None and refused.value.changed_by == "Jonas Weber"
        # a list of the review changed (the review's own row is as read: its last change says so)
        seen = stamp(store, demo)
        other.add_item("factor", demo, text="Cache warm-up had no readiness gate", category="technical")
        with pytest.raises(Conflict) as refused:
            store.delete_review(demo, **seen)
        assert refused.value.current is not None and "someone else" in refused.value.message
        assert [r.id for r in store.list_reviews()] == [demo]
        assert "Cache warm-up had no readiness gate" in [f["text"] for f in store.list_items("factor", demo)]
        # read again: deleted; a seat that read it before finds it gone
        late = stamp(other, demo)
        store.delete_review(demo, **stamp(store, demo))
        assert store.list_reviews() == []
        with pytest.raises(Conflict) as gone:
            other.delete_review(demo, **late)
        assert gone.value.current is None
        with pytest.raises(TypeError):
            store.delete_review(demo, expected_version=None, expected_updated_at="")  # type: ignore[arg-type]
    finally:
        other.close()


async def test_home_asks_again_when_another_seat_edits_before_the_answer(store, demo, db_url, make_app):
    from pmtui.screens.dialogs import ConfirmScreen

    other = other_seat(db_url)
    app = make_app()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+d")
            await settle(app, pilot)
            assert isinstance(app.screen, ConfirmScreen) and "Checkout latency" in app.screen.question
            # while the question is on screen, the note-taker adds a factor in the review
            other.add_item("factor", demo, text="Alert fired on a symptom, not on the queue", category="technical")
            await pilot.press("y")
            await settle(app, pilot)
            assert [r.id for r in store.list_reviews()] == [demo]  # not deleted unseen
            assert isinstance(app.screen, ConfirmScreen), "the seat is asked again"
            assert "changed by another seat" in app.screen.question and "since you asked" in app.screen.question
            await pilot.press("y")  # asked about the review as it is now: deleted
            await settle(app, pilot)
            assert store.list_reviews() == []
            assert not isinstance(app.screen, ConfirmScreen)
    finally:
        other.close()


async def test_home_says_when_another_seat_deleted_it_first(store, demo, db_url, make_app):
    from pmtui.screens.dialogs import ConfirmScreen

    other = other_seat(db_url)
    app = make_app()
    told: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (told.append(message), notify(message, **kw))  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+d")
            await settle(app, pilot)
            other.delete_review(demo, **stamp(other, demo))
            await pilot.press("y")
            await settle(app, pilot)
            assert not isinstance(app.screen, ConfirmScreen)
            assert any("already deleted" in t for t in told), told
    finally:
        other.close()
