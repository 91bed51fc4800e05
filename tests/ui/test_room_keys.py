"""The meeting's defaults and keys (issue 28): an action item's type suggested from its
words, a Metrics box that says which mark to set, one meaning per key (x is never export;
a quick add hands the keys back), select-all in text fields, the stage bar at 80 columns,
and how long each stage took on the agenda."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual.widgets import Input, Select, TextArea

from conftest import settle
from pmtui.domain.action_kinds import suggest
from pmtui.domain.meeting import Meeting
from pmtui.domain.vocab import ActionType
from pmtui.screens.form import FormScreen
from pmtui.widgets.metrics_panel import MetricsPanel
from pmtui.widgets.stage_bar import StageBar
from pmtui.widgets.timeline_table import TimelineTable


def text_of(renderable) -> str:
    from rich.console import Console

    console = Console(width=60, record=True, file=__import__("io").StringIO())
    console.print(renderable)
    return " ".join(console.export_text().split())  # as words: wrapped, never cut


@pytest.mark.parametrize(("title", "kind"), [
    ("Alert when checkout 5xx > 1% for 5 min", ActionType.detect),
    ("Add a dashboard for cache hit rate", ActionType.detect),
    ("Validate TTL units in the config schema before deploy", ActionType.prevent),
    ("Canary cache config changes to 5% of traffic first", ActionType.prevent),
    ("Write a runbook for rolling back a cache config", ActionType.mitigate),
    ("Feature flag to bypass the cache", ActionType.mitigate),
    ("Add the status page update to the incident checklist", ActionType.process),
    ("Think about it", None),
])
def test_the_type_is_suggested_from_the_words(title, kind):
    assert suggest(title) == kind


async def test_a_new_action_items_type_follows_its_words_until_chosen(store, demo, make_app):
    app = make_app(demo, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        title = form.query_one("#f-title", Input)
        title.focus()
        await pilot.press(*"Alert on queue depth")
        await settle(app, pilot)
        assert form.query_one("#f-type", Select).value == "detect"
        form.query_one("#f-type", Select).focus()
        form.query_one("#f-type", Select).value = "process"  # a person's choice
        await settle(app, pilot)
        title.focus()
        await pilot.press(*" and a runbook")
        await settle(app, pilot)
        assert form.query_one("#f-type", Select).value == "process"  # never replaced by a suggestion
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        saved = [i for i in store.list_items("action", demo) if i["title"].startswith("Alert on queue depth")]
        assert saved and saved[0]["type"] == "process"


async def test_an_empty_metrics_box_says_which_mark_to_set(store, make_app, cli):
    review = int(cli("new", "Queue backlog").out.split()[0])
    store.add_event(review, at=datetime(2026, 3, 10, 14, 0).astimezone(), text="Queue depth alert fires")
    app = make_app(review, "timeline")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        text = text_of(app.screen.query_one(MetricsPanel).render())
        assert "press 1 (impact starts)" in text and "2 where it was detected" in text
        await pilot.press("1")  # impact starts on the only event
        await settle(app, pilot)
        rendered = app.screen.query_one(MetricsPanel).render()
        lines = text_of(rendered)
        assert "press 2 detected" in lines and "press 6 resolved" in lines  # wrapped, never cut
    app = make_app(review, "impact")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        assert "mark 2 detected" in text_of(app.screen.query_one(MetricsPanel).render())


async def test_a_quick_add_hands_the_keys_back_and_ctrl_a_selects_all(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        before = len(store.events(demo))
        await pilot.press("a", *"14:11 Queue drained", "enter")
        await settle(app, pilot)
        assert len(store.events(demo)) == before + 1
        assert isinstance(app.focused, TimelineTable)
        await pilot.press("a")  # opens the line again: never types "a" into it
        await settle(app, pilot)
        line = app.screen.query_one("#quick-add", Input)
        assert line.has_focus and line.value == ""
        await pilot.press(*"old words", "ctrl+a", *"new")
        await settle(app, pilot)
        assert line.value == "new"  # select-all, then typing replaces it
    app = make_app(demo, "overview")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        area = app.screen.query_one("#field-summary").query_one(TextArea)
        area.focus()
        await pilot.press("ctrl+a")
        assert area.selected_text == area.text and area.text


async def test_the_stage_bar_names_every_section_at_80_columns(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = str(app.screen.query_one(StageBar).render())
        for word in ("Opening", "Overview", "Timeline", "Impact", "Analysis", "Actions", "Report"):
            assert word in text, text


async def test_the_agenda_says_how_long_each_stage_took(store, demo, make_app):
    t0 = datetime.now().astimezone() - timedelta(minutes=30)
    meeting = Meeting.start(t0)
    meeting.next_stage(t0 + timedelta(minutes=9))  # opening: 5 min box, took 9
    store.save_meeting(demo, meeting)
    app = make_app(demo, "opening")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        agenda = text_of(app.screen.query_one("#agenda").content)
        assert "took 9 min (over its timebox)" in agenda
