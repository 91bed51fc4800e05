"""Issue 20, the UI's share: no seat's words are lost in a conflict box, after Tab, when a
seat goes away or quits; every figure follows the other seats; one clock per review.
Two seats are two apps on one store, each with its own Store (tests/ui/test_seats.py)."""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack

import pytest
from textual import events, messages
from textual.widgets import Input, Static, TextArea

from conftest import settle
from pmtui.widgets.field import Field
from ui.test_seats import both, shown, sync


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param



class _Lazy:
    """Modules this issue added, imported when first used (so that each test fails on its
    own assertion, not at import, on a tree without them)."""

    @property
    def putaside(self):
        from pmtui.store import putaside

        return putaside

    @property
    def ConflictBox(self):
        from pmtui.widgets.field import ConflictBox

        return ConflictBox


new = _Lazy()


def summary_of(app) -> tuple[Field, TextArea]:
    field = app.screen.query_one("#field-summary", Field)
    return field, field.query_one(TextArea)


def box_text(field: Field) -> str:
    return str(field.query_one(".field-conflict-text", Static).render())


async def past_guard(field: Field) -> None:
    """A box that just changed ignores a choice for a moment (a key meant for the old box)."""
    await asyncio.sleep(max(0.0, getattr(field, '_guard_until', 0.0) - time.monotonic()) + 0.05)


async def open_conflict(a, pa, b, pb, demo, store, mine: str = "B1 notetaker words.",
                        theirs: str = "A1 facilitator words.", name: str = "summary"):
    """B types in a field (the Summary); A saves first; B's save opens the conflict box."""
    fa, fb = (app.screen.query_one(f"#field-{name}", Field) for app in (a, b))
    control_a, control_b = fa.control, fb.control

    def put(control, text: str) -> None:
        if isinstance(control, TextArea):
            control.load_text(text)
            control.move_cursor(control.document.end)
        else:
            control.value = text

    for field in (fa, fb):  # each save is the test's own step: no pause-autosave on a slow machine
        field._autosave = lambda: None
    control_b.focus()
    put(control_b, mine)
    await settle(b, pb)
    control_a.focus()
    put(control_a, theirs)
    fa.confirm()
    await settle(a, pa)
    assert store.get_review(demo)[name] == theirs
    fb.confirm()
    await settle(b, pb)
    assert fb.query_one(".field-conflict").display
    return fa, control_a, fb, control_b


# ------------------------------------------------------------------ 1. a stale box
async def test_a_conflict_box_follows_newer_text_and_keep_mine_saves_the_field_now(store, demo, seats, monkeypatch):
    monkeypatch.setattr(Field, "CLOSE_AFTER", 60.0, raising=False)  # however slow the machine, m m comes within it
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("overview", "overview", seats, stack)
        fa, area_a, fb, area_b = await open_conflict(a, pa, b, pb, demo, store)
        assert "A1 facilitator words." in box_text(fb)
        # B goes on typing while the box is open
        area_b.insert(" B2 more words", location=area_b.document.end)
        # A appends a second sentence and saves
        area_a.load_text("A1 facilitator words. A2 second sentence.")
        fa.confirm()
        await settle(a, pa)
        await sync(b, pb)
        # B's box now shows A's newer text (and its choice is made against that version)
        assert "A2 second sentence." in box_text(fb)
        assert fb.conflict_version == store.get_review(demo)["version"]
        assert area_b.text == "B1 notetaker words. B2 more words"  # B's typing is kept
        await past_guard(fb)
        assert fb.query_one(new.ConflictBox).has_focus
        await pb.press("m", "m")  # Keep mine, twice
        await settle(b, pb)
        stored = store.get_review(demo)
        assert stored["summary"] == "B1 notetaker words. B2 more words"  # the text in the field now
        assert stored["updated_by"] == "Jonas Weber"
        assert fb.conflict is None and not fb.dirty  # the second m was no stray letter in the field
        # typing on: the letter goes into the field, and the chosen box closes
        await pb.press("!")
        await settle(b, pb)
        assert "!" in area_b.text and area_b.has_focus
        assert not fb.query_one(".field-conflict").display
        # the second press changed nothing: one save, no second box, nothing of A's written back
        await sync(a, pa)
        assert area_a.text == stored["summary"]


async def test_a_choice_pressed_as_the_box_changes_is_not_taken(store, demo, seats, monkeypatch):
    monkeypatch.setattr(Field, "GUARD", 30.0)  # however slow the machine, the key comes within it
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("overview", "overview", seats, stack)
        fa, area_a, fb, _area_b = await open_conflict(a, pa, b, pb, demo, store)
        area_a.load_text("A1 facilitator words. A2 second sentence.")
        fa.confirm()
        await settle(a, pa)
        await sync(b, pb)
        await pb.press("m")  # the box changed a moment ago: not read yet
        await settle(b, pb)
        assert fb.conflict is not None
        assert store.get_review(demo)["summary"] == "A1 facilitator words. A2 second sentence."
        assert "just changed" in shown(b)


# ------------------------------------------------------------------ 2. take theirs, by keys
async def test_take_theirs_puts_the_seats_own_words_aside_and_undo_brings_them_back(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("overview", "overview", seats, stack, size_b=(80, 24))
        _fa, _area_a, fb, area_b = await open_conflict(a, pa, b, pb, demo, store)
        box = fb.query_one(new.ConflictBox)
        assert box.has_focus  # the box takes the focus when it opens
        text = box_text(fb)
        assert "m keep mine" in text and "t take theirs" in text and "b keep both" in text
        # it fits at 80x24: the box and its buttons are on the screen
        await settle(b, pb)
        for button in box.query("Button"):
            if button.display:
                region = button.region
                assert 0 <= region.y and region.bottom <= 24 and region.right <= 80, region
        # a letter that is not a choice goes on into the field
        await pb.press("x")
        await settle(b, pb)
        assert area_b.text.endswith("x") and fb.conflict is not None
        box.focus()
        await settle(b, pb)
        await past_guard(fb)
        await pb.press("t", "t")  # Take theirs (the second press lands on the closing box)
        await settle(b, pb)
        assert area_b.text == "A1 facilitator words." and fb.conflict is None
        assert store.get_review(demo)["summary"] == "A1 facilitator words."
        assert "put aside" in shown(b) and "ctrl+z" in shown(b)
        # ctrl+n brings the words back
        await pb.press("ctrl+n")
        await settle(b, pb)
        from pmtui.screens.capture import CaptureScreen

        assert isinstance(b.screen, CaptureScreen)
        assert b.screen.query_one(Input).value == "B1 notetaker words.x"
        assert "Take theirs" in str(b.screen.query_one("#capture-aside", Static).render())
        await pb.press("escape")  # not as a note: kept aside as it was
        await settle(b, pb)
        assert [k.text for k in new.putaside.waiting(b._place_key(demo), "Jonas Weber")] == ["B1 notetaker words.x"]
        # in the area, ctrl+z (the area's own undo) brings them back; saved as typing is
        area_b.focus()
        await settle(b, pb)
        await pb.press("ctrl+z")
        await settle(b, pb)
        assert area_b.text == "B1 notetaker words.x"
        fb.confirm()
        await settle(b, pb)
        assert store.get_review(demo)["summary"] == "B1 notetaker words.x"
        assert new.putaside.waiting(b._place_key(demo), "Jonas Weber") == []  # back in the review: no longer aside


async def test_undo_of_take_theirs_saves_over_the_version_taken_and_never_a_newer_one(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("overview", "overview", seats, stack)
        fa, input_a, fb, input_b = await open_conflict(a, pa, b, pb, demo, store, "Title by Jonas", "Title by Amara",
                                                       name="title")
        await past_guard(fb)
        await pb.press("t")
        await settle(b, pb)
        assert store.get_review(demo)["title"] == "Title by Amara" and input_b.value == "Title by Amara"
        await pb.press("ctrl+z")  # the app's undo: a one-line field has none of its own
        await settle(b, pb)
        assert store.get_review(demo)["title"] == "Title by Jonas"
        assert new.putaside.waiting(b._place_key(demo), "Jonas Weber") == []

        # again, but A changes the title after B took theirs: undo does not write over it
        await sync(a, pa)
        await sync(b, pb)
        _fa2, input_a, fb, input_b = await open_conflict(a, pa, b, pb, demo, store, "Jonas again", "Amara again",
                                                        name="title")
        await past_guard(fb)
        await pb.press("t")
        await settle(b, pb)
        input_a.value = "Amara, later"
        fa.confirm()
        await settle(a, pa)
        await pb.press("ctrl+z")
        await settle(b, pb)
        assert store.get_review(demo)["title"] == "Amara, later"  # not overwritten
        assert "Could not undo" in shown(b)
        # who and when, in the review's clock as its conflict boxes say it (the store's message is UTC)
        from pmtui.domain.seats import when_text

        refused = next(m for m in b.told if "Could not undo" in m)
        assert "UTC" not in refused and "changed by Amara Okafor" in refused
        assert when_text(store.get_review(demo)["updated_at"], "Europe/Berlin") in refused
        kept = new.putaside.waiting(b._place_key(demo), "Jonas Weber")
        assert [k.text for k in kept] == ["Jonas again"]  # still put aside


# ------------------------------------------------------------------ 3. keys after Tab
async def test_keys_typed_in_one_burst_after_tab_land_in_the_next_field(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        title = app.screen.query_one("#field-title", Field)
        severity = app.screen.query_one("#field-severity", Field)
        title.query_one(Input).focus()
        await settle(app, pilot)
        before_title, before_severity = title.text, severity.text
        # a loaded machine (or a browser burst): Tab and the next keys reach the app at once,
        # before any widget has handled the Tab
        app.post_message(events.Key("tab", "\t"))
        for ch in "SEV9":
            app.post_message(events.Key(ch, ch))
        await settle(app, pilot)
        assert title.text == before_title
        assert severity.text == before_severity + "SEV9"
        assert severity.query_one(Input).has_focus
        # and back: shift+tab, then keys, in one burst
        app.post_message(events.Key("shift+tab", None))
        for ch in "!!":
            app.post_message(events.Key(ch, ch))
        await settle(app, pilot)
        assert severity.text == before_severity + "SEV9"
        assert title.text == before_title + "!!"


async def test_tab_after_a_slow_blur_save_still_moves_first(store, demo, make_app, monkeypatch):
    """The field's save on blur takes long (a slow store): the keys after Tab still land in
    the field Tab went to, and the left field's text is saved."""
    from pmtui.screens.base import SectionScreen

    slow = SectionScreen.save_field

    def slow_save(self, name, value):
        time.sleep(0.3)
        return slow(self, name, value)

    monkeypatch.setattr(SectionScreen, "save_field", slow_save)
    app = make_app(demo, "overview")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        title = app.screen.query_one("#field-title", Field)
        severity = app.screen.query_one("#field-severity", Field)
        title.query_one(Input).focus()
        await settle(app, pilot)
        title.query_one(Input).value = "Checkout errors after cache change"
        app.post_message(events.Key("tab", "\t"))
        for ch in "SEV1":
            app.post_message(events.Key(ch, ch))
        await settle(app, pilot)
        assert store.get_review(demo)["title"] == "Checkout errors after cache change"
        assert severity.text.endswith("SEV1") and "SEV1" not in title.text


# ------------------------------------------------------------------ 4. a seat goes away
async def test_a_seat_that_goes_away_keeps_what_it_typed(store, demo, make_app):
    app = make_app(demo, "overview")
    app.store.actor = "Jonas Weber"
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        summary = screen.query_one("#field-summary", Field)
        area = summary.query_one(TextArea)
        area.focus()
        area.load_text("Typed 0.5 s before the tab closed.")  # the 1.5 s autosave has not run
        title = screen.query_one("#field-title", Field)
        title.query_one(Input).value = "Title typed, never confirmed"
        review_date = screen.query_one("#field-review_date", Field)
        review_date.query_one(Input).value = "next tuesday"  # not a date: cannot be saved
        # the browser tab closes: textual-serve tells the driver "quit", which exits the app
        app.post_message(messages.ExitApp())
        await asyncio.sleep(0.2)
    stored = store.get_review(demo)
    assert stored["summary"] == "Typed 0.5 s before the tab closed."
    assert stored["title"] == "Title typed, never confirmed"
    kept = new.putaside.waiting(app._place_key(demo), "Jonas Weber")
    assert [(k.field, k.text) for k in kept] == [("review_date", "next tuesday")]

    # the next open offers it, and ctrl+n brings it back
    again = make_app(demo, "overview")
    again.store.actor = "Jonas Weber"
    told: list[str] = []
    notify = again.notify
    again.notify = lambda message, **kw: (told.append(message), notify(message, **kw))[1]
    async with again.run_test(size=(160, 45)) as pilot:
        await settle(again, pilot)
        assert any("put aside" in t and "Review date" in t for t in told), told
        await pilot.press("ctrl+n")
        await settle(again, pilot)
        assert again.screen.query_one(Input).value == "next tuesday"
        await pilot.press("enter")  # kept as a note now
        await settle(again, pilot)
    assert any(n["text"] == "next tuesday" for n in store.list_items("note", demo))
    assert new.putaside.waiting(app._place_key(demo), "Jonas Weber") == []


async def test_a_note_in_the_capture_bar_is_put_aside_when_the_seat_goes_away(store, demo, make_app):
    app = make_app(demo, "timeline")
    app.store.actor = "Jonas Weber"
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+n", *"retry storm at 14:05")
        await settle(app, pilot)
        app.post_message(messages.ExitApp())
        await asyncio.sleep(0.2)
    kept = new.putaside.waiting(app._place_key(demo), "Jonas Weber")
    assert [k.text for k in kept] == ["retry storm at 14:05"]


async def test_ctrl_q_asks_before_quitting_over_unsaved_text(store, demo, make_app):
    from pmtui.screens.leaving import LeavingScreen

    app = make_app(demo, "overview")
    app.store.actor = "Jonas Weber"
    original = store.get_review(demo)["title"]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        title = app.screen.query_one("#field-title", Field)
        title.query_one(Input).focus()
        title.query_one(Input).value = "An unconfirmed title"
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        assert isinstance(app.screen, LeavingScreen)
        assert "the Title" in str(app.screen.query_one("#dialog-text").render())
        await pilot.press("k")  # keep editing
        await settle(app, pilot)
        assert app.is_running and title.text == "An unconfirmed title"
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        await pilot.press("a")  # set aside and quit
        await asyncio.sleep(0.2)
    assert store.get_review(demo)["title"] == original  # not saved: the seat chose
    assert [k.text for k in new.putaside.waiting(app._place_key(demo), "Jonas Weber")] == ["An unconfirmed title"]

    again = make_app(demo, "overview")
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(again, pilot)
        title = again.screen.query_one("#field-title", Field)
        title.query_one(Input).value = "Saved on the way out"
        await pilot.press("ctrl+q")
        await settle(again, pilot)
        await pilot.press("s")  # save and quit
        await asyncio.sleep(0.2)
    assert store.get_review(demo)["title"] == "Saved on the way out"


# ------------------------------------------------------------------ 5. figures follow
async def test_every_figure_follows_the_other_seats(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("actions", "report", seats, stack)
        summary = a.screen.query_one("#actions-summary", Static)
        items = store.list_items("action", demo)
        for item in items[1:]:
            b.store.delete_item("action", item["id"], expected_version=item["version"])
        await sync(a, pa)
        assert str(summary.render()).startswith("1 action item ·"), str(summary.render())
        b.store.add_item("action", demo, title="Alert when the cache hit ratio drops below 80%", owner="Checkout team")
        await sync(a, pa)
        assert str(summary.render()).startswith("2 action items ·")

        # the Report's readiness follows a question answered by another seat
        readiness = b.screen.query_one("#readiness-text", Static)
        await settle(b, pb)
        questions = [n for n in store.list_items("note", demo) if n["kind"] == "question"]
        if not questions:
            a.store.add_item("note", demo, at=a.now(), text="Why did the alert not fire?", kind="question",
                             stage="context", author="Amara Okafor")
            await sync(b, pb)
            questions = [n for n in store.list_items("note", demo) if n["kind"] == "question"]
        assert "open question" in str(readiness.render())
        for q in questions:
            a.store.update_item("note", q["id"], expected_version=q["version"], kind="note")
        await sync(b, pb)
        assert "open question" not in str(readiness.render())
        # and r, which reads it again at will, is in the footer
        assert any(b.binding.key == "r" and b.binding.show for b in b.screen.active_bindings.values())


# ------------------------------------------------------------------ 6. one clock
@pytest.fixture
def machine_in_new_york(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def test_one_screen_shows_the_reviews_clock_and_names_it(store, demo, seats, machine_in_new_york):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from pmtui.widgets.meeting_bar import MeetingBar
    from pmtui.widgets.notes_panel import NotesPanel

    assert store.get_review(demo)["timezone"] == "Europe/Berlin"
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("overview", "overview", seats, stack, size_b=(160, 45))
        _fa, _area_a, fb, _area_b = await open_conflict(a, pa, b, pb, demo, store)
        changed = datetime.fromisoformat(store.get_review(demo)["updated_at"].replace("Z", "+00:00"))
        if changed.tzinfo is None:
            changed = changed.replace(tzinfo=UTC)
        berlin = changed.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")
        assert f"Changed by Amara Okafor {berlin} Europe/Berlin" in box_text(fb)
        # the notes panel names the review's zone too
        panel = b.screen.query_one(NotesPanel)
        assert "times Europe/Berlin" in str(panel.query_one("#notes-title", Static).render())
        # the meeting line: the facilitator starts the meeting; the other seat reads its time
        await pa.press("ctrl+o")
        await settle(a, pa)
        await pa.press("s")
        await settle(a, pa)
        await pa.press("ctrl+s")
        await settle(a, pa)
        await sync(b, pb)
        await pa.press("ctrl+g")  # pause: "paused the meeting at HH:MM"
        await settle(a, pa)
        meeting = store.get_meeting(demo)
        at = datetime.fromisoformat(meeting.moved_at).astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")
        await sync(b, pb)
        line = b.screen.query_one(MeetingBar).meeting.move_line(b.screen.query_one(MeetingBar).zone)
        assert line.endswith(f"paused the meeting at {at} Europe/Berlin"), line
        assert f"paused the meeting at {at} Europe/Berlin" in shown(b)


async def test_take_theirs_in_a_form_puts_the_seats_words_aside(store, demo, seats):
    from pmtui.widgets.list_editor import ListEditor

    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("actions", "actions", seats, stack)
        for app, pilot in ((a, pa), (b, pb)):
            editor = next(e for e in app.screen.query(ListEditor) if e.kind == "action" and e.items)
            editor.table.focus()
            editor.table.move_cursor(row=0)
            await pilot.press("enter")
            await settle(app, pilot)
        a.screen.query_one("#f-title", Input).value = "Alert on cache hit ratio per region (Amara)"
        b.screen.query_one("#f-title", Input).value = "Alert on cache hit ratio below 80% (Jonas)"
        await pb.press("ctrl+s")
        await settle(b, pb)
        await pa.press("ctrl+s")
        await settle(a, pa)
        await pa.click("#conflict-theirs")
        await settle(a, pa)
        assert a.screen.query_one("#f-title", Input).value.endswith("(Jonas)")
        kept = new.putaside.waiting(a._place_key(demo), "Amara Okafor")
        assert len(kept) == 1 and "Alert on cache hit ratio per region (Amara)" in kept[0].text
        assert "put aside" in shown(a)
