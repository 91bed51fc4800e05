"""Running the live meeting: capture from anywhere, note conversion, timeboxes,
nudges and presentation mode, with the store (and config) checked after each."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import DataTable, Input, Static, TextArea

from conftest import settle
from pmtui import config
from pmtui.screens.capture import CaptureScreen
from pmtui.screens.form import FormScreen
from pmtui.widgets.field import Field
from pmtui.widgets.meeting_bar import MeetingBar
from pmtui.widgets.notes_panel import NotesPanel
from pmtui.widgets.nudge import NudgeLine

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=timezone(timedelta(hours=1)))


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def cfg(tmp_path):
    c = config.load(tmp_path / "config" / "config.toml")
    c.name = "Jonas Weber"
    return c


# how to put the focus in a text field in each section before pressing ctrl+n:
# a field of the section itself, or the one-line field of a form or prompt it opens
FOCUS = {
    "opening": ("a", "#f-name"),             # adding someone to the room
    "overview": (None, "#field-title Input"),
    "timeline": (None, "#quick-add"),
    "impact": (None, "#field-impact_description TextArea"),
    "analysis": ("a", "#f-text"),            # adding a contributing factor
    "actions": ("a", "#f-title"),            # adding an action item
    "report": ("ctrl+e", "#prompt-input"),   # the export path prompt
}
STAGE = {"opening": "context", "overview": "context", "timeline": "context", "impact": "context",
         "analysis": "analysis", "actions": "followups", "report": "followups"}


@pytest.mark.parametrize("section", list(FOCUS))
async def test_capture_from_every_section(store, demo, make_app, cfg, section):
    app = make_app(demo, section, config=cfg, now=Clock())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        key, selector = FOCUS[section]
        if key:
            await pilot.press(key)
            await settle(app, pilot)
        widget = app.screen.query_one(selector)
        widget.focus()
        await pilot.pause()
        assert widget.has_focus
        under = app.screen
        if isinstance(widget, Input):
            widget.value = "half-typed"
        before = len(store.list_items("note", demo))
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert isinstance(app.screen, CaptureScreen)
        await pilot.press(*f"said in {section}", "enter")
        await settle(app, pilot)
        notes = store.list_items("note", demo)
        assert len(notes) == before + 1
        note = notes[-1]
        assert note["text"] == f"said in {section}" and note["kind"] == "note"
        assert note["stage"] == STAGE[section] and note["author"] == "Jonas Weber"
        assert note["at"] == T0
        assert app.screen is under  # back where we were, with what was typed
        if isinstance(widget, Input):
            assert widget.value == "half-typed"


async def test_capture_kinds_and_empty_notes(store, demo, make_app, cfg):
    app = make_app(demo, "timeline", config=cfg, now=Clock())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        before = len(store.list_items("note", demo))
        await pilot.press("ctrl+n", "enter")  # empty: not saved, the capture stays open
        await settle(app, pilot)
        assert isinstance(app.screen, CaptureScreen)
        assert "empty note is not saved" in str(app.screen.query_one("#capture-error", Static).render())
        await pilot.press(*"? Who owns the cache config?", "enter")
        await pilot.press("ctrl+n", *"! Lint all unit suffixes", "enter")
        await pilot.press("ctrl+n", "ctrl+t", *"alert thresholds differ per region", "enter")
        await settle(app, pilot)
        notes = store.list_items("note", demo)[before:]
        assert [(n["kind"], n["text"]) for n in notes] == [
            ("question", "Who owns the cache config?"), ("idea", "Lint all unit suffixes"),
            ("question", "alert thresholds differ per region")]


@pytest.mark.parametrize("then", ["enter", None])
async def test_a_section_key_right_after_capture_saves_the_note_and_never_crashes(store, demo, make_app, cfg, then):
    """Enter and F5 pressed together (or F5 with the note still in the bar): the note is
    saved once, and the new section opens."""
    app = make_app(demo, "timeline", config=cfg, now=Clock())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+n", *"Room agrees the rollback call was quick")
        keys = [then, "f5"] if then else ["f5"]
        await pilot.press(*keys)
        await settle(app, pilot)
        assert app.screen.SECTION == "analysis"
        texts = [n["text"] for n in store.list_items("note", demo)]
        assert texts.count("Room agrees the rollback call was quick") == 1


async def test_escape_in_capture_puts_the_typed_note_aside_and_ctrl_n_brings_it_back(store, demo, make_app, cfg):
    app = make_app(demo, "timeline", config=cfg, now=Clock())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        before = len(store.list_items("note", demo))
        await pilot.press("ctrl+n", *"Half a thought about the canary", "escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, CaptureScreen) and len(store.list_items("note", demo)) == before
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert app.screen.query_one("#capture-input", Input).value == "Half a thought about the canary"
        await pilot.press(*" stage", "enter")
        await settle(app, pilot)
        assert store.list_items("note", demo)[-1]["text"] == "Half a thought about the canary stage"


async def focus_note(app, pilot, text: str) -> NotesPanel:
    panel = app.screen.query_one(NotesPanel)
    assert panel.display
    table = panel.query_one(DataTable)
    table.focus()
    index = next(i for i, n in enumerate(panel.notes) if n["text"] == text)
    table.move_cursor(row=index)
    await pilot.pause()
    return panel


async def test_note_to_timeline_event_with_its_time_edited(store, demo, make_app, cfg):
    note_id = store.add_item("note", demo, at=T0, text="Cache graph dropped before the alert", kind="note")
    app = make_app(demo, "timeline", config=cfg, now=Clock())
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await focus_note(app, pilot, "Cache graph dropped before the alert")
        await pilot.press("t")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        # the time is empty and focused: the note's capture time is a hint, not the value
        when = form.query_one("#f-when", Input)
        assert when.value == "" and when.has_focus
        assert "2026-03-12 14:00" in " ".join(str(h.render()) for h in form.query(".form-hint"))
        await pilot.press("ctrl+s")  # no time: the form stays and says so
        await settle(app, pilot)
        assert app.screen is form and form.query_one("#e-when").display
        await pilot.press(*"10:43")  # a bare time is on the incident's day (not the note's, not today)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        event = next(e for e in store.events(demo) if e.text == "Cache graph dropped before the alert")
        assert event.at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d %H:%M") == "2026-03-10 10:43"
        [(kind, target)] = store.note_links(demo)[note_id]
        assert (kind, target) == ("event", event.id)
        rows = [str(r[0]) for r in (app.screen.query_one(NotesPanel).query_one(DataTable).get_row_at(i)
                                    for i in range(app.screen.query_one(NotesPanel).query_one(DataTable).row_count))]
        assert any("Cache graph dropped" in r and "→ timeline" in r for r in rows)


@pytest.mark.parametrize("key, kind, table, check", [
    ("f", "factor", "factor", lambda i: i["category"] == "process"),
    ("o", "observation", "observation", lambda i: i["kind"] == "went_wrong"),
    ("a", "action", "action", lambda i: i["status"] == "open" and i["description"].startswith("From a note")),
])
async def test_note_converts_to_each_kind(store, demo, make_app, cfg, key, kind, table, check):
    note_id = store.add_item("note", demo, at=T0, text="Config changes skip canary", kind="idea")
    app = make_app(demo, "analysis", config=cfg, now=Clock())
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await focus_note(app, pilot, "Config changes skip canary")
        await pilot.press(key)
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        if kind == "action":
            app.screen.query_one("#f-owner", Input).value = "Release engineering"
            app.screen.query_one("#f-due", Input).value = "2026-04-30"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        item = store.list_items(table, demo)[-1]
        assert item.get("text", item.get("title")) == "Config changes skip canary" and check(item)
        assert store.note_links(demo)[note_id] == [(kind, item["id"])]


async def test_timebox_runs_over_pauses_and_moves_on(store, demo, make_app, cfg):
    clock = Clock()
    cfg.name = "Amara Okafor"  # the facilitator's seat moves the meeting
    app = make_app(demo, "opening", config=cfg, now=clock)
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        bar = app.screen.query_one(MeetingBar)
        assert bar.facilitator == "Amara Okafor" and bar.note_taker == "Jonas Weber"
        await pilot.press("s")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#f-length", Input).value = "30"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        meeting = store.get_meeting(demo)
        assert meeting.length == 30 and meeting.split == {"opening": 2, "context": 18, "analysis": 5, "followups": 5}
        clock.at = T0 + timedelta(minutes=1)
        app.screen.tick()
        await pilot.pause()
        assert "Opening: 1:00 left" in str(bar.render()) and not bar.has_class("-over")
        clock.at = T0 + timedelta(minutes=6)
        app.screen.tick()
        await pilot.pause()
        assert "over time by 4 min" in str(bar.render()) and bar.has_class("-over")
        await pilot.press("ctrl+g")  # pause
        await settle(app, pilot)
        clock.at = T0 + timedelta(minutes=20)
        app.screen.tick()
        await pilot.pause()
        assert "paused, over by 4 min" in str(bar.render())
        await pilot.press("ctrl+g", "ctrl+t")  # resume, then the facilitator moves on
        await settle(app, pilot)
        assert store.get_meeting(demo).stage == "context"
        assert app.screen.SECTION == "overview"  # and goes where the meeting is: the stage's first section
        bar = app.screen.query_one(MeetingBar)
        assert "Gather context: 18:00 left" in str(bar.render()) and not bar.has_class("-over")
        await pilot.press("f3")  # the clock follows into every section
        await settle(app, pilot)
        assert "Gather context" in str(app.screen.query_one(MeetingBar).render())
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert app.screen.SECTION == "analysis"  # the room follows the meeting to its stage
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert store.get_meeting(demo).stage == "followups" and app.screen.SECTION == "actions"
        clock.at = T0 + timedelta(minutes=58)
        await pilot.press("ctrl+t")  # after the last stage: ending asks first (it cannot be taken back)
        await settle(app, pilot)
        assert not store.get_meeting(demo).ended
        await pilot.press("n")
        await settle(app, pilot)
        assert not store.get_meeting(demo).ended and app.screen.SECTION == "actions"
        await pilot.press("ctrl+t", "y")
        await settle(app, pilot)
        assert store.get_meeting(demo).ended
        assert app.screen.SECTION == "report"  # the report is next: the facilitator goes there
        # the meeting line says when it ended and how long it took
        line = str(app.screen.query_one(MeetingBar).render())
        # (in the review's zone, named when the machine's clock is another: issue 20)
        assert "Meeting ended 14:58" in line and "took 58 min" in line, line
        assert not app.screen.query_one(MeetingBar).has_class("-over")


async def test_nudges_under_fields_and_in_forms(store, demo, make_app, cfg):
    app = make_app(demo, "overview", config=cfg, now=Clock())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        field = app.screen.query_one("#field-summary", Field)
        area = field.query_one(TextArea)
        area.load_text("The engineer should have known; human error.")
        await settle(app, pilot)
        nudge = field.query_one(NudgeLine)
        assert nudge.display and [n.text for n in nudge.nudges] == ["should have", "human error"]
        text = str(nudge.render())
        assert "judges with hindsight" in text and "which safeguard was missing?" in text
        assert area.text == "The engineer should have known; human error."  # never rewritten
        area.load_text("My shoulder hurts; justice was served.")
        await settle(app, pilot)
        assert not nudge.display
        field.confirm()
        await settle(app, pilot)
        assert store.get_review(demo)["summary"] == "My shoulder hurts; justice was served."  # never blocked


async def test_nudges_in_quick_add_form(store, demo, make_app, cfg):
    app = make_app(demo, "timeline", config=cfg, now=Clock())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.query_one("#f-text", Input).value = "Responder failed to check the cache"
        await settle(app, pilot)
        nudge = app.screen.query_one("#n-text", NudgeLine)
        assert nudge.display and nudge.nudges[0].text == "failed to"


async def test_presentation_mode_is_a_theme_hides_panels_and_is_remembered(store, demo, make_app, cfg):
    app = make_app(demo, "timeline", config=cfg, now=Clock())
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        assert app.screen.query_one(NotesPanel).display
        await pilot.press("f12")
        await settle(app, pilot)
        assert app.theme == "pmtui-present" and "pmtui-present" in app.available_themes
        assert app.screen.has_class("-presentation")
        assert not app.screen.query_one(NotesPanel).display
        assert config.load(cfg.path).presentation is True
        await pilot.press("f2")
        await settle(app, pilot)
        assert app.screen.has_class("-presentation")  # stays on across sections
        await pilot.press("f12")
        await settle(app, pilot)
        assert app.theme != "pmtui-present" and config.load(cfg.path).presentation is False
    app2 = make_app(demo, "timeline", config=config.load(cfg.path), now=Clock())
    config.save(app2.config, presentation=True)
    async with app2.run_test(size=(160, 45)) as pilot:
        await settle(app2, pilot)
        assert app2.theme == "pmtui-present" and app2.screen.has_class("-presentation")


async def test_theme_picker_choice_is_remembered(store, demo, make_app, cfg):
    app = make_app(demo, "overview", config=cfg, now=Clock())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        app.theme = "nord"
        await settle(app, pilot)
        assert config.load(cfg.path).theme == "nord"


async def test_malformed_config_still_starts_with_defaults(store, demo, make_app, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("presentation = [\n")
    cfg = config.load(path)
    app = make_app(demo, "timeline", config=cfg, now=Clock())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        assert app.theme != "pmtui-present" and app.screen.SECTION == "timeline"
        assert any(str(path) in n.message and "line" in n.message for n in app._notifications)


async def test_report_screen_shows_the_readiness_check(store, demo, make_app, cfg):
    for e in store.events(demo):  # the room walked through the timeline
        store.confirm_event(e.id, expected_version=e.version)
    app = make_app(demo, "report", config=cfg, now=Clock())
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        text = str(app.screen.query_one("#readiness-text", Static).render())
        assert "1 thing to look at before publishing." in text and "Did the canary stage exist" in text
        [note] = [n for n in store.list_items("note", demo) if n["kind"] == "question"]
        store.update_item("note", note["id"], expected_version=note["version"], kind="note")  # answered
        app.screen.action_refresh_report()
        await settle(app, pilot)
        assert "Ready to publish" in str(app.screen.query_one("#readiness-text", Static).render())


async def test_open_questions_are_answered_or_carried_over(store, demo, make_app, cfg):
    asked = store.add_item("note", demo, at=T0, text="Who approves config changes?", kind="question")
    carried = store.add_item("note", demo, at=T0 - timedelta(minutes=1), text="Do other caches use units?", kind="question")
    app = make_app(demo, "actions", config=cfg, now=Clock())
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("f10")  # to the notes panel
        await settle(app, pilot)
        await focus_note(app, pilot, "Who approves config changes?")
        await pilot.press("x")
        await settle(app, pilot)
        kinds = {n["id"]: n["kind"] for n in store.list_items("note", demo)}
        assert kinds[asked] == "note"
        await focus_note(app, pilot, "Do other caches use units?")
        await pilot.press("a")
        await settle(app, pilot)
        app.screen.query_one("#f-owner", Input).value = "Platform team"
        app.screen.query_one("#f-due", Input).value = "2026-04-30"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        kinds = {n["id"]: n["kind"] for n in store.list_items("note", demo)}
        assert kinds[carried] == "note"
        assert store.list_items("action", demo)[-1]["title"] == "Do other caches use units?"
        await pilot.press("ctrl+z")  # undo covers conversions: the action goes, the question is open again
        await settle(app, pilot)
        assert all(a["title"] != "Do other caches use units?" for a in store.list_items("action", demo))
        assert {n["id"]: n["kind"] for n in store.list_items("note", demo)}[carried] == "question"
        assert carried not in store.note_links(demo)
        await pilot.press("ctrl+y")  # and redo makes it again, link and all
        await settle(app, pilot)
        assert store.list_items("action", demo)[-1]["title"] == "Do other caches use units?"
        assert {n["id"]: n["kind"] for n in store.list_items("note", demo)}[carried] == "note"
        assert store.note_links(demo)[carried][0][0] == "action"
        await pilot.press("ctrl+z", "ctrl+z")  # then the conversion again, then "answered"
        await settle(app, pilot)
        assert {n["id"]: n["kind"] for n in store.list_items("note", demo)}[asked] == "question"


# ------------------------------------------------------------ found in a mock review at 80x24
@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
async def test_the_opening_shows_its_agenda_whole_at_both_sizes(store, demo, make_app, cfg, size):
    """At 80x24 the Opening opened scrolled down to the people in the room (the agenda's
    top, with the stage the meeting is in, out of sight), and the agenda cut its stage names
    ("System… analys…", "Follow-…") to make room for what each stage did."""
    from io import StringIO

    from rich.console import Console
    from textual.containers import VerticalScroll

    from pmtui.domain.meeting import Meeting

    clock = Clock()
    meeting = Meeting.start(T0 - timedelta(minutes=7))
    meeting.next_stage(T0 - timedelta(minutes=2))
    store.save_meeting(demo, meeting)
    app = make_app(demo, "opening", config=cfg, now=clock)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.2)
        await settle(app, pilot)
        assert app.screen.query_one("#opening", VerticalScroll).scroll_y == 0
        agenda = app.screen.query_one("#agenda", Static)
        console = Console(width=agenda.content_size.width, file=StringIO(), record=True)
        console.print(agenda.content)
        lines = console.export_text().splitlines()
        assert all(not line.rstrip().endswith("…") for line in lines), lines
        for name, box in (("Opening", "5 min"), ("Gather context", "35 min"), ("Systemic analysis", "10 min"),
                          ("Follow-ups", "10 min")):
            assert any(line.startswith(name) and line.rstrip().endswith(box) for line in lines), (name, lines)
        text = "\n".join(lines)
        assert "done · took 5 min" in text and "◀ now: 33:00 left" in text  # each on one line: not wrapped
