"""What the three-seat mock review of issue 20 found (two terminals and a Chromium tab
through `pmtui serve`, on one PostgreSQL store), each as a test that failed before its fix.
On SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack

import pytest
from textual.widgets import Input

from conftest import settle
from pmtui.store import putaside
from pmtui.widgets.field import Field
from ui.test_seats import both


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


async def _past_guard(field: Field) -> None:
    await asyncio.sleep(max(0.0, getattr(field, "_guard_until", 0.0) - time.monotonic()) + 0.05)


async def test_a_seat_without_a_name_finds_its_words_put_aside_once_it_names_itself(store, demo, seats):
    """A browser seat has no name until its first note. It took the other seat's Summary
    (its own put aside, "ctrl+n brings it back"), then pressed ctrl+n: asked for its name,
    it gave one, and the capture bar came up empty, its words filed under no name."""
    from pmtui.screens.capture import CaptureScreen
    from pmtui.screens.dialogs import PromptScreen

    async with AsyncExitStack() as stack:
        seats.app = (lambda make: lambda name, screen: make("" if name == "Jonas Weber" else name, screen))(seats.app)
        a, pa, b, pb = await both("overview", "overview", seats, stack)
        assert b.author == ""
        fa, fb = (app.screen.query_one("#field-summary", Field) for app in (a, b))
        for field in (fa, fb):
            field._autosave = lambda: None
        fb.control.focus()
        fb.control.load_text("Words typed in the browser seat.")
        await settle(b, pb)
        fa.control.focus()
        fa.control.load_text("The facilitator's summary.")
        fa.confirm()
        await settle(a, pa)
        fb.confirm()
        await settle(b, pb)
        assert fb.query_one(".field-conflict").display
        await _past_guard(fb)
        fb.query_one(".field-conflict-buttons").query_one(".conflict-theirs").press()
        await settle(b, pb)
        assert store.get_review(demo)["summary"] == "The facilitator's summary."

        await pb.press("ctrl+l")  # the browser's key for a note: asks the name first
        await settle(b, pb)
        assert isinstance(b.screen, PromptScreen)
        b.screen.query_one(Input).value = "Priya Nair"
        await pb.press("enter")
        await settle(b, pb)
        assert isinstance(b.screen, CaptureScreen)
        assert b.screen.query_one("#capture-input", Input).value == "Words typed in the browser seat."
        # filed under the name now, nothing left under no name
        assert [w.text for w in putaside.waiting(b._place_key(demo), "Priya Nair")] == ["Words typed in the browser seat."]
        assert putaside.waiting(b._place_key(demo), "") == []


async def test_an_unexpected_error_ending_the_seat_keeps_what_it_typed(store, demo, make_app):
    """In the mock review a killed backend ended both terminal seats with a traceback; their
    typing went with them (an open conflict box's text, a field being typed in). Whatever
    ends a seat, what it typed is saved or put aside first."""
    from textual.widgets import TextArea

    app = make_app(demo, "overview")
    app.store.actor = "Jonas Weber"
    with pytest.raises(ZeroDivisionError):
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(app, pilot)
            area = app.screen.query_one("#field-summary", Field).query_one(TextArea)
            area.focus()
            area.load_text("Typed just before the seat failed.")  # its 1.5 s autosave has not run
            app.screen.query_one("#field-review_date", Field).query_one(Input).value = "next tuesday"
            app.call_later(lambda: 1 / 0)  # any error the app did not expect
            await pilot.pause(0.3)
    assert store.get_review(demo)["summary"] == "Typed just before the seat failed."
    kept = putaside.waiting(app._place_key(demo), "Jonas Weber")
    assert [(k.field, k.text) for k in kept] == [("review_date", "next tuesday")]


async def test_another_seats_longer_text_arriving_leaves_the_cursor_at_the_end(store, demo, seats):
    """The mock review's tag race: the note-taker pressed End in Tags ("cache, checkout, config,
    deploy") as the facilitator's longer tags arrived; the cursor stayed at character 31, inside
    "config", and the note-taker's ", canary" made the tags "conf" and "canaryig"."""
    from textual.widgets import TextArea

    from ui.test_seats import sync

    async with AsyncExitStack() as stack:
        _a, _pa, b, pb = await both("overview", "overview", seats, stack)
        tags_b = b.screen.query_one("#field-tags", Field)
        control = tags_b.control
        assert isinstance(control, Input)
        control.focus()
        await settle(b, pb)
        control.cursor_position = len(control.value)  # End
        seen = store.get_review(demo)
        store.set_tags(demo, [*seen["tags"], "capacity"], expected_version=seen["version"])
        await sync(b, pb)
        assert "capacity" in control.value and not tags_b.dirty
        await pb.press(*", canary")
        await settle(b, pb)
        assert control.value.split(", ")[-1] == "canary"  # where the seat meant it
        assert set(seen["tags"]) | {"capacity"} <= set(control.value.split(", "))  # no word cut in two
        # a text area: the cursor at the end of the Summary stays at its end
        summary_b = b.screen.query_one("#field-summary", Field)
        area = summary_b.control
        assert isinstance(area, TextArea)
        area.focus()
        await settle(b, pb)
        area.move_cursor(area.document.end)
        seen = store.get_review(demo)
        store.update_review(demo, expected_version=seen["version"], summary=seen["summary"] + " Added by the facilitator.")
        await sync(b, pb)
        assert area.text.endswith("Added by the facilitator.") and area.cursor_location == area.document.end
