"""When the store refuses a write (read-only, locked, full, gone, or a review at its
limits), the app keeps what was typed, says the one sentence, and a retry works."""

from __future__ import annotations

from contextlib import contextmanager

from textual.widgets import Input, Static

from conftest import settle
from pmtui.domain import document
from pmtui.screens.capture import CaptureScreen
from pmtui.screens.form import FormScreen
from pmtui.store.sqlite import explain
from pmtui.widgets.field import Field
from pmtui.widgets.list_editor import ListEditor

READ_ONLY = "cannot be written (the file or its folder is read-only)"


@contextmanager
def read_only(store):
    """Every write fails the way SQLite fails on a read-only file (the app's open
    connections would otherwise keep writing through a chmod)."""

    @contextmanager
    def refuse():
        raise explain(store.path, "attempt to write a readonly database")
        yield  # pragma: no cover

    store._write = refuse
    try:
        yield
    finally:
        del store._write


def shown(widget: Static) -> str:
    return str(widget.render()) if widget.display else ""


async def test_a_field_a_list_item_and_a_note_keep_their_text_until_the_store_can_be_written(store, demo, make_app):
    store.actor = "Amara Okafor"  # a named seat: capture does not first ask for a name
    app = make_app(demo, "overview")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        # a field
        field = app.screen.query_one("#field-title", Field)
        before = store.get_review(demo)["title"]
        with read_only(store):
            field.control.focus()
            field.control.value = "Checkout errors after a cache limit change"
            await pilot.press("enter")
            await settle(app, pilot)
            assert READ_ONLY in shown(field.query_one(".field-error", Static))
            assert field.control.value == "Checkout errors after a cache limit change"
            assert store.get_review(demo)["title"] == before
        await pilot.press("enter")  # retry once writable
        await settle(app, pilot)
        assert store.get_review(demo)["title"] == "Checkout errors after a cache limit change"

        # a list item
        editor = app.screen.query_one("#participants", ListEditor)
        editor.table.focus()
        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-name", Input).value = "Mei Tanaka"
        with read_only(store):
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert app.screen is form and form.query_one("#f-name", Input).value == "Mei Tanaka"
            assert READ_ONLY in shown(form.query_one("#form-message", Static))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is not form
        assert store.list_items("participant", demo)[-1]["name"] == "Mei Tanaka"

        # a captured note
        notes = len(store.list_items("note", demo))
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert isinstance(app.screen, CaptureScreen)
        with read_only(store):
            await pilot.press(*"dashboards lag by five minutes", "enter")
            await settle(app, pilot)
            assert isinstance(app.screen, CaptureScreen)
            assert app.screen.query_one(Input).value == "dashboards lag by five minutes"
            assert READ_ONLY in shown(app.screen.query_one("#capture-error", Static))
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, CaptureScreen)
        assert store.list_items("note", demo)[-1]["text"] == "dashboards lag by five minutes"
        assert len(store.list_items("note", demo)) == notes + 1


async def test_deleting_moving_and_undo_say_the_sentence_and_change_nothing(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        editor = app.screen.query_one("#participants", ListEditor)
        editor.table.focus()
        people = [p["name"] for p in store.list_items("participant", demo)]
        with read_only(store):
            await pilot.press("d")  # delete
            await settle(app, pilot)
            await pilot.press("ctrl+down")  # move (a no-op binding is fine too)
            await settle(app, pilot)
        assert [p["name"] for p in store.list_items("participant", demo)] == people
        assert any(READ_ONLY in str(n.message) for n in app._notifications)
        await pilot.press("d")
        await settle(app, pilot)
        assert len(store.list_items("participant", demo)) == len(people) - 1
        with read_only(store):
            await pilot.press("ctrl+z")  # undo refused: it stays on the stack
            await settle(app, pilot)
            assert len(store.list_items("participant", demo)) == len(people) - 1
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert [p["name"] for p in store.list_items("participant", demo)] == people


async def test_a_review_at_its_notes_limit_keeps_the_captured_text(store, demo, make_app, monkeypatch):
    monkeypatch.setattr(document, "NOTES_MAX", len(store.list_items("note", demo)))
    store.actor = "Amara Okafor"  # a named seat: capture does not first ask for a name
    app = make_app(demo, "timeline")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+n", *"one note too many", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CaptureScreen)
        assert app.screen.query_one(Input).value == "one note too many"
        assert "the most a review can hold" in shown(app.screen.query_one("#capture-error", Static))


async def test_a_new_review_keeps_its_title_when_the_store_cannot_be_written(store, make_app):
    from pmtui.screens.dialogs import PromptScreen

    app = make_app()
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+n")  # on the list of reviews: a new review
        await settle(app, pilot)
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        await pilot.press(*"Checkout latency after the cache deploy")
        with read_only(store):
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.screen is prompt
            assert prompt.query_one(Input).value == "Checkout latency after the cache deploy"
            assert READ_ONLY in shown(prompt.query_one("#prompt-error", Static))
        await pilot.press("enter")
        await settle(app, pilot)
        assert [r.title for r in store.list_reviews()] == ["Checkout latency after the cache deploy"]
