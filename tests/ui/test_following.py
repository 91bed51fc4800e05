"""The room follows the facilitator (issue 28): moving the meeting on takes the facilitator
to the stage's first section (and to the report after the last); every other seat follows
the stage and the walk-through by default, can stop following with ctrl+u, and then sees
where the meeting is. Two seats, each with its own store, on SQLite and PostgreSQL."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import datetime, timedelta

import pytest

from conftest import settle
from pmtui.domain.meeting import Meeting
from pmtui.screens.actions import ActionsScreen
from pmtui.screens.analysis import AnalysisScreen
from pmtui.screens.impact import ImpactScreen
from pmtui.screens.opening import OpeningScreen
from pmtui.screens.overview import OverviewScreen
from pmtui.screens.report import ReportScreen
from pmtui.screens.walkthrough import WalkThroughScreen
from pmtui.widgets.meeting_bar import MeetingBar
from ui.test_seats import both, shown, sync


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param



def bar(app) -> str:
    return str(app.screen.query_one(MeetingBar).render())


async def test_moving_the_meeting_on_takes_the_facilitator_along(store, demo, seats):
    """``pmtui --as "Amara Okafor" open REF``, ctrl+o, s, Enter, ctrl+t: the facilitator
    lands on the stage's first section each time, and on the report after the last."""
    async with AsyncExitStack() as stack:
        a = seats.app("Amara Okafor", "opening")
        pa = await stack.enter_async_context(a.run_test(size=(160, 45)))
        await settle(a, pa)
        assert isinstance(a.screen, OpeningScreen)
        await pa.press("s")
        await settle(a, pa)
        await pa.press("enter")  # the start form's defaults
        await settle(a, pa)
        assert store.get_meeting(demo).stage == "opening"
        for expected, stage in ((OverviewScreen, "context"), (AnalysisScreen, "analysis"),
                                (ActionsScreen, "followups")):
            await pa.press("ctrl+t")
            await settle(a, pa)
            assert isinstance(a.screen, expected), (stage, a.screen)
            assert store.get_meeting(demo).stage == stage
        await pa.press("ctrl+t")  # after the last stage: ending asks first
        await settle(a, pa)
        await pa.press("y")
        await settle(a, pa)
        assert isinstance(a.screen, ReportScreen)
        meeting = store.get_meeting(demo)
        assert meeting.ended and set(meeting.stage_took) == {"opening", "context", "analysis", "followups"}


async def start_in(store, review_id: int, stage: str, by: str = "Amara Okafor") -> Meeting:
    now = datetime.now().astimezone()
    meeting = Meeting.start(now - timedelta(minutes=3))
    while meeting.stage != stage:
        meeting.next_stage(now)
    meeting.moved(by, now, "started the meeting")
    store.save_meeting(review_id, meeting)
    return meeting


async def test_other_seats_follow_the_stage_and_can_stop_following(store, demo, seats):
    await start_in(store, demo, "context")
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("impact", "impact", seats, stack)
        await pa.press("ctrl+t")  # the facilitator moves the meeting to Systemic analysis
        await settle(a, pa)
        assert isinstance(a.screen, AnalysisScreen)
        await sync(b, pb)
        assert isinstance(b.screen, AnalysisScreen)  # the note-taker went along
        assert "Amara Okafor moved the meeting to Systemic analysis" in shown(b)
        # the note-taker stops following to look at the impact while the meeting moves on
        await pb.press("ctrl+u")
        await settle(b, pb)
        await pb.press("f4")
        await settle(b, pb)
        assert isinstance(b.screen, ImpactScreen)
        await pa.press("ctrl+t")
        await settle(a, pa)
        assert isinstance(a.screen, ActionsScreen)
        await sync(b, pb)
        assert isinstance(b.screen, ImpactScreen)  # stays where it looks
        assert "not following" in bar(b) and "Follow-ups" in bar(b)  # and sees where the meeting is
        await pb.press("ctrl+u")  # follows again: goes where the meeting is
        await settle(b, pb)
        assert isinstance(b.screen, ActionsScreen)
        assert "not following" not in bar(b)


async def test_the_walk_through_is_shared_with_following_seats(store, demo, seats):
    await start_in(store, demo, "context")
    events = store.events(demo)
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("timeline", "overview", seats, stack)
        await pa.press("w")
        await settle(a, pa)
        assert isinstance(a.screen, WalkThroughScreen)
        await pa.press("right", "right")
        await settle(a, pa)
        on = a.screen.rows[a.screen.index].id
        assert store.get_meeting(demo).walk_event == on
        await sync(b, pb)  # the note-taker goes to the timeline, which walks with the facilitator
        await sync(b, pb)
        assert isinstance(b.screen, WalkThroughScreen)
        assert b.screen.rows[b.screen.index].id == on
        await pa.press("right")
        await settle(a, pa)
        await sync(b, pb)
        assert b.screen.rows[b.screen.index].id == a.screen.rows[a.screen.index].id != on
        assert "⏱" in bar(b)  # the walk-through shows the meeting's clock
        await pa.press("escape")  # the facilitator closes it: so does the following seat's
        await settle(a, pa)
        assert store.get_meeting(demo).walk_event is None
        await sync(b, pb)
        assert not isinstance(b.screen, WalkThroughScreen)
        assert len(events) == len(store.events(demo))


async def test_the_walk_through_shows_dates_when_the_timeline_spans_midnight(store, demo, make_app):
    from pmtui.domain.entry import parse_quick_add  # noqa: F401  (the quick add's own parser is not needed here)

    events = store.events(demo)
    late = events[0].at.replace(hour=23, minute=50)
    store.add_event(demo, at=late, text="Queue depth alert")
    store.add_event(demo, at=late + timedelta(minutes=15), text="Queue drained")
    app = make_app(demo, "timeline")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, WalkThroughScreen) and screen.days()
        lines = str(screen.query_one("#walk-after").render()) + str(screen.query_one("#walk-before").render())
        zone = screen.zone
        first = screen.rows[screen.index + 1].at.astimezone(zone)
        assert first.strftime("%a %d %b %H:%M") in lines
        assert screen.query_one(MeetingBar).display


# ------------------------------------------------------------ found in a mock review with two seats
async def test_starting_the_meeting_takes_following_seats_to_the_opening(store, demo, seats):
    """The facilitator starts the meeting on Opening (ground rules, agenda): a seat that was
    looking at the Overview goes there too, as it does for every later stage move."""
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("opening", "overview", seats, stack)
        await pa.press("s")
        await settle(a, pa)
        await pa.press("enter")  # the start form's defaults
        await settle(a, pa)
        assert store.get_meeting(demo) is not None
        await sync(b, pb)
        assert isinstance(b.screen, OpeningScreen)
        assert "Amara Okafor started the meeting" in shown(b)


async def test_a_seat_that_stops_following_before_the_start_stays_where_it_looks(store, demo, seats):
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("opening", "overview", seats, stack)
        await pb.press("ctrl+u")
        await settle(b, pb)
        await pa.press("s")
        await settle(a, pa)
        await pa.press("enter")
        await settle(a, pa)
        await sync(b, pb)
        assert isinstance(b.screen, OverviewScreen)
        assert "not following" in bar(b) and "Opening" in bar(b)


async def test_the_walk_through_line_names_the_seats_and_says_times_as_the_sections_do(store, demo, seats):
    """The walk-through's meeting line showed "Facilitator: —" and the last move's time in the
    machine's zone while every section showed it in the review's."""
    await start_in(store, demo, "context")
    async with AsyncExitStack() as stack:
        a, pa, _b, _pb = await both("timeline", "overview", seats, stack)
        on_timeline = bar(a)
        await pa.press("w")
        await settle(a, pa)
        assert isinstance(a.screen, WalkThroughScreen)
        line = bar(a)
        assert "Facilitator: Amara Okafor" in line and "Note-taker: Jonas Weber" in line
        move = on_timeline.split("Amara Okafor started the meeting", 1)[1].split("·", 1)[0]
        assert move.strip() and f"Amara Okafor started the meeting{move}" in line


async def test_a_seat_walking_alone_sees_which_event_the_room_is_on(store, demo, seats):
    await start_in(store, demo, "context")
    async with AsyncExitStack() as stack:
        a, pa, b, pb = await both("timeline", "timeline", seats, stack)
        await pa.press("w", "right", "right", "right")
        await settle(a, pa)
        await sync(b, pb)
        assert isinstance(b.screen, WalkThroughScreen) and b.screen.index == 3

        def progress() -> str:
            return str(b.screen.query_one("#walk-progress").render())

        assert "the room is on" not in progress()  # following: it is where the room is
        await pb.press("ctrl+u", "left", "left")
        await settle(b, pb)
        assert b.screen.index == 1 and "the room is on event 4 (ctrl+u goes there)" in progress()
        await pa.press("right")
        await settle(a, pa)
        await sync(b, pb)
        assert b.screen.index == 1 and "the room is on event 5" in progress()
        await pb.press("ctrl+u")  # follows again: back where the room is, and the hint goes
        await settle(b, pb)
        assert b.screen.index == 4 and "the room is on" not in progress()
