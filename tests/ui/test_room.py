"""The meeting as the room sees it (issue 10): the text people read, focus and keys
that never surprise, times that land on the incident's day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import DataTable, Input, TextArea

from conftest import settle
from pmtui.screens.form import FormScreen
from pmtui.widgets.notes_panel import NotesPanel
from pmtui.widgets.stage_bar import SECTION_LABELS, SECTIONS, StageBar
from pmtui.widgets.timeline_table import FAR_WORDS, TimelineTable

BERLIN = ZoneInfo("Europe/Berlin")
LONG = ("Checkout pods restart one after another while the cache warms up, and the load balancer keeps "
        "sending traffic to pods that are not ready yet")



@pytest.fixture(autouse=True)
def facilitator_seat(store):
    """The room's screen is the facilitator's seat (named: capture does not first ask for a name)."""
    store.actor = "Amara Okafor"

def screen_text(widget) -> str:
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def event_column(table: TimelineTable) -> list[str]:
    """The Event column as drawn on screen, line by line."""
    cols = table._columns(table.size.width)
    x = sum(w + 1 for _, w in cols[:3])
    return [table.render_line(y).crop(x, x + cols[3][1]).text.strip() for y in range(1, table.size.height)]


# ---------------------------------------------------------------- the text the room reads
async def test_stage_bar_fits_80_columns_with_whole_words(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        bar = app.screen.query_one(StageBar)
        words = {w for label in SECTION_LABELS.values() for w in label.split()} | {
            "Opening", "Gather", "context:", "Context:", "Systemic", "analysis:", "Analysis:", "Follow-ups:", "1", "2",
            "3", "^o", "F2", "F3", "F4", "F5", "F6", "F7", "▸1", "▸2", "▸3", "│"}
        for section in SECTIONS:
            bar.section = section
            text = bar.render()
            assert text.cell_len <= 78, section
            for word in text.plain.replace("▸", "▸ ").split():
                assert word in words or word == "▸", (section, word)
            assert f" {SECTION_LABELS[section]} " in text.plain  # the current section by name


async def test_timeline_event_text_wraps_and_takes_the_free_width(store, demo, make_app):
    store.add_event(demo, at=datetime(2026, 3, 10, 10, 58, tzinfo=BERLIN), text=LONG)
    for size in ((80, 24), (160, 45)):
        app = make_app(demo, "timeline")
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            table = app.screen.query_one(TimelineTable)
            cols = dict(table._columns(table.size.width))
            assert cols["Event"] >= 40
            # the other columns are fixed: the event column has all the rest
            assert sum(w for _, w in table._columns(table.size.width)) + len(cols) >= table.size.width - 1
            index = next(i for i, r in enumerate(table.rows) if r.text == LONG)
            table.cursor = index
            await settle(app, pilot)
            shown = " ".join(" ".join(screen_text(table).split("\n")).split())
            # every word of the long event is on screen, in order, across its lines
            start = table._offsets[index] - int(table.scroll_y) + 1
            lines = [table.render_line(y).text for y in range(start, start + table._offsets[index + 1]
                                                                - table._offsets[index])]
            assert len(lines) > 1
            assert " ".join(" ".join(lines).split()).count(LONG.split()[0]) == 1
            assert all(word in shown for word in LONG.split())


async def test_at_80x24_every_event_shows_at_least_its_first_40_characters(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        for i, row in enumerate(table.rows):
            table.cursor = i
            await settle(app, pilot)
            shown = " ".join(" ".join(event_column(table)).split())
            assert " ".join(row.text[:40].split()) in shown, row.text


async def test_selected_event_is_visibly_highlighted(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        await pilot.press("down")
        await settle(app, pilot)
        cursor_bg = table.get_component_rich_style("timeline--cursor").bgcolor
        first = table._offsets[1] + 1 - int(table.scroll_y)
        strip = table.render_line(first)
        texts = [seg for seg in strip if seg.text.strip()]
        assert texts and all(seg.style.bgcolor == cursor_bg for seg in texts)
        other = table.render_line(table._offsets[3] + 1)
        assert all(seg.style.bgcolor != cursor_bg for seg in other if seg.text.strip())


async def test_an_event_a_day_away_is_accepted_with_a_warning(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        await pilot.press("a", *"2026-03-12 09:00 Cache settings reviewed", "enter")
        await settle(app, pilot)
        await pilot.press("y")  # far from the incident: asked first
        await settle(app, pilot)
        assert any(e.text == "Cache settings reviewed" for e in store.events(demo))  # accepted
        index = next(i for i, r in enumerate(table.rows) if r.text == "Cache settings reviewed")
        assert table.far == {index}
        assert FAR_WORDS.split()[1] in screen_text(table)


# ---------------------------------------------------------------- focus and keys
async def test_escape_closes_the_innermost_thing_and_never_leaves_the_review(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")  # quick add
        assert app.screen.query_one("#quick-add", Input).has_focus
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.focused is app.screen.query_one(TimelineTable)
        await pilot.press("f10")  # the notes panel
        await settle(app, pilot)
        panel = app.screen.query_one(NotesPanel)
        assert panel.query_one(DataTable).has_focus
        await pilot.press("escape")  # closes the panel; the focus goes back to the timeline
        await settle(app, pilot)
        assert not panel.display and app.focused is app.screen.query_one(TimelineTable)
        await pilot.press("enter")  # a form
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.SECTION == "timeline" and app.focused is app.screen.query_one(TimelineTable)
        await pilot.press("escape", "escape")  # nothing left to close: still in the review
        await settle(app, pilot)
        assert app.screen.SECTION == "timeline"
        assert any(b.binding.key == "f8" and b.binding.show for b in app.screen.active_bindings.values())
        await pilot.press("f8")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"


async def test_reopening_a_review_returns_to_the_section_and_row(store, demo, make_app):
    app = make_app(None)
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        await pilot.press("down", "down", "down", "down")
        await settle(app, pilot)
        chosen = app.screen.selected.id
        await pilot.press("f8")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.SECTION == "timeline"
        assert app.screen.selected.id == chosen


async def test_section_keys_help_and_capture_work_in_text_areas_and_forms(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        area = app.screen.query(TextArea).first()
        area.focus()
        await pilot.pause()
        await pilot.press("f1")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await settle(app, pilot)
        area.focus()
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CaptureScreen"
        await pilot.press("escape")
        await settle(app, pilot)
        area.focus()
        await pilot.press("f3")  # from inside a text area
        await settle(app, pilot)
        assert app.screen.SECTION == "timeline"
        await pilot.press("enter")  # a form open: F5 closes it (saving) and goes on
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("f5")
        await settle(app, pilot)
        assert app.screen.SECTION == "analysis"
        assert app.focused is not None and app.focused.display


async def test_hiding_the_panel_and_refreshing_keep_a_visible_focus(store, demo, make_app):
    app = make_app(demo, "analysis")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("f10")
        await settle(app, pilot)
        assert app.screen.query_one(NotesPanel).has_focus_within
        await pilot.press("f10")  # pressed there: hides it
        await settle(app, pilot)
        assert app.focused is not None and not app.screen.query_one(NotesPanel).display
        assert app.focused.display and app.screen.query_one("#section-main") in app.focused.ancestors
        app.refresh_screen()
        await settle(app, pilot)
        assert app.focused is not None and app.focused.display


async def test_report_opens_focused_and_leaving_published_asks_first(store, demo, make_app):
    from textual.widgets import Select

    from pmtui.screens.dialogs import ConfirmScreen

    store.update_review(demo, expected_version=store.get_review(demo)["version"], status="published")
    app = make_app(demo, "report")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        scroll = app.screen.query_one("#report-scroll")
        assert app.focused is scroll
        await pilot.press("pagedown")
        await settle(app, pilot)
        assert scroll.scroll_y > 0
        await pilot.press("s")  # next status: asks first
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert store.get_review(demo)["status"] == "published"
        assert app.screen.query_one("#report-status", Select).value == "published"
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert store.get_review(demo)["status"] == "draft"


async def test_publishing_with_readiness_findings_open_asks_first(store, demo, make_app):
    from textual.widgets import Select

    from pmtui.screens.dialogs import ConfirmScreen

    store.update_review(demo, expected_version=store.get_review(demo)["version"], status="in_review")
    store.add_item("note", demo, at=store.events(demo)[0].at, kind="question", text="Who owns the cache config?")
    app = make_app(demo, "report")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        assert app.screen.findings  # an open question at least
        await pilot.press("s")  # in review -> published: asks, the findings being open
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen) and "Publish anyway" in app.screen.question
        await pilot.press("n")
        await settle(app, pilot)
        assert store.get_review(demo)["status"] == "in_review"
        assert app.screen.query_one("#report-status", Select).value == "in_review"
        await pilot.press("s", "y")
        await settle(app, pilot)
        assert store.get_review(demo)["status"] == "published"


async def test_undo_and_redo_cover_marks_highlights_edits_and_moves(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        marks = lambda: {m: e.text for e in store.events(demo) for m in e.marks}  # noqa: E731
        before = marks()
        await pilot.press("down", "down", "down", "2")  # detected moves to another event
        await settle(app, pilot)
        moved = marks()
        assert moved != before
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert marks() == before
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert marks() == moved
        await pilot.press("h")
        await settle(app, pilot)
        target = app.screen.selected.id
        lit = next(e.highlight for e in store.events(demo) if e.id == target)
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert next(e.highlight for e in store.events(demo) if e.id == target) != lit
        # a field edit
        await pilot.press("f2")
        await settle(app, pilot)
        from pmtui.widgets.field import Field

        field = next(f for f in app.screen.query(Field) if f.field_name == "incident_ref")
        field.query_one(Input).focus()
        field.query_one(Input).value = "INC-9"
        await pilot.press("enter")
        await settle(app, pilot)
        assert store.get_review(demo)["incident_ref"] == "INC-9"
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert store.get_review(demo)["incident_ref"] == "INC-2041"
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert store.get_review(demo)["incident_ref"] == "INC-9"


async def test_list_moves_and_action_status_changes_undo_and_redo(store, demo, make_app):
    app = make_app(demo, "actions")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        first = [a["status"] for a in store.list_items("action", demo)]
        await pilot.press("d") if False else None
        app.screen.action_done()
        await settle(app, pilot)
        after = [a["status"] for a in store.list_items("action", demo)]
        assert after != first
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert [a["status"] for a in store.list_items("action", demo)] == first
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert [a["status"] for a in store.list_items("action", demo)] == after


# ---------------------------------------------------------------- notes, walk-through, meeting
async def test_e_in_the_notes_panel_edits_the_note_not_the_timeline(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("f10")
        await settle(app, pilot)
        note = app.screen.query_one(NotesPanel).selected()
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen) and app.screen.form_title == "Edit note"
        app.screen.query_one("#f-text", Input).value = "Responders opened the DB dashboard first"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert {n["id"]: n["text"] for n in store.list_items("note", demo)}[note["id"]] == \
            "Responders opened the DB dashboard first"
        await pilot.press("d")  # and deleted, with undo
        await settle(app, pilot)
        assert note["id"] not in {n["id"] for n in store.list_items("note", demo)}
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert note["id"] in {n["id"] for n in store.list_items("note", demo)}


async def test_walk_through_confirms_events_for_the_room(store, demo, make_app):
    from pmtui.screens.walkthrough import WalkThroughScreen

    app = make_app(demo, "timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        walk = app.screen
        assert isinstance(walk, WalkThroughScreen)
        first = walk.rows[0]
        assert first.text[:30] in str(walk.query_one("#walk-current").render())
        await pilot.press("c")  # confirmed; on to the next
        await settle(app, pilot)
        assert next(e for e in store.events(demo) if e.id == first.id).confirmed
        assert walk.index == 1
        await pilot.press("p", "c")  # back, and take it back
        await settle(app, pilot)
        assert not next(e for e in store.events(demo) if e.id == first.id).confirmed
        await pilot.press("n", "n", "escape")
        await settle(app, pilot)
        assert app.screen.SECTION == "timeline" and app.screen.selected.id == walk.rows[2].id
    doc = store.export_document(demo)
    assert not any(e.confirmed for e in doc.timeline)


async def test_walk_through_fills_a_tall_screen_and_section_keys_and_capture_work_in_it(store, demo, make_app):
    from pmtui.screens.capture import CaptureScreen
    from pmtui.screens.walkthrough import WalkThroughScreen

    app = make_app(demo, "timeline")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("w", "n", "n", "n", "n", "n")
        await settle(app, pilot)
        walk = app.screen
        assert isinstance(walk, WalkThroughScreen)
        before = str(walk.query_one("#walk-before").render()).splitlines()
        assert len(before) > 2  # more of the story around the event than on a small screen
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert isinstance(app.screen, CaptureScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is walk
        await pilot.press("f6")  # a section key leaves the walk-through for that section
        await settle(app, pilot)
        assert app.screen.SECTION == "actions"


async def test_reopening_a_review_in_a_later_run_returns_to_where_it_was_left(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "down", "down")
        await settle(app, pilot)
        chosen = app.screen.selected.id
        await pilot.press("ctrl+q")
        await settle(app, pilot)
    again = make_app(None)  # a new run: the list of reviews, then enter on the review
    async with again.run_test(size=(120, 32)) as pilot:
        await settle(again, pilot)
        await pilot.press("enter")
        await settle(again, pilot)
        assert again.screen.SECTION == "timeline"
        assert again.screen.selected.id == chosen


async def test_capture_is_a_slim_bar_at_the_bottom(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        bar = app.screen.query_one("#capture-bar")
        assert bar.region.bottom == 30 and bar.region.height <= 6 and bar.region.width == 100


async def test_the_join_command_is_shown_and_copied(store, demo, make_app):
    app = make_app(demo, "timeline")
    copied = []
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(app, pilot)
        slug = store.get_review(demo)["slug"]
        assert slug in app.screen.sub_title
        app.copy_to_clipboard = copied.append
        await pilot.press("ctrl+k")
        await settle(app, pilot)
        assert copied and copied[0].startswith("pmtui --db ") and copied[0].endswith(f"open {slug}")
        assert any(slug in n.message for n in app._notifications)


async def test_a_bare_time_lands_on_the_incident_day(store, make_app):
    started = datetime(2026, 3, 10, 14, 0, tzinfo=BERLIN)
    review_id, _ = store.create_review("Queue backlog", timezone="Europe/Berlin", review_date="2026-03-13",
                                       started=started)
    app = make_app(review_id, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", *"14:05 Queue depth alert fires", "enter")
        await settle(app, pilot)
        [event] = store.events(review_id)
        assert event.at.astimezone(BERLIN) == started + timedelta(minutes=5)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("a", *"09:00 Consumers restarted", "enter")  # the selected event's day
        await settle(app, pilot)
        assert {e.at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") for e in store.events(review_id)} == {
            "2026-03-10 14:05", "2026-03-10 09:00"}


async def test_s_s_asks_before_publishing_even_before_the_findings_are_shown(store, demo, make_app, monkeypatch):
    """`s` `s` from a draft publishes only after asking, naming how many findings are open,
    also when the screen's list of findings is not rendered yet (a long review on a busy
    machine) or predates another seat's change: the count is taken from the store."""
    from pmtui.domain.checks import check
    from pmtui.screens.dialogs import ConfirmScreen
    from pmtui.screens.report import ReportScreen

    store.update_review(demo, expected_version=store.get_review(demo)["version"], status="draft")
    monkeypatch.setattr(ReportScreen, "render_report", lambda self: None)  # still rendering
    app = make_app(demo, "report")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        store.add_item("note", demo, at=store.events(demo)[0].at, kind="question", text="Who owns the cache config?")
        count = len(check(store.export_document(demo), app.checker))
        await pilot.press("s", "s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen), store.get_review(demo)["status"]
        assert f"{count} readiness findings are still open" in app.screen.question
        assert store.get_review(demo)["status"] == "in_review"
        await pilot.press("n")
        await settle(app, pilot)
        assert store.get_review(demo)["status"] == "in_review"


async def test_a_bare_time_after_midnight_lands_on_the_next_day(store, make_app):
    """Started 23:31: `23:50 …` then `00:05 …` is five past midnight the next day, not 23
    hours before the incident; an event far from the incident asks first, and "no" keeps
    the typed line to change its time."""
    from pmtui.screens.dialogs import ConfirmScreen

    started = datetime(2024, 9, 16, 23, 31, tzinfo=BERLIN)
    review_id, _ = store.create_review("Queue backlog", timezone="Europe/Berlin", started=started)
    app = make_app(review_id, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", *"23:50 Queue depth alert", "enter")
        await settle(app, pilot)
        await pilot.press("a", *"00:05 Queue drained", "enter")  # a quick add hands the keys back: a again
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert sorted(e.at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") for e in store.events(review_id)) == [
            "2024-09-16 23:50", "2024-09-17 00:05"]
        box = app.screen.query_one("#quick-add", Input)
        await pilot.press("a", *"2024-09-15 09:00 Consumer deploy", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "2024-09-15 09:00 is 39 hours before the incident (2024-09-16 23:31)" in app.screen.question
        await pilot.press("n")
        await settle(app, pilot)
        assert len(store.events(review_id)) == 2 and box.value == "2024-09-15 09:00 Consumer deploy" and box.has_focus
        await pilot.press("enter", "y")
        await settle(app, pilot)
        assert len(store.events(review_id)) == 3 and box.value == ""


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_the_overview_shows_the_slug_and_the_join_key_at_every_size(store, demo, make_app, size):
    app = make_app(demo, "overview")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert store.get_review(demo)["slug"] in shown
        assert "ctrl+k: the join command" in " ".join(shown.split())
