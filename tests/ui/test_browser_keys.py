"""A seat in a browser (`pmtui serve`) reaches every meeting action by key: browsers keep
ctrl+n, ctrl+t, ctrl+w (and a few more) for themselves, so each action on one of those has
a second key they pass on; and the command palette (ctrl+p) names every action, read from
the screen it was opened over (not from the palette itself)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from textual.binding import Binding
from textual.command import CommandPalette

from conftest import settle
from pmtui import config
from pmtui.app import PostmortemApp
from pmtui.domain.meeting import Meeting
from pmtui.keys import BROWSER_RESERVED, browser_keys, in_help, is_everywhere
from pmtui.screens.base import SectionScreen
from pmtui.screens.capture import CaptureScreen
from pmtui.screens.opening import OpeningScreen

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=timezone(timedelta(hours=1)))
SECTIONS = ["opening", "overview", "timeline", "impact", "analysis", "actions", "report"]


def meeting_bindings() -> list[Binding]:
    """Every action of the meeting: the app's and every section's keys ("Everywhere" in
    help), and the Opening screen's. Quitting is the one left out: a browser seat leaves by
    closing its tab."""
    declared = [*PostmortemApp.BINDINGS, *SectionScreen.BINDINGS, *OpeningScreen.BINDINGS]
    found = [b for b in declared if isinstance(b, Binding) and (is_everywhere(b) or (b.id or "").startswith("opening."))]
    return [b for b in found if b.id != "app.quit"]


def test_every_meeting_action_has_a_key_a_browser_passes_on():
    bindings = meeting_bindings()
    assert {"app.capture", "meeting.next", "meeting.pause", "opening.next"} <= {b.id for b in bindings}
    for b in bindings:
        assert browser_keys(b), (b.id, b.key, "every key of it is kept by browsers")
    reserved_in_use = [b.id for b in bindings if any(k.strip() in BROWSER_RESERVED for k in b.key.split(","))]
    assert "app.capture" in reserved_in_use and "meeting.next" in reserved_in_use  # the terminal keys stay


@pytest.fixture
def facilitator(tmp_path):
    c = config.load(tmp_path / "config" / "config.toml")
    c.name = "Amara Okafor"  # the demo's facilitator: this seat may move the meeting on
    return c


async def test_browser_keys_capture_a_note_and_move_the_stage_on(store, demo, make_app, facilitator):
    store.save_meeting(demo, Meeting.start(T0))
    app = make_app(demo, "overview", config=facilitator, now=lambda: T0 + timedelta(minutes=3))
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#field-title Input").focus()  # even while typing in a field
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert isinstance(app.screen, CaptureScreen)
        await pilot.press(*"said in the browser", "enter")
        await settle(app, pilot)
        assert store.list_items("note", demo)[-1]["text"] == "said in the browser"
        stage = store.get_meeting(demo).stage
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        assert store.get_meeting(demo).stage != stage


@pytest.mark.parametrize("section", SECTIONS)
async def test_the_palette_names_every_meeting_action_of_the_screen_it_was_opened_over(store, demo, make_app,
                                                                                       section):
    app = make_app(demo, section)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        label = screen.sub_title.split(" · ")[0]
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandPalette)  # as the palette asks: with itself on top
        titles = {c.title for c in app.get_system_commands(screen)}
        wanted = [b for b in meeting_bindings() if in_help(b) and not b.action.startswith(("section(", "go("))
                  and b.action != "command_palette"
                  and (section == "opening" or not (b.id or "").startswith("opening."))]
        for b in wanted:  # by its words, or those of the screen's own key for the same action
            words = {f"{label}: {w.description}" for w in wanted if w.action == b.action}
            assert words & titles, (b.id, sorted(titles))
        # and the section's own keys, e.g. the timeline's quick add
        own = {"timeline": "Add event", "report": "Export…", "opening": "Start meeting"}.get(section)
        if own:
            assert f"{label}: {own}" in titles
        # the palette shows them when searched by name
        await pilot.press(*"next stage")
        await settle(app, pilot)
        await pilot.pause(0.3)
        shown = [str(o.prompt) for o in app.screen.query_one("CommandList").options]
        assert any("Next stage" in s for s in shown), shown
