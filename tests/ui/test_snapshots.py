"""Snapshot tests of every screen (fixed data, frozen 'today', 100x30).

Review an SVG before accepting it: pytest --snapshot-update, then open the file under
__snapshots__/ (or rsvg-convert it to a PNG)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from conftest import TODAY
from pmtui.app import PostmortemApp

SIZE = (100, 30)


def app_on(store, review_id, screen):
    return PostmortemApp(store, review_id=review_id, screen=screen, today=lambda: TODAY, watch_interval=None)


async def still(pilot) -> None:
    """Every worker done (cursors never blink in snapshot tests: see conftest.py)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_snapshot_tests_start_inputs_with_a_steady_cursor(snap_compare):
    """The fixture that keeps snapshots steady is on: no blink timer to race the picture."""
    assert Input().cursor_blink is False
    assert TextArea().cursor_blink is False


def test_home(snap_compare, store, demo):
    store.create_review("Search index lag", severity="SEV3")
    assert snap_compare(app_on(store, None, "overview"), terminal_size=SIZE, run_before=still)


def test_home_empty(snap_compare, store):
    assert snap_compare(app_on(store, None, "overview"), terminal_size=SIZE, run_before=still)


@pytest.mark.parametrize("section", ["opening", "overview", "timeline", "impact", "analysis", "actions", "report"])
def test_section(snap_compare, store, demo, section):
    assert snap_compare(app_on(store, demo, section), terminal_size=SIZE, run_before=still)


def test_timeline_event_form(snap_compare, store, demo):
    async def open_form(pilot):
        await still(pilot)
        await pilot.press("down", "enter")
        await still(pilot)

    assert snap_compare(app_on(store, demo, "timeline"), terminal_size=SIZE, run_before=open_form)


def test_timeline_quick_add_error(snap_compare, store, demo):
    async def bad_line(pilot):
        await still(pilot)
        await pilot.press("a", *"25:99 Paged", "enter")
        await still(pilot)

    assert snap_compare(app_on(store, demo, "timeline"), terminal_size=SIZE, run_before=bad_line)


def test_help(snap_compare, store, demo):
    async def help_(pilot):
        await still(pilot)
        await pilot.press("f1")
        await still(pilot)

    assert snap_compare(app_on(store, demo, "timeline"), terminal_size=SIZE, run_before=help_)


# issue 10: what the room reads, at the sizes of a laptop share and a small terminal
ROOM_SIZES = [(80, 24), (160, 45)]


@pytest.mark.parametrize("size", ROOM_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_room_timeline(snap_compare, store, demo, size):
    async def pick(pilot):
        await still(pilot)
        await pilot.press("down")
        await still(pilot)

    assert snap_compare(app_on(store, demo, "timeline"), terminal_size=size, run_before=pick)


@pytest.mark.parametrize("size", ROOM_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_room_walk_through(snap_compare, store, demo, size):
    async def walk(pilot):
        await still(pilot)
        await pilot.press("down", "w", "c")
        await still(pilot)

    assert snap_compare(app_on(store, demo, "timeline"), terminal_size=size, run_before=walk)


@pytest.mark.parametrize("size", ROOM_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_room_presentation(snap_compare, store, demo, size):
    async def present(pilot):
        await still(pilot)
        await pilot.press("f12", "down", "f10")
        await pilot.pause(2.5)  # the "presentation mode on" notice has gone
        await still(pilot)

    assert snap_compare(app_on(store, demo, "timeline"), terminal_size=size, run_before=present)


@pytest.mark.parametrize("size", ROOM_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_room_metrics_before_marks(snap_compare, store, size):
    """Issue 28: before any mark, the Metrics box says in plain words which mark to set
    and with which key (on Impact, where it is shown at every size)."""
    from datetime import datetime

    review, _slug = store.create_review("Queue backlog after a broker restart", severity="SEV3")
    store.add_event(review, at=datetime(2026, 3, 10, 14, 0).astimezone(), text="Queue depth alert fires")
    assert snap_compare(app_on(store, review, "impact"), terminal_size=size, run_before=still)
