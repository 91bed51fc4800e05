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


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_impact_down_to_its_last_field(snap_compare, store, demo, size):
    """The Impact screen scrolled to its last field (the seat moved there with tab): a field
    added to the impact is laid out below the others and must be in view when reached."""
    from pmtui.widgets.field import Field

    async def last(pilot):
        await still(pilot)
        pilot.app.screen.query(Field).last().control.focus()
        await still(pilot)

    assert snap_compare(app_on(store, demo, "impact"), terminal_size=size, run_before=last)


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
        await still(pilot)
        pilot.app.clear_notifications()  # the picture is of the room's screen, not of a notice
        await still(pilot)

    assert snap_compare(app_on(store, demo, "timeline"), terminal_size=size, run_before=present)


@pytest.fixture(autouse=True)
def machine_in_utc(monkeypatch):
    """Every snapshot is taken on a machine whose clock is UTC: a review's times are named
    with the review's zone where it is not the machine's (issue 20), so a picture taken in
    another zone would differ."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_field_conflict_box(snap_compare, store, demo, size):
    """Another seat saved the Summary while this one typed: theirs, the keys and the buttons,
    on the screen at 80x24 too (issue 20)."""
    from pmtui.errors import Conflict
    from pmtui.widgets.field import Field

    async def conflict(pilot):
        await still(pilot)
        field = pilot.app.screen.query_one("#field-summary", Field)
        field.control.focus()
        field.control.load_text("B1 notetaker words. B2 more words")
        review = store.get_review(demo)
        field.show_conflict(Conflict("review", demo, expected_version=review["version"],
                                     current_version=review["version"] + 1,
                                     current={**review, "summary": "A1 facilitator words. A2 second sentence."},
                                     attempted={}, changed_by="Amara Okafor", changed_at="2026-03-21T18:11:00Z"),
                            field.text)
        await still(pilot)

    assert snap_compare(app_on(store, demo, "overview"), terminal_size=size, run_before=conflict)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_search(snap_compare, store, demo, size):
    async def search(pilot):
        await still(pilot)
        await pilot.press("ctrl+f")
        await still(pilot)
        await pilot.press(*"replica*")
        await still(pilot)
        await pilot.press("down")
        await still(pilot)

    assert snap_compare(app_on(store, None, "overview"), terminal_size=size, run_before=search)


@pytest.mark.parametrize("size", ROOM_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_room_metrics_before_marks(snap_compare, store, size):
    """Issue 28: before any mark, the Metrics box says in plain words which mark to set
    and with which key (on Impact, where it is shown at every size)."""
    from datetime import datetime

    review, _slug = store.create_review("Queue backlog after a broker restart", severity="SEV3")
    store.add_event(review, at=datetime(2026, 3, 10, 14, 0).astimezone(), text="Queue depth alert fires")
    assert snap_compare(app_on(store, review, "impact"), terminal_size=size, run_before=still)


@pytest.mark.parametrize("size", ROOM_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_room_walk_through_in_meeting(snap_compare, store, demo, size):
    """Issue 28: during the meeting the walk-through shows the meeting's clock, who
    facilitates and takes notes, and each event's date (seen in a two-seat mock review)."""
    from datetime import UTC, datetime, timedelta

    from pmtui.app import PostmortemApp
    from pmtui.domain.meeting import Meeting

    now = datetime(2026, 3, 12, 13, 20, tzinfo=UTC)
    meeting = Meeting.start(now - timedelta(minutes=12))
    meeting.next_stage(now - timedelta(minutes=7))
    meeting.moved("Amara Okafor", now - timedelta(minutes=7), "moved the meeting to Gather context")
    store.save_meeting(demo, meeting)
    app = PostmortemApp(store, review_id=demo, screen="timeline", today=lambda: TODAY, now=lambda: now,
                        watch_interval=None)

    async def walk(pilot):
        await still(pilot)
        await pilot.press("down", "w")
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=walk)


# Every screen has a snapshot (issue 21): the screens not shown above, reached as a user does.
# (test id, on a review?, section, keys, the screen the picture is of)
MORE_SCREENS = [
    ("capture", True, "timeline", ["ctrl+n", *"retry storms at 14:05"], "CaptureScreen"),
    ("evidence", True, "timeline", ["v"], "EvidenceScreen"),
    ("source_filter", True, "timeline", ["s"], "SourceFilterScreen"),
    ("leaving", True, "overview", [*" (draft)", "ctrl+q"], "LeavingScreen"),
    ("new_review", False, "overview", ["ctrl+n"], "PromptScreen"),
    ("delete_review", False, "overview", ["ctrl+d"], "ConfirmScreen"),
    ("followups", False, "overview", ["f6"], "FollowupsScreen"),
    ("patterns", False, "overview", ["f5"], "PatternsScreen"),
    ("pattern_groups", False, "overview", ["f5", "g"], "PatternGroupsScreen"),
]
# the screens the tests above show, by the test that shows them
SHOWN_ABOVE = {
    "HomeScreen": "test_home", "OpeningScreen": "test_section", "OverviewScreen": "test_section",
    "TimelineScreen": "test_section", "ImpactScreen": "test_section", "AnalysisScreen": "test_section",
    "ActionsScreen": "test_section", "ReportScreen": "test_section", "FormScreen": "test_timeline_event_form",
    "HelpScreen": "test_help", "WalkThroughScreen": "test_room_walk_through", "SearchScreen": "test_search",
    "SectionScreen": "test_section",  # the base of the sections
}


@pytest.mark.parametrize(("name", "in_review", "section", "keys", "screen"), MORE_SCREENS,
                         ids=[m[0] for m in MORE_SCREENS])
def test_screen(snap_compare, store, demo, name, in_review, section, keys, screen):
    async def reach(pilot):
        await still(pilot)
        for key in keys:
            await pilot.press(key)
            await still(pilot)
        assert type(pilot.app.screen).__name__ == screen  # the picture is of the screen named

    store.actor = "Jonas Weber"  # a seat with a name (a nameless one is asked first: test_seats)
    assert snap_compare(app_on(store, demo if in_review else None, section), terminal_size=SIZE, run_before=reach)


def test_every_screen_has_a_snapshot():
    import importlib
    import pkgutil
    from pathlib import Path

    from textual.screen import Screen

    import pmtui.screens

    screens = set()
    for info in pkgutil.iter_modules(pmtui.screens.__path__):
        module = importlib.import_module(f"pmtui.screens.{info.name}")
        screens |= {n for n, c in vars(module).items()
                    if isinstance(c, type) and issubclass(c, Screen) and c.__module__ == module.__name__}
    assert screens == set(SHOWN_ABOVE) | {m[4] for m in MORE_SCREENS}, "a screen without a snapshot"
    shots = Path(__file__).parent / "__snapshots__" / "test_snapshots"
    for test in {*SHOWN_ABOVE.values(), *(f"test_screen[{m[0]}]" for m in MORE_SCREENS)}:
        assert any(p.name.startswith(test) for p in shots.glob("*.svg")), test
