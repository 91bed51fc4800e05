"""Timeline screen: quick add, marks, highlight, edit, delete and undo, with the
store checked after each action."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from textual.widgets import Input, Static

from conftest import settle
from pmtui.domain.document import FORMAT, loads
from pmtui.screens.form import FormScreen
from pmtui.widgets.metrics_panel import MetricsPanel
from pmtui.widgets.timeline_table import TimelineTable

BERLIN = ZoneInfo("Europe/Berlin")


def local(store, review_id):
    return [(e.at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M"), e.text, e.approximate) for e in store.events(review_id)]


async def quick_add(app, pilot, line: str) -> None:
    await pilot.press("a")
    quick = app.screen.query_one("#quick-add", Input)
    assert quick.has_focus
    quick.value = ""
    await pilot.press(*line)
    await pilot.press("enter")
    await settle(app, pilot)


async def test_quick_add_forms(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        assert len(table.rows) == 10 and table.selected.text.startswith("Deploy 2026.03.10-3")
        await quick_add(app, pilot, "10:45 Paged the on-call engineer")
        assert ("2026-03-10 10:45", "Paged the on-call engineer", False) in local(store, demo)
        assert table.selected.text == "Paged the on-call engineer"  # the cursor follows the new event
        await quick_add(app, pilot, "+5m Second look at the dashboards")
        assert ("2026-03-10 10:50", "Second look at the dashboards", False) in local(store, demo)
        await quick_add(app, pilot, "~11:17 Someone mentions the cache graph")
        assert ("2026-03-10 11:17", "Someone mentions the cache graph", True) in local(store, demo)
        await quick_add(app, pilot, "2026-03-11 09:00 Follow-up check of the cache settings")
        assert "is 21 hours after the incident" in app.screen.question  # far from it: asks first
        await pilot.press("y")
        await settle(app, pilot)
        assert ("2026-03-11 09:00", "Follow-up check of the cache settings", False) in local(store, demo)
        assert len(store.events(demo)) == 14
        # the typed line is cleared after each add and the input keeps focus for the next one
        assert app.screen.query_one("#quick-add", Input).value == ""


async def test_invalid_quick_add_keeps_the_text_and_changes_nothing(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        before = local(store, demo)
        for line, reason in [("25:99 Paged someone", "not a time of day"),
                             ("Paged the on-call engineer", "start with a time"),
                             ("14:03", "say what happened")]:
            await quick_add(app, pilot, line)
            assert app.screen.query_one("#quick-add", Input).value == line
            error = app.screen.query_one("#quick-add-error", Static)
            assert error.display and reason in str(error.render())
        assert local(store, demo) == before


async def test_marks_move_and_clear_and_metrics_follow(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        panel = app.screen.query_one(MetricsPanel)
        assert panel.marks["detected"] - panel.marks["impact_start"] == timedelta(minutes=9)
        await pilot.press("down", "down", "down")  # 10:55 incident declared
        await settle(app, pilot)
        await pilot.press("2")  # detected moves here
        await settle(app, pilot)
        marks = {m: e.text for e in store.events(demo) for m in e.marks}
        assert marks["detected"].startswith("Incident declared")
        assert marks["response_start"].startswith("Incident declared")
        metrics = {k: v for k, v in panel.marks.items()}
        assert metrics["detected"] - metrics["impact_start"] == timedelta(minutes=13)
        await pilot.press("2")  # pressed again on the same event: cleared
        await settle(app, pilot)
        assert "detected" not in {m for e in store.events(demo) for m in e.marks}
        assert "detected" not in panel.marks


async def test_highlight_toggles(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert not store.events(demo)[0].highlight
        await pilot.press("h")
        await settle(app, pilot)
        assert store.events(demo)[0].highlight
        await pilot.press("h")
        await settle(app, pilot)
        assert not store.events(demo)[0].highlight


async def test_delete_and_undo_restores_the_event_and_its_marks(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("down")  # 10:42, marked impact_start
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert len(store.events(demo)) == 9
        assert "impact_start" not in {m for e in store.events(demo) for m in e.marks}
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        events = store.events(demo)
        assert len(events) == 10
        assert events[1].text.startswith("Checkout cache evictions") and events[1].marks == ("impact_start",)


async def test_edit_event_time_and_text_with_invalid_input_first(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        when = form.query_one("#f-when", Input)
        assert when.value == "2026-03-10 10:40"
        when.value = "2026-02-30 10:40"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # still open
        assert "not a real date" in str(form.query_one("#e-when", Static).render())
        assert when.value == "2026-02-30 10:40"  # the typed text is kept
        assert store.events(demo)[0].at.astimezone(BERLIN).strftime("%H:%M") == "10:40"
        when.value = "~2026-03-10 10:38"
        form.query_one("#f-text", Input).value = "Deploy 2026.03.10-3 starts (config change included)"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, FormScreen)
        first = store.events(demo)[0]
        assert first.at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == "2026-03-10 10:38"
        assert first.approximate and first.text == "Deploy 2026.03.10-3 starts (config change included)"


async def test_edit_moves_the_event_in_time_order(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.query_one("#f-when", Input).value = "11:50"
        await pilot.press("escape")  # Esc after a change saves
        await settle(app, pilot)
        events = store.events(demo)
        assert events[-1].text.startswith("Deploy 2026.03.10-3")
        assert app.screen.query_one(TimelineTable).selected.text.startswith("Deploy 2026.03.10-3")


async def test_empty_timeline_explains_how_to_start(store, make_app):
    review_id, _ = store.create_review("Queue backlog", timezone="Europe/Berlin", review_date="2026-04-02")
    app = make_app(review_id, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        line = app.screen.query_one("#metrics-line", Static)
        assert line.display and "No events yet" in str(line.render())
        # a bare time needs the incident's day: never the review's day, never today
        await quick_add(app, pilot, "09:15 Queue depth alert fires")
        assert store.events(review_id) == []
        assert "incident's day" in str(app.screen.query_one("#quick-add-error", Static).render())
        await quick_add(app, pilot, "2026-03-30 09:15 Queue depth alert fires")
        await quick_add(app, pilot, "09:40 Consumers restarted")  # now on the first event's day
        _first, second = store.events(review_id)
        assert second.at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == "2026-03-30 09:40"


async def test_ten_thousand_events_open_and_the_cursor_moves(store, make_app):
    start = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    doc = {"format": FORMAT, "title": "Imported logs", "timeline": [
        {"at": (start + timedelta(seconds=3 * i)).isoformat(), "text": f"log line {i}"} for i in range(10_000)]}
    review_id = store.import_documents([loads(json.dumps(doc))])[0][0]
    app = make_app(review_id, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        assert len(table.rows) == 10_000
        await pilot.press("end")
        assert table.selected.text == "log line 9999"
        await pilot.press("pageup", "up")
        assert table.cursor == 9999 - (table.size.height - 2) - 1  # a page is the rows on screen
        await pilot.press("home")
        assert table.selected.text == "log line 0"


async def test_a_bare_time_on_an_empty_timeline_is_read_on_the_day_the_incident_started(store, make_app):
    rid, _ = store.create_review("Queue backlog", timezone="Europe/Berlin")
    store.set_started(rid, datetime(2026, 3, 9, 22, 30, tzinfo=UTC), expected_version=store.get_review(rid)["version"])  # 23:30 in Berlin, the 9th
    app = make_app(rid, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await quick_add(app, pilot, "23:45 Queue depth alert fires")
    assert local(store, rid) == [("2026-03-09 23:45", "Queue depth alert fires", False)]


async def test_an_edit_that_moves_an_event_far_from_the_incident_asks_first(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        form = app.screen
        when = form.query_one("#f-when", Input)
        when.value = "2026-03-08 10:40"  # two days early: a slip of the day, most likely
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form and when.value == "2026-03-08 10:40"
        said = str(form.query_one("#e-when", Static).render())
        assert "2026-03-08 10:40 is 2 days before the incident" in said and "Save again" in said
        assert store.events(demo)[0].at.astimezone(BERLIN).strftime("%Y-%m-%d") == "2026-03-10"
        await pilot.press("ctrl+s")  # as it is: meant
        await settle(app, pilot)
        assert not isinstance(app.screen, FormScreen)
        assert store.events(demo)[0].at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == "2026-03-08 10:40"
