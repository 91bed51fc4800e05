"""Two seats at once: two apps on one store (SQLite and the real PostgreSQL), each with
its own Store as two processes would have. Nothing one seat types is lost when the
other changes or deletes the same thing, and each seat sees what happened."""

from __future__ import annotations

import time
from contextlib import AsyncExitStack
from datetime import datetime

import pytest
from textual.widgets import Button, Input, TextArea

from conftest import TODAY, settle
from pmtui.app import PostmortemApp
from pmtui.store import Store
from pmtui.widgets.field import Field
from pmtui.widgets.list_editor import ListEditor
from pmtui.widgets.meeting_bar import MeetingBar


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


class Seats:
    """Seat A (Amara Okafor, the facilitator) and seat B (Jonas Weber, the note-taker)."""

    def __init__(self, db_url: str, review_id: int) -> None:
        self.url = db_url
        self.review_id = review_id
        self.stores: list[Store] = []

    def app(self, name: str, screen: str) -> PostmortemApp:
        store = Store.open(self.url)
        store.actor = name
        self.stores.append(store)
        app = PostmortemApp(store, review_id=self.review_id, screen=screen, today=lambda: TODAY, watch_interval=None)
        # every message the seat was shown, kept: a toast expires by the wall clock (after 3-6 s),
        # which a busy machine can spend between showing it and the test reading it
        app.told = []
        notify = app.notify

        def telling(message: str, *, title: str = "", **kwargs) -> None:
            app.told.append(f"{title} {message}" if title else message)
            notify(message, title=title, **kwargs)

        app.notify = telling
        return app

    def close(self) -> None:
        for s in self.stores:
            s.close()


async def both(screen_a: str, screen_b: str, seats: Seats, stack: AsyncExitStack, size_b=(100, 30)):
    a, b = seats.app("Amara Okafor", screen_a), seats.app("Jonas Weber", screen_b)
    pa = await stack.enter_async_context(a.run_test(size=(160, 45)))
    pb = await stack.enter_async_context(b.run_test(size=size_b))
    for app, pilot in ((a, pa), (b, pb)):
        await settle(app, pilot)
        app.store.changes_elsewhere()  # each seat starts watching the store
    return a, pa, b, pb


def in_app(app: PostmortemApp, do) -> None:
    """Run ``do`` as the app's own timer would: with ``app`` as the active app (a screen's
    ``self.app`` is whichever app is active; two run in this test at once)."""
    from textual._context import active_app

    token = active_app.set(app)
    try:
        do()
    finally:
        active_app.reset(token)


async def sync(app: PostmortemApp, pilot) -> None:
    """What the seat's watch timer does every half second: take in the others' changes."""
    for _ in range(3):
        in_app(app, app._watch_store)
        await settle(app, pilot)


def shown(app: PostmortemApp) -> str:
    return " ".join(app.told)


async def test_both_edit_one_field_nothing_is_lost(store, demo, seats, monkeypatch):
    # A is still typing throughout: its pause-autosave must not fire while a loaded
    # machine takes seconds over the steps below (the autosave has tests of its own)
    monkeypatch.setattr(Field, "AUTOSAVE_AFTER", 600.0)
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("overview", "overview", seats, stack)
        original = store.get_review(demo)["summary"]
        # A is in the summary, typing
        fa = a.screen.query_one("#field-summary", Field)
        area_a = fa.query_one(TextArea)
        area_a.focus()
        area_a.load_text(original + " Amara's addition.")
        await settle(a, pa)
        # B changes the same field and leaves it: saved
        fb = b.screen.query_one("#field-summary", Field)
        fb.query_one(TextArea).focus()
        fb.query_one(TextArea).load_text("Jonas's summary.")
        fb.confirm()
        await settle(b, pb)
        assert store.get_review(demo)["summary"] == "Jonas's summary."
        # A sees at once that Jonas changed the field it is in; its text stays
        await sync(a, pa)
        notice = str(fa.query_one(".field-changed").render())
        assert fa.query_one(".field-changed").display and "changed by Jonas Weber" in notice
        assert area_a.text == original + " Amara's addition."
        # A saves: not over Jonas's text, A sees both and chooses
        fa.confirm()
        await settle(a, pa)
        assert store.get_review(demo)["summary"] == "Jonas's summary."
        box = fa.query_one(".field-conflict")
        assert box.display and "Jonas's summary." in str(fa.query_one(".field-conflict-text").render())
        assert area_a.text == original + " Amara's addition."
        fa.query_one(".conflict-both", Button).press()
        await settle(a, pa)
        stored = store.get_review(demo)["summary"]
        assert "Jonas's summary." in stored and "Amara's addition." in stored
        # and B sees the merged text
        await sync(b, pb)
        assert fb.query_one(TextArea).text == stored


async def test_one_edits_while_the_other_deletes(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("analysis", "analysis", seats, stack)
        factors = store.list_items("factor", demo)
        target = factors[0]
        # A opens the first factor and rewrites it
        ed_a = a.screen.query_one("#factors", ListEditor)
        ed_a.table.focus()
        ed_a.table.move_cursor(row=0)
        await pa.press("enter")
        await settle(a, pa)
        text_a = a.screen.query_one("#f-text", Input)
        text_a.value = "Cache warm-up was not part of the deploy checklist (Amara's wording)"
        # meanwhile B deletes that factor
        ed_b = b.screen.query_one("#factors", ListEditor)
        ed_b.table.focus()
        ed_b.table.move_cursor(row=0)
        await pb.press("d")
        await settle(b, pb)
        assert target["id"] not in [f["id"] for f in store.list_items("factor", demo)]
        # A saves: told it was deleted, its text still in the form
        await pa.press("ctrl+s")
        await settle(a, pa)
        assert a.screen.query_one("#form-conflict").display
        assert "deleted this while you were editing" in str(a.screen.query_one("#form-conflict-text").render())
        assert text_a.value.endswith("(Amara's wording)")
        await pa.click("#conflict-mine")  # add mine back
        await settle(a, pa)
        texts = [f["text"] for f in store.list_items("factor", demo)]
        assert "Cache warm-up was not part of the deploy checklist (Amara's wording)" in texts
        await sync(b, pb)
        assert any("Amara's wording" in f["text"] for f in ed_b.items)

        # the other way round: B deletes what A has just changed (B's list is older): not deleted
        victim = store.list_items("factor", demo)[0]
        ed_b.reload()
        ed_b.table.move_cursor(row=0)
        store_a = a.store
        store_a.update_item("factor", victim["id"], expected_version=victim["version"], text="Edited by Amara")
        ed_b.table.focus()
        await pb.press("d")
        await settle(b, pb)
        assert any(f["id"] == victim["id"] and f["text"] == "Edited by Amara" for f in store.list_items("factor", demo))
        assert "Not deleted" in shown(b) and "Amara Okafor" in shown(b)


async def test_both_edit_one_action_item(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("actions", "actions", seats, stack)
        item = store.list_items("action", demo)[0]
        for app, pilot in ((a, pa), (b, pb)):
            editor = next(e for e in app.screen.query(ListEditor) if e.kind == "action" and e.items)
            editor.table.focus()
            editor.table.move_cursor(row=0)
            await pilot.press("enter")
            await settle(app, pilot)
        a.screen.query_one("#f-title", Input).value = "Alert on cache hit ratio per region (Amara)"
        b.screen.query_one("#f-title", Input).value = "Alert on cache hit ratio below 80% (Jonas)"
        b.screen.query_one("#f-owner", Input).value = "Checkout team"
        await pb.press("ctrl+s")
        await settle(b, pb)
        assert store.list_items("action", demo)[0]["title"].endswith("(Jonas)")
        await pa.press("ctrl+s")
        await settle(a, pa)
        # A sees Jonas's values beside its own, who and when; nothing written yet
        text = str(a.screen.query_one("#form-conflict-text").render())
        assert "Changed by Jonas Weber" in text and "(Jonas)" in text and "Checkout team" in text
        assert a.screen.query_one("#f-title", Input).value.endswith("(Amara)")
        assert store.list_items("action", demo)[0]["title"].endswith("(Jonas)")
        await pa.click("#conflict-both")
        await settle(a, pa)
        stored = store.list_items("action", demo)[0]
        assert stored["id"] == item["id"]
        assert "(Jonas)" in stored["title"] and "(Amara)" in stored["title"]
        assert "Checkout team" in stored["owner"] and item["owner"] in stored["owner"]  # both kept
        assert stored["updated_by"] == "Amara Okafor"
        await sync(b, pb)
        editor_b = next(e for e in b.screen.query(ListEditor) if e.kind == "action" and e.items)
        assert any("(Amara)" in i["title"] for i in editor_b.items)


async def test_take_theirs_keeps_the_other_seats_text(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, _pb = await both("overview", "overview", seats, stack)
        fa = a.screen.query_one("#field-title", Field)
        fa.query_one(Input).focus()
        fa.query_one(Input).value = "Title by Amara"
        b.store.update_review(demo, expected_version=b.store.get_review(demo)["version"], title="Title by Jonas")
        fa.confirm()
        await settle(a, pa)
        assert fa.query_one(".field-conflict").display
        fa.query_one(".conflict-theirs", Button).press()
        await settle(a, pa)
        assert fa.query_one(Input).value == "Title by Jonas" and store.get_review(demo)["title"] == "Title by Jonas"
        # keep mine then overwrites knowingly
        fa.query_one(Input).value = "Title by Amara"
        b.store.update_review(demo, expected_version=b.store.get_review(demo)["version"], title="Title by Jonas, again")
        fa.confirm()
        await settle(a, pa)
        fa.query_one(".conflict-mine", Button).press()
        await settle(a, pa)
        assert store.get_review(demo)["title"] == "Title by Amara"


async def test_only_the_facilitator_moves_the_meeting_and_every_seat_sees_who(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("opening", "timeline", seats, stack)
        # the note-taker's seat cannot start it
        await pb.press("ctrl+o")
        await settle(b, pb)
        await pb.press("s")
        await settle(b, pb)
        assert store.get_meeting(demo) is None
        assert "Only the facilitator (Amara Okafor)" in shown(b)
        # the facilitator's can
        await pa.press("s")
        await settle(a, pa)
        await pa.press("ctrl+s")
        await settle(a, pa)
        meeting = store.get_meeting(demo)
        assert meeting is not None and meeting.moved_by == "Amara Okafor"
        await sync(b, pb)
        stage = meeting.stage
        # the note-taker presses next stage and pause: nothing changes
        before = len(b.told)
        await pb.press("ctrl+t", "ctrl+g")
        await settle(b, pb)
        after = store.get_meeting(demo)
        assert after.stage == stage and not after.paused
        assert "Only the facilitator" in " ".join(b.told[before:])
        # the facilitator moves on: the note-taker's seat shows who and when
        await pa.press("ctrl+t")
        await settle(a, pa)
        await sync(b, pb)
        moved = store.get_meeting(demo)
        assert moved.stage != stage and moved.moved_by == "Amara Okafor"
        bar = b.screen.query_one(MeetingBar)
        assert bar.meeting.move_line().startswith("Amara Okafor moved the meeting to")
        assert "Amara Okafor moved the meeting to" in shown(b)
        await pa.press("ctrl+g")
        await settle(a, pa)
        await sync(b, pb)
        assert "Amara Okafor paused the meeting" in shown(b)


async def test_presence_appears_and_disappears(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, _pb = await both("overview", "timeline", seats, stack)
        in_app(a, a.beat)
        in_app(b, b.beat)
        await sync(a, pa)
        assert "Amara Okafor · facilitating  Jonas Weber · notes" in a.screen.sub_title
        # a seat that quits leaves at once
        b.leave_review()
        await sync(a, pa)
        in_app(a, a.beat)
        await settle(a, pa)
        assert "Jonas Weber" not in a.screen.sub_title and "Amara Okafor · facilitating" in a.screen.sub_title
        # a seat that was killed (no more heartbeats) drops out when its row expires
        store.heartbeat("killed-seat", demo, "Priya Raman", "participant", ttl=0.5)
        in_app(a, a.beat)
        await settle(a, pa)
        assert "Priya Raman" in a.screen.sub_title
        deadline = time.monotonic() + 10  # the row expires after 0.5 s: wait for that, beating as a seat does
        while "Priya Raman" in a.screen.sub_title and time.monotonic() < deadline:
            await pa.pause(0.1)
            in_app(a, a.beat)
            await settle(a, pa)
        assert "Priya Raman" not in a.screen.sub_title
        # more than two: "+N"
        for i, name in enumerate(("Lena Schulz", "Tomás Ortega")):
            store.heartbeat(f"s{i}", demo, name, "participant", ttl=30)
        in_app(a, a.beat)
        await settle(a, pa)
        assert "Amara Okafor · facilitating  Lena Schulz · here  +1" in a.screen.sub_title


async def test_a_seat_without_a_name_is_asked_at_its_first_note(store, demo, seats):
    app = seats.app("", "timeline")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert "Your name for this seat" in str(app.screen.query_one("#dialog-text").render())
        await pilot.press(*"Lena Schulz", "enter")
        await settle(app, pilot)
        await pilot.press(*"retry storms started at 14:05", "enter")
        await settle(app, pilot)
        note = store.list_items("note", demo)[-1]
        assert note["text"] == "retry storms started at 14:05" and note["author"] == "Lena Schulz"
        assert app.author == "Lena Schulz"


async def test_the_change_signal_says_what_changed_on_both_databases(store, demo, seats):
    other = Store.open(seats.url)
    try:
        assert store.changes_elsewhere() == []
        other.actor = "Jonas Weber"
        fid = other.add_item("factor", demo, text="Retry budget not shared across services", category="technical")
        other.heartbeat("seat-x", demo, "Jonas Weber", "note-taker")
        other.heartbeat("seat-x", demo, "Jonas Weber", "note-taker")  # a heartbeat alone is no change
        deadline = time.time() + 2
        got: list = []
        while time.time() < deadline and len(got) < 2:
            got += store.changes_elsewhere()
            time.sleep(0.05)
        assert {"kind": "factor", "review": demo, "id": fid} in got
        assert {"kind": "presence", "review": demo, "id": None} in got
        store.add_item("factor", demo, text="Our own change", category="technical")
        assert store.changes_elsewhere() == []  # our own writes never count
    finally:
        other.close()


async def test_deleting_a_note_another_seat_just_changed_is_refused(store, demo, seats):
    from pmtui.widgets.notes_panel import NotesPanel

    async with AsyncExitStack() as stack:
        a, _pa, b, pb = await both("timeline", "timeline", seats, stack, size_b=(160, 45))
        panel = b.screen.query_one(NotesPanel)
        await pb.press("f10")
        await settle(b, pb)
        note = panel.selected()
        a.store.update_item("note", note["id"], expected_version=note["version"], text="Reworded by Amara")
        await pb.press("d")
        await settle(b, pb)
        kept = [n for n in store.list_items("note", demo) if n["id"] == note["id"]]
        assert kept and kept[0]["text"] == "Reworded by Amara"
        assert "Not deleted" in shown(b) and "Amara Okafor" in shown(b)
        await pb.press("d")  # now seen (the panel re-read it): deleting is deliberate
        await settle(b, pb)
        assert note["id"] not in [n["id"] for n in store.list_items("note", demo)]


# ------------------------------------------------------------------ more of issue 11
@pytest.mark.parametrize("width", [80, 100, 160])
async def test_the_presence_line_fits_the_header(store, demo, seats, width):
    """Four people in the review: the header shows them without cutting a word, at 80,
    100 and 160 columns (names shorten, then collapse into +N)."""
    from rich.cells import cell_len
    from textual.widgets._header import HeaderTitle

    app = seats.app("Amara Okafor", "timeline")
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(app, pilot)
        for i, (name, role) in enumerate((("Jonas Weber", "note-taker"), ("Lena Fischer", "participant"),
                                          ("Ravi Menon", "participant"))):
            store.heartbeat(f"seat-{i}", demo, name, role, ttl=60)
        in_app(app, app.beat)
        await settle(app, pilot)
        header = app.screen.query_one(HeaderTitle)
        line = str(header.render())
        assert cell_len(line) <= header.content_region.width, (width, line)
        expected = {160: "Amara Okafor · facilitating  Jonas Weber · notes  +2",
                    100: "Amara O. · facilitating  Jonas W. · notes  +2",
                    80: "Amara O. · facilitating  +3"}[width]
        assert f"Timeline · {expected}" in line, line
        title = store.get_review(demo)["title"]
        shown_title = line.split(" — ")[0]
        assert shown_title == title or (shown_title.endswith("…") and title.startswith(shown_title[:-1])
                                        and title[len(shown_title) - 1] == " "), shown_title
        # resized: fitted again
        await pilot.resize_terminal(160 if width != 160 else 80, 30)
        await settle(app, pilot)
        line = str(header.render())
        assert cell_len(line) <= header.content_region.width, line


async def test_every_seat_sees_who_ended_the_meeting_and_when(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("opening", "timeline", seats, stack)
        await pa.press("s")
        await settle(a, pa)
        await pa.press("ctrl+s")
        await settle(a, pa)
        assert store.get_meeting(demo) is not None
        await sync(b, pb)
        from pmtui.screens.dialogs import ConfirmScreen

        for _ in range(10):  # the facilitator moves through every stage, then past the last: the end
            await pa.press("ctrl+t")
            await settle(a, pa)
            if isinstance(a.screen, ConfirmScreen):  # ending cannot be taken back: it asks first
                await pa.press("y")
                await settle(a, pa)
            if store.get_meeting(demo).ended:
                break
        meeting = store.get_meeting(demo)
        assert meeting.ended and meeting.moved_by == "Amara Okafor"
        await sync(b, pb)
        # the note-taker's seat (100 columns): when it ended, how long it took, who ended it
        line = str(b.screen.query_one(MeetingBar).render())
        from pmtui.domain.localzone import clock_in

        # in the review's zone (named when it is not the machine's): one clock per review
        ended = clock_in(datetime.fromisoformat(meeting.ended_at), store.get_review(demo)["timezone"])
        assert f"Meeting ended {ended}, took" in line and "ended by Amara Okafor" in line, line
        assert "Amara Okafor ended the meeting" in shown(b)
        # and the facilitator's own line says the same
        assert "ended by Amara Okafor" in str(a.screen.query_one(MeetingBar).render())


async def test_a_status_key_racing_another_seats_edit_is_a_conflict_shown_in_place(store, demo, seats):
    from textual.widgets import Select

    from pmtui.screens.form import FormScreen

    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("actions", "actions", seats, stack)
        item = store.list_items("action", demo)[0]
        assert item["status"] == "in_progress"
        editor = a.screen.editor
        editor.table.focus()
        editor.table.move_cursor(row=0)
        # B retitles the item after A's list showed it
        b.store.update_item("action", item["id"], expected_version=item["version"],
                            title="Validate cache memory limits at build time and in CI (Jonas)")
        await pa.press("x")  # A marks it done
        await settle(a, pa)
        # not written over B's edit: A sees the item with B's values, its own status on top, and chooses
        stored = store.list_items("action", demo)[0]
        assert stored["status"] == "in_progress" and stored["title"].endswith("(Jonas)")
        assert isinstance(a.screen, FormScreen) and a.screen.query_one("#form-conflict").display
        text = str(a.screen.query_one("#form-conflict-text").render())
        assert "Changed by Jonas Weber" in text and "in_progress" in text
        assert a.screen.query_one("#f-title", Input).value.endswith("(Jonas)")
        assert a.screen.query_one("#f-status", Select).value == "done"
        await pa.click("#conflict-mine")
        await settle(a, pa)
        stored = store.list_items("action", demo)[0]
        assert stored["status"] == "done" and stored["title"].endswith("(Jonas)")  # both changes kept
        assert stored["updated_by"] == "Amara Okafor"
        await sync(b, pb)
        assert b.screen.editor.items[0]["status"] == "done"

        # won't do, with a reason typed, while B deletes the item: the reason is not dropped
        second = store.list_items("action", demo)[1]
        a.screen.editor.table.focus()
        a.screen.editor.table.move_cursor(row=1)
        await pa.press("w")
        await settle(a, pa)
        b.store.delete_item("action", second["id"], expected_version=second["version"])
        await pa.press(*"Covered by the build-time check", "enter")
        await settle(a, pa)
        assert "deleted this while you were editing" in str(a.screen.query_one("#form-conflict-text").render())
        await pa.click("#conflict-mine")  # add mine back
        await settle(a, pa)
        back = [i for i in store.list_items("action", demo) if i["title"] == second["title"]]
        assert back and back[0]["status"] == "wont_do" and back[0]["status_note"] == "Covered by the build-time check"


async def _edit_first_note(app, pilot):
    """Open the notes panel's first note in its form (e) and return (the note, the form)."""
    from pmtui.screens.form import FormScreen
    from pmtui.widgets.notes_panel import NotesPanel

    panel = app.screen.query_one(NotesPanel)
    await pilot.press("f10")
    await settle(app, pilot)
    note = panel.selected()
    await pilot.press("e")
    await settle(app, pilot)
    assert isinstance(app.screen, FormScreen)
    return note, app.screen


async def test_two_seats_edit_one_note_nothing_is_lost(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("timeline", "timeline", seats, stack, size_b=(160, 45))
        note, form = await _edit_first_note(b, pb)
        form.query_one("#f-text", Input).value = note["text"] + " (Jonas adds: pinned since the 2025 migration)"
        # meanwhile A rewords the same note in its own panel
        note_a, form_a = await _edit_first_note(a, pa)
        assert note_a["id"] == note["id"]
        form_a.query_one("#f-text", Input).value = "Responders opened the DB dashboard first (Amara's wording)"
        await pa.press("ctrl+s")
        await settle(a, pa)
        def stored_note() -> dict:
            return next(n for n in store.list_items("note", demo) if n["id"] == note["id"])

        assert stored_note()["text"].endswith("(Amara's wording)")
        # B saves: not over A's words; B sees them, who and when, and keeps both
        await pb.press("ctrl+s")
        await settle(b, pb)
        assert form.query_one("#form-conflict").display
        text = str(form.query_one("#form-conflict-text").render())
        assert "Changed by Amara Okafor" in text and "(Amara's wording)" in text
        assert stored_note()["text"].endswith("(Amara's wording)")
        await pb.click("#conflict-both")
        await settle(b, pb)
        stored = stored_note()
        assert "(Amara's wording)" in stored["text"] and "(Jonas adds: pinned since the 2025 migration)" in stored["text"]
        assert stored["updated_by"] == "Jonas Weber"
        await sync(a, pa)
        from pmtui.widgets.notes_panel import NotesPanel

        assert any("Jonas adds" in n["text"] for n in a.screen.query_one(NotesPanel).notes)


async def test_a_note_edited_while_another_seat_deletes_it_comes_back(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("timeline", "timeline", seats, stack, size_b=(160, 45))
        note, form = await _edit_first_note(b, pb)
        form.query_one("#f-text", Input).value = "Responders open the pinned DB dashboard first (Jonas, edited)"
        a.store.delete_item("note", note["id"], expected_version=note["version"])  # A deletes it meanwhile
        await pb.press("ctrl+s")
        await settle(b, pb)
        assert "deleted this while you were editing" in str(form.query_one("#form-conflict-text").render())
        assert form.query_one("#f-text", Input).value.endswith("(Jonas, edited)")  # still there
        await pb.click("#conflict-mine")  # add mine back
        await settle(b, pb)
        back = [n for n in store.list_items("note", demo) if n["text"].endswith("(Jonas, edited)")]
        assert len(back) == 1 and back[0]["author"] == note["author"] and back[0]["stage"] == note["stage"]
        assert back[0]["at"] == note["at"]  # when it was said, not when it came back
        await sync(a, pa)
        from pmtui.widgets.notes_panel import NotesPanel

        assert any(n["text"].endswith("(Jonas, edited)") for n in a.screen.query_one(NotesPanel).notes)
